// A submission followed live: its verdict, test by test, and the compiler's output. Events come
// over the WebSocket (replayed from the start); the HTTP read reconciles whatever was missed.

import { h, verdictBadge } from "../dom.js";
import { memory } from "../logic/format.js";

export class SubmissionCard {
  constructor(app, sid, { onFinished = () => {} } = {}) {
    this.app = app;
    this.sid = sid;
    this.onFinished = onFinished;
    this.tests = new Map();
    this.final = null;
    this.verdict = h("span", {}, verdictBadge(null, "queued"));
    this.progress = h("span", { class: "progress" });
    this.body = h("tbody", {});
    this.compile = h("pre", { class: "compile-output", hidden: true });
    this.element = h("section", { class: "submission card", "data-submission-id": sid, "aria-live": "polite" },
      h("h2", {}, h("a", { href: `#/submissions/${sid}` }, `Submission #${sid}`), " ", this.verdict, " ", this.progress),
      this.compile,
      h("div", { class: "table-scroll" }, h("table", { class: "tests" },
        h("caption", { class: "visually-hidden" }, "Test results"),
        h("thead", {}, h("tr", {}, ["Test", "Verdict", "Time", "Memory"].map((t) => h("th", { scope: "col" }, t)))),
        this.body)));
  }

  start() {
    this.stop = this.app.live.follow(`submission:${this.sid}`, (event) => this.event(event), "0-0");
    this.reconcile();
    return () => this.stop();
  }

  async reconcile() {
    try {
      this.show(await this.app.api.get(`/submissions/${this.sid}`));
    } catch (error) {
      this.progress.textContent = error.friendly;
    }
  }

  show(submission) {
    for (const test of submission.tests || []) this.test(test);
    if (submission.status === "judged") this.finish(submission.verdict, submission);
    else this.verdict.replaceChildren(verdictBadge(null, submission.status));
    if (submission.compile_output) {
      this.compile.hidden = false;
      this.compile.textContent = submission.compile_output;
    }
  }

  event(event) {
    if (event.type === "test_result") {
      if (!this.final) this.verdict.replaceChildren(verdictBadge(null, "judging"));
      this.test(event);
    } else if (event.type === "finished") {
      this.finish(event.verdict, event);
      this.reconcile();
    }
  }

  test(test) {
    this.tests.set(test.index, test);
    const rows = [...this.tests.values()].sort((a, b) => a.index - b.index).map((t) =>
      h("tr", { "data-test": t.index }, h("td", {}, String(t.index)), h("td", {}, verdictBadge(t.verdict)),
        h("td", {}, `${t.time_ms} ms`), h("td", {}, memory(t.memory_kb))));
    this.body.replaceChildren(...rows);
    if (!this.final) this.progress.textContent = `${this.tests.size} test${this.tests.size === 1 ? "" : "s"} done`;
  }

  finish(verdict, detail) {
    const first = this.final === null;
    this.final = verdict;
    this.verdict.replaceChildren(verdictBadge(verdict));
    this.progress.textContent = detail.score !== undefined && detail.score !== null && verdict !== "AC" && detail.score > 0
      ? `score ${detail.score}` : "";
    this.element.dataset.final = verdict;
    if (first) this.onFinished(verdict);
  }
}
