// The closing ceremony's reveal (logic/reveal.js), for the jury: the board as the public saw it
// frozen, resolved one pending cell per click on "Reveal next" or press of Space, Enter or →,
// from the bottom of the board up, until it is the jury's final board.

import { cell } from "../components/board.js";
import { contestHeader } from "../components/contest-header.js";
import { h } from "../dom.js";
import { nextRow, pendingCells, revealStep, startReveal } from "../logic/reveal.js";

const PAGE = 500; // the boards' largest page
const KEYS = new Set([" ", "Enter", "ArrowRight"]);

export async function revealView(app, cid) {
  const { contest, header, stop } = await contestHeader(app, cid, "/reveal");
  const status = h("p", { class: "board-status", role: "status", "aria-live": "polite" });
  const table = h("table", { class: "board-table reveal-table" });
  const button = h("button", { type: "button", class: "primary" }, "Reveal next");
  app.show(header, h("section", { class: "board reveal" }, h("h1", {}, `${contest.title}: the reveal`),
    status, h("p", {}, button), h("div", { class: "table-scroll" }, table)));
  if (contest.scoring !== "icpc") {
    status.textContent = "The reveal is for ICPC contests: this one is scored by points.";
    button.disabled = true;
    return stop;
  }
  let state;
  try {
    const [frozen, final] = await Promise.all([readAll(app, `/contests/${cid}/leaderboard`),
      readAll(app, `/admin/contests/${cid}/leaderboard`)]);
    const labels = contest.problems.map((p) => p.label);
    state = startReveal(frozen, final, { labels, penaltyMinutes: contest.penalty_minutes });
  } catch (error) {
    status.textContent = `The boards could not be read: ${error.friendly || error.message}`;
    button.disabled = true;
    return stop;
  }
  const step = () => { state = revealStep(state); render(state, table, status, button, contest); };
  const onKey = (event) => {
    if (!KEYS.has(event.key) || event.target.closest("input, textarea, a")) return;
    event.preventDefault();
    step();
  };
  button.addEventListener("click", step);
  document.addEventListener("keydown", onKey);
  render(state, table, status, button, contest);
  return () => { document.removeEventListener("keydown", onKey); stop(); };
}

// Every row of a board, page by page.
async function readAll(app, path) {
  const rows = [];
  for (;;) {
    const page = await app.api.get(`${path}?offset=${rows.length}&limit=${PAGE}`);
    rows.push(...page.rows);
    if (page.rows.length < PAGE || rows.length >= page.total) return rows;
  }
}

function render(state, table, status, button, contest) {
  const labels = state.labels;
  const next = nextRow(state);
  const last = state.last;
  table.replaceChildren(
    h("caption", { class: "visually-hidden" }, `The reveal of ${contest.title}`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Rank"), h("th", { scope: "col" }, "Team"),
      h("th", { scope: "col" }, "Solved"), h("th", { scope: "col" }, "Penalty"),
      labels.map((label) => h("th", { scope: "col", class: "cell-head" }, label)))),
    h("tbody", { class: "rows" }, state.rows.map((row) => {
      const cells = labels.map((label) => cell(row.problems[label], false, false, label));
      if (last && last.user_id === row.user_id) cells[labels.indexOf(last.label)].classList.add("cell-revealed");
      return h("tr", { "data-user-id": row.user_id, "data-username": row.username,
        class: [next && next.user_id === row.user_id ? "reveal-next" : "",
          last && last.user_id === row.user_id ? "reveal-last" : ""].join(" ").trim() || null },
      h("td", { class: "rank" }, String(row.rank)), h("th", { scope: "row", class: "who" }, row.username),
      h("td", { class: "solved" }, String(row.solved)), h("td", { class: "penalty" }, String(row.penalty)), cells);
    })),
  );
  const left = pendingCells(state);
  const said = last ? `${nameOf(state, last.user_id)} ${last.solved ? "solved" : "did not solve"} ${last.label}` +
    (last.to < last.from ? `, up from rank ${last.from} to ${last.to}. ` : ". ") : "";
  status.textContent = left
    ? `${said}${left} pending ${left === 1 ? "cell" : "cells"} left: press Space or “Reveal next”.`
    : `${said}Every cell is revealed: this is the final board.`;
  button.disabled = left === 0;
}

function nameOf(state, userId) {
  return state.rows.find((row) => row.user_id === userId).username;
}
