// The closing ceremony's reveal of a frozen ICPC board, as the ICPC Resolver does it: the board
// starts as the public saw it at the freeze (later submissions pending); each step resolves one
// pending cell — the leftmost one of the lowest team on the board that still has any — to what
// the jury's final board says, and the board is ranked again. When no cell is pending the board
// is the final one.
//
// Rows are the leaderboard's: {rank, user_id, username, solved, penalty, problems: {label:
// {attempts, pending, solved, time_minutes}}}; `attempts` counts the judged tries that cost
// (the solving one included), so a solved cell costs time_minutes + penalty × (attempts − 1).

// The reveal's start: the frozen rows, each team of the final board the frozen one lacks with
// all its cells pending. `labels` in board order; `penaltyMinutes` per costly try.
export function startReveal(frozenRows, finalRows, { labels, penaltyMinutes }) {
  const final = new Map(finalRows.map((row) => [row.user_id, row]));
  const shown = new Set(frozenRows.map((row) => row.user_id));
  const unseen = finalRows.filter((row) => !shown.has(row.user_id)).map(allPending);
  const rows = rank([...frozenRows, ...unseen].map((row) => totals(row, penaltyMinutes)));
  return { rows, final, labels, penaltyMinutes, last: null };
}

// How many cells are still pending.
export function pendingCells(state) {
  return state.rows.reduce((sum, row) => sum + state.labels.filter((label) => isPending(row, label)).length, 0);
}

// The row the next step resolves a cell of (null when nothing is pending).
export function nextRow(state) {
  for (let i = state.rows.length - 1; i >= 0; i -= 1) {
    if (state.labels.some((label) => isPending(state.rows[i], label))) return state.rows[i];
  }
  return null;
}

// One step: a new state (the one given is not changed), `last` saying what was resolved —
// {user_id, label, solved, from, to} with the team's ranks before and after; the same state
// when nothing is pending.
export function revealStep(state) {
  const row = nextRow(state);
  if (!row) return state;
  const label = state.labels.find((l) => isPending(row, l));
  const outcome = state.final.get(row.user_id)?.problems?.[label];
  const resolved = outcome ? { ...outcome, pending: 0 } : { attempts: 0, pending: 0, solved: false };
  const changed = totals({ ...row, problems: { ...row.problems, [label]: resolved } }, state.penaltyMinutes);
  const rows = rank(state.rows.map((r) => (r.user_id === row.user_id ? changed : r)));
  const to = rows.find((r) => r.user_id === row.user_id).rank;
  return { ...state, rows, last: { user_id: row.user_id, label, solved: Boolean(resolved.solved), from: row.rank, to } };
}

function isPending(row, label) {
  return Boolean(row.problems[label]?.pending);
}

function allPending(row) {
  const problems = {};
  for (const [label, cell] of Object.entries(row.problems)) {
    const tries = (cell.attempts || 0) + (cell.pending || 0);
    problems[label] = tries ? { attempts: 0, pending: tries, solved: false } : cell;
  }
  return { ...row, problems };
}

// The row's solved count, penalty and last solve from its cells.
function totals(row, penaltyMinutes) {
  let solved = 0;
  let penalty = 0;
  let lastSolve = 0;
  for (const cell of Object.values(row.problems)) {
    if (!cell.solved) continue;
    solved += 1;
    penalty += cell.time_minutes + penaltyMinutes * Math.max(0, cell.attempts - 1);
    lastSolve = Math.max(lastSolve, cell.time_minutes);
  }
  return { ...row, solved, penalty, lastSolve };
}

// ICPC order: more solved, less penalty, earlier last solve; equal teams share a rank and are
// listed by name.
function rank(rows) {
  const key = (r) => [-r.solved, r.penalty, r.lastSolve];
  const sorted = [...rows].sort((a, b) => compare(key(a), key(b)) || a.username.localeCompare(b.username));
  let shared = 0;
  return sorted.map((row, i) => {
    if (i === 0 || compare(key(sorted[i - 1]), key(row)) !== 0) shared = i + 1;
    return { ...row, rank: shared };
  });
}

function compare(a, b) {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
