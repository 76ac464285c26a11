"""Throttles kept in Redis: failed logins with exponential backoff, and counted allowances
(registrations per address, replayed WebSocket events per connection).

A login attempt is counted *before* its password is checked, in one script that also
refuses it while a backoff runs: parallel guesses cannot all slip under the limit while
argon2 runs. A successful login gives its count back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from codearena import keys
from codearena.errors import RateLimited


@dataclass(frozen=True)
class Backoff:
    """`free` failures are allowed in a window; each one past them doubles the wait before
    the next attempt (1 s, 2 s, 4 s, …) up to `longest_seconds`."""

    free: int
    longest_seconds: int

    def wait_seconds(self, failures: int) -> int:
        over = failures - self.free
        return 0 if over <= 0 else min(self.longest_seconds, 2 ** min(over - 1, 30))


# A username from one address: a typo or two, then doubling waits up to the window.
PER_USER_AND_ADDRESS = Backoff(free=5, longest_seconds=15 * 60)
# A username from everywhere (guessing spread over many addresses): more room, and a wait
# of at most a minute, so nobody can lock a contestant out for long from elsewhere.
PER_USER = Backoff(free=20, longest_seconds=60)
WINDOW_SECONDS = 15 * 60  # failures are forgotten this long after the last one

# KEYS: one HASH {n, until} per counter. ARGV: now (ms), window (s), then per key its free
# failures and longest wait (s). Refuses (returns the ms to wait) while any counter's wait
# runs; otherwise counts the attempt on every counter, starts the waits it earns, returns 0.
_GATE = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local wait = 0
for i = 1, #KEYS do
    local untill = tonumber(redis.call('HGET', KEYS[i], 'until') or '0')
    if untill - now > wait then wait = untill - now end
end
if wait > 0 then return wait end
for i = 1, #KEYS do
    local free, longest = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
    local n = redis.call('HINCRBY', KEYS[i], 'n', 1)
    if n > free then
        local delay = math.min(longest, 2 ^ math.min(n - free - 1, 30))
        redis.call('HSET', KEYS[i], 'until', now + delay * 1000)
        redis.call('EXPIRE', KEYS[i], math.max(window, delay))
    else
        redis.call('EXPIRE', KEYS[i], window)
    end
end
return 0
"""

# KEYS: the same counters; the first is cleared, the others lose this attempt's count.
_FORGIVE = """
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
    if tonumber(redis.call('HGET', KEYS[i], 'n') or '0') > 0 then redis.call('HINCRBY', KEYS[i], 'n', -1) end
end
return 0
"""


def now_ms() -> int:
    """Wall-clock milliseconds (the waits are absolute times kept in Redis)."""
    return int(time.time() * 1000)


class LoginThrottle:
    """Failed logins per (username, address), per username and per address."""

    def __init__(self, client: redis.Redis, per_address: Backoff) -> None:
        self._redis = client
        self._per_address = per_address

    def _counters(self, username: str, address: str) -> list[tuple[str, Backoff]]:
        name = username.lower()
        return [
            (keys.login_failures(address, name), PER_USER_AND_ADDRESS),
            (keys.login_failures("*", name), PER_USER),
            (keys.login_failures(address), self._per_address),
        ]

    def attempt(self, username: str, address: str) -> None:
        """Count an attempt as failed until `succeeded`; RateLimited while a wait runs."""
        counters = self._counters(username, address)
        args: list[int] = [now_ms(), WINDOW_SECONDS]
        for _, backoff in counters:
            args += [backoff.free, backoff.longest_seconds]
        wait_ms = int(self._redis.eval(_GATE, len(counters), *[key for key, _ in counters], *args))
        if wait_ms > 0:
            seconds = max(1, -(-wait_ms // 1000))
            raise RateLimited(
                f"too many failed logins; try again in {seconds} s",
                "too_many_failed_logins",
                retry_after=seconds,
            )

    def succeeded(self, username: str, address: str) -> None:
        counters = self._counters(username, address)
        self._redis.eval(_FORGIVE, len(counters), *[key for key, _ in counters])


# KEYS: counter. ARGV: amount, limit, window (s). Counts the amount unless that goes over the
# limit; returns -1 when counted, else the seconds until the window ends.
_TAKE = """
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
if n > tonumber(ARGV[2]) then
    redis.call('DECRBY', KEYS[1], ARGV[1])
    return math.max(redis.call('TTL', KEYS[1]), 1)
end
return -1
"""


def take(
    client: redis.Redis, key: str, amount: int, limit: int, window_seconds: int, code: str, what: str
) -> None:
    """Count `amount` against `limit` per window under `key`, or raise RateLimited with
    `code` (nothing counted) when that would go over; `what` names the things counted."""
    wait = int(client.eval(_TAKE, 1, key, amount, limit, window_seconds))
    if wait >= 0:
        raise RateLimited(f"too many {what}; try again in {wait} s", code, retry_after=wait)


def give_back(client: redis.Redis, key: str, amount: int = 1) -> None:
    """Undo a `take` whose action was refused for another reason (best effort)."""
    try:
        client.decrby(key, amount)
    except redis.RedisError:
        pass
