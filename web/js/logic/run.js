// A custom invocation (POST …/invocations) as the Run panel shows it: what it came to in words,
// its time and memory against the problem's limits, and which output to show first.

import { memory } from "./format.js";

export const OUTCOMES = {
  OK: "Ran without error",
  TLE: "Time limit exceeded",
  MLE: "Memory limit exceeded",
  RTE: "Run-time error",
  OLE: "Output limit exceeded",
  CE: "Compilation error",
  JE: "The judge could not run it; try again",
};

// The headline: "Queued…", "Running…", or the outcome (with the exit code of a run-time error).
export function runHeadline(run) {
  if (run.status === "queued") return "Queued…";
  if (run.status === "running") return "Running…";
  const words = OUTCOMES[run.outcome] || run.outcome;
  if (run.outcome === "RTE" && run.exit_code !== null && run.exit_code !== undefined) return `${words} (exit code ${run.exit_code})`;
  return words;
}

// "Time 12 ms of 2000 ms · Memory 9.5 MB of 256 MB", or "" while it has no figures (CE, queued).
export function runFigures(run) {
  if (run.status !== "done" || run.time_ms === null || run.time_ms === undefined) return "";
  return `Time ${run.time_ms} ms of ${run.time_limit_ms} ms · Memory ${memory(run.memory_kb)} of ${memory(run.memory_limit_kb)}`;
}

// The outputs to show, in order, each {name, text, truncated}: the compiler's for a CE, else
// stdout and, when there is any, stderr.
export function runOutputs(run) {
  if (run.status !== "done") return [];
  if (run.outcome === "CE") return [{ name: "Compiler output", text: run.compile_output, truncated: run.compile_output_truncated }];
  const outputs = [{ name: "Output", text: run.stdout, truncated: run.stdout_truncated }];
  if (run.stderr) outputs.push({ name: "Standard error", text: run.stderr, truncated: run.stderr_truncated });
  return outputs;
}

// Whether `next` (an event or a poll) is news about `current`: the same run, not behind it.
const ORDER = { queued: 0, running: 1, done: 2 };
export function isNewer(current, next) {
  return Boolean(current && next && current.id === next.id && ORDER[next.status] > ORDER[current.status]);
}
