import assert from "node:assert/strict";
import { test } from "node:test";

import { isNewer, runFigures, runHeadline, runOutputs } from "../../web/js/logic/run.js";

const done = (fields) => ({
  id: "a", status: "done", time_limit_ms: 2000, memory_limit_kb: 262144, time_ms: 12, memory_kb: 9728,
  exit_code: 0, stdout: "3\n", stdout_truncated: false, stderr: "", stderr_truncated: false,
  compile_output: "", compile_output_truncated: false, outcome: "OK", ...fields,
});

test("the headline says where the run is, then what it came to", () => {
  assert.equal(runHeadline({ status: "queued" }), "Queued…");
  assert.equal(runHeadline({ status: "running" }), "Running…");
  assert.equal(runHeadline(done({})), "Ran without error");
  assert.equal(runHeadline(done({ outcome: "RTE", exit_code: 3 })), "Run-time error (exit code 3)");
  assert.equal(runHeadline(done({ outcome: "RTE", exit_code: null })), "Run-time error");
  assert.equal(runHeadline(done({ outcome: "TLE" })), "Time limit exceeded");
});

test("time and memory against the problem's limits, none before the end or for a compile error", () => {
  assert.equal(runFigures(done({})), "Time 12 ms of 2000 ms · Memory 9.5 MB of 256 MB");
  assert.equal(runFigures({ status: "running", time_ms: null }), "");
  assert.equal(runFigures(done({ outcome: "CE", time_ms: null, memory_kb: null })), "");
});

test("the outputs: stdout, stderr when there is any, the compiler's alone for a CE", () => {
  assert.deepEqual(runOutputs(done({})), [{ name: "Output", text: "3\n", truncated: false }]);
  assert.deepEqual(runOutputs(done({ stderr: "boom", stdout_truncated: true })).map((o) => [o.name, o.truncated]),
    [["Output", true], ["Standard error", false]]);
  assert.deepEqual(runOutputs(done({ outcome: "CE", compile_output: "SyntaxError" })),
    [{ name: "Compiler output", text: "SyntaxError", truncated: false }]);
  assert.deepEqual(runOutputs({ status: "queued" }), []);
});

test("only later news about the same run replaces what is shown", () => {
  const queued = { id: "a", status: "queued" };
  assert.equal(isNewer(queued, { id: "a", status: "running" }), true);
  assert.equal(isNewer(queued, done({})), true);
  assert.equal(isNewer(done({}), { id: "a", status: "running" }), false);
  assert.equal(isNewer(queued, { id: "b", status: "done" }), false);
  assert.equal(isNewer(null, queued), false);
});
