"""Judgements into standings: one PostgreSQL transaction, then the Redis boards.

`record()` is DESIGN §4 step 3 and `publish()` step 4. Both are idempotent per
(submission, judgement): a replay writes nothing new and re-applies the same absolute rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from psycopg2.extras import execute_values

from codearena import contests
from codearena.core import Core
from codearena.db import Cursor
from codearena.errors import NotFound
from codearena.events import board_topic, board_topic_of
from codearena.leaderboard import VIEWS, Entry
from codearena.models import Verdict
from codearena.scoring import Attempt, ContestRules, Standing, rule_for, visible


@dataclass(frozen=True)
class CaseOutcome:
    test_case_id: int
    ordinal: int
    verdict: Verdict
    time_ms: int
    memory_kb: int


@dataclass(frozen=True)
class Judgement:
    submission_id: int
    verdict: Verdict
    score: float
    tests: list[CaseOutcome]
    compile_output: str = ""
    judge_host: str = ""
    judgement: int = 1
    subtasks: dict[str, float] = field(default_factory=dict)  # test group → points

    @property
    def max_time_ms(self) -> int:
        return max((t.time_ms for t in self.tests), default=0)

    @property
    def max_memory_kb(self) -> int:
        return max((t.memory_kb for t in self.tests), default=0)


@dataclass(frozen=True)
class BoardUpdate:
    """The leaderboard event a judgement produced, ready to apply to Redis."""

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


def record(core: Core, judgement: Judgement) -> BoardUpdate | None:
    """Store the judgement, the contestant's new standing and its event, in one transaction.

    The highest judgement of a submission is its current result (a rejudge supersedes, the
    old rows stay for audit). Returns the update to publish, or None for practice
    submissions (never ranked)."""
    with core.db.transaction() as cur:
        sub = _submission(cur, judgement.submission_id)
        lock_standing(cur, sub["contest_id"], sub["user_id"])
        if not _insert_result(cur, judgement):
            return _last_update(cur, sub)
        _make_current(cur, judgement.submission_id)
        # A rejudge asked for while this judging ran keeps the submission waiting for it.
        cur.execute(
            "UPDATE submissions SET status = 'judged' WHERE id = %s AND judgement <= %s",
            (judgement.submission_id, judgement.judgement),
        )
        return refresh(cur, contests.load(cur, sub["contest_id"]), sub)


def on_submitted(cur: Cursor, submission_id: int) -> BoardUpdate | None:
    """At intake, in its transaction: the new attempt shows as pending on both boards."""
    sub = _submission(cur, submission_id)
    lock_standing(cur, sub["contest_id"], sub["user_id"])
    return refresh(cur, contests.load(cur, sub["contest_id"]), sub)


def lock_standing(cur: Cursor, contest_id: int, user_id: int) -> None:
    """Serialise standings of one contestant in one contest across processes (until commit),
    so a higher leaderboard event id always carries a later state."""
    cur.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
        (f"standing:{contest_id}:{user_id}",),
    )


def _practice(contest: dict[str, Any], user: dict[str, Any]) -> bool:
    """Whether `user` is a submission made after the contest's end (judged, never ranked)."""
    return user.get("created_at") is not None and user["created_at"] >= contest["end_at"]


def refresh(cur: Cursor, contest: dict[str, Any], user: dict[str, Any]) -> BoardUpdate | None:
    """Recompute a contestant's standing from PostgreSQL and append it as an event (the
    caller holds `lock_standing`). `user` needs user_id, username and, for a submission,
    its created_at: practice submissions (after the end) change nothing."""
    if _practice(contest, user):
        return None
    jury, public = _standings(cur, contest, user["user_id"])
    _write_cells(cur, contest["id"], user["user_id"], jury)
    rows = {"jury": _row(contest, user, jury), "public": _row(contest, user, public)}
    cur.execute(
        _APPEND,
        {
            "contest": contest["id"],
            "user": user["user_id"],
            "submission": user.get("id"),
            "jury": json.dumps(rows["jury"]),
            "public": json.dumps(rows["public"]),
        },
    )
    event = cur.fetchone()
    return BoardUpdate(contest["id"], event["id"], user["username"], rows, event["public_id"])


# One event; a public row equal to the contestant's previous one (a verdict the freeze hides)
# names the event that made it, so the public board neither moves nor announces anything.
_APPEND = """
INSERT INTO leaderboard_events (contest_id, user_id, submission_id, jury_row, public_row, public_repeats)
VALUES (%(contest)s, %(user)s, %(submission)s, %(jury)s, %(public)s, (
    SELECT coalesce(last.public_repeats, last.id) FROM (
        SELECT id, public_row, public_repeats FROM leaderboard_events
        WHERE contest_id = %(contest)s AND user_id = %(user)s ORDER BY id DESC LIMIT 1
    ) AS last WHERE last.public_row = %(public)s::jsonb))
RETURNING id, coalesce(public_repeats, id) AS public_id
"""


RULES = ("start_at", "end_at", "freeze_at", "scoring", "penalty_minutes")


def restate(core: Core, contest_id: int) -> int:
    """Every contestant's row computed again under the contest's rules as they are now (after
    an organizer changed penalty, scoring, times or freeze) and appended as new events, so
    the boards, a rebuild and time travel all follow; returns the contestants restated."""
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)  # the rules just committed; NotFound if none
        cur.execute(
            "SELECT u.id AS user_id, u.username FROM users u WHERE u.id IN"
            " (SELECT user_id FROM leaderboard_events WHERE contest_id = %s) ORDER BY u.id",
            (contest_id,),
        )
        people = [dict(row) for row in cur.fetchall()]
    for person in people:
        with core.db.transaction() as cur:
            lock_standing(cur, contest_id, person["user_id"])
            update = refresh(cur, contest, person)
        if update is not None:
            publish(core, update)
    return len(people)


@dataclass(frozen=True)
class Stored:
    """A judged submission's current result and the board event that showed it: what its
    judge host announces after the commit."""

    judgement: int
    verdict: str
    score: float
    update: BoardUpdate | None  # None for practice submissions


def stored(core: Core, submission_id: int) -> Stored | None:
    """The current result of a judged submission (None when it is not judged)."""
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT r.judgement, r.verdict, r.score FROM submissions s JOIN submission_results r"
            " ON r.submission_id = s.id AND r.is_current WHERE s.id = %s AND s.status = 'judged'",
            (submission_id,),
        )
        result = cur.fetchone()
        if result is None:
            return None
        sub = _submission(cur, submission_id)
        practice = _practice(contests.load(cur, sub["contest_id"]), sub)
        update = None if practice else _last_update(cur, sub)
    return Stored(result["judgement"], result["verdict"], float(result["score"]), update)


def needs_judging(core: Core, submission_id: int) -> bool:
    """Whether a submission still waits for a judgement (e.g. a rejudge came in meanwhile)."""
    with core.db.transaction() as cur:
        cur.execute("SELECT status FROM submissions WHERE id = %s", (submission_id,))
        row = cur.fetchone()
    return row is not None and row["status"] != "judged"


def publish(core: Core, update: BoardUpdate) -> None:
    """Apply an update to both Redis boards (after the commit); rebuild a missing board."""
    for view in VIEWS:
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
        views=[view for view in VIEWS if update.changes(view)],
        event_id=update.event_id,
    )


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
            " (e.public_row->>'rank_key')::float8 AS public_key"
            " FROM leaderboard_events e JOIN users u ON u.id = e.user_id"
            " WHERE e.contest_id = %s AND e.id > %s ORDER BY e.user_id, e.id DESC",
            (contest_id, after),
        )
        rows = cur.fetchall()
    return {
        view: [
            Entry(row[f"{view}_id"], row["username"], row[f"{view}_key"], row[f"{view}_json"]) for row in rows
        ]
        for view in VIEWS
    }


def board(
    core: Core, contest_id: int, view: str, offset: int, limit: int, username: str | None = None
) -> dict[str, Any]:
    """A page of a board (GET …/leaderboard), plus the caller's own row when logged in."""
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
    shown = core.boards.view(contest_id, view, offset, limit, username)
    if shown is None:
        rebuild(core, contest_id)
        shown = core.boards.view(contest_id, view, offset, limit, username) or {}
    page = {
        "contest_id": contest_id,
        "frozen": view == "public" and contests.public_board_frozen(contest, core.clock()),
        "version": shown.get("version", 0),
        # The sequence of the `leaderboard` events on this board's WebSocket topic (DESIGN §7).
        "live_version": core.events.live_version(board_topic_of(contest_id, view)),
        "total": shown.get("total", 0),
        "offset": offset,
        "rows": [_public_row(row) for row in shown.get("rows", [])],
    }
    if username is not None:
        mine = shown.get("me")
        page["me"] = _public_row(mine) if mine else None
    return page


def _public_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: row[key] for key in ("rank", "user_id", "username", "solved", "score", "penalty", "problems")
    }


def _submission(cur: Cursor, submission_id: int) -> dict[str, Any]:
    cur.execute(
        "SELECT s.id, s.contest_id, s.user_id, s.created_at, u.username FROM submissions s"
        " JOIN users u ON u.id = s.user_id WHERE s.id = %s",
        (submission_id,),
    )
    sub = cur.fetchone()
    if sub is None:
        raise NotFound(f"no submission {submission_id}", "submission_not_found")
    return dict(sub)


def _insert_result(cur: Cursor, j: Judgement) -> bool:
    cur.execute(
        "INSERT INTO submission_results (submission_id, judgement, verdict, score, max_time_ms,"
        " max_memory_kb, compile_output, judge_host, subtask_scores, is_current)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, false)"
        " ON CONFLICT (submission_id, judgement) DO NOTHING RETURNING id",
        (
            j.submission_id,
            j.judgement,
            j.verdict.value,
            j.score,
            j.max_time_ms,
            j.max_memory_kb,
            j.compile_output,
            j.judge_host,
            json.dumps(j.subtasks),
        ),
    )
    inserted = cur.fetchone()
    if inserted is None:
        return False
    execute_values(  # one statement for all tests, not one round trip each
        cur,
        "INSERT INTO test_results (result_id, test_case_id, ordinal, verdict, time_ms, memory_kb) VALUES %s",
        [
            (inserted["id"], t.test_case_id, t.ordinal, t.verdict.value, t.time_ms, t.memory_kb)
            for t in j.tests
        ],
        page_size=1000,
    )
    return True


def _make_current(cur: Cursor, submission_id: int) -> None:
    """Move `is_current` to the highest judgement (two statements: the unique index on the
    current row is checked row by row)."""
    cur.execute(
        "UPDATE submission_results SET is_current = false WHERE submission_id = %s AND is_current",
        (submission_id,),
    )
    cur.execute(
        "UPDATE submission_results SET is_current = true WHERE id = (SELECT id FROM"
        " submission_results WHERE submission_id = %s ORDER BY judgement DESC LIMIT 1)",
        (submission_id,),
    )


def _last_update(cur: Cursor, sub: dict[str, Any]) -> BoardUpdate | None:
    cur.execute(
        "SELECT id, coalesce(public_repeats, id) AS public_id, jury_row, public_row FROM leaderboard_events"
        " WHERE contest_id = %s AND user_id = %s ORDER BY id DESC LIMIT 1",
        (sub["contest_id"], sub["user_id"]),
    )
    event = cur.fetchone()
    if event is None:
        return None
    return BoardUpdate(
        sub["contest_id"],
        event["id"],
        sub["username"],
        {"jury": event["jury_row"], "public": event["public_row"]},
        event["public_id"],
    )


def _standings(cur: Cursor, contest: dict[str, Any], user_id: int) -> tuple[Standing, Standing]:
    cur.execute(
        "SELECT s.id, cp.label, s.created_at, r.verdict, r.score, r.subtask_scores FROM submissions s"
        " JOIN contest_problems cp ON cp.contest_id = s.contest_id AND cp.problem_id = s.problem_id"
        " LEFT JOIN submission_results r ON r.submission_id = s.id AND r.is_current"
        " WHERE s.contest_id = %s AND s.user_id = %s AND s.created_at < %s",
        (contest["id"], user_id, contest["end_at"]),
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
    rule = rule_for(contest["scoring"])
    rules = ContestRules(contest["start_at"], contest["penalty_minutes"])
    freeze_at: datetime | None = None if contest["unfrozen_at"] else contest["freeze_at"]
    return rule.standing(attempts, rules), rule.standing(visible(attempts, freeze_at), rules)


def _write_cells(cur: Cursor, contest_id: int, user_id: int, standing: Standing) -> None:
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
            for label, c in standing.problems.items()
        ],
        template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, now())",
        page_size=1000,
    )


def _row(contest: dict[str, Any], sub: dict[str, Any], standing: Standing) -> dict[str, Any]:
    rule = rule_for(contest["scoring"])
    return {
        "user_id": sub["user_id"],
        "username": sub["username"],
        "rank_key": rule.rank_key(standing),
        **standing.to_json(),
    }


def board_at(
    core: Core, contest_id: int, view: str, moment: datetime, offset: int, limit: int
) -> dict[str, Any]:
    """The board as it stood at `moment`: each contestant's latest event up to then, ranked
    and paged by PostgreSQL (only the page's rows reach Python). Ties in username order,
    byte-wise as the Redis board has them; the version as the live board counts it. Each
    call reads every contestant's events: the HTTP route goes through codearena.time_travel."""
    shown_by = "coalesce(public_repeats, id)" if view == "public" else "id"
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
        cur.execute(
            f"""
            WITH latest AS (
                SELECT DISTINCT ON (user_id) {shown_by} AS shown_by, {view}_row AS row
                FROM leaderboard_events WHERE contest_id = %(contest)s AND created_at <= %(moment)s
                ORDER BY user_id, id DESC
            ), ranked AS (
                SELECT row, rank() OVER (ORDER BY key) AS rank,
                       row_number() OVER (ORDER BY key, username COLLATE "C") AS position
                FROM (SELECT row, (row->>'rank_key')::float8 AS key, row->>'username' AS username
                      FROM latest) AS keyed
            )
            SELECT everyone.total, everyone.version, page.row, page.rank
            FROM (SELECT count(*) AS total, coalesce(max(shown_by), 0) AS version FROM latest) AS everyone
            LEFT JOIN LATERAL (
                SELECT row, rank, position FROM ranked WHERE position > %(offset)s
                ORDER BY position LIMIT %(limit)s
            ) AS page ON true
            ORDER BY page.position
            """,
            {"contest": contest_id, "moment": moment, "offset": offset, "limit": limit},
        )
        found = cur.fetchall()
    return {
        "contest_id": contest_id,
        "at": moment.isoformat(),
        "frozen": view == "public" and contests.public_board_frozen(contest, moment),
        "version": found[0]["version"],
        "total": found[0]["total"],
        "offset": offset,
        "rows": [_public_row({**r["row"], "rank": r["rank"]}) for r in found if r["row"] is not None],
    }
