// How a page of the leaderboard follows the contest: which live message to apply, what a
// message of changed rows does to the page, who solved each problem first, which rows changed.
// Rows are the API's leaderboard rows (DESIGN §7); nothing here touches the page itself.

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
// How long a first solve seen live stands when the server's answer does not have it yet.
export const FIRST_SOLVE_GRACE_MS = 3000;

// Rows a page shows, from the `per` of the address.
export function pageSize(per) {
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Number(per) || DEFAULT_PAGE_SIZE));
}

// What to do with a `leaderboard` message of `version` when the page is at `current` (null:
// not read yet): "apply" the next one, "ignore" an old one, "reload" after a gap.
export function nextStep(current, version) {
  if (current === null || version <= current) return "ignore";
  return version === current + 1 ? "apply" : "reload";
}

// The page after a message's `changed` rows, which carry their new ranks. A row joins the page
// when its rank falls within the page (or the page is not full), and leaves when it falls
// outside. Returns the new rows (sorted, at most `size`), the contestant's own row when it
// changed (`me` is their username), the ids of the rows that changed on the page, and whether
// a rank on the page moved (rows passed are not in the message: the page must be read again).
export function applyChanges(rows, changed, { size, me }) {
  const first = rows.length ? rows[0].rank : 1;
  const last = rows.length ? rows[rows.length - 1].rank : Infinity;
  const next = [...rows];
  const touched = [];
  let mine = null;
  let moved = false;
  for (const row of changed) {
    if (me && row.username === me) mine = row;
    const index = next.findIndex((r) => r.user_id === row.user_id);
    const onPage = row.rank >= first && (row.rank <= last || rows.length < size);
    if (index >= 0) {
      if (next[index].rank !== row.rank) moved = true;
      if (onPage) next[index] = row; else next.splice(index, 1);
    } else if (onPage) {
      next.push(row);
      moved = true;
    } else {
      continue;
    }
    touched.push(row.user_id);
  }
  next.sort((a, b) => a.rank - b.rank || a.username.localeCompare(b.username));
  return { rows: next.slice(0, size), mine, touched, moved };
}

// First solvers a message brings: label → user id for each of `labels` that has none in
// `firsts` yet and is solved in a changed row (the earliest solve, by contest minute).
export function newFirstSolves(labels, firsts, changed) {
  const found = {};
  for (const label of labels) {
    if (label in firsts) continue;
    const solvers = changed.filter((row) => row.problems[label]?.solved);
    if (!solvers.length) continue;
    solvers.sort((a, b) => a.problems[label].time_minutes - b.problems[label].time_minutes);
    found[label] = solvers[0].user_id;
  }
  return found;
}

// First solvers after an HTTP read: the server's (label → user id), plus those seen live
// (label → {user, at}) less than the grace period before `now` that the server, whose answer
// may be a little old, does not have yet.
export function mergeFirstSolves(fromServer, seenLive, now) {
  const firsts = { ...fromServer };
  for (const [label, seen] of Object.entries(seenLive)) {
    if (!(label in firsts) && now - seen.at < FIRST_SOLVE_GRACE_MS) firsts[label] = seen.user;
  }
  return firsts;
}

// Ids of the rows of `after` that differ from the same contestant's row in `before`; none when
// `before` is empty (the first read of the page flashes nothing).
export function changedRows(before, after) {
  if (!before.length) return [];
  const was = new Map(before.map((row) => [row.user_id, JSON.stringify(row)]));
  return after.filter((row) => was.get(row.user_id) !== JSON.stringify(row)).map((row) => row.user_id);
}
