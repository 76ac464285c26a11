// The live leaderboard: one page read over HTTP, then `leaderboard` events over the WebSocket.
// An event whose version is not the next one means something was missed: the page is read again.

import { h } from "../dom.js";
import { applyChanges, changedRows, mergeFirstSolves, newFirstSolves, nextStep } from "../logic/board.js";
import { formatScore } from "../logic/format.js";

const FLASH_MS = 2500;
// A rank moved on the page: read it again after a moment, spread over the viewers.
const RELOAD_MIN_MS = 300;
const RELOAD_SPREAD_MS = 700;

export class BoardView {
  constructor({ api, live, contest, me, pageSize = 50, onFrozen = () => {} }) {
    Object.assign(this, { api, live, contest, me, pageSize, onFrozen });
    this.offset = 0;
    this.rows = [];
    this.mine = null;
    this.total = 0;
    this.version = null;
    this.loading = null;
    this.early = [];
    this.flashing = new Map();
    this.refresh = null;
    this.firsts = {};
    this.seenLive = {}; // label -> {user, at}: first solves seen in live messages
    this.labels = contest.problems.map((p) => p.label);
    this.element = h("section", { class: "board", "aria-labelledby": "board-title" });
    this.status = h("p", { class: "board-status", role: "status", "aria-live": "polite" });
    this.table = h("table", { class: "board-table" });
    this.pager = h("nav", { class: "pager", "aria-label": "Leaderboard pages" });
    this.element.append(
      h("h2", { id: "board-title" }, "Leaderboard"),
      this.status,
      h("div", { class: "table-scroll" }, this.table),
      this.pager,
    );
  }

  start() {
    this.stop = this.live.follow(`contest:${this.contest.id}`, (event) => this.event(event));
    return this.load();
  }

  destroy() {
    if (this.stop) this.stop();
    clearTimeout(this.refresh);
    for (const timer of this.flashing.values()) clearTimeout(timer);
  }

  async load() {
    const read = this.api.get(`/contests/${this.contest.id}/leaderboard?offset=${this.offset}&limit=${this.pageSize}`);
    this.loading = read;
    let board;
    try {
      board = await read;
    } catch (error) {
      this.status.textContent = `The leaderboard could not be loaded: ${error.friendly || error.message}`;
      return;
    } finally {
      if (this.loading === read) this.loading = null;
    }
    const before = this.rows;
    this.rows = board.rows;
    this.total = board.total;
    this.mine = board.me || null;
    this.frozen = board.frozen;
    this.version = board.live_version;
    this.firsts = mergeFirstSolves(board.first_solves || {}, this.seenLive, Date.now());
    this.onFrozen(board.frozen);
    for (const userId of changedRows(before, this.rows)) this.flash(userId);
    this.render();
    const early = this.early.filter((event) => event.version > this.version);
    this.early = [];
    for (const event of early) this.event(event);
  }

  event(event) {
    // Subscribed (again): whatever changed before now is read over HTTP, what changes after
    // arrives here. The first read does not wait for it, so the board shows even offline.
    if (event.type === "subscribed") {
      this.load();
      return;
    }
    if (event.type === "contest_state") {
      this.reload(0);
      return;
    }
    if (event.type !== "leaderboard") return;
    if (this.loading) { this.early.push(event); return; }
    const step = nextStep(this.version, event.version);
    if (step === "reload") this.load();
    if (step !== "apply") return;
    this.version = event.version;
    this.apply(event.rows);
  }

  // Changed rows carry their new ranks; rows they pass are not in the message, so a change of
  // rank on this page is followed by a re-read of the page a moment later.
  apply(changed) {
    const { rows, mine, touched, moved } = applyChanges(this.rows, changed, { size: this.pageSize, me: this.me });
    this.rows = rows;
    if (mine) this.mine = mine;
    for (const userId of touched) this.flash(userId);
    this.noteFirstSolves(changed);
    this.render();
    if (moved) this.reload(RELOAD_MIN_MS + Math.random() * RELOAD_SPREAD_MS);
  }

  reload(delay) {
    clearTimeout(this.refresh);
    this.refresh = setTimeout(() => this.load(), delay);
  }

  flash(userId) {
    clearTimeout(this.flashing.get(userId));
    this.flashing.set(userId, setTimeout(() => {
      this.flashing.delete(userId);
      for (const row of this.table.querySelectorAll(`tr[data-user-id="${userId}"]`)) row.classList.remove("flash");
    }, FLASH_MS));
  }

  page(offset) {
    this.offset = Math.max(0, offset);
    this.load();
  }

  render() {
    const points = this.contest.scoring === "points";
    const firsts = this.firsts;
    const head = h("tr", {},
      h("th", { scope: "col" }, "Rank"),
      h("th", { scope: "col" }, "Contestant"),
      h("th", { scope: "col" }, points ? "Score" : "Solved"),
      points ? null : h("th", { scope: "col" }, "Penalty"),
      this.labels.map((label) => h("th", { scope: "col", class: "cell-head" }, label)),
    );
    const line = (row, pinned) => h("tr", {
      "data-user-id": row.user_id,
      "data-username": row.username,
      class: [pinned ? "pinned" : "", this.flashing.has(row.user_id) ? "flash" : "",
        row.username === this.me ? "mine" : ""].join(" ").trim(),
    },
      h("td", { class: "rank" }, String(row.rank)),
      h("th", { scope: "row", class: "who" }, row.username, pinned ? h("span", { class: "you" }, " (you)") : null),
      h("td", { class: "solved" }, points ? formatScore(row.score) : String(row.solved)),
      points ? null : h("td", { class: "penalty" }, String(row.penalty)),
      this.labels.map((label) => cell(row.problems[label], points, firsts[label] === row.user_id, label)),
    );
    // My row stays pinned under the header when the page shown does not hold it.
    const pinned = this.mine && !this.rows.some((row) => row.user_id === this.mine.user_id)
      ? h("tbody", { class: "pinned-body", "aria-label": "Your row" }, line(this.mine, true)) : null;
    this.table.replaceChildren(...[
      h("caption", { class: "visually-hidden" }, `Leaderboard of ${this.contest.title}`),
      h("thead", {}, head),
      pinned,
      h("tbody", { class: "rows" }, this.rows.map((row) => line(row, false))),
    ].filter(Boolean));
    const shown = this.rows.length;
    this.status.textContent = this.total
      ? `Showing ranks ${this.offset + 1}–${this.offset + shown} of ${this.total} contestants.`
      : "No submissions yet: the board fills in as verdicts arrive.";
    this.pager.replaceChildren(
      h("button", { type: "button", class: "secondary", disabled: this.offset === 0,
        onclick: () => this.page(this.offset - this.pageSize) }, "← Previous page"),
      h("button", { type: "button", class: "secondary", disabled: this.offset + this.pageSize >= this.total,
        onclick: () => this.page(this.offset + this.pageSize) }, "Next page →"),
    );
  }

  // First solvers come with each HTTP read (first_solves: label -> user id). A live message
  // that brings the first solve of a problem marks it at once; the server, whose answer may be
  // up to a second old, has the last word after that.
  noteFirstSolves(changed) {
    const now = Date.now();
    for (const [label, user] of Object.entries(newFirstSolves(this.labels, this.firsts, changed))) {
      this.firsts[label] = user;
      this.seenLive[label] = { user, at: now };
    }
  }
}

export function cell(problem, points, first, label) {
  if (!problem || (!problem.attempts && !problem.pending)) {
    return h("td", { class: "cell cell-empty", "data-label": label });
  }
  const tries = `${problem.attempts} ${problem.attempts === 1 ? "try" : "tries"}`;
  const pending = problem.pending ? h("span", { class: "pending-count" }, `+${problem.pending}?`) : null;
  if (problem.solved) {
    const top = points ? formatScore(problem.score) : `${problem.time_minutes}′`;
    return h("td", { class: `cell cell-solved${first ? " cell-first" : ""}`, "data-label": label,
      title: `${label}: solved at minute ${problem.time_minutes}, ${tries}${first ? ", first to solve" : ""}` },
    h("span", { class: "cell-main" }, top), h("span", { class: "cell-sub" }, tries), pending);
  }
  const kind = problem.attempts ? "cell-tried" : "cell-pending";
  return h("td", { class: `cell ${problem.pending ? "cell-pending" : kind}`, "data-label": label,
    title: `${label}: ${tries}${problem.pending ? `, ${problem.pending} pending` : ""}` },
  h("span", { class: "cell-main" }, points && problem.score ? formatScore(problem.score) : problem.attempts ? `−${problem.attempts}` : ""),
  pending);
}
