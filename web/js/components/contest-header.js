// The header of a contest's pages: crumbs, its state and countdown, the frozen / final banner
// and the tabs, kept current over the WebSocket.

import { h } from "../dom.js";
import { countdown, frozenNow } from "../logic/contest.js";
import { STATES, timeOfDay, when } from "../logic/format.js";
import { clarificationFeed } from "./clarification-feed.js";
import { ticking } from "./clock.js";

const TABS = [["", "Problems"], ["/submissions", "My submissions"], ["/leaderboard", "Leaderboard"],
  ["/clarifications", "Clarifications"]];
// submissions and judging; plagiarism; the closing ceremony's reveal
const JURY_TABS = [["/jury", "Jury"], ["/jury/similarity", "Similarity"], ["/reveal", "Reveal"]];
const tabsFor = (user) => (["jury", "admin"].includes(user?.role) ? [...TABS, ...JURY_TABS] : TABS);

// Reads contest `cid`; `active` is the suffix of the tab shown. Returns the contest, the header
// element, setFrozen(frozen, final), onState(fn) — fn(state) now and whenever the contest moves
// on (start, freeze, end, unfreeze) —, the clarification feed (null when logged out; its unread
// count is on the Clarifications tab) and stop().
export async function contestHeader(app, cid, active) {
  const following = clarificationFeed(app, cid);
  let contest;
  try {
    contest = await app.api.get(`/contests/${cid}`);
  } catch (error) {
    (await following)?.stop();
    throw error;
  }
  const feed = await following;
  const unreadBadge = h("span", { class: "unread", hidden: true });
  const counter = h("span", { class: "countdown" });
  const banner = h("div", { class: "frozen-banner", role: "status", hidden: true });
  const setFrozen = (frozen, final = false) => {
    banner.hidden = !frozen && !final;
    banner.className = final ? "final-banner" : "frozen-banner";
    banner.textContent = final
      ? "Final results: the scoreboard has been unfrozen."
      : `The scoreboard is frozen${contest.freeze_at ? ` since ${timeOfDay(contest.freeze_at)}` : ""}. ` +
        "Results of later submissions stay hidden (shown as pending) until the jury unfreezes it; " +
        "you still see your own verdicts.";
  };
  setFrozen(frozenNow(contest));
  const stateBadge = h("span", { class: `state state-${contest.state}` }, STATES[contest.state]);
  const header = h("header", { class: "contest-header" },
    h("p", { class: "crumbs" }, h("a", { href: "#/contests" }, "Contests"), " / ", contest.title),
    h("p", { class: "contest-meta" }, stateBadge, " ", counter, " · ",
      `${when(contest.start_at)} – ${when(contest.end_at)}`),
    banner,
    h("nav", { class: "tabs", "aria-label": "Contest" }, tabsFor(app.session.user).map(([suffix, label]) =>
      h("a", { href: `#/contests/${cid}${tabPath(suffix, feed)}`, "aria-current": suffix === active ? "page" : null },
        label, suffix === "/clarifications" ? unreadBadge : null))));
  const stopCounting = feed ? feed.onChange(() => {
    const count = feed.unread();
    unreadBadge.hidden = count === 0;
    unreadBadge.textContent = String(count);
    unreadBadge.setAttribute("aria-label", `${count} unread`);
  }) : () => {};
  const stopTicking = ticking(() => { counter.textContent = countdown(contest, Date.now()); });
  const listeners = [];
  const stopFollowing = app.live.follow(`contest:${cid}`, (event) => {
    if (event.type !== "contest_state") return;
    if (contest.state === "scheduled" && event.state !== "scheduled") { app.route(); return; } // problems appear
    contest.state = event.state;
    stateBadge.className = `state state-${event.state}`;
    stateBadge.textContent = STATES[event.state] || event.state;
    setFrozen(event.state === "frozen", event.state === "unfrozen");
    for (const listener of listeners) listener(event.state);
  });
  const onState = (listener) => { listeners.push(listener); listener(contest.state); };
  const stop = () => { stopTicking(); stopFollowing(); stopCounting(); feed?.stop(); };
  return { contest, header, setFrozen, onState, clarifications: feed, stop };
}

// The jury answers clarifications on a page of its own.
function tabPath(suffix, feed) {
  return suffix === "/clarifications" && feed?.jury ? "/jury/clarifications" : suffix;
}
