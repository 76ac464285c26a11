// The jury page's filters: which of a form's values go into the submissions query, and the
// one-line summary of a judge host.

export const FILTERS = ["problem", "user_id", "verdict", "language", "from", "to"];
export const PAGE_SIZE = 50;

// The query string of /admin/contests/{cid}/submissions for `values` (empty ones left out;
// a datetime-local value read as local time and sent in UTC) and the page `offset`.
export function submissionsQuery(values, offset = 0) {
  const query = new URLSearchParams();
  for (const name of FILTERS) {
    const value = String(values[name] ?? "").trim();
    if (!value) continue;
    query.set(name, name === "from" || name === "to" ? new Date(value).toISOString() : value);
  }
  if (offset > 0) query.set("offset", String(offset));
  query.set("limit", String(PAGE_SIZE));
  return query.toString();
}

// "3 of 4 boxes busy · 17 judged · beat 2 s ago", and "draining" while it leaves.
export function hostSummary(host) {
  const parts = [`${host.busy} of ${host.boxes} boxes busy`, `${host.judged} judged`];
  if (host.beat_seconds_ago !== null) parts.push(`beat ${Math.round(host.beat_seconds_ago)} s ago`);
  if (host.draining) parts.push("draining");
  return parts.join(" · ");
}

// "Submissions 51–100 of 230" for a page of the list.
export function pageHeading(total, offset, shown) {
  if (total === 0) return "No submissions match";
  return `Submissions ${offset + 1}–${offset + shown} of ${total}`;
}
