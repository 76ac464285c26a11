// A contest's problem list with the contestant's status on each, and, for contests by
// invitation or approval, where the contestant stands and the button to ask.

import { contestHeader } from "../components/contest-header.js";
import { h } from "../dom.js";
import { problemStatus } from "../logic/contest.js";
import { memory } from "../logic/format.js";

const STATUS_WORDS = { solved: "Solved", tried: "Tried", untouched: "Not tried" };
const REGISTRATION = {
  approved: "You are registered for this contest.",
  pending: "You asked to take part: the organizers have not answered yet.",
  invited: "You are invited to this contest.",
  rejected: "The organizers declined your registration for this contest.",
};

export async function contestView(app, cid) {
  const { contest, header, stop } = await contestHeader(app, cid, "");
  if (contest.state === "scheduled") {
    app.show(header, h("h1", {}, contest.title), h("p", {}, "The problems appear when the contest starts."));
    return stop;
  }
  const [{ problems }, status] = await Promise.all([app.api.get(`/contests/${cid}/problems`), myStatus(app, cid)]);
  const rows = problems.map((p) => {
    const mine = status[p.label] || "untouched";
    return h("tr", { "data-label": p.label, "data-status": mine },
      h("td", { class: "label" }, p.label),
      h("th", { scope: "row" }, h("a", { href: `#/contests/${cid}/problems/${p.id}` }, p.title)),
      h("td", {}, `${p.time_limit_ms / 1000} s`),
      h("td", {}, memory(p.memory_limit_kb)),
      h("td", {}, h("span", { class: `status status-${mine}` }, STATUS_WORDS[mine])));
  });
  app.show(header, h("h1", {}, contest.title),
    app.session.token ? null : h("p", { class: "hint" }, h("a", { href: `#/login?next=/contests/${cid}` }, "Log in"),
      " to submit and see your status."),
    await registrationPanel(app, contest),
    h("div", { class: "table-scroll" }, h("table", { class: "problems" },
      h("caption", { class: "visually-hidden" }, "Problems"),
      h("thead", {}, h("tr", {}, ["", "Problem", "Time limit", "Memory limit", "Your status"].map((t, i) =>
        h("th", { scope: "col" }, i ? t : h("span", { class: "visually-hidden" }, "Label"))))),
      h("tbody", {}, rows))));
  return stop;
}

async function myStatus(app, cid) {
  if (!app.session.token) return {};
  const { submissions } = await app.api.get(`/contests/${cid}/submissions`);
  return problemStatus(submissions);
}

async function registrationPanel(app, contest) {
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
      render(await app.api.post(`/contests/${contest.id}/registration`));
    } catch (error) {
      app.say(error.friendly, "error");
    }
  };
  if (!app.session.token) {
    render({ status: "none" });
    panel.querySelector("button")?.remove();
    return panel;
  }
  render(await app.api.get(`/contests/${contest.id}/registration`));
  return panel;
}
