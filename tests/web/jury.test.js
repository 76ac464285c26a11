import assert from "node:assert/strict";
import { test } from "node:test";

import { hostSummary, pageHeading, submissionsQuery } from "../../web/js/logic/jury.js";

test("only the filters given go into the query, with the page", () => {
  assert.equal(submissionsQuery({ problem: "A", verdict: "", language: " python " }), "problem=A&language=python&limit=50");
  assert.equal(submissionsQuery({}, 100), "offset=100&limit=50");
  assert.equal(submissionsQuery({ user_id: "7", unknown: "x" }), "user_id=7&limit=50");
});

test("times are sent in UTC", () => {
  const query = new URLSearchParams(submissionsQuery({ from: "2026-04-01T12:30:00Z" }));
  assert.equal(query.get("from"), "2026-04-01T12:30:00.000Z");
});

test("a judge host in one line", () => {
  const host = { busy: 3, boxes: 4, judged: 17, beat_seconds_ago: 1.6, draining: false };
  assert.equal(hostSummary(host), "3 of 4 boxes busy · 17 judged · beat 2 s ago");
  assert.equal(hostSummary({ ...host, beat_seconds_ago: null, draining: true }), "3 of 4 boxes busy · 17 judged · draining");
});

test("the page heading counts what matched", () => {
  assert.equal(pageHeading(0, 0, 0), "No submissions match");
  assert.equal(pageHeading(230, 50, 50), "Submissions 51–100 of 230");
});
