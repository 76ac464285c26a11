"""Time travel for the HTTP route (GET …/leaderboard?at=): a board as it stood at a second,
shared fairly between callers.

Each answer reads every contestant's events from PostgreSQL (boards.page_at), so: the
same question (contest, view, second, offset, limit) asked again within CACHE_SECONDS is
answered from Redis at no cost; a caller (the user when logged in, else the address) runs one
query at a time and starts at most PER_MINUTE a minute; and at most AT_ONCE run at a time
across all contests, so the route cannot tie up the database pool. Refusals are 429 saying
when to try again.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from codearena import boards, keys
from codearena.auth import Principal
from codearena.core import Core
from codearena.errors import RateLimited
from codearena.first_solves import first_solves

AT_ONCE = 2  # queries running at a time, every caller and contest together
PER_MINUTE = 12  # queries one caller may start in any 60 seconds
HOLD_SECONDS = 60  # a slot held longer belongs to a process that died
CACHE_SECONDS = 5

# KEYS: running (ZSET holder → start time), the caller's hold, the caller's recent starts
# (ZSET). ARGV: now (s), holder, AT_ONCE, HOLD_SECONDS, PER_MINUTE. Takes a slot and returns
# {"ok", 0}, or says why not and in how many seconds to try again: {"rate" | "caller" | "busy", s}.
_TAKE = """
local now, hold = tonumber(ARGV[1]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 60)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then
    local oldest = tonumber(redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')[2])
    return {'rate', math.max(1, math.ceil(oldest + 60 - now))}
end
if not redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', hold) then return {'caller', 1} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - hold)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
    redis.call('DEL', KEYS[2])
    return {'busy', 2}
end
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('EXPIRE', KEYS[1], hold)
redis.call('ZADD', KEYS[3], now, ARGV[2])
redis.call('EXPIRE', KEYS[3], 60)
return {'ok', 0}
"""

# KEYS: running, the caller's hold. ARGV: holder. Gives the slot back.
_GIVE_BACK = """
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
"""

_REFUSALS = {
    "rate": ("rate_limited", f"at most {PER_MINUTE} queries of the board's history a minute"),
    "caller": ("busy", "your previous query of the board's history is still running"),
    "busy": ("busy", "the board's history is busy"),
}


def caller_of(principal: Principal | None, address: str) -> str:
    """Whom a query counts against: the user when logged in (a venue behind one address
    shares it), else the address the request came from."""
    return f"user:{principal.user_id}" if principal is not None else f"address:{address}"


def board_at(
    core: Core, caller: str, contest_id: int, view: str, moment: datetime, offset: int, limit: int
) -> dict[str, Any]:
    """boards.page_at and its first solvers at `moment` rounded down to the second (the
    answer's `at`), from the cache when the same question was just answered; RateLimited
    (429) when `caller` or everyone is over their share."""
    second = moment.replace(microsecond=0)
    key = keys.time_travel_answer(contest_id, view, math.floor(second.timestamp()), offset, limit)
    if (cached := core.redis.get(key)) is not None:
        return dict(json.loads(cached))
    with _slot(core, caller):
        page = boards.page_at(core, contest_id, view, second, offset, limit)
        answer = {**page, "first_solves": first_solves(core, contest_id, view, second)}
    core.redis.set(key, json.dumps(answer), ex=CACHE_SECONDS)
    return answer


@contextmanager
def _slot(core: Core, caller: str) -> Iterator[None]:
    holder = uuid.uuid4().hex
    running = [keys.TIME_TRAVEL_BUSY, keys.time_travel_caller(caller)]
    why, wait_s = core.redis.register_script(_TAKE)(
        keys=[*running, keys.time_travel_rate(caller)],
        args=[time.time(), holder, AT_ONCE, HOLD_SECONDS, PER_MINUTE],
    )
    if why != "ok":
        code, message = _REFUSALS[why]
        raise RateLimited(f"{message}; try again in {wait_s} s", code, retry_after=max(1, int(wait_s)))
    try:
        yield
    finally:
        core.redis.register_script(_GIVE_BACK)(keys=running, args=[holder])
