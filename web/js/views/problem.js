// A problem: its statement and samples, and the submit form (language, upload, the editor, the
// size against the limit, a draft kept for the tab). Each submission sent is followed below it.

import { contestHeader } from "../components/contest-header.js";
import { Editor } from "../components/editor.js";
import { RunPanel } from "../components/run-panel.js";
import { SubmissionCard } from "../components/submission-card.js";
import { field, h } from "../dom.js";
import { submissionWindow } from "../logic/contest.js";
import { kib, memory } from "../logic/format.js";
import { extensionsOf, languageOfFile, pickerLabelsOf, utf8Length } from "../logic/source.js";

// A longer draft is not kept (sessionStorage is small); the source itself may still be sent.
const MAX_DRAFT_CHARS = 200000;

export async function problemView(app, cid, pid) {
  const [{ contest, header, onState, stop }, problem, offer] = await Promise.all([
    contestHeader(app, cid, ""), app.api.get(`/contests/${cid}/problems/${pid}`), app.languages.offer()]);
  const statement = problemStatement(problem, contest);
  if (!app.session.token) {
    app.show(header, statement, h("p", { class: "card" },
      h("a", { href: `#/login?next=/contests/${cid}/problems/${pid}` }, "Log in"), " to submit a solution."));
    return stop;
  }
  const stops = [stop];
  const form = submitForm(app, { cid, pid, contest, offer, onSent: (stopCard) => stops.push(stopCard) });
  app.show(header, statement, form.element, form.results);
  onState(form.setState);
  form.start();
  return () => stops.forEach((s) => s());
}

function problemStatement(problem, contest) {
  const samples = (problem.samples || []).map((sample, i) => h("div", { class: "sample" },
    h("h3", {}, `Sample ${i + 1}`),
    h("div", { class: "sample-io" },
      h("figure", {}, h("figcaption", {}, "Input"), h("pre", {}, sample.input)),
      h("figure", {}, h("figcaption", {}, "Output"), h("pre", {}, sample.answer)))));
  return h("article", { class: "statement" },
    h("h1", {}, `${problem.label}. ${problem.title}`),
    h("p", { class: "limits" }, `Time limit: ${problem.time_limit_ms / 1000} s · Memory limit: ${memory(problem.memory_limit_kb)}`
      + (contest.scoring === "points" ? ` · ${problem.points} points` : "")),
    h("div", { class: "statement-text" }, problem.statement),
    samples);
}

// The form, the place its submissions appear (`results`), setState(state) for the contest's
// state, and start(), which makes the editor once the form is on the page.
function submitForm(app, { cid, pid, contest, offer, onSent }) {
  const { languages, catalog, max_source_bytes: maxSourceBytes } = offer;
  const label = pickerLabelsOf(catalog);
  const extensions = extensionsOf(catalog);
  const draftKey = `codearena.draft.${cid}.${pid}`;
  const draft = JSON.parse(sessionStorage.getItem(draftKey) || "null") || { language: languages[0] || "", source: "" };
  const picker = h("select", { name: "language" }, languages.map((l) =>
    h("option", { value: l, selected: l === draft.language }, label(l))));
  const textarea = h("textarea", { name: "source", rows: "16", "aria-describedby": "source-hint source-size" });
  const upload = h("input", { type: "file", name: "file", accept: Object.keys(extensions).map((e) => "." + e).join(",") });
  const size = h("span", { id: "source-size", class: "size" });
  const error = h("p", { class: "error", role: "alert" });
  const button = h("button", { type: "submit" }, "Submit");
  const results = h("div", { class: "results" });
  const closing = h("p", { class: "closed-note", role: "status", hidden: true });
  let closed = false; // an ended contest without practice takes no more submissions
  let editor = null;
  const runner = new RunPanel(app, { cid, pid, program: () => ({ language: picker.value, source: editor.value }) });
  onSent(() => runner.stop());
  textarea.value = draft.source;
  const element = h("form", { class: "card submit-form", novalidate: true },
    h("h2", {}, "Submit a solution"),
    closing,
    field("Language", picker),
    field("Upload a file", upload),
    h("div", { class: "field" }, h("label", { for: "source" }, "Source code"), textarea,
      h("p", { class: "hint", id: "source-hint" }, "Tab indents; press Escape, then Tab, to leave the editor. ", size)),
    error, h("div", { class: "form-actions" }, button, runner.button), runner.element);
  textarea.id = "source";

  const setState = (state) => {
    const submissions = submissionWindow(state, contest.practice);
    closed = submissions.closed;
    button.disabled = closed;
    runner.setClosed(closed);
    closing.hidden = !submissions.over;
    closing.textContent = closed
      ? "The contest is over: submissions are closed."
      : "The contest is over: practice submissions are judged but not ranked.";
  };
  const updateSize = () => {
    const bytes = utf8Length(editor.value);
    size.textContent = `${kib(bytes)} of ${kib(maxSourceBytes)}`;
    size.classList.toggle("over", bytes > maxSourceBytes);
    sessionStorage.setItem(draftKey, JSON.stringify({ language: picker.value,
      source: editor.value.length < MAX_DRAFT_CHARS ? editor.value : "" }));
  };
  const submit = async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (closed) return;
    const source = editor.value;
    const bytes = utf8Length(source);
    if (!source.trim()) { error.textContent = "Your source is empty: write or upload a solution first."; return; }
    if (bytes > maxSourceBytes) {
      error.textContent = `Your source is ${kib(bytes)}, over the ${kib(maxSourceBytes)} limit. Make it smaller and submit again.`;
      return;
    }
    button.disabled = true;
    try {
      const answer = await app.api.post(`/contests/${cid}/submissions`,
        { problem_id: Number(pid), language: picker.value, source }, { "Idempotency-Key": newKey() });
      const card = new SubmissionCard(app, answer.id);
      results.prepend(card.element);
      onSent(card.start());
    } catch (failure) {
      error.textContent = failure.friendly || String(failure);
    } finally {
      button.disabled = closed;
    }
  };
  const start = () => {
    editor = new Editor(textarea, picker.value, updateSize);
    picker.addEventListener("change", () => { editor.setLanguage(picker.value); updateSize(); });
    upload.addEventListener("change", async () => {
      const file = upload.files[0];
      if (!file) return;
      const language = languageOfFile(file.name, extensions, languages);
      if (language) { picker.value = language; editor.setLanguage(language); }
      editor.value = await file.text();
      updateSize();
    });
    updateSize();
    element.addEventListener("submit", submit);
  };
  return { element, results, setState, start };
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
