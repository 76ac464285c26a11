// A contest's clock and where a contestant stands in it, from the contest and submissions as
// the API returns them. `now` is in ms since the epoch.

import { duration } from "./format.js";

export function countdown(contest, now) {
  if (contest.state === "scheduled") return `starts in ${duration(Date.parse(contest.start_at) - now)}`;
  if (contest.state === "running" || contest.state === "frozen") {
    return `ends in ${duration(Date.parse(contest.end_at) - now)}`;
  }
  return "finished";
}

// When a contest's state next changes (start, freeze, end), in ms since the epoch, or null.
export function nextChange(contest, now) {
  const moments = { scheduled: [contest.start_at], running: [contest.freeze_at, contest.end_at],
    frozen: [contest.end_at] }[contest.state] || [];
  const future = moments.filter(Boolean).map(Date.parse).filter((moment) => moment > now);
  return future.length ? Math.min(...future) : null;
}

// The first of the contests' next changes, or null when none of them will change.
export function soonestChange(contests, now) {
  const changes = contests.map((contest) => nextChange(contest, now)).filter(Boolean);
  return changes.length ? Math.min(...changes) : null;
}

// Whether the board of a contest just read is frozen: during the freeze, and after the end
// until the jury unfreezes it.
export function frozenNow(contest) {
  return contest.state === "frozen" || Boolean(contest.state === "ended" && contest.freeze_at && !contest.unfrozen_at);
}

// Submissions in a state: `over` once the contest has ended, `closed` when it has ended and
// takes no practice submissions.
export function submissionWindow(state, practice) {
  const over = state === "ended" || state === "unfrozen";
  return { over, closed: over && !practice };
}

// Label → "solved" (an AC among them) or "tried", from the contestant's submissions.
export function problemStatus(submissions) {
  const status = {};
  for (const s of submissions) {
    if (s.verdict === "AC") status[s.label] = "solved";
    else if (status[s.label] !== "solved") status[s.label] = "tried";
  }
  return status;
}
