// The jury's page of a contest: every submission with filters (problem, participant, verdict,
// language, time), kept live by the jury topic's `submission` events, one submission's source
// and per-test details (the judge's output, a diff against the answer) with a rejudge button,
// the judge hosts and queue now, and links to each problem's package verification.

import { contestHeader } from "../components/contest-header.js";
import { sourceCode } from "../components/source-code.js";
import { field, h, verdictBadge } from "../dom.js";
import { VERDICTS, when } from "../logic/format.js";
import { PAGE_SIZE, hostSummary, pageHeading, submissionsQuery } from "../logic/jury.js";

const JUDGING_REFRESH_MS = 5000;
const LIVE_RELOAD_MS = 300; // submission events within this window make one reload of the list

export async function juryView(app, cid) {
  const { header, stop } = await contestHeader(app, cid, "/jury");
  if (!["jury", "admin"].includes(app.session.user?.role)) {
    app.show(header, h("h1", {}, "Jury"), h("p", {}, "This page is for the jury."));
    return stop;
  }
  const [languages, { problems }, title] = await Promise.all([
    app.api.get("/languages"), app.api.get(`/contests/${cid}/problems`), app.languages.titles()]);
  const select = (label, options) => h("select", { "aria-label": label },
    h("option", { value: "" }, "any"), options.map(([value, text]) => h("option", { value }, text)));
  const inputs = {
    problem: select("Problem", problems.map((p) => [p.label, `${p.label} — ${p.title}`])),
    user_id: h("input", { type: "text", inputmode: "numeric", pattern: "[0-9]*", size: 8 }),
    verdict: select("Verdict", [...Object.entries(VERDICTS), ["pending", "Not judged yet"]]),
    language: select("Language", languages.catalog.map((l) => [l.name, l.title])),
    from: h("input", { type: "datetime-local" }),
    to: h("input", { type: "datetime-local" }),
  };
  const values = () => Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value]));
  const heading = h("h2", {}, "Submissions");
  const rows = h("tbody");
  const pager = h("p", { class: "pager" });
  const details = h("section", { class: "jury-details", "aria-live": "polite" });
  const judging = h("section", { class: "jury-judging" });
  let offset = 0;

  const load = async () => {
    try {
      const page = await app.api.get(`/admin/contests/${cid}/submissions?${submissionsQuery(values(), offset)}`);
      heading.textContent = pageHeading(page.total, offset, page.submissions.length);
      rows.replaceChildren(...page.submissions.map((s) => h("tr", { "data-submission-id": s.id },
        h("td", {}, h("button", { type: "button", class: "link", onclick: () => show(s.id) }, `#${s.id}`)),
        h("td", {}, when(s.created_at)), h("td", {}, s.username), h("td", {}, s.label),
        h("td", {}, title(s.language)), h("td", {}, verdictBadge(s.verdict, s.status)),
        h("td", {}, s.max_time_ms === null ? "" : `${s.max_time_ms} ms`))));
      pager.replaceChildren(...[
        offset > 0 ? h("button", { type: "button", onclick: () => { offset -= PAGE_SIZE; load(); } }, "Newer") : null,
        offset + PAGE_SIZE < page.total ? h("button", { type: "button", onclick: () => { offset += PAGE_SIZE; load(); } }, "Older") : null,
      ].filter(Boolean));
    } catch (error) {
      app.say(error.friendly, "error");
    }
  };

  let shown = null; // the submission whose details are open
  const show = async (sid) => {
    shown = sid;
    try {
      const shown = submissionDetails(await app.api.get(`/admin/submissions/${sid}/details`), title, rejudge);
      details.replaceChildren(...shown.filter(Boolean)); // replaceChildren would write null as text
    } catch (error) {
      app.say(error.friendly, "error");
    }
  };
  const rejudge = async (sid) => {
    try {
      const answer = await app.api.post(`/admin/submissions/${sid}/rejudge`, {});
      app.say(`Submission #${sid} queued for judgement ${answer.judgement}.`);
      await Promise.all([show(sid), load(), refreshJudging()]);
    } catch (error) {
      app.say(error.friendly, "error");
    }
  };

  const refreshJudging = async () => {
    try {
      const now = await app.api.get("/admin/judging");
      judging.replaceChildren(h("h2", {}, "Judging now"),
        h("p", { class: "queue" }, `Queue: ${now.queue.waiting} waiting, ${now.queue.in_flight} being judged`,
          now.queue.depth ? ` · oldest ${Math.round(now.queue.oldest_age_seconds)} s` : ""),
        now.hosts.length
          ? h("ul", { class: "hosts" }, now.hosts.map((host) => h("li", { "data-host": host.name }, h("strong", {}, host.name), " ", hostSummary(host))))
          : h("p", {}, "No judge host is up."));
    } catch (error) {
      judging.replaceChildren(h("h2", {}, "Judging now"), h("p", {}, error.friendly));
    }
  };
  const timer = setInterval(refreshJudging, JUDGING_REFRESH_MS);

  // A submission arrived, was queued again or judged: the list (with its filters) is read
  // again, once per burst of events, and the open details when it is theirs.
  let reload = null;
  const hear = (event) => {
    if (event.type !== "submission" || String(event.contest_id) !== String(cid)) return;
    reload ??= setTimeout(() => { reload = null; load(); }, LIVE_RELOAD_MS);
    if (event.submission_id === shown) show(shown);
  };
  const stopLive = app.live.follow(`jury:${cid}`, hear);

  const filter = (event) => { event.preventDefault(); offset = 0; load(); };
  const packages = h("p", { class: "jury-packages" }, "Package verifications: ",
    ...problems.flatMap((p, index) => [index ? " · " : "",
      h("a", { href: `#/contests/${cid}/jury/problems/${p.id}/verification` }, `${p.label} — ${p.title}`)]));
  app.show(header, h("h1", {}, "Jury"), judging, packages,
    h("form", { class: "jury-filters", onsubmit: filter },
      field("Problem", inputs.problem), field("Participant (user id)", inputs.user_id),
      field("Verdict", inputs.verdict), field("Language", inputs.language),
      field("Sent from", inputs.from), field("Sent before", inputs.to),
      h("button", { type: "submit" }, "Filter")),
    heading,
    h("div", { class: "table-scroll" }, h("table", { class: "history jury-submissions" },
      h("thead", {}, h("tr", {}, ["Submission", "Sent", "Participant", "Problem", "Language", "Verdict", "Time"]
        .map((t) => h("th", { scope: "col" }, t)))), rows)),
    pager, details);
  await Promise.all([load(), refreshJudging()]);
  return () => { clearInterval(timer); clearTimeout(reload); stopLive(); stop(); };
}

function submissionDetails(s, title, rejudge) {
  const code = sourceCode(s.source, s.language);
  return [
    h("h2", {}, `Submission #${s.id} — ${s.username}, problem ${s.label}`),
    h("p", { class: "contest-meta" }, `${title(s.language)} · sent ${when(s.created_at)} · `, verdictBadge(s.verdict, s.status),
      " ", h("button", { type: "button", onclick: () => rejudge(s.id) }, "Rejudge")),
    s.judgings.length > 1 ? h("p", {}, `Judgings: ${s.judgings.map((j) => `${j.judgement}: ${j.verdict} on ${j.judge_host || "?"}`).join(", ")}`) : null,
    s.compile_output ? h("section", {}, h("h3", {}, "Compiler output"), h("pre", {}, s.compile_output)) : null,
    h("h3", {}, "Tests"),
    h("p", { class: "hint" }, `Output: ${s.output_note}.`),
    s.tests.length ? testsTable(s.tests)
      : h("p", {}, "No test has been run yet."),
    h("section", {}, h("h3", {}, "Source"), code),
  ];
}

const CUT = "\n… (cut at 4 KiB)";
const MARKS = { same: "  ", answer: "- ", output: "+ ", hunk: "" };

function testsTable(tests) {
  const head = ["Test", "Verdict", "Time", "Memory", "Input", "Expected answer", "Judge's output"]
    .map((t) => h("th", { scope: "col" }, t));
  const rows = tests.flatMap((t) => [h("tr", { "data-test": t.index },
    h("td", {}, `${t.index}${t.is_sample ? " (sample)" : ""}`), h("td", {}, verdictBadge(t.verdict)),
    h("td", {}, `${t.time_ms} ms`), h("td", {}, `${t.memory_kb} KiB`),
    h("td", {}, h("pre", {}, t.input + (t.input_truncated ? CUT : ""))),
    h("td", {}, h("pre", {}, t.answer + (t.answer_truncated ? CUT : ""))),
    h("td", {}, t.output === null ? h("span", { class: "hint" }, "not kept")
      : h("pre", { class: "output" }, t.output + (t.output_truncated ? CUT : "")))),
  t.diff?.length ? diffRow(t) : null].filter(Boolean));
  return h("div", { class: "table-scroll" },
    h("table", { class: "history jury-tests" }, h("thead", {}, h("tr", {}, head)), h("tbody", {}, rows)));
}

// The line diff of a test's output against its answer, under the test's row: "-" lines only
// in the answer, "+" lines only in the output, as unified diffs mark them.
function diffRow(t) {
  const caption = `Test ${t.index}: the judge's output against the expected answer (− answer, + output)`
    + (t.diff_truncated ? " — cut: only the first 4 KiB of each are compared" : "");
  return h("tr", { class: "diff-row", "data-diff": t.index },
    h("td", { colspan: 7 }, h("figure", { class: "diff" }, h("figcaption", {}, caption),
      h("pre", {}, t.diff.map((line) => h("span", { class: `diff-${line.kind}` }, MARKS[line.kind] + line.text + "\n"))))));
}
