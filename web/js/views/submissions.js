// One submission with its highlighted source, and the contestant's submissions to a contest
// (verdicts of those still judged filled in live).

import { contestHeader } from "../components/contest-header.js";
import { sourceCode } from "../components/source-code.js";
import { SubmissionCard } from "../components/submission-card.js";
import { h, verdictBadge } from "../dom.js";
import { when } from "../logic/format.js";

export async function submissionView(app, sid) {
  if (!app.session.token) {
    location.hash = `#/login?next=/submissions/${sid}`;
    return null;
  }
  const [submission, title] = await Promise.all([app.api.get(`/submissions/${sid}`), app.languages.titles()]);
  const card = new SubmissionCard(app, Number(sid));
  const code = sourceCode(submission.source, submission.language);
  app.show(
    h("p", { class: "crumbs" }, h("a", { href: `#/contests/${submission.contest_id}/submissions` }, "My submissions"),
      " / ", `#${sid}`),
    h("h1", {}, `Submission #${sid} — problem ${submission.label}`),
    h("p", { class: "contest-meta" }, `${title(submission.language)} · sent ${when(submission.created_at)}`),
    card.element,
    h("section", {}, h("h2", {}, "Source"), code));
  return card.start();
}

export async function mySubmissionsView(app, cid) {
  const { header, stop } = await contestHeader(app, cid, "/submissions");
  if (!app.session.token) {
    location.hash = `#/login?next=/contests/${cid}/submissions`;
    return stop;
  }
  const [{ submissions }, title] = await Promise.all([app.api.get(`/contests/${cid}/submissions`), app.languages.titles()]);
  const stops = [stop];
  const rows = submissions.map((s) => {
    const verdict = h("td", {}, verdictBadge(s.verdict, s.status));
    if (!s.verdict) {
      stops.push(app.live.follow(`submission:${s.id}`, (event) => {
        if (event.type === "finished") verdict.replaceChildren(verdictBadge(event.verdict));
        else if (event.type === "test_result") verdict.replaceChildren(verdictBadge(null, "judging"));
      }, "0-0"));
    }
    return h("tr", { "data-submission-id": s.id },
      h("td", {}, h("a", { href: `#/submissions/${s.id}` }, `#${s.id}`)),
      h("td", {}, when(s.created_at)), h("td", {}, s.label), h("td", {}, title(s.language)),
      verdict);
  });
  app.show(header, h("h1", {}, "My submissions"),
    submissions.length ? h("div", { class: "table-scroll" }, h("table", { class: "history" },
      h("caption", { class: "visually-hidden" }, "My submissions, newest first"),
      h("thead", {}, h("tr", {}, ["Submission", "Sent", "Problem", "Language", "Verdict"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows)))
      : h("p", {}, "You have not submitted anything in this contest yet."));
  return () => stops.forEach((s) => s());
}
