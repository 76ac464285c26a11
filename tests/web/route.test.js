import assert from "node:assert/strict";
import { test } from "node:test";

import { resolve } from "../../web/js/logic/route.js";

const ROUTES = [
  [/^\/contests$/, "contests"],
  [/^\/contests\/(\d+)$/, "contest"],
  [/^\/contests\/(\d+)\/problems\/(\d+)$/, "problem"],
];

test("a hash resolves to its view with the pattern's groups and the query", () => {
  const found = resolve("#/contests/7/problems/12?per=100&x=1", ROUTES);
  assert.equal(found.view, "problem");
  assert.deepEqual(found.args, ["7", "12"]);
  assert.equal(found.params.get("per"), "100");
  assert.deepEqual(resolve("#/contests/7", ROUTES).args, ["7"]);
});

test("an empty hash is the contest list", () => {
  assert.equal(resolve("", ROUTES).view, "contests");
  assert.equal(resolve("#", ROUTES).view, "contests");
});

test("an unknown path resolves to nothing", () => {
  assert.equal(resolve("#/contests/x", ROUTES), null);
  assert.equal(resolve("#/contests/7/", ROUTES), null);
});
