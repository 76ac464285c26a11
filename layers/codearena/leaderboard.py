"""Leaderboards in Redis: one ZSET per contest and view, rebuilt from PostgreSQL at will.

Views: "jury" (every verdict) and "public" (verdicts from the freeze on hidden). A row is
written as an absolute value guarded by its leaderboard event id, so replays change nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import redis

from codearena import keys

VIEWS = ("jury", "public")

# KEYS: zset, rows, applied, version. ARGV: member, event id, rank key, row JSON.
# Returns 1 applied, 0 stale (an equal or newer event is there), -1 no board yet.
_APPLY = """
if redis.call('EXISTS', KEYS[4]) == 0 then return -1 end
local event = tonumber(ARGV[2])
if event <= tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0') then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
if event > tonumber(redis.call('GET', KEYS[4])) then redis.call('SET', KEYS[4], ARGV[2]) end
return 1
"""


@dataclass(frozen=True)
class Entry:
    """One contestant's row as the event log stores it."""

    event_id: int
    username: str
    rank_key: float
    row: dict[str, Any]


class Leaderboard:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._apply = client.register_script(_APPLY)

    def _keys(self, contest_id: int, view: str) -> list[str]:
        return [
            keys.board(contest_id, view),
            keys.board_rows(contest_id, view),
            keys.board_applied(contest_id, view),
            keys.board_version(contest_id, view),
        ]

    def apply(self, contest_id: int, view: str, entry: Entry) -> int:
        """Write one row if it is newer than what the board holds (see _APPLY's return)."""
        return int(
            self._apply(
                keys=self._keys(contest_id, view),
                args=[entry.username, entry.event_id, repr(entry.rank_key), json.dumps(entry.row)],
            )
        )

    def exists(self, contest_id: int, view: str) -> bool:
        return bool(self._redis.exists(keys.board_version(contest_id, view)))

    def replace(self, contest_id: int, view: str, entries: list[Entry], version: int) -> None:
        """Swap in a whole board atomically (built under temporary keys, then renamed)."""
        final = self._keys(contest_id, view)
        temp = [key + ":rebuild" for key in final]
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(*temp)
        if entries:
            pipe.zadd(temp[0], {e.username: e.rank_key for e in entries})
            pipe.hset(temp[1], mapping={e.username: json.dumps(e.row) for e in entries})
            pipe.hset(temp[2], mapping={e.username: e.event_id for e in entries})
        pipe.set(temp[3], version)
        for source, target in zip(temp, final, strict=True):
            if entries or source == temp[3]:
                pipe.rename(source, target)
            else:
                pipe.delete(target)
        pipe.execute()

    def version(self, contest_id: int, view: str) -> int:
        return int(self._redis.get(keys.board_version(contest_id, view)) or 0)

    def page(self, contest_id: int, view: str, offset: int, limit: int) -> list[dict[str, Any]]:
        """Rows ranked best first, `rank` shared by equal keys (ties in username order)."""
        zset = keys.board(contest_id, view)
        members = self._redis.zrange(zset, offset, offset + limit - 1, withscores=True)
        if not members:
            return []
        rows = self._redis.hmget(keys.board_rows(contest_id, view), [m for m, _ in members])
        ranks = self._ranks(zset, sorted({score for _, score in members}))
        return [
            dict(json.loads(row), rank=ranks[score])
            for (_, score), row in zip(members, rows, strict=True)
            if row is not None
        ]

    def row_of(self, contest_id: int, view: str, username: str) -> dict[str, Any] | None:
        """One contestant's row with its rank, in O(log N)."""
        zset = keys.board(contest_id, view)
        score = self._redis.zscore(zset, username)
        row = self._redis.hget(keys.board_rows(contest_id, view), username)
        if score is None or row is None:
            return None
        return dict(json.loads(row), rank=self._ranks(zset, [score])[score])

    def size(self, contest_id: int, view: str) -> int:
        return int(self._redis.zcard(keys.board(contest_id, view)))

    def _ranks(self, zset: str, scores: list[float]) -> dict[float, int]:
        pipe = self._redis.pipeline(transaction=False)
        for score in scores:
            pipe.zcount(zset, "-inf", f"({score!r}")
        return {score: better + 1 for score, better in zip(scores, pipe.execute(), strict=True)}
