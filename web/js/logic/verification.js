// A problem package's verification report (GET /admin/problems/{pid}/verification) as the
// jury's page shows it: one line for where it stands, one for the time limit, one word for
// each bundled submission.

// The report changes while it is in one of these (a judge host writes it after every file).
export const LIVE = new Set(["queued", "running"]);

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

export function verificationStatus(report) {
  const { counts } = report;
  const files = plural(counts.files, "file", "files");
  if (report.status === "queued") return `Queued: ${files} to judge.`;
  if (report.status === "running") return `Judging on ${report.host}: ${counts.judged} of ${files} judged.`;
  if (report.error) return `Stopped: ${report.error}`;
  const skipped = counts.not_checked ? `, ${counts.not_checked} not checked` : "";
  return `Done: ${counts.as_expected} of ${files} as expected, ${plural(counts.mismatches, "mismatch", "mismatches")}${skipped}.`;
}

export function timeLimitLine(report) {
  if (report.derived_time_limit_ms !== null) {
    return `Time limit ${report.derived_time_limit_ms} ms, derived from the accepted submissions.`;
  }
  if (report.time_limit_ms !== null) return `Time limit ${report.time_limit_ms} ms.`;
  return report.derives_time_limit
    ? "The accepted submissions will set the time limit (1 s until then)."
    : "";
}

export function fileOutcome(file) {
  if (file.as_expected === true) return "as expected";
  if (file.as_expected === false) return "mismatch";
  return file.note ? "not checked" : "waiting";
}
