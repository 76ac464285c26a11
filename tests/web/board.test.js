import assert from "node:assert/strict";
import { test } from "node:test";

import {
  applyChanges, changedRows, mergeFirstSolves, newFirstSolves, nextStep, pageSize,
} from "../../web/js/logic/board.js";

// A leaderboard row: `problems` maps a label to {solved, time_minutes}.
const row = (user_id, rank, username = `u${user_id}`, problems = {}) => ({ user_id, rank, username, problems });
const ids = (rows) => rows.map((r) => [r.user_id, r.rank]);

test("the page size comes from `per`, 50 by default, between 1 and 200", () => {
  assert.equal(pageSize(null), 50);
  assert.equal(pageSize("abc"), 50);
  assert.equal(pageSize("7"), 7);
  assert.equal(pageSize("0"), 50);
  assert.equal(pageSize("-3"), 1);
  assert.equal(pageSize("5000"), 200);
});

test("the next version is applied, older ones ignored, a gap reads the page again", () => {
  assert.equal(nextStep(4, 5), "apply");
  assert.equal(nextStep(4, 4), "ignore");
  assert.equal(nextStep(4, 2), "ignore");
  assert.equal(nextStep(4, 6), "reload");
  assert.equal(nextStep(null, 1), "ignore");
});

test("a changed row on the page replaces the old one; the same rank moves nothing", () => {
  const rows = [row(1, 1), row(2, 2), row(3, 3)];
  const changed = [{ ...row(2, 2), penalty: 40 }];
  const after = applyChanges(rows, changed, { size: 3, me: null });
  assert.deepEqual(ids(after.rows), [[1, 1], [2, 2], [3, 3]]);
  assert.equal(after.rows[1].penalty, 40);
  assert.deepEqual(after.touched, [2]);
  assert.equal(after.moved, false);
  assert.equal(rows[1].penalty, undefined, "the rows given are not changed");
});

test("a row climbing the page is re-sorted and the page is marked moved", () => {
  const rows = [row(1, 1), row(2, 2), row(3, 3)];
  const after = applyChanges(rows, [row(3, 1, "a3")], { size: 3, me: null });
  assert.deepEqual(ids(after.rows), [[3, 1], [1, 1], [2, 2]]);
  assert.equal(after.moved, true);
});

test("a row falling below a full page leaves it; one from below joins a page not yet full", () => {
  const full = [row(1, 1), row(2, 2), row(3, 3)];
  const fell = applyChanges(full, [row(2, 9)], { size: 3, me: null });
  assert.deepEqual(ids(fell.rows), [[1, 1], [3, 3]]);
  assert.equal(fell.moved, true);
  const short = applyChanges([row(1, 1)], [row(5, 4)], { size: 3, me: null });
  assert.deepEqual(ids(short.rows), [[1, 1], [5, 4]]);
});

test("a row outside the page is skipped, and the page never grows past its size", () => {
  const page = [row(4, 11), row(5, 12)];
  const above = applyChanges(page, [row(9, 3)], { size: 2, me: null });
  assert.deepEqual(ids(above.rows), [[4, 11], [5, 12]]);
  assert.deepEqual(above.touched, []);
  assert.equal(above.moved, false);
  const crowded = applyChanges([row(1, 1), row(2, 2)], [row(3, 2, "a3")], { size: 2, me: null });
  assert.deepEqual(ids(crowded.rows), [[1, 1], [3, 2]]);
});

test("the contestant's own row is returned when it changed, even off the page", () => {
  const mine = row(9, 40, "me");
  assert.equal(applyChanges([row(1, 1)], [mine], { size: 1, me: "me" }).mine, mine);
  assert.equal(applyChanges([row(1, 1)], [mine], { size: 1, me: "other" }).mine, null);
});

test("an empty page takes the changed rows in rank order", () => {
  const after = applyChanges([], [row(2, 2), row(1, 1)], { size: 50, me: null });
  assert.deepEqual(ids(after.rows), [[1, 1], [2, 2]]);
  assert.equal(after.moved, true);
});

test("a first solve is the earliest solve of a problem that has none yet", () => {
  const solved = (minute) => ({ solved: true, time_minutes: minute });
  const changed = [row(1, 2, "a", { A: solved(30), B: solved(5) }), row(2, 1, "b", { A: solved(12) }),
    row(3, 3, "c", { C: { solved: false } })];
  assert.deepEqual(newFirstSolves(["A", "B", "C"], { B: 7 }, changed), { A: 2 });
  assert.deepEqual(newFirstSolves(["A"], {}, []), {});
});

test("first solves seen live stand for a few seconds until the server has them", () => {
  const seen = { A: { user: 1, at: 10_000 }, B: { user: 2, at: 10_000 } };
  assert.deepEqual(mergeFirstSolves({ B: 3 }, seen, 12_000), { A: 1, B: 3 });
  assert.deepEqual(mergeFirstSolves({}, seen, 13_000), {});
});

test("rows that differ from the last read are the changed ones; nothing on the first read", () => {
  const before = [row(1, 1), row(2, 2)];
  const after = [row(1, 1), { ...row(2, 2), penalty: 20 }, row(3, 3)];
  assert.deepEqual(changedRows(before, after), [2, 3]);
  assert.deepEqual(changedRows([], after), []);
});
