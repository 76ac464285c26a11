import assert from "node:assert/strict";
import { test } from "node:test";

import { LIVE, fileOutcome, timeLimitLine, verificationStatus } from "../../web/js/logic/verification.js";

const counts = { files: 3, judged: 0, as_expected: 0, mismatches: 0, not_checked: 0 };
const report = {
  status: "queued", host: null, error: null, counts,
  derives_time_limit: true, time_limit_ms: null, derived_time_limit_ms: null,
};

test("where a verification stands, in one line", () => {
  assert.equal(verificationStatus(report), "Queued: 3 files to judge.");
  const running = { ...report, status: "running", host: "judge-1-verify0", counts: { ...counts, judged: 1 } };
  assert.equal(verificationStatus(running), "Judging on judge-1-verify0: 1 of 3 files judged.");
  const done = { ...report, status: "done", counts: { ...counts, judged: 3, as_expected: 2, mismatches: 1 } };
  assert.equal(verificationStatus(done), "Done: 2 of 3 files as expected, 1 mismatch.");
  const skipped = { ...done, counts: { ...counts, files: 1, judged: 0, not_checked: 1 } };
  assert.equal(verificationStatus(skipped), "Done: 0 of 1 file as expected, 0 mismatches, 1 not checked.");
  assert.equal(verificationStatus({ ...done, error: "the validator does not compile" }),
    "Stopped: the validator does not compile");
});

test("the time limit: derived, given, or still to come", () => {
  assert.equal(timeLimitLine(report), "The accepted submissions will set the time limit (1 s until then).");
  assert.equal(timeLimitLine({ ...report, derives_time_limit: false }), "");
  assert.equal(timeLimitLine({ ...report, time_limit_ms: 2000, derived_time_limit_ms: 2000 }),
    "Time limit 2000 ms, derived from the accepted submissions.");
  assert.equal(timeLimitLine({ ...report, time_limit_ms: 1500 }), "Time limit 1500 ms.");
});

test("each file's outcome, and which reports still change", () => {
  assert.equal(fileOutcome({ as_expected: true, note: "" }), "as expected");
  assert.equal(fileOutcome({ as_expected: false, note: "" }), "mismatch");
  assert.equal(fileOutcome({ as_expected: null, note: "not judged: no language reads .txt" }), "not checked");
  assert.equal(fileOutcome({ as_expected: null, note: "" }), "waiting");
  assert.deepEqual([...LIVE], ["queued", "running"]);
});
