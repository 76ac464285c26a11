import assert from "node:assert/strict";
import { test } from "node:test";

import {
  countdown, frozenNow, nextChange, problemStatus, soonestChange, submissionWindow,
} from "../../web/js/logic/contest.js";

const NOW = Date.parse("2030-01-01T12:00:00Z");
const contest = (state, extra = {}) => ({
  state, start_at: "2030-01-01T13:00:00Z", freeze_at: "2030-01-01T14:00:00Z", end_at: "2030-01-01T15:00:00Z",
  ...extra,
});

test("a scheduled contest counts down to its start, a running or frozen one to its end", () => {
  assert.equal(countdown(contest("scheduled"), NOW), "starts in 01:00:00");
  assert.equal(countdown(contest("running"), NOW), "ends in 03:00:00");
  assert.equal(countdown(contest("frozen"), NOW + 1000), "ends in 02:59:59");
  assert.equal(countdown(contest("scheduled", { start_at: "2030-01-03T13:00:05Z" }), NOW), "starts in 2d 01:00:05");
});

test("a countdown past its moment shows zero, an ended contest is finished", () => {
  assert.equal(countdown(contest("running"), Date.parse("2030-01-01T16:00:00Z")), "ends in 00:00:00");
  assert.equal(countdown(contest("ended"), NOW), "finished");
  assert.equal(countdown(contest("unfrozen"), NOW), "finished");
});

test("the next change is the start, then the freeze, then the end", () => {
  assert.equal(nextChange(contest("scheduled"), NOW), Date.parse("2030-01-01T13:00:00Z"));
  assert.equal(nextChange(contest("running"), NOW), Date.parse("2030-01-01T14:00:00Z"));
  assert.equal(nextChange(contest("running", { freeze_at: null }), NOW), Date.parse("2030-01-01T15:00:00Z"));
  assert.equal(nextChange(contest("running"), Date.parse("2030-01-01T14:30:00Z")), Date.parse("2030-01-01T15:00:00Z"));
  assert.equal(nextChange(contest("frozen"), NOW), Date.parse("2030-01-01T15:00:00Z"));
});

test("nothing changes after the end, nor for a moment already past", () => {
  assert.equal(nextChange(contest("ended"), NOW), null);
  assert.equal(nextChange(contest("unfrozen"), NOW), null);
  assert.equal(nextChange(contest("frozen"), Date.parse("2030-01-01T15:00:00Z")), null);
});

test("the soonest change of a list is the earliest of its contests' next changes", () => {
  const later = contest("scheduled", { start_at: "2030-01-01T18:00:00Z" });
  assert.equal(soonestChange([later, contest("running"), contest("ended")], NOW), Date.parse("2030-01-01T14:00:00Z"));
  assert.equal(soonestChange([contest("ended")], NOW), null);
  assert.equal(soonestChange([], NOW), null);
});

test("the board is frozen during the freeze and after the end until it is unfrozen", () => {
  assert.equal(frozenNow(contest("frozen")), true);
  assert.equal(frozenNow(contest("ended")), true);
  assert.equal(frozenNow(contest("ended", { unfrozen_at: "2030-01-01T16:00:00Z" })), false);
  assert.equal(frozenNow(contest("ended", { freeze_at: null })), false);
  assert.equal(frozenNow(contest("running")), false);
  assert.equal(frozenNow(contest("unfrozen")), false);
});

test("submissions close when the contest is over, unless practice is open", () => {
  assert.deepEqual(submissionWindow("running", false), { over: false, closed: false });
  assert.deepEqual(submissionWindow("frozen", false), { over: false, closed: false });
  assert.deepEqual(submissionWindow("ended", false), { over: true, closed: true });
  assert.deepEqual(submissionWindow("unfrozen", false), { over: true, closed: true });
  assert.deepEqual(submissionWindow("ended", true), { over: true, closed: false });
});

test("a problem is solved once any submission is accepted, in any order", () => {
  const submissions = [
    { label: "A", verdict: "WA" }, { label: "A", verdict: "AC" }, { label: "A", verdict: "TLE" },
    { label: "B", verdict: null }, { label: "C", verdict: "CE" },
  ];
  const expected = { A: "solved", B: "tried", C: "tried" };
  assert.deepEqual(problemStatus(submissions), expected);
  assert.deepEqual(problemStatus([...submissions].reverse()), expected);
  assert.deepEqual(problemStatus([]), {});
});
