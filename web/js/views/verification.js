// A problem package's verification, for the jury: where it stands (read again every second
// while a judge host is at it), the time limit it derived, and each bundled submission's
// expected verdicts against the one it got.

import { contestHeader } from "../components/contest-header.js";
import { h, verdictBadge } from "../dom.js";
import { LIVE, fileOutcome, timeLimitLine, verificationStatus } from "../logic/verification.js";

const POLL_MS = 1000;

export async function verificationView(app, cid, pid) {
  const { header, stop } = await contestHeader(app, cid, "/jury");
  if (!["jury", "admin"].includes(app.session.user?.role)) {
    app.show(header, h("h1", {}, "Package verification"), h("p", {}, "This page is for the jury."));
    return stop;
  }
  const { problems } = await app.api.get(`/contests/${cid}/problems`);
  const problem = problems.find((p) => String(p.id) === String(pid));
  const status = h("p", { class: "verification-status", role: "status" });
  const limit = h("p", { class: "hint verification-limit" });
  const rows = h("tbody");
  let timer = null;
  let stopped = false;

  const load = async () => {
    let report;
    try {
      report = await app.api.get(`/admin/problems/${pid}/verification`);
    } catch (error) {
      status.textContent = error.friendly;
      return;
    }
    if (stopped) return;
    status.textContent = verificationStatus(report);
    limit.textContent = timeLimitLine(report);
    rows.replaceChildren(...report.files.map((f) => h("tr", { "data-path": f.path, "data-outcome": fileOutcome(f) },
      h("td", {}, f.path), h("td", {}, f.expected.join(", ") || "—"),
      h("td", {}, f.got ? verdictBadge(f.got) : ""), h("td", {}, f.time_ms === null ? "" : `${f.time_ms} ms`),
      h("td", {}, fileOutcome(f)), h("td", {}, f.note))));
    if (LIVE.has(report.status)) timer = setTimeout(load, POLL_MS);
  };
  const title = problem ? `Problem ${problem.label} — ${problem.title}` : `Problem ${pid}`;
  app.show(header, h("h1", {}, `${title}: package verification`), status, limit,
    h("div", { class: "table-scroll" }, h("table", { class: "history verification-files" },
      h("thead", {}, h("tr", {}, ["Submission", "Expected", "Got", "Time", "Outcome", "Note"]
        .map((t) => h("th", { scope: "col" }, t)))), rows)));
  await load();
  return () => { stopped = true; clearTimeout(timer); stop(); };
}
