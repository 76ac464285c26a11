// The clarifications of a contest the logged-in user may read, kept current over the
// WebSocket (a contestant: the public contest topic and their private one; the jury: the jury
// topic), with how many are unread. What was read is remembered per contest and user.

import { merge, newest, unread } from "../logic/clarifications.js";

// Null when nobody is logged in. Otherwise {items, userId (null for the jury), jury, unread(),
// markRead(), add(item), onChange(fn) → stop, stop()}.
export async function clarificationFeed(app, cid) {
  const user = app.session.user;
  if (!app.session.token || !user) return null;
  const jury = user.role !== "contestant";
  const seenKey = `codearena.clarifications.read.${cid}.${user.id}`;
  const listeners = new Set();
  const feed = {
    items: [],
    jury,
    userId: jury ? null : user.id,
    lastSeen: () => Number(localStorage.getItem(seenKey) || 0),
    unread: () => unread(feed.items, feed.userId, feed.lastSeen()),
    markRead() {
      if (newest(feed.items) <= feed.lastSeen()) return;
      localStorage.setItem(seenKey, String(newest(feed.items)));
      changed();
    },
    add(item) { feed.items = merge(feed.items, item); changed(); },
    onChange(listener) { listeners.add(listener); listener(); return () => listeners.delete(listener); },
    stop: () => {},
  };
  const changed = () => { for (const listener of [...listeners]) listener(); };
  const hear = (event) => {
    if (event.type === "clarification" && String(event.contest_id) === String(cid)) feed.add(event.clarification);
  };
  const topics = jury ? [`jury:${cid}`] : [`contest:${cid}`, `participant:${cid}:${user.id}`];
  const stops = topics.map((topic) => app.live.follow(topic, hear));
  feed.stop = () => stops.forEach((stop) => stop());
  try {
    const { clarifications } = await app.api.get(`/contests/${cid}/clarifications`);
    for (const item of clarifications) feed.items = merge(feed.items, item);
  } catch {
    // Not readable now (a session ending): the tab shows none; the page says why elsewhere.
  }
  return feed;
}
