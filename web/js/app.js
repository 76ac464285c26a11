// CodeArena's contestant app: boot, the hash router, the header and the notice line. Each view
// (views/) renders into <main> through `app.show` and returns a cleanup function (timers,
// WebSocket topics) run when the route changes.

import { Api, Session } from "./api.js";
import { h } from "./dom.js";
import { Languages } from "./languages.js";
import { Live } from "./live.js";
import { HOME, resolve } from "./logic/route.js";
import { loginView, registerView } from "./views/accounts.js";
import { clarificationsView, juryClarificationsView } from "./views/clarifications.js";
import { contestView } from "./views/contest.js";
import { contestsView } from "./views/contests.js";
import { juryView } from "./views/jury.js";
import { leaderboardView } from "./views/leaderboard.js";
import { problemView } from "./views/problem.js";
import { revealView } from "./views/reveal.js";
import { similarityView } from "./views/similarity.js";
import { mySubmissionsView, submissionView } from "./views/submissions.js";
import { verificationView } from "./views/verification.js";

const ROUTES = [
  [/^\/login$/, loginView],
  [/^\/register$/, registerView],
  [/^\/contests$/, contestsView],
  [/^\/contests\/(\d+)$/, contestView],
  [/^\/contests\/(\d+)\/problems\/(\d+)$/, problemView],
  [/^\/contests\/(\d+)\/submissions$/, mySubmissionsView],
  [/^\/contests\/(\d+)\/leaderboard$/, leaderboardView],
  [/^\/contests\/(\d+)\/clarifications$/, clarificationsView],
  [/^\/contests\/(\d+)\/jury\/clarifications$/, juryClarificationsView],
  [/^\/contests\/(\d+)\/jury$/, juryView],
  [/^\/contests\/(\d+)\/jury\/similarity$/, similarityView],
  [/^\/contests\/(\d+)\/jury\/problems\/(\d+)\/verification$/, verificationView],
  [/^\/contests\/(\d+)\/reveal$/, revealView],
  [/^\/submissions\/(\d+)$/, submissionView],
];
const EXPIRED = "Your session has expired. Please log in again.";
const SESSION_CHECK_MS = 15000;
const LIVE_STATUS = { live: "Live", connecting: "Connecting…", offline: "Offline — reconnecting" };

const main = document.getElementById("main");
const notice = document.getElementById("notice");
// What every view is given: the session, the API and the WebSocket, and the page's functions.
const app = { session: new Session(), api: null, live: null, languages: null, show, say, route };
let cleanup = () => {};

async function boot() {
  const config = await fetch("config.json").then((r) => r.json()).catch(() => ({}));
  const apiBase = config.apiBase || location.origin;
  const socketUrl = config.webSocketUrl || apiBase.replace(/^http/, "ws") + "/ws";
  app.api = new Api(apiBase, app.session);
  app.live = new Live(socketUrl, app.session);
  app.languages = new Languages(app.api);
  app.api.onSessionLost = (error) => sessionLost(error.friendly);
  app.live.onStatus = (status) => {
    const badge = document.getElementById("live-status");
    badge.dataset.status = status;
    badge.textContent = LIVE_STATUS[status];
  };
  if (app.session.token && app.session.expired) sessionLost(EXPIRED);
  setInterval(() => { if (app.session.token && app.session.expired) sessionLost(EXPIRED); }, SESSION_CHECK_MS);
  window.addEventListener("hashchange", route);
  route();
}

function sessionLost(message) {
  app.session.clear();
  app.live.reconnect();
  say(message, "error");
  const here = location.hash.slice(1) || HOME;
  if (!here.startsWith("/login")) location.hash = `#/login?next=${encodeURIComponent(here)}`;
  else renderHeader();
}

// Render a view into <main>; absent parts (null) are left out.
function show(...parts) {
  main.replaceChildren(...parts.filter((part) => part !== null && part !== undefined && part !== false));
}

function say(message, kind = "info") {
  notice.replaceChildren(message ? h("p", { class: `notice notice-${kind}` }, message,
    h("button", { type: "button", class: "link", "aria-label": "Dismiss message", onclick: () => say("") }, "×")) : "");
}

function renderHeader() {
  const user = app.session.user;
  const nav = document.getElementById("account");
  nav.replaceChildren(...(user
    ? [h("span", { class: "who-am-i" }, "Logged in as ", h("strong", {}, user.username)),
      h("button", { type: "button", class: "secondary", onclick: logOut }, "Log out")]
    : [h("a", { href: "#/login" }, "Log in"), h("a", { href: "#/register", class: "button" }, "Sign up")]));
}

async function logOut() {
  await app.api.logout();
  app.live.reconnect();
  say("You are logged out.");
  location.hash = "#/contests";
  renderHeader();
}

async function route() {
  cleanup();
  cleanup = () => {};
  renderHeader();
  const found = resolve(location.hash, ROUTES);
  show(h("p", { class: "loading" }, "Loading…"));
  if (!found) {
    show(h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "#/contests" }, "See the contests")));
    return;
  }
  const routeAtStart = location.hash;
  try {
    const stop = await found.view(app, ...found.args, found.params);
    if (location.hash !== routeAtStart) { if (stop) stop(); return; }
    cleanup = stop || (() => {});
    focusHeading();
  } catch (error) {
    if (location.hash !== routeAtStart) return;
    show(h("h1", {}, "Something went wrong"),
      h("p", { class: "error", role: "alert" }, error.friendly || String(error)),
      h("p", {}, h("a", { href: "#/contests" }, "Back to the contests")));
  }
}

// A new view names the tab after its heading and moves the focus there (screen readers).
function focusHeading() {
  const heading = main.querySelector("h1");
  if (!heading) return;
  document.title = `${heading.textContent} · CodeArena`;
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
}

boot();
