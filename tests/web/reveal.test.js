import assert from "node:assert/strict";
import { test } from "node:test";

import { nextRow, pendingCells, revealStep, startReveal } from "../../web/js/logic/reveal.js";

const LABELS = ["A", "B"];
const RULES = { labels: LABELS, penaltyMinutes: 20 };
const solved = (time_minutes, attempts = 1) => ({ attempts, pending: 0, solved: true, time_minutes });
const pending = (count, attempts = 0) => ({ attempts, pending: count, solved: false });
const tried = (attempts) => ({ attempts, pending: 0, solved: false });
const team = (user_id, username, problems) => ({ user_id, username, problems, rank: 0, solved: 0, penalty: 0 });
const order = (state) => state.rows.map((r) => [r.username, r.rank, r.solved, r.penalty]);

// At the freeze: ann leads with A; ben has A and a pending B; cat has two pending cells.
const FROZEN = [
  team(1, "ann", { A: solved(10) }),
  team(2, "ben", { A: solved(30, 2), B: pending(1) }),
  team(3, "cat", { A: pending(1), B: pending(2, 1) }),
];
// The truth: ben solved B at 200; cat solved A at 250 and failed B again.
const FINAL = [
  team(1, "ann", { A: solved(10) }),
  team(2, "ben", { A: solved(30, 2), B: solved(200) }),
  team(3, "cat", { A: solved(250), B: tried(3) }),
];

test("the reveal starts from the frozen board, ranked, with its pending cells counted", () => {
  const state = startReveal(FROZEN, FINAL, RULES);
  assert.deepEqual(order(state), [["ann", 1, 1, 10], ["ben", 2, 1, 50], ["cat", 3, 0, 0]]);
  assert.equal(pendingCells(state), 3);
  assert.equal(nextRow(state).username, "cat");
  assert.equal(state.last, null);
});

test("each step resolves the leftmost pending cell of the lowest team that has one", () => {
  let state = startReveal(FROZEN, FINAL, RULES);
  state = revealStep(state);
  assert.deepEqual(state.last, { user_id: 3, label: "A", solved: true, from: 3, to: 3 });
  assert.deepEqual(order(state), [["ann", 1, 1, 10], ["ben", 2, 1, 50], ["cat", 3, 1, 250]]);
  assert.equal(pendingCells(state), 2);

  state = revealStep(state); // cat's B: a wrong answer, cat stays last and has nothing pending
  assert.deepEqual(state.last, { user_id: 3, label: "B", solved: false, from: 3, to: 3 });
  assert.deepEqual(state.rows[2].problems.B, { attempts: 3, pending: 0, solved: false });
  assert.equal(nextRow(state).username, "ben");

  state = revealStep(state); // ben's B: two solved, ben climbs to first
  assert.deepEqual(state.last, { user_id: 2, label: "B", solved: true, from: 2, to: 1 });
  assert.deepEqual(order(state), [["ben", 1, 2, 250], ["ann", 2, 1, 10], ["cat", 3, 1, 250]]);
  assert.equal(pendingCells(state), 0);
  assert.equal(nextRow(state), null);
  assert.equal(revealStep(state), state, "nothing left: the same state");
});

test("a step changes nothing it was given", () => {
  const frozen = structuredClone(FROZEN);
  const state = startReveal(frozen, FINAL, RULES);
  const rows = structuredClone(state.rows);
  revealStep(state);
  assert.deepEqual(state.rows, rows);
  assert.deepEqual(frozen, FROZEN);
});

test("teams tied on solved, penalty and last solve share a rank, listed by name", () => {
  const state = startReveal(
    [team(7, "zed", { A: solved(10) }), team(8, "amy", { A: solved(10) }), team(9, "bob", {})],
    [],
    RULES,
  );
  assert.deepEqual(order(state), [["amy", 1, 1, 10], ["zed", 1, 1, 10], ["bob", 3, 0, 0]]);
  // the same solved and penalty: the earlier last solve ranks higher
  const rows = [team(1, "a", { A: solved(10), B: solved(50) }), team(2, "b", { A: solved(30), B: solved(30) })];
  assert.deepEqual(order(startReveal(rows, [], RULES)), [["b", 1, 2, 60], ["a", 2, 2, 60]]);
});

test("a team only the final board has enters with all its cells pending", () => {
  const state = startReveal(FROZEN, [...FINAL, team(4, "dan", { B: solved(280, 2) })], RULES);
  assert.deepEqual(state.rows.at(-1).problems, { B: pending(2) });
  let last = state;
  while (pendingCells(last)) last = revealStep(last);
  assert.deepEqual(order(last).map(([name, rank]) => [name, rank]), [["ben", 1], ["ann", 2], ["cat", 3], ["dan", 4]]);
  assert.equal(last.rows.at(-1).penalty, 300);
});

test("resolving every cell ends on the final board's totals", () => {
  let state = startReveal(FROZEN, FINAL, RULES);
  let steps = 0;
  while (nextRow(state)) { state = revealStep(state); steps += 1; }
  assert.equal(steps, 3);
  for (const row of state.rows) {
    const final = FINAL.find((r) => r.user_id === row.user_id);
    assert.deepEqual(row.problems, final.problems);
  }
});
