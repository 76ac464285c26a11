"""Standings: each contestant's row computed from PostgreSQL, logged as events, applied to Redis.

A contestant's standing is recomputed under their advisory lock (`refresh`) whenever one of
their submissions comes in (`on_submitted`) or is judged (codearena.judgements.record), and
for everyone at once when the contest's rules change or its board is unfrozen (`restate`);
many in one transaction (a restate, an imported contest's replay) share a `Batch`.
Each recomputation appends a `leaderboard_events` row: the jury row and the public row (the
freeze hides verdicts from the public). `publish` applies one event to both Redis boards
after the commit (DESIGN §4 step 4); `rebuild` makes both boards again from the event log.
Both are idempotent: a replay re-applies the same absolute rows. Reading the boards:
codearena.boards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from psycopg2.extras import execute_values

from codearena import contests
from codearena.core import Core
from codearena.db import Cursor, one_row
from codearena.events import board_topic
from codearena.leaderboard import VIEWS, Entry
from codearena.models import Verdict
from codearena.scoring import Attempt, Standing, rule_for, visible

if TYPE_CHECKING:  # codearena.submissions shows each new submission here (on_submitted)
    from codearena.submissions import Submission

# contest fields standings follow
# The contest fields standings follow.
RULES = ("start_at", "end_at", "freeze_at", "scoring", "penalty_minutes", "penalty_verdicts")
_BATCH = 500  # contestants restated per transaction (each holds its advisory lock until commit)


@dataclass(frozen=True)
class Contestant:
    """Whose standing to compute: a contestant of a contest and, when a submission of theirs
    changed it, that submission (a submission from the contest's end on is never ranked)."""

    contest_id: int
    user_id: int
    username: str
    submission_id: int | None = None
    submitted_at: datetime | None = None

    @classmethod
    def of(cls, submission: Submission) -> Contestant:
        """The contestant whose standing `submission` changes."""
        s = submission
        return cls(s.contest_id, s.user_id, s.username, s.id, s.created_at)


@dataclass(frozen=True)
class BoardUpdate:
    """The leaderboard event a standing produced, ready to apply to Redis."""

    contest_id: int
    event_id: int
    username: str
    rows: dict[str, dict[str, Any]]  # view → row
    public_event_id: int  # the event whose public row this one shows (itself when it is new)

    def event_of(self, view: str) -> int:
        """The event id a board `view` applies and versions this row by: an unchanged public
        row (a verdict the freeze hides) keeps the id of the event that made it."""
        return self.public_event_id if view == "public" else self.event_id

    def changes(self, view: str) -> bool:
        return self.event_of(view) == self.event_id


def on_submitted(cur: Cursor, submission: Submission) -> BoardUpdate | None:
    """At intake, in its transaction: the new attempt shows as pending on both boards."""
    contestant = Contestant.of(submission)
    lock_standing(cur, contestant.contest_id, contestant.user_id)
    return refresh(cur, contestant)


def lock_standing(cur: Cursor, contest_id: int, user_id: int) -> None:
    """Serialise standings of one contestant in one contest across processes (until commit),
    so a higher leaderboard event id always carries a later state."""
    cur.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
        (f"standing:{contest_id}:{user_id}",),
    )


def practice(cur: Cursor, contestant: Contestant) -> bool:
    """Whether the contestant's submission came from the contest's end on (judged, never ranked)."""
    return _practice(contests.load(cur, contestant.contest_id), contestant)


def _practice(contest: contests.Contest, contestant: Contestant) -> bool:
    return contestant.submitted_at is not None and contestant.submitted_at >= contest.end_at


def refresh(cur: Cursor, contestant: Contestant, at: datetime | None = None) -> BoardUpdate | None:
    """Recompute a contestant's standing from PostgreSQL and append it as an event (the
    caller holds `lock_standing`), dated `at` (an imported contest's own times) or now; None
    for a practice submission or a hidden participant, which change no board."""
    batch = Batch(cur, contests.load(cur, contestant.contest_id))
    update = batch.refresh(contestant, at)
    batch.close()
    return update


class Batch:
    """Standings of contestants of one contest recomputed in one transaction (one `refresh`,
    a restate, an imported contest's replay): the contest, its problems and each contestant's
    team are read once, and each contestant's problem cells are written once, from their last
    standing, by `close` (before the commit). The caller holds each contestant's `lock_standing`."""

    def __init__(self, cur: Cursor, contest: contests.Contest) -> None:
        self.cur = cur
        self.contest = contest
        self._teams: dict[int, Team] = {}
        self._cells: dict[int, Standing] = {}  # user id → the jury standing to write

    def refresh(self, contestant: Contestant, at: datetime | None = None) -> BoardUpdate | None:
        """`refresh` within the batch."""
        if _practice(self.contest, contestant):
            return None
        team = self._teams.get(contestant.user_id)
        if team is None:
            team = self._teams[contestant.user_id] = team_of(self.cur, self.contest.id, contestant)
        if team.category == "hidden":
            return None
        jury, public = _standings(self.cur, self.contest, contestant.user_id)
        self._cells[contestant.user_id] = jury
        rows = {"jury": _row(self.contest, team, jury), "public": _row(self.contest, team, public)}
        self.cur.execute(
            _APPEND,
            {
                "contest": self.contest.id,
                "user": contestant.user_id,
                "submission": contestant.submission_id,
                "jury": json.dumps(rows["jury"]),
                "public": json.dumps(rows["public"]),
                "at": at,
            },
        )
        event = one_row(self.cur)
        return BoardUpdate(self.contest.id, event["id"], contestant.username, rows, event["public_id"])

    def close(self) -> None:
        """Write the problem cells of everyone refreshed since the last `close`."""
        if self._cells:
            _write_cells(self.cur, self.contest.id, self._cells)
            self._cells = {}


# One event; a public row equal to the contestant's previous one (a verdict the freeze hides)
# names the event that made it, so the public board neither moves nor announces anything.
_APPEND = """
INSERT INTO leaderboard_events
    (contest_id, user_id, submission_id, jury_row, public_row, created_at, public_repeats)
VALUES (%(contest)s, %(user)s, %(submission)s, %(jury)s, %(public)s, coalesce(%(at)s, now()), (
    SELECT coalesce(last.public_repeats, last.id) FROM (
        SELECT id, public_row, public_repeats FROM leaderboard_events
        WHERE contest_id = %(contest)s AND user_id = %(user)s ORDER BY id DESC LIMIT 1
    ) AS last WHERE last.public_row = %(public)s::jsonb))
RETURNING id, coalesce(public_repeats, id) AS public_id
"""


@dataclass(frozen=True)
class Team:
    """How a contestant shows on the boards: the roster's display name (else the username) and
    category (participant: ranked everywhere; observer: on the jury board only; hidden: on no
    board). A contestant not on the roster (an open contest) is a participant."""

    user_id: int
    username: str
    display_name: str
    category: str


def team_of(cur: Cursor, contest_id: int, contestant: Contestant) -> Team:
    cur.execute(
        "SELECT display_name, category FROM contest_participants WHERE contest_id = %s AND user_id = %s",
        (contest_id, contestant.user_id),
    )
    row = cur.fetchone()
    name = str(row["display_name"] or contestant.username) if row else contestant.username
    return Team(contestant.user_id, contestant.username, name, str(row["category"]) if row else "participant")


def on_public_board(row: dict[str, Any]) -> bool:
    """Whether a board row goes on the public board (observers' rows stay on the jury's)."""
    return bool(row.get("category", "participant") != "observer")


# Who a rebuilt or past board leaves out, as the roster has them now (leaderboard_events is
# append-only: a contestant made hidden keeps the events they had).
LEFT_OUT = {"jury": ("hidden",), "public": ("hidden", "observer")}


def last_update(cur: Cursor, contestant: Contestant) -> BoardUpdate | None:
    """The contestant's latest event as an update to publish again (None when there is none)."""
    cur.execute(
        "SELECT id, coalesce(public_repeats, id) AS public_id, jury_row, public_row FROM leaderboard_events"
        " WHERE contest_id = %s AND user_id = %s ORDER BY id DESC LIMIT 1",
        (contestant.contest_id, contestant.user_id),
    )
    event = cur.fetchone()
    if event is None:
        return None
    return BoardUpdate(
        contestant.contest_id,
        event["id"],
        contestant.username,
        {"jury": event["jury_row"], "public": event["public_row"]},
        event["public_id"],
    )


def restate(core: Core, contest_id: int, at: datetime | None = None) -> int:
    """Every contestant's row computed again under the contest's rules as committed now
    (after an organizer changed penalty, scoring, times or freeze, or unfroze the board),
    appended as new events and published, so the boards, a rebuild and time travel all
    follow; returns the contestants restated. Everyone on the board or with a submission
    before the end is restated, _BATCH contestants per transaction; the events are dated
    `at` (an imported contest's own times) or now."""
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)  # NotFound if none
        cur.execute(
            "SELECT u.id AS user_id, u.username FROM users u WHERE u.id IN"
            " (SELECT user_id FROM leaderboard_events WHERE contest_id = %(contest)s UNION"
            " SELECT user_id FROM submissions WHERE contest_id = %(contest)s AND created_at < %(end)s)"
            " ORDER BY u.id",
            {"contest": contest_id, "end": contest.end_at},
        )
        people = [Contestant(contest_id, row["user_id"], row["username"]) for row in cur.fetchall()]
    for start in range(0, len(people), _BATCH):
        _restate(core, contest_id, people[start : start + _BATCH], at)
    return len(people)


def _restate(core: Core, contest_id: int, people: list[Contestant], at: datetime | None) -> None:
    updates = []
    with core.db.transaction() as cur:
        batch = Batch(cur, contests.load(cur, contest_id))
        for person in people:
            lock_standing(cur, contest_id, person.user_id)
            if (update := batch.refresh(person, at)) is not None:
                updates.append(update)
        batch.close()
    for update in updates:
        publish(core, update)


def publish(core: Core, update: BoardUpdate) -> None:
    """Apply an update to both Redis boards (after the commit); rebuild a missing board."""
    views = [view for view in VIEWS if view == "jury" or on_public_board(update.rows[view])]
    for view in views:
        row = update.rows[view]
        entry = Entry(update.event_of(view), update.username, row["rank_key"], row)
        if core.boards.apply(update.contest_id, view, entry) < 0:
            rebuild(core, update.contest_id)
            break
    # The fan-out coalesces these into `leaderboard` events (codearena.fanout), for the views
    # whose row changed: an event on contest:<cid> for a hidden verdict would time the verdict.
    core.events.announce(
        board_topic(update.contest_id),
        "board",
        username=update.username,
        views=[view for view in views if update.changes(view)],
        event_id=update.event_id,
    )


def leave_boards(core: Core, contest_id: int, user_id: int, category: str) -> None:
    """Take a contestant off the Redis boards their `category` leaves them out of (after the
    commit that set it; a rebuild and time travel read the roster themselves)."""
    with core.db.transaction() as cur:
        cur.execute("SELECT username FROM users WHERE id = %s", (user_id,))
        username = str(one_row(cur)["username"])
    for view in LEFT_OUT:
        if category in LEFT_OUT[view]:
            core.boards.remove(contest_id, view, username)


def rebuild(core: Core, contest_id: int) -> int:
    """Rebuild both boards of a contest from leaderboard_events; returns the rows written."""
    with core.db.transaction() as cur:
        contests.load(cur, contest_id)  # NotFound for an unknown contest
    entries = _latest_entries(core, contest_id)
    for view in VIEWS:
        core.boards.replace(contest_id, view, entries[view], _version(entries[view]))
    # Events committed since the snapshot: applied here too. (The swap keeps any row applied
    # meanwhile; a publisher that found no board rebuilds itself, so no event is left out.)
    for view, newer in _latest_entries(core, contest_id, after=_version(entries["jury"])).items():
        for entry in newer:
            core.boards.apply(contest_id, view, entry)
    return len(entries["jury"])


def _version(entries: list[Entry]) -> int:
    """A board's version: the highest event id its rows are applied by (for the public board,
    the last event that changed a public row)."""
    return max((entry.event_id for entry in entries), default=0)


def _latest_entries(core: Core, contest_id: int, after: int = 0) -> dict[str, list[Entry]]:
    # Rows stay JSON text from PostgreSQL to Redis: decoding a million of them is the cost.
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT DISTINCT ON (e.user_id) e.id AS jury_id, coalesce(e.public_repeats, e.id) AS public_id,"
            " u.username, e.jury_row::text AS jury_json, e.public_row::text AS public_json,"
            " (e.jury_row->>'rank_key')::float8 AS jury_key,"
            " (e.public_row->>'rank_key')::float8 AS public_key,"
            " coalesce(p.category, 'participant') AS category"
            " FROM leaderboard_events e JOIN users u ON u.id = e.user_id"
            " LEFT JOIN contest_participants p ON p.contest_id = e.contest_id AND p.user_id = e.user_id"
            " WHERE e.contest_id = %s AND e.id > %s ORDER BY e.user_id, e.id DESC",
            (contest_id, after),
        )
        rows = cur.fetchall()
    return {
        view: [
            Entry(row[f"{view}_id"], row["username"], row[f"{view}_key"], row[f"{view}_json"])
            for row in rows
            if row["category"] not in LEFT_OUT[view]
        ]
        for view in VIEWS
    }


def _standings(cur: Cursor, contest: contests.Contest, user_id: int) -> tuple[Standing, Standing]:
    cur.execute(
        "SELECT s.id, cp.label, s.created_at, r.verdict, r.score, r.subtask_scores FROM submissions s"
        " JOIN contest_problems cp ON cp.contest_id = s.contest_id AND cp.problem_id = s.problem_id"
        " LEFT JOIN submission_results r ON r.submission_id = s.id AND r.is_current"
        " WHERE s.contest_id = %s AND s.user_id = %s AND s.created_at < %s",
        (contest.id, user_id, contest.end_at),
    )
    attempts = [
        Attempt(
            row["id"],
            row["label"],
            row["created_at"],
            Verdict(row["verdict"]) if row["verdict"] else None,
            float(row["score"] or 0),
            {k: float(v) for k, v in (row["subtask_scores"] or {}).items()},
        )
        for row in cur.fetchall()
    ]
    rule = rule_for(contest.scoring)
    rules = contest.rules
    freeze_at: datetime | None = None if contest.unfrozen_at else contest.freeze_at
    return rule.standing(attempts, rules), rule.standing(visible(attempts, freeze_at), rules)


def _write_cells(cur: Cursor, contest_id: int, standings: dict[int, Standing]) -> None:
    """Each contestant's (user id → jury standing) problem cells, in contest_penalties."""
    cur.execute("SELECT label, problem_id FROM contest_problems WHERE contest_id = %s", (contest_id,))
    problem_ids = {row["label"]: row["problem_id"] for row in cur.fetchall()}
    execute_values(
        cur,
        "INSERT INTO contest_penalties (contest_id, user_id, problem_id, attempts, pending, solved,"
        " time_minutes, penalty_minutes, score, updated_at) VALUES %s"
        " ON CONFLICT (contest_id, user_id, problem_id) DO UPDATE SET attempts = EXCLUDED.attempts,"
        " pending = EXCLUDED.pending, solved = EXCLUDED.solved, time_minutes = EXCLUDED.time_minutes,"
        " penalty_minutes = EXCLUDED.penalty_minutes, score = EXCLUDED.score, updated_at = now()",
        [
            (
                contest_id,
                user_id,
                problem_ids[label],
                c.attempts,
                c.pending,
                c.solved,
                c.time_minutes,
                c.penalty_minutes,
                c.score,
            )
            for user_id, standing in standings.items()
            for label, c in standing.problems.items()
        ],
        template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, now())",
        page_size=1000,
    )


def _row(contest: contests.Contest, team: Team, standing: Standing) -> dict[str, Any]:
    rule = rule_for(contest.scoring)
    return {
        "user_id": team.user_id,
        "username": team.username,
        "display_name": team.display_name,
        "category": team.category,
        "rank_key": rule.rank_key(standing),
        **standing.to_json(),
    }
