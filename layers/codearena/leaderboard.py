"""Leaderboards in Redis: one ZSET per contest and view, rebuilt from PostgreSQL at will.

Views: "jury" (every verdict) and "public" (verdicts from the freeze on hidden). A row is
written as an absolute value guarded by its leaderboard event id, so replays change nothing.
Writers: codearena.standings (apply, replace); readers: codearena.boards (view) and the
fan-out (row_of).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import redis
from redis.typing import EncodableT

from codearena import keys
from codearena.scripts import Lua, ScriptRunner

VIEWS = ("jury", "public")

# KEYS: zset, rows, applied, version, keys. ARGV: username, event id, rank key, its member
# prefix (key_bits), row JSON. Returns 1 applied, 0 stale (an equal or newer event is there),
# -1 no board yet.
_APPLY = Lua("""
if redis.call('EXISTS', KEYS[4]) == 0 then return -1 end
local event = tonumber(ARGV[2])
if event <= tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0') then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
local old = redis.call('HGET', KEYS[5], ARGV[1])
if old then redis.call('ZREM', KEYS[1], old .. '|' .. ARGV[1]) end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4] .. '|' .. ARGV[1])
redis.call('HSET', KEYS[5], ARGV[1], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[5])
if event > tonumber(redis.call('GET', KEYS[4])) then redis.call('SET', KEYS[4], ARGV[2]) end
return 1
""")

# KEYS: zset, rows, applied, keys. ARGV: username. Takes the user's row off the board.
_REMOVE = Lua("""
local bits = redis.call('HGET', KEYS[4], ARGV[1])
if bits then redis.call('ZREM', KEYS[1], bits .. '|' .. ARGV[1]) end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
return bits and 1 or 0
""")

# KEYS: a board's zset, rows, applied, version and keys, then the same five built anew. Rows
# of the live board newer than the new board's (applied meanwhile) are carried over, then the
# new keys replace the live ones (a key the new board lacks is deleted).
_SWAP = Lua("""
local live = redis.call('HGETALL', KEYS[3])
for i = 1, #live, 2 do
    local name, event = live[i], live[i + 1]
    local bits, row = redis.call('HGET', KEYS[5], name), redis.call('HGET', KEYS[2], name)
    local score = bits and redis.call('ZSCORE', KEYS[1], bits .. '|' .. name)
    if score and row and tonumber(event) > tonumber(redis.call('HGET', KEYS[8], name) or '0') then
        local old = redis.call('HGET', KEYS[10], name)
        if old then redis.call('ZREM', KEYS[6], old .. '|' .. name) end
        redis.call('ZADD', KEYS[6], score, bits .. '|' .. name)
        redis.call('HSET', KEYS[10], name, bits)
        redis.call('HSET', KEYS[7], name, row)
        redis.call('HSET', KEYS[8], name, event)
        if tonumber(event) > tonumber(redis.call('GET', KEYS[9])) then redis.call('SET', KEYS[9], event) end
    end
end
for j = 1, 5 do
    if redis.call('EXISTS', KEYS[j + 5]) == 1 then redis.call('RENAME', KEYS[j + 5], KEYS[j])
    else redis.call('DEL', KEYS[j]) end
end
return 1
""")

# What the read scripts share (see keys.board for the member "<key bits>|<username>"). A rank
# is 1 + the members with a strictly better key; equal keys share one.
_READ = """
local function better(zset, member)
    return redis.call('ZCOUNT', zset, '-inf', '(' .. redis.call('ZSCORE', zset, member))
end

local function rank_of(zset, keyhash, username)
    local bits = redis.call('HGET', keyhash, username)
    if not bits then return nil end
    return better(zset, bits .. '|' .. username) + 1
end

local function row_of(zset, rows, keyhash, username)
    local row = redis.call('HGET', rows, username)
    local rank = rank_of(zset, keyhash, username)
    if not row or not rank then return nil end
    return '{"rank":' .. rank .. ',' .. string.sub(row, 2)
end

-- Positions start..stop (0-based) as one JSON array of rows with their "rank" (the first
-- row's counts the members before the offset).
local function page(zset, rows, start, stop)
    local members = redis.call('ZRANGE', zset, start, stop)
    if #members == 0 then return '[]' end
    local names, ranked = {}, {}
    for j = 1, #members do
        local bar = string.find(members[j], '|', 1, true)
        ranked[j], names[j] = string.sub(members[j], 1, bar - 1), string.sub(members[j], bar + 1)
    end
    local json = redis.call('HMGET', rows, unpack(names))
    local rank = better(zset, members[1]) + 1
    local out, previous = {}, ranked[1]
    for j = 1, #names do
        if ranked[j] ~= previous then rank, previous = start + j, ranked[j] end
        if json[j] then out[#out + 1] = '{"rank":' .. rank .. ',' .. string.sub(json[j], 2) end
    end
    return '[' .. table.concat(out, ',') .. ']'
end
"""

# KEYS: zset, keys. ARGV: username. Returns the user's rank, or nil.
_RANK_OF = Lua(_READ + "return rank_of(KEYS[1], KEYS[2], ARGV[1]) or false")

# KEYS: zset, rows, keys. ARGV: username. Returns the row JSON with its "rank", or nil.
_ROW_OF = Lua(_READ + "return row_of(KEYS[1], KEYS[2], KEYS[3], ARGV[1]) or false")

# KEYS: zset, rows, keys, version. ARGV: start, stop, username or "". Returns one JSON object
# {version, total, rows, me} (me null when the user has no row), or nil with no board.
_VIEW = Lua(
    _READ
    + """
local version = redis.call('GET', KEYS[4])
if not version then return false end
local me = 'null'
if ARGV[3] ~= '' then me = row_of(KEYS[1], KEYS[2], KEYS[3], ARGV[3]) or 'null' end
return '{"version":' .. version .. ',"total":' .. redis.call('ZCARD', KEYS[1])
    .. ',"rows":' .. page(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]))
    .. ',"me":' .. me .. '}'
"""
)


def key_bits(rank_key: float) -> str:
    """The rank key as its ZSET member starts: the double's bits in hex, one text per value
    (-0.0 is 0.0), read back by struct in one call (float() of 100 decimals costs more than
    the rest of a top-100 read)."""
    return struct.pack(">d", rank_key + 0.0).hex()


def from_bits(bits: list[str]) -> tuple[float, ...]:
    return struct.unpack(f">{len(bits)}d", bytes.fromhex("".join(bits)))


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
    def __init__(self, client: redis.Redis, runner: ScriptRunner | None = None) -> None:
        self._redis = client
        self._run = runner or ScriptRunner(client)

    def close(self) -> None:
        self._run.close()

    def _keys(self, contest_id: int, view: str) -> list[str]:
        return [
            keys.board(contest_id, view),
            keys.board_rows(contest_id, view),
            keys.board_applied(contest_id, view),
            keys.board_version(contest_id, view),
            keys.board_keys(contest_id, view),
        ]

    def apply(self, contest_id: int, view: str, entry: Entry) -> int:
        """Write one row if it is newer than what the board holds (see _APPLY's return)."""
        args = [
            entry.username,
            entry.event_id,
            repr(entry.rank_key),
            key_bits(entry.rank_key),
            entry.row_json,
        ]
        return int(self._run(_APPLY, self._keys(contest_id, view), args))

    def remove(self, contest_id: int, view: str, username: str) -> bool:
        """Take a contestant's row off a board (a team made hidden or an observer); whether
        there was one. A rebuild would not: it keeps live rows its events lack."""
        names = self._keys(contest_id, view)
        return bool(self._run(_REMOVE, [names[0], names[1], names[2], names[4]], [username]))

    def drop(self, contest_id: int) -> None:
        """Delete both boards of a (deleted) contest."""
        self._redis.delete(*(name for view in VIEWS for name in self._keys(contest_id, view)))

    def replace(self, contest_id: int, view: str, entries: list[Entry], version: int) -> None:
        """Swap in a whole board atomically (built under temporary keys, then renamed), keeping
        any live row newer than its entry here: a judge host that applied a row after these
        entries were read (or a rebuild that read later) is never rolled back."""
        final = self._keys(contest_id, view)
        temp = [key + ":rebuild" for key in final]
        texts = {e.username: key_bits(e.rank_key) for e in entries}
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(*temp)
        if entries:
            pipe.zadd(temp[0], {f"{texts[e.username]}|{e.username}": e.rank_key for e in entries})
            # redis-py types `mapping` with an invariant key type, which refuses str keys.
            rows = cast("Mapping[EncodableT, EncodableT]", {e.username: e.row_json for e in entries})
            pipe.hset(temp[1], mapping=rows)
            pipe.hset(temp[2], mapping={e.username: e.event_id for e in entries})
            pipe.hset(temp[4], mapping=cast("Mapping[EncodableT, EncodableT]", texts))
        pipe.set(temp[3], version)
        pipe.eval(_SWAP.text, len(final) + len(temp), *final, *temp)
        pipe.delete(*keys.legacy_board(contest_id, view))
        pipe.execute()

    def view(
        self, contest_id: int, view: str, offset: int, limit: int, username: str | None = None
    ) -> dict[str, Any] | None:
        """What GET …/leaderboard shows, in one round trip, O(log N + limit): {version, total,
        rows (best first, `rank` shared by equal keys, ties in username order), me (username's
        row, or None; absent without a username)}. None when there is no board."""
        names = self._keys(contest_id, view)
        args = [offset, offset + limit - 1, username or ""]
        text = self._run(_VIEW, [names[0], names[1], names[4], names[3]], args)
        if text is None:
            return None
        answer: dict[str, Any] = json.loads(text)
        if username is None:
            del answer["me"]
        return answer

    def row_of(self, contest_id: int, view: str, username: str) -> dict[str, Any] | None:
        """One contestant's row with its rank, in O(log N) (one round trip)."""
        names = self._keys(contest_id, view)
        row = self._run(_ROW_OF, [names[0], names[1], names[4]], [username])
        return dict(json.loads(row)) if row else None

    def top_and_rank(
        self, contest_id: int, view: str, limit: int, username: str
    ) -> tuple[list[tuple[str, float]], int | None]:
        """The best `limit` members with their keys and `username`'s rank, in one round trip
        (a plain ZRANGE and the rank script: Redis runs a ZRANGE inside Lua at twice the cost).
        The API reads `view`; this is bench/leaderboard.py's "top 100 + my rank" (issue 4's
        goal, Redis against SQL on the bare question)."""
        names = [keys.board(contest_id, view), keys.board_keys(contest_id, view)]
        top, rank = self._run.command_and_script(
            ("ZRANGE", names[0], 0, limit - 1), _RANK_OF, names, [username]
        )
        parts = "|".join(top).split("|") if top else []  # members are "<key bits>|<name>"
        return list(zip(parts[1::2], from_bits(parts[0::2]), strict=True)), int(rank) if rank else None
