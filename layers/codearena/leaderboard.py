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


# KEYS: zset. ARGV: member. Returns 1 + the members ranked strictly better, or nil.
_RANK_OF = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return false end
return redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. score) + 1
"""

# KEYS: zset. ARGV: last index, member. Returns {member, key, …} of the top, and the rank or 0.
_TOP_AND_RANK = """
local top = redis.call('ZRANGE', KEYS[1], 0, ARGV[1], 'WITHSCORES')
local score = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not score then return {top, 0} end
return {top, redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. score) + 1}
"""

# KEYS: zset, rows. ARGV: member. Returns the row JSON with its "rank", or nil.
_ROW_OF = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
local row = redis.call('HGET', KEYS[2], ARGV[1])
if not score or not row then return false end
local rank = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. score) + 1
return '{"rank":' .. rank .. ',' .. string.sub(row, 2)
"""


# KEYS: zset, rows. ARGV: start, stop. Returns the page as one JSON array of the rows with
# their "rank" (equal keys share one; the first row's counts members before the offset).
_PAGE = """
local members = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2], 'WITHSCORES')
if #members == 0 then return '[]' end
local names = {}
for i = 1, #members, 2 do names[#names + 1] = members[i] end
local rows = redis.call('HMGET', KEYS[2], unpack(names))
local better = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. members[2])
local out, rank, previous = {}, 0, nil
for j = 1, #names do
    local score = members[2 * j]
    if score ~= previous then
        if j == 1 then rank = better + 1 else rank = tonumber(ARGV[1]) + j end
        previous = score
    end
    if rows[j] then out[#out + 1] = '{"rank":' .. rank .. ',' .. string.sub(rows[j], 2) end
end
return '[' .. table.concat(out, ',') .. ']'
"""


@dataclass(frozen=True)
class Entry:
    """One contestant's row as the event log stores it."""

    event_id: int
    username: str
    rank_key: float
    row: dict[str, Any] | str  # the row, or already its JSON text

    @property
    def row_json(self) -> str:
        return self.row if isinstance(self.row, str) else json.dumps(self.row)


class Leaderboard:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._apply = client.register_script(_APPLY)
        self._row_of = client.register_script(_ROW_OF)
        self._page = client.register_script(_PAGE)
        self._rank_of = client.register_script(_RANK_OF)
        self._top_and_rank = client.register_script(_TOP_AND_RANK)

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
                args=[entry.username, entry.event_id, repr(entry.rank_key), entry.row_json],
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
            pipe.hset(temp[1], mapping={e.username: e.row_json for e in entries})
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
        """Rows ranked best first, `rank` shared by equal keys (ties in username order); one
        round trip, O(log N + limit)."""
        page = self._page(
            keys=[keys.board(contest_id, view), keys.board_rows(contest_id, view)],
            args=[offset, offset + limit - 1],
        )
        return list(json.loads(page))

    def row_of(self, contest_id: int, view: str, username: str) -> dict[str, Any] | None:
        """One contestant's row with its rank, in O(log N) (one round trip)."""
        row = self._row_of(
            keys=[keys.board(contest_id, view), keys.board_rows(contest_id, view)], args=[username]
        )
        return dict(json.loads(row)) if row else None

    def top(self, contest_id: int, view: str, limit: int) -> list[tuple[str, float]]:
        """The best `limit` members and their rank keys, in O(log N + limit)."""
        return [
            (m, float(k))
            for m, k in self._redis.zrange(keys.board(contest_id, view), 0, limit - 1, withscores=True)
        ]

    def top_and_rank(
        self, contest_id: int, view: str, limit: int, username: str
    ) -> tuple[list[tuple[str, float]], int | None]:
        """The best `limit` members with their keys and `username`'s rank, in one round trip."""
        members, rank = self._top_and_rank(keys=[keys.board(contest_id, view)], args=[limit - 1, username])
        top = [(m, float(k)) for m, k in zip(members[::2], members[1::2], strict=True)]
        return top, int(rank) if rank else None

    def rank_of(self, contest_id: int, view: str, username: str) -> int | None:
        """One member's rank (1 + members with a strictly better key), in O(log N)."""
        rank = self._rank_of(keys=[keys.board(contest_id, view)], args=[username])
        return int(rank) if rank else None

    def size(self, contest_id: int, view: str) -> int:
        return int(self._redis.zcard(keys.board(contest_id, view)))
