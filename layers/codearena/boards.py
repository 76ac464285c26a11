"""Reading the boards (GET …/leaderboard): a page of the live board, or of the board as it stood.

The live board is the Redis one (codearena.leaderboard), rebuilt from the event log when it is
missing; the board at a moment is ranked by PostgreSQL from the event log (the HTTP route goes
through codearena.time_travel). Both answer the same rows: `public_row` is what any row shows
of a contestant, on a page and in a WebSocket `leaderboard` event alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from codearena import contests, standings
from codearena.core import Core
from codearena.events import board_topic_of

PUBLIC_COLUMNS = ("rank", "user_id", "username", "solved", "score", "penalty", "problems")


def public_row(row: dict[str, Any]) -> dict[str, Any]:
    """A board row as shown outside: without the rank key and the tie-break minute; with the
    team's display name and category (rows written before rosters: the username, participant)."""
    shown = {key: row[key] for key in PUBLIC_COLUMNS}
    shown["display_name"] = row.get("display_name", row["username"])
    shown["category"] = row.get("category", "participant")
    return shown


def page(
    core: Core, contest_id: int, view: str, offset: int, limit: int, username: str | None = None
) -> dict[str, Any]:
    """A page of a live board, plus the caller's own row (`me`) when `username` is given."""
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
    shown = core.boards.view(contest_id, view, offset, limit, username)
    if shown is None:
        standings.rebuild(core, contest_id)
        shown = core.boards.view(contest_id, view, offset, limit, username) or {}
    answer = {
        "contest_id": contest_id,
        "frozen": view == "public" and contest.public_board_frozen(core.clock()),
        "version": shown.get("version", 0),
        # The sequence of the `leaderboard` events on this board's WebSocket topic (DESIGN §7).
        "live_version": core.events.live_version(board_topic_of(contest_id, view)),
        "total": shown.get("total", 0),
        "offset": offset,
        "rows": [public_row(row) for row in shown.get("rows", [])],
    }
    if username is not None:
        mine = shown.get("me")
        answer["me"] = public_row(mine) if mine else None
    return answer


def page_at(
    core: Core, contest_id: int, view: str, moment: datetime, offset: int, limit: int
) -> dict[str, Any]:
    """A page of the board as it stood at `moment`: each contestant's latest event up to then,
    ranked and paged by PostgreSQL (only the page's rows reach Python). Ties in username order,
    byte-wise as the Redis board has them; the version as the live board counts it. Each call
    reads every contestant's events: the HTTP route goes through codearena.time_travel."""
    shown_by = "coalesce(e.public_repeats, e.id)" if view == "public" else "e.id"
    with core.db.transaction() as cur:
        contest = contests.load(cur, contest_id)
        cur.execute(
            f"""
            WITH latest AS (
                SELECT DISTINCT ON (e.user_id) {shown_by} AS shown_by, e.{view}_row AS row
                FROM leaderboard_events e
                LEFT JOIN contest_participants p ON p.contest_id = e.contest_id AND p.user_id = e.user_id
                WHERE e.contest_id = %(contest)s AND e.created_at <= %(moment)s
                  AND coalesce(p.category, 'participant') <> ALL(%(left_out)s)
                ORDER BY e.user_id, e.id DESC
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
            {
                "contest": contest_id,
                "moment": moment,
                "offset": offset,
                "limit": limit,
                "left_out": list(standings.LEFT_OUT[view]),
            },
        )
        found = cur.fetchall()
    return {
        "contest_id": contest_id,
        "at": moment.isoformat(),
        "frozen": view == "public" and contest.public_board_frozen(moment),
        "version": found[0]["version"],
        "total": found[0]["total"],
        "offset": offset,
        "rows": [public_row({**r["row"], "rank": r["rank"]}) for r in found if r["row"] is not None],
    }
