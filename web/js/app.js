// CodeArena's contestant app: a hash router and one function per view. Each view renders into
// <main> and returns a cleanup function (timers, WebSocket topics) run when the route changes.

import { Api, Session } from "./api.js";
import { STATES, duration, h, kib, memory, timeOfDay, verdictBadge, when } from "./dom.js";
import { Editor, highlight } from "./editor.js";
import { BoardView } from "./leaderboard.js";
import { Live } from "./live.js";

const main = document.getElementById("main");
const notice = document.getElementById("notice");
const session = new Session();
let api;
let live;
let cleanup = () => {};

async function boot() {
  const config = await fetch("config.json").then((r) => r.json()).catch(() => ({}));
  const apiBase = config.apiBase || location.origin;
  const socketUrl = config.webSocketUrl || apiBase.replace(/^http/, "ws") + "/ws";
  api = new Api(apiBase, session);
  live = new Live(socketUrl, session);
  api.onSessionLost = (error) => sessionLost(error.friendly);
  live.onStatus = (status) => {
    const badge = document.getElementById("live-status");
    badge.dataset.status = status;
    badge.textContent = { live: "Live", connecting: "Connecting…", offline: "Offline — reconnecting" }[status];
  };
  if (session.token && session.expired) sessionLost("Your session has expired. Please log in again.");
  setInterval(() => { if (session.token && session.expired) sessionLost("Your session has expired. Please log in again."); }, 15000);
  window.addEventListener("hashchange", route);
  route();
}

function sessionLost(message) {
  session.clear();
  live.reconnect();
  say(message, "error");
  const here = location.hash.slice(1) || "/contests";
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
  const user = session.user;
  const nav = document.getElementById("account");
  nav.replaceChildren(...(user
    ? [h("span", { class: "who-am-i" }, "Logged in as ", h("strong", {}, user.username)),
      h("button", { type: "button", class: "secondary", onclick: logOut }, "Log out")]
    : [h("a", { href: "#/login" }, "Log in"), h("a", { href: "#/register", class: "button" }, "Sign up")]));
}

async function logOut() {
  await api.logout();
  live.reconnect();
  say("You are logged out.");
  location.hash = "#/contests";
  renderHeader();
}

const ROUTES = [
  [/^\/login$/, loginView],
  [/^\/register$/, registerView],
  [/^\/contests$/, contestsView],
  [/^\/contests\/(\d+)$/, contestView],
  [/^\/contests\/(\d+)\/problems\/(\d+)$/, problemView],
  [/^\/contests\/(\d+)\/submissions$/, mySubmissionsView],
  [/^\/contests\/(\d+)\/leaderboard$/, leaderboardView],
  [/^\/submissions\/(\d+)$/, submissionView],
];

async function route() {
  cleanup();
  cleanup = () => {};
  renderHeader();
  const [path, query] = (location.hash.slice(1) || "/contests").split("?");
  const params = new URLSearchParams(query || "");
  const found = ROUTES.map(([pattern, view]) => [pattern.exec(path), view]).find(([match]) => match);
  show(h("p", { class: "loading" }, "Loading…"));
  if (!found) {
    show(h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "#/contests" }, "See the contests")));
    return;
  }
  const [match, view] = found;
  const routeAtStart = location.hash;
  try {
    const stop = await view(...match.slice(1), params);
    if (location.hash !== routeAtStart) { if (stop) stop(); return; }
    cleanup = stop || (() => {});
    const heading = main.querySelector("h1");
    if (heading) {
      document.title = `${heading.textContent} · CodeArena`;
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  } catch (error) {
    if (location.hash !== routeAtStart) return;
    show(h("h1", {}, "Something went wrong"),
      h("p", { class: "error", role: "alert" }, error.friendly || String(error)),
      h("p", {}, h("a", { href: "#/contests" }, "Back to the contests")));
  }
}

function field(label, input, hint) {
  const id = input.id || `field-${label.toLowerCase().replace(/\W+/g, "-")}`;
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), input,
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null);
}

// --- accounts ----------------------------------------------------------------------------------

function credentialsForm({ title, submitLabel, onSubmit, footer, passwordHint }) {
  const username = h("input", { name: "username", autocomplete: "username", required: true, minlength: "3",
    maxlength: "32" });
  const password = h("input", { name: "password", type: "password", required: true, minlength: "8",
    autocomplete: submitLabel === "Log in" ? "current-password" : "new-password" });
  const error = h("p", { class: "error", role: "alert" });
  const button = h("button", { type: "submit" }, submitLabel);
  const form = h("form", { class: "card narrow", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!username.value.trim() || !password.value) {
      error.textContent = "Enter a username and a password.";
      return;
    }
    button.disabled = true;
    try {
      await onSubmit(username.value.trim(), password.value);
    } catch (failure) {
      error.textContent = failure.friendly || String(failure);
    } finally {
      button.disabled = false;
    }
  } },
  h("h1", {}, title), field("Username", username), field("Password", password, passwordHint), error,
  button, footer);
  show(form);
  username.focus();
}

function loginView(params) {
  credentialsForm({
    title: "Log in",
    submitLabel: "Log in",
    footer: h("p", {}, "No account yet? ", h("a", { href: "#/register" }, "Sign up")),
    onSubmit: async (username, password) => {
      await api.login(username, password);
      live.reconnect();
      say("");
      location.hash = "#" + (params.get("next") || "/contests");
    },
  });
}

function registerView() {
  credentialsForm({
    title: "Sign up",
    submitLabel: "Create account",
    passwordHint: "At least 8 characters, not a common password or your username.",
    footer: h("p", {}, "Already registered? ", h("a", { href: "#/login" }, "Log in")),
    onSubmit: async (username, password) => {
      await api.register(username, password);
      await api.login(username, password);
      live.reconnect();
      say(`Welcome, ${username}! Your account is ready.`);
      location.hash = "#/contests";
    },
  });
}

// --- contests ----------------------------------------------------------------------------------

function countdown(contest, now = Date.now()) {
  if (contest.state === "scheduled") return `starts in ${duration(Date.parse(contest.start_at) - now)}`;
  if (contest.state === "running" || contest.state === "frozen") {
    return `ends in ${duration(Date.parse(contest.end_at) - now)}`;
  }
  return "finished";
}

// When a contest's state next changes (start, freeze, end), in ms since the epoch, or null.
function nextChange(contest, now = Date.now()) {
  const moments = { scheduled: [contest.start_at], running: [contest.freeze_at, contest.end_at],
    frozen: [contest.end_at] }[contest.state] || [];
  const future = moments.filter(Boolean).map(Date.parse).filter((moment) => moment > now);
  return future.length ? Math.min(...future) : null;
}

function ticking(update) {
  update();
  const timer = setInterval(update, 1000);
  return () => clearInterval(timer);
}

async function contestsView() {
  const { contests } = await api.get("/contests");
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
  show(h("h1", {}, "Contests"),
    contests.length ? h("ul", { class: "contest-list" }, items) : h("p", {}, "No contests yet."));
  // A contest starting, freezing or ending while the list is open: read the list again.
  const changes = contests.map((contest) => nextChange(contest)).filter(Boolean);
  const soonest = changes.length ? Math.min(...changes) : null;
  return ticking(() => {
    const now = Date.now();
    if (soonest !== null && now >= soonest + 1000) { route(); return; }
    for (const [counter, contest] of counters) counter.textContent = countdown(contest, now);
  });
}

async function contestHeader(cid, active) {
  const contest = await api.get(`/contests/${cid}`);
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
  setFrozen(contest.state === "frozen" || (contest.state === "ended" && contest.freeze_at && !contest.unfrozen_at));
  const stateBadge = h("span", { class: `state state-${contest.state}` }, STATES[contest.state]);
  const tabs = [["", "Problems"], ["/submissions", "My submissions"], ["/leaderboard", "Leaderboard"]];
  const header = h("header", { class: "contest-header" },
    h("p", { class: "crumbs" }, h("a", { href: "#/contests" }, "Contests"), " / ", contest.title),
    h("p", { class: "contest-meta" }, stateBadge, " ", counter, " · ",
      `${when(contest.start_at)} – ${when(contest.end_at)}`),
    banner,
    h("nav", { class: "tabs", "aria-label": "Contest" }, tabs.map(([suffix, label]) =>
      h("a", { href: `#/contests/${cid}${suffix}`, "aria-current": suffix === active ? "page" : null }, label))));
  const stopTicking = ticking(() => { counter.textContent = countdown(contest); });
  const listeners = [];
  const stopFollowing = live.follow(`contest:${cid}`, (event) => {
    if (event.type !== "contest_state") return;
    if (contest.state === "scheduled" && event.state !== "scheduled") { route(); return; } // problems appear
    contest.state = event.state;
    stateBadge.className = `state state-${event.state}`;
    stateBadge.textContent = STATES[event.state] || event.state;
    setFrozen(event.state === "frozen", event.state === "unfrozen");
    for (const listener of listeners) listener(event.state);
  });
  // onState(fn): fn(state) now and whenever the contest moves on (start, freeze, end, unfreeze).
  const onState = (listener) => { listeners.push(listener); listener(contest.state); };
  return { contest, header, setFrozen, onState, stop: () => { stopTicking(); stopFollowing(); } };
}

async function myStatus(cid) {
  if (!session.token) return {};
  const { submissions } = await api.get(`/contests/${cid}/submissions`);
  const status = {};
  for (const s of submissions) {
    if (s.verdict === "AC") status[s.label] = "solved";
    else if (status[s.label] !== "solved") status[s.label] = "tried";
  }
  return status;
}

const STATUS_WORDS = { solved: "Solved", tried: "Tried", untouched: "Not tried" };

async function contestView(cid) {
  const { contest, header, stop } = await contestHeader(cid, "");
  if (contest.state === "scheduled") {
    show(header, h("h1", {}, contest.title), h("p", {}, "The problems appear when the contest starts."));
    return stop;
  }
  const [{ problems }, status] = await Promise.all([api.get(`/contests/${cid}/problems`), myStatus(cid)]);
  const rows = problems.map((p) => {
    const mine = status[p.label] || "untouched";
    return h("tr", { "data-label": p.label, "data-status": mine },
      h("td", { class: "label" }, p.label),
      h("th", { scope: "row" }, h("a", { href: `#/contests/${cid}/problems/${p.id}` }, p.title)),
      h("td", {}, `${p.time_limit_ms / 1000} s`),
      h("td", {}, memory(p.memory_limit_kb)),
      h("td", {}, h("span", { class: `status status-${mine}` }, STATUS_WORDS[mine])));
  });
  show(header, h("h1", {}, contest.title),
    session.token ? null : h("p", { class: "hint" }, h("a", { href: `#/login?next=/contests/${cid}` }, "Log in"),
      " to submit and see your status."),
    await registrationPanel(contest),
    h("div", { class: "table-scroll" }, h("table", { class: "problems" },
      h("caption", { class: "visually-hidden" }, "Problems"),
      h("thead", {}, h("tr", {}, ["", "Problem", "Time limit", "Memory limit", "Your status"].map((t, i) =>
        h("th", { scope: "col" }, i ? t : h("span", { class: "visually-hidden" }, "Label"))))),
      h("tbody", {}, rows))));
  return stop;
}

// Contests by invitation or approval: where the contestant stands, and the button to ask.
const REGISTRATION = {
  approved: "You are registered for this contest.",
  pending: "You asked to take part: the organizers have not answered yet.",
  invited: "You are invited to this contest.",
  rejected: "The organizers declined your registration for this contest.",
};

async function registrationPanel(contest) {
  if (contest.registration === "open") return null;
  const panel = h("div", { class: "registration", role: "status" });
  const render = ({ status }) => {
    panel.dataset.status = status;
    const ask = status === "invited" ? "Accept the invitation"
      : status === "none" && contest.registration === "approval" ? "Ask to take part" : null;
    const text = REGISTRATION[status] || (contest.registration === "invite"
      ? "This contest is by invitation only." : "This contest needs the organizers' approval to take part.");
    panel.replaceChildren(h("p", {}, text), ask ? h("button", { type: "button", onclick: register }, ask) : "");
  };
  const register = async () => {
    try {
      render(await api.post(`/contests/${contest.id}/registration`));
    } catch (error) {
      say(error.friendly, "error");
    }
  };
  if (!session.token) {
    render({ status: "none" });
    panel.querySelector("button")?.remove();
    return panel;
  }
  render(await api.get(`/contests/${contest.id}/registration`));
  return panel;
}

// --- a submission, followed live ----------------------------------------------------------------

class SubmissionCard {
  constructor(sid, { onFinished = () => {} } = {}) {
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
    this.stop = live.follow(`submission:${this.sid}`, (event) => this.event(event), "0-0");
    this.reconcile();
    return () => this.stop();
  }

  async reconcile() {
    try {
      this.show(await api.get(`/submissions/${this.sid}`));
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

function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// GET /languages: the languages offered now, every language's title and file extensions (the
// server's copy of the judge's language registry) and the source size limit. The submit form
// asks afresh, its offer must be current; titles of past submissions come from the first answer.
let titlesOnce = null; // a promise of name → title

function titlesOf({ catalog }) {
  const titles = Object.fromEntries(catalog.map((language) => [language.name, language.title]));
  return (name) => titles[name] || name;
}

function languageOffer() {
  const answer = api.get("/languages");
  if (!titlesOnce) titlesOnce = answer.then(titlesOf, () => { titlesOnce = null; return (name) => name; });
  return answer;
}

function languageTitles() {
  if (!titlesOnce) languageOffer().catch(() => {});
  return titlesOnce;
}

async function problemView(cid, pid) {
  const [{ contest, header, onState, stop }, problem, offer] = await Promise.all([
    contestHeader(cid, ""), api.get(`/contests/${cid}/problems/${pid}`), languageOffer()]);
  const { languages, catalog, max_source_bytes: maxSourceBytes } = offer;
  const title = titlesOf(offer);
  const extensions = Object.fromEntries(catalog.flatMap((language) =>
    language.extensions.map((extension) => [extension, language.name])));
  const stops = [stop];
  const samples = (problem.samples || []).map((sample, i) => h("div", { class: "sample" },
    h("h3", {}, `Sample ${i + 1}`),
    h("div", { class: "sample-io" },
      h("figure", {}, h("figcaption", {}, "Input"), h("pre", {}, sample.input)),
      h("figure", {}, h("figcaption", {}, "Output"), h("pre", {}, sample.answer)))));
  const statement = h("article", { class: "statement" },
    h("h1", {}, `${problem.label}. ${problem.title}`),
    h("p", { class: "limits" }, `Time limit: ${problem.time_limit_ms / 1000} s · Memory limit: ${memory(problem.memory_limit_kb)}`
      + (contest.scoring === "points" ? ` · ${problem.points} points` : "")),
    h("div", { class: "statement-text" }, problem.statement),
    samples);
  if (!session.token) {
    show(header, statement, h("p", { class: "card" },
      h("a", { href: `#/login?next=/contests/${cid}/problems/${pid}` }, "Log in"), " to submit a solution."));
    return () => stops.forEach((s) => s());
  }
  const draftKey = `codearena.draft.${cid}.${pid}`;
  const draft = JSON.parse(sessionStorage.getItem(draftKey) || "null") || { language: languages[0] || "", source: "" };
  const picker = h("select", { name: "language" }, languages.map((l) =>
    h("option", { value: l, selected: l === draft.language }, title(l))));
  const textarea = h("textarea", { name: "source", rows: "16", "aria-describedby": "source-hint source-size" });
  const upload = h("input", { type: "file", name: "file", accept: Object.keys(extensions).map((e) => "." + e).join(",") });
  const size = h("span", { id: "source-size", class: "size" });
  const error = h("p", { class: "error", role: "alert" });
  const button = h("button", { type: "submit" }, "Submit");
  const results = h("div", { class: "results" });
  const closing = h("p", { class: "closed-note", role: "status", hidden: true });
  let closed = false; // an ended contest without practice takes no more submissions
  textarea.value = draft.source;
  const form = h("form", { class: "card submit-form", novalidate: true },
    h("h2", {}, "Submit a solution"),
    closing,
    field("Language", picker),
    field("Upload a file", upload),
    h("div", { class: "field" }, h("label", { for: "source" }, "Source code"), textarea,
      h("p", { class: "hint", id: "source-hint" }, "Tab indents; press Escape, then Tab, to leave the editor. ", size)),
    error, button);
  textarea.id = "source";
  show(header, statement, form, results);
  onState((state) => {
    const over = state === "ended" || state === "unfrozen";
    closed = over && !contest.practice;
    button.disabled = closed;
    closing.hidden = !over;
    closing.textContent = closed
      ? "The contest is over: submissions are closed."
      : "The contest is over: practice submissions are judged but not ranked.";
  });
  const editor = new Editor(textarea, picker.value);
  const updateSize = () => {
    const bytes = utf8Length(editor.value);
    size.textContent = `${kib(bytes)} of ${kib(maxSourceBytes)}`;
    size.classList.toggle("over", bytes > maxSourceBytes);
    sessionStorage.setItem(draftKey, JSON.stringify({ language: picker.value, source: editor.value.length < 200000 ? editor.value : "" }));
  };
  textarea.addEventListener("input", updateSize);
  picker.addEventListener("change", () => { editor.setLanguage(picker.value); updateSize(); });
  upload.addEventListener("change", async () => {
    const file = upload.files[0];
    if (!file) return;
    const language = extensions[file.name.split(".").pop().toLowerCase()];
    if (language && languages.includes(language)) { picker.value = language; editor.setLanguage(language); }
    editor.value = await file.text();
    updateSize();
  });
  updateSize();
  form.addEventListener("submit", async (event) => {
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
      const answer = await api.post(`/contests/${cid}/submissions`,
        { problem_id: Number(pid), language: picker.value, source }, { "Idempotency-Key": newKey() });
      const card = new SubmissionCard(answer.id);
      results.prepend(card.element);
      stops.push(card.start());
    } catch (failure) {
      error.textContent = failure.friendly || String(failure);
    } finally {
      button.disabled = closed;
    }
  });
  return () => stops.forEach((s) => s());
}

async function submissionView(sid) {
  if (!session.token) {
    location.hash = `#/login?next=/submissions/${sid}`;
    return null;
  }
  const [submission, title] = await Promise.all([api.get(`/submissions/${sid}`), languageTitles()]);
  const card = new SubmissionCard(Number(sid));
  const code = h("pre", { class: "source" });
  code.innerHTML = highlight(submission.source, submission.language);
  show(
    h("p", { class: "crumbs" }, h("a", { href: `#/contests/${submission.contest_id}/submissions` }, "My submissions"),
      " / ", `#${sid}`),
    h("h1", {}, `Submission #${sid} — problem ${submission.label}`),
    h("p", { class: "contest-meta" }, `${title(submission.language)} · sent ${when(submission.created_at)}`),
    card.element,
    h("section", {}, h("h2", {}, "Source"), code));
  return card.start();
}

async function mySubmissionsView(cid) {
  const { header, stop } = await contestHeader(cid, "/submissions");
  if (!session.token) {
    location.hash = `#/login?next=/contests/${cid}/submissions`;
    return stop;
  }
  const [{ submissions }, title] = await Promise.all([api.get(`/contests/${cid}/submissions`), languageTitles()]);
  const stops = [stop];
  const rows = submissions.map((s) => {
    const verdict = h("td", {}, verdictBadge(s.verdict, s.status));
    if (!s.verdict) {
      stops.push(live.follow(`submission:${s.id}`, (event) => {
        if (event.type === "finished") verdict.replaceChildren(verdictBadge(event.verdict));
        else if (event.type === "test_result") verdict.replaceChildren(verdictBadge(null, "judging"));
      }, "0-0"));
    }
    return h("tr", { "data-submission-id": s.id },
      h("td", {}, h("a", { href: `#/submissions/${s.id}` }, `#${s.id}`)),
      h("td", {}, when(s.created_at)), h("td", {}, s.label), h("td", {}, title(s.language)),
      verdict);
  });
  show(header, h("h1", {}, "My submissions"),
    submissions.length ? h("div", { class: "table-scroll" }, h("table", { class: "history" },
      h("caption", { class: "visually-hidden" }, "My submissions, newest first"),
      h("thead", {}, h("tr", {}, ["Submission", "Sent", "Problem", "Language", "Verdict"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows)))
      : h("p", {}, "You have not submitted anything in this contest yet."));
  return () => stops.forEach((s) => s());
}

async function leaderboardView(cid, params) {
  const { contest, header, setFrozen, stop } = await contestHeader(cid, "/leaderboard");
  const pageSize = Math.min(200, Math.max(1, Number(params.get("per")) || 50));
  const board = new BoardView({ api, live, contest, me: session.user?.username, pageSize,
    onFrozen: (frozen) => setFrozen(frozen, contest.state === "unfrozen") });
  show(header, h("h1", { class: "visually-hidden" }, `${contest.title} leaderboard`), board.element);
  await board.start();
  return () => { board.destroy(); stop(); };
}

boot();
