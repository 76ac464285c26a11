// Words and numbers as the app shows them: verdicts, contest states, dates, sizes, durations.

export const VERDICTS = {
  AC: "Accepted",
  WA: "Wrong answer",
  TLE: "Time limit exceeded",
  MLE: "Memory limit exceeded",
  RTE: "Run-time error",
  OLE: "Output limit exceeded",
  CE: "Compilation error",
  JE: "Judging error",
};

export const STATES = {
  scheduled: "Upcoming",
  running: "Running",
  frozen: "Running — scoreboard frozen",
  ended: "Ended",
  unfrozen: "Ended — final results",
};

const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short",
});

export function when(iso) {
  return iso ? DATE_TIME.format(new Date(iso)) : "—";
}

export function timeOfDay(iso) {
  return new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function duration(milliseconds) {
  const total = Math.max(0, Math.floor(milliseconds / 1000));
  const days = Math.floor(total / 86400);
  const clock = [Math.floor(total / 3600) % 24, Math.floor(total / 60) % 60, total % 60]
    .map((n) => String(n).padStart(2, "0")).join(":");
  return days ? `${days}d ${clock}` : clock;
}

export function kib(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  return `${(bytes / 1024).toFixed(bytes < 10240 ? 1 : 0)} KiB`;
}

export function memory(kb) {
  if (kb < 1024) return `${kb} KB`;
  const mb = kb / 1024;
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

// A leaderboard score: whole points as they are, partial ones to two decimals.
export function formatScore(points) {
  return Number.isInteger(points) ? String(points) : points.toFixed(2);
}
