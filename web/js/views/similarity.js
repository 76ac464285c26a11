// The jury's plagiarism report: per problem, the most similar pairs of different participants'
// submissions (the latest of each, or all of them), and for the pair chosen the matched lines
// of both programs side by side.

import { contestHeader } from "../components/contest-header.js";
import { field, h } from "../dom.js";

const PAIRS = 20;

export async function similarityView(app, cid) {
  const { header, stop } = await contestHeader(app, cid, "/jury/similarity");
  if (!["jury", "admin"].includes(app.session.user?.role)) {
    app.show(header, h("h1", {}, "Similar submissions"), h("p", {}, "This page is for the jury."));
    return stop;
  }
  const { problems } = await app.api.get(`/contests/${cid}/problems`);
  const problem = h("select", { "aria-label": "Problem" }, h("option", { value: "" }, "every problem"),
    problems.map((p) => h("option", { value: p.label }, `${p.label} — ${p.title}`)));
  const every = h("input", { type: "checkbox" });
  const status = h("p", { class: "hint", role: "status" });
  const report = h("section", { class: "similarity-report" });
  const matched = h("section", { class: "similarity-pair", "aria-live": "polite" });

  const load = async () => {
    const query = new URLSearchParams({ limit: String(PAIRS), all: String(every.checked) });
    if (problem.value) query.set("problem", problem.value);
    status.textContent = "Comparing the submissions…";
    matched.replaceChildren();
    try {
      const found = await app.api.get(`/admin/contests/${cid}/similarity?${query}`);
      report.replaceChildren(...found.problems.map((p) => problemPairs(p, (pair) => matched.replaceChildren(...pairView(pair)))));
      status.textContent = found.problems.length ? "" : "No submission to compare yet.";
    } catch (error) {
      status.textContent = "";
      app.say(error.friendly, "error");
    }
  };
  const compare = (event) => { event.preventDefault(); load(); };
  app.show(header, h("h1", {}, "Similar submissions"),
    h("form", { class: "jury-filters", onsubmit: compare },
      field("Problem", problem), field("Every submission (not only each participant's latest)", every),
      h("button", { type: "submit" }, "Compare")),
    status, report, matched);
  await load();
  return stop;
}

function problemPairs(p, choose) {
  const rows = p.pairs.map((pair, index) => h("tr", { "data-pair": index },
    h("td", {}, h("button", { type: "button", class: "link", onclick: () => choose({ ...pair, label: p.label }) },
      `${Math.round(pair.similarity * 100)} %`)),
    h("td", {}, side(pair.a)), h("td", {}, side(pair.b)), h("td", {}, String(pair.fragments.length))));
  return h("section", { "data-problem": p.label },
    h("h2", {}, `Problem ${p.label}: ${p.submissions} submissions`),
    p.pairs.length
      ? h("div", { class: "table-scroll" }, h("table", { class: "history similarity-pairs" },
        h("thead", {}, h("tr", {}, ["Similarity", "Submission", "Submission", "Matched fragments"]
          .map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, rows)))
      : h("p", {}, "No two participants' submissions share code."));
}

const side = (s) => `#${s.submission_id} ${s.username} (${s.language})`;

function pairView(pair) {
  return [
    h("h2", {}, `Problem ${pair.label}: ${Math.round(pair.similarity * 100)} % — ${side(pair.a)} and ${side(pair.b)}`),
    ...pair.fragments.map((f, index) => h("div", { class: "fragment", "data-fragment": index },
      ["a", "b"].map((which) => h("figure", {},
        h("figcaption", {}, `${side(pair[which])}, lines ${f[which].first_line}–${f[which].last_line}`),
        h("pre", { class: "source" }, f[which].text))))),
  ];
}
