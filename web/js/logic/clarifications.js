// Clarifications as the API and the WebSocket give them: kept in id order without repeats,
// what the reader has not seen yet, and who wrote to whom in words. A clarification is
// {id, from_user_id (null: the jury), to_user_id (null: everyone), reply_to_id, label, text}.

// `items` with `item` added, or put in place of the one with its id; ordered by id.
export function merge(items, item) {
  const others = items.filter((existing) => existing.id !== item.id);
  return [...others, item].sort((a, b) => a.id - b.id);
}

// What `userId` has not read: what others wrote (the jury's answers and announcements, for a
// contestant; the questions, for the jury) with an id above `lastSeen`, the highest id read.
export function unread(items, userId, lastSeen) {
  return items.filter((item) => item.from_user_id !== userId && item.id > lastSeen).length;
}

// The highest id among `items` (0 for none): what "read up to here" is remembered as.
export function newest(items) {
  return items.reduce((highest, item) => Math.max(highest, item.id), 0);
}

// Who wrote it to whom, as a reader sees it: "You → jury", "Jury → everyone", "alice → jury".
export function heading(item, userId) {
  const from = item.from_user_id === null ? "Jury" : item.from_user_id === userId ? "You" : item.from_username;
  const to = item.from_user_id !== null ? "jury"
    : item.to_user_id === null ? "everyone" : item.to_user_id === userId ? "you" : item.to_username;
  return `${from} → ${to}${item.label ? ` · problem ${item.label}` : ""}`;
}

// The questions still waiting for an answer, for the jury: those no clarification replies to.
export function unanswered(items) {
  const answered = new Set(items.map((item) => item.reply_to_id).filter((id) => id !== null));
  return items.filter((item) => item.from_user_id !== null && !answered.has(item.id));
}
