// Clarifications: a contestant asks the jury and reads the answers and announcements as they
// arrive; the jury reads every question and answers it (to its asker or to everyone) or
// announces something. Both lists follow the WebSocket through the header's feed.

import { contestHeader } from "../components/contest-header.js";
import { field, h } from "../dom.js";
import { heading, unanswered } from "../logic/clarifications.js";
import { when } from "../logic/format.js";

const MAX_TEXT = 2000;

export async function clarificationsView(app, cid) {
  const { contest, header, clarifications: feed, stop } = await contestHeader(app, cid, "/clarifications");
  if (!feed) {
    location.hash = `#/login?next=/contests/${cid}/clarifications`;
    return stop;
  }
  const problems = contest.state === "scheduled" ? [] : (await app.api.get(`/contests/${cid}/problems`)).problems;
  const problem = h("select", {}, h("option", { value: "" }, "General"),
    problems.map((p) => h("option", { value: String(p.id) }, `${p.label} — ${p.title}`)));
  const text = h("textarea", { rows: 4, maxlength: MAX_TEXT, required: true });
  const ask = async (event) => {
    event.preventDefault();
    const body = { text: text.value, ...(problem.value ? { problem_id: Number(problem.value) } : {}) };
    try {
      feed.add(await app.api.post(`/contests/${cid}/clarifications`, body));
      text.value = "";
      app.say("Your question was sent to the jury.");
    } catch (error) {
      app.say(error.code === "rate_limited" ? `You are asking too fast: ${error.message}.` : error.friendly, "error");
    }
  };
  const list = h("ol", { class: "clarifications", "aria-live": "polite" });
  const stopListing = feed.onChange(() => {
    list.replaceChildren(...[...feed.items].reverse().map((item) => entry(item, feed.userId)));
    feed.markRead();
  });
  app.show(header, h("h1", {}, "Clarifications"),
    feed.jury ? h("p", {}, h("a", { href: `#/contests/${cid}/jury/clarifications` }, "Answer questions")) : null,
    feed.jury ? null : h("form", { class: "ask", onsubmit: ask },
      field("Problem", problem), field("Question", text, `At most ${MAX_TEXT} characters.`),
      h("button", { type: "submit" }, "Ask the jury")),
    list);
  return () => { stopListing(); stop(); };
}

export async function juryClarificationsView(app, cid) {
  const { header, clarifications: feed, stop } = await contestHeader(app, cid, "/clarifications");
  if (!feed || !feed.jury) {
    app.show(header, h("h1", {}, "Jury clarifications"), h("p", {}, "This page is for the jury."));
    return stop;
  }
  const send = async (body) => {
    try {
      feed.add(await app.api.post(`/admin/contests/${cid}/clarifications`, body));
      app.say("Sent.");
      return true;
    } catch (error) {
      app.say(error.friendly, "error");
      return false;
    }
  };
  const announcement = h("textarea", { rows: 3, maxlength: MAX_TEXT, required: true });
  const announce = async (event) => {
    event.preventDefault();
    if (await send({ text: announcement.value })) announcement.value = "";
  };
  const list = h("ol", { class: "clarifications" });
  const stopListing = feed.onChange(() => {
    const waiting = new Set(unanswered(feed.items).map((item) => item.id));
    list.replaceChildren(...[...feed.items].reverse().map((item) =>
      entry(item, null, item.from_user_id === null ? null : answerForm(item, waiting.has(item.id), send))));
    feed.markRead();
  });
  app.show(header, h("h1", {}, "Jury clarifications"),
    h("form", { class: "ask announce", onsubmit: announce },
      field("Announcement to everyone", announcement), h("button", { type: "submit" }, "Announce")),
    list);
  return () => { stopListing(); stop(); };
}

function entry(item, userId, extra = null) {
  return h("li", { class: "clarification", "data-id": item.id, "data-from": item.from_user_id === null ? "jury" : "team" },
    h("p", { class: "clarification-heading" }, heading(item, userId), " · ", when(item.created_at)),
    h("p", { class: "clarification-text" }, item.text),
    extra);
}

function answerForm(question, waiting, send) {
  const text = h("textarea", { rows: 2, maxlength: MAX_TEXT, required: true, "aria-label": `Answer to ${question.id}` });
  const everyone = h("input", { type: "checkbox" });
  const submit = async (event) => {
    event.preventDefault();
    await send({ text: text.value, reply_to_id: question.id, to: everyone.checked ? "everyone" : "asker" });
  };
  return h("form", { class: "answer", onsubmit: submit, "data-waiting": waiting ? "yes" : "no" },
    text, h("label", {}, everyone, " to everyone"), h("button", { type: "submit" }, waiting ? "Answer" : "Answer again"));
}
