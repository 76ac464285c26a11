// The contest list, each with its times and a live countdown; read again when one of them
// starts, freezes or ends.

import { ticking } from "../components/clock.js";
import { h } from "../dom.js";
import { countdown, soonestChange } from "../logic/contest.js";
import { STATES, when } from "../logic/format.js";

// After a change is due, the server's clock may lag ours a little: read the list a second later.
const CHANGE_MARGIN_MS = 1000;

export async function contestsView(app) {
  const { contests } = await app.api.get("/contests");
  const counters = [];
  const items = contests.map((contest) => {
    const counter = h("span", { class: "countdown" });
    counters.push([counter, contest]);
    return h("li", { class: "contest-item card", "data-state": contest.state },
      h("h2", {}, h("a", { href: `#/contests/${contest.id}` }, contest.title)),
      h("p", {}, h("span", { class: `state state-${contest.state}` }, STATES[contest.state] || contest.state), " ",
        counter),
      h("dl", { class: "times" },
        h("dt", {}, "Starts"), h("dd", {}, when(contest.start_at)),
        h("dt", {}, "Ends"), h("dd", {}, when(contest.end_at)),
        contest.freeze_at ? [h("dt", {}, "Scoreboard freezes"), h("dd", {}, when(contest.freeze_at))] : null));
  });
  app.show(h("h1", {}, "Contests"),
    contests.length ? h("ul", { class: "contest-list" }, items) : h("p", {}, "No contests yet."));
  const soonest = soonestChange(contests, Date.now());
  return ticking(() => {
    const now = Date.now();
    if (soonest !== null && now >= soonest + CHANGE_MARGIN_MS) { app.route(); return; }
    for (const [counter, contest] of counters) counter.textContent = countdown(contest, now);
  });
}
