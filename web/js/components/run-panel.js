// Run: the program in the editor, once, on an input of the contestant's own, with the problem's
// limits (POST /contests/{cid}/problems/{pid}/invocations). Never a submission. The result —
// what it came to, time, memory, output — arrives live as an `invocation` event on the private
// topic participant:<cid>:<uid>; GET …/invocations/{id} is read too while the socket is away.
//
// new RunPanel(app, {cid, pid, program}) where program() → {language, source}; place `button`
// beside Submit and `element` below; setClosed(bool) follows the contest; stop() on leaving.

import { h } from "../dom.js";
import { kib } from "../logic/format.js";
import { isNewer, runFigures, runHeadline, runOutputs } from "../logic/run.js";
import { utf8Length } from "../logic/source.js";

const MAX_INPUT_BYTES = 64 * 1024; // as the server's limit (codearena.invocations)
const POLL_MS = 1500;

export class RunPanel {
  constructor(app, { cid, pid, program }) {
    this.app = app;
    this.cid = cid;
    this.pid = pid;
    this.program = program;
    this.current = null;
    this.closed = false;
    this.stopFollowing = null;
    this.poller = null;
    this.button = h("button", { type: "button", class: "secondary run-button", onclick: () => this.run() }, "Run");
    this.input = h("textarea", { id: "run-input", name: "run-input", rows: "4", spellcheck: false });
    this.error = h("p", { class: "run-error", role: "alert" }); // not .error: the form's own
    this.result = h("div", { class: "run-result", "aria-live": "polite", hidden: true });
    this.early = new Map(); // events about a run that came before its POST's answer
    this.element = h("div", { class: "run-panel" },
      h("div", { class: "field" }, h("label", { for: "run-input" }, "Input for Run"), this.input,
        h("p", { class: "hint" }, "Run executes the program above once on this input, with the problem's limits. It is not a submission and does not count.")),
      this.error, this.result);
  }

  setClosed(closed) {
    this.closed = closed;
    this.button.disabled = closed;
  }

  async run() {
    const { language, source } = this.program();
    const stdin = this.input.value;
    this.error.textContent = "";
    if (this.closed) return;
    if (!source.trim()) { this.error.textContent = "Your source is empty: write a program to run first."; return; }
    if (utf8Length(stdin) > MAX_INPUT_BYTES) {
      this.error.textContent = `The input is ${kib(utf8Length(stdin))}, over the ${kib(MAX_INPUT_BYTES)} limit.`;
      return;
    }
    this.button.disabled = true;
    this.follow();
    try {
      const queued = await this.app.api.post(`/contests/${this.cid}/problems/${this.pid}/invocations`,
        { language, source, input: stdin });
      const early = this.early.get(queued.id);
      this.early.clear();
      this.show(isNewer(queued, early) ? early : queued);
      this.poll();
    } catch (failure) {
      this.error.textContent = failure.code === "rate_limited" || failure.code === "too_many_pending_runs"
        ? "You are running programs too often. Wait a few seconds and try again."
        : failure.friendly || String(failure);
      this.button.disabled = this.closed;
    }
  }

  // The private topic, followed from the first run on (one subscription per page).
  follow() {
    if (this.stopFollowing) return;
    const user = this.app.session.user;
    this.stopFollowing = this.app.live.follow(`participant:${this.cid}:${user.id}`, (event) => {
      if (event.type !== "invocation") return;
      const run = event.invocation;
      if (isNewer(this.current, run)) this.show(run);
      else if (!this.current || this.current.id !== run.id) this.early.set(run.id, run);
    });
  }

  // Polled only while the socket is not live (the fallback), until the run is done.
  poll() {
    clearTimeout(this.poller);
    if (!this.current || this.current.status === "done") return;
    this.poller = setTimeout(async () => {
      if (this.app.live.status !== "live" && this.current) {
        try {
          const now = await this.app.api.get(`/contests/${this.cid}/invocations/${this.current.id}`);
          if (isNewer(this.current, now)) this.show(now);
        } catch {
          // Expired or unreachable: the next poll (or the socket) may do better.
        }
      }
      this.poll();
    }, POLL_MS);
  }

  show(run) {
    this.current = run;
    const outcome = run.status === "done" ? run.outcome : run.status;
    this.result.hidden = false;
    this.result.dataset.status = run.status;
    this.result.replaceChildren(
      h("p", { class: `run-outcome run-${run.status === "done" && run.outcome === "OK" ? "ok" : "other"}`,
        "data-outcome": outcome }, runHeadline(run)),
      h("p", { class: "run-figures" }, runFigures(run)),
      ...runOutputs(run).map((output) => h("figure", { class: "run-output" },
        h("figcaption", {}, output.name + (output.truncated ? " (first 16 KiB)" : "")),
        h("pre", {}, output.text || "(nothing)"))));
    if (run.status === "done") {
      this.button.disabled = this.closed;
      clearTimeout(this.poller);
    }
  }

  stop() {
    clearTimeout(this.poller);
    if (this.stopFollowing) this.stopFollowing();
    this.stopFollowing = null;
  }
}
