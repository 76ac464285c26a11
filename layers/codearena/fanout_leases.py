"""Which fan-out process posts to which WebSocket connections, and which one leads.

Connections fall into SHARDS by a hash of their id (keys.connection_shard); each shard has one
owner at a time, the process holding its Redis lease (keys.fanout_shard). Every fan-out process
— each `codearena fanout`, and the local gateway's own — runs one atomic Lua round every
RENEW_SECONDS: it marks itself alive, renews what it holds, lets go of what is over its fair
share (a process joined), takes free shards up to that share (a process left, or died and its
leases lapsed), and takes or keeps the leader lease (coalescing boards, announcing contest
states).

A process posts only to the shards it holds by its own clock, and counts them lost SAFETY_MS
before their leases could lapse in Redis, so in steady state no two processes post one event to
one connection; a process that dies has its shards taken over within LEASE_MS + RENEW_SECONDS,
one that joins or leaves moves them within RENEW_SECONDS. Events published while a shard moves
may miss its connections.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from codearena import keys

log = logging.getLogger("codearena.fanout")

SHARDS = keys.CONNECTION_SHARDS
LEASE_MS = 3000  # how long a lease outlives its last renewal
RENEW_SECONDS = 0.5
SAFETY_MS = 1000  # of a lease's life its holder gives up: a slow round, a paused process

# KEYS: members, leader, shard 0 … shard n-1. ARGV: owner, lease ms. Returns {leading, shard…}.
_ROUND = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local owner, lease = ARGV[1], tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
redis.call('ZADD', KEYS[1], now_ms + lease, owner)
redis.call('PEXPIRE', KEYS[1], 2 * lease)
local fair = math.ceil((#KEYS - 2) / redis.call('ZCARD', KEYS[1]))
local held, free = {}, {}
for i = 3, #KEYS do
  local holder = redis.call('GET', KEYS[i])
  if holder == owner then table.insert(held, i) elseif not holder then table.insert(free, i) end
end
while #held > fair do redis.call('DEL', KEYS[table.remove(held)]) end
for _, i in ipairs(held) do redis.call('PEXPIRE', KEYS[i], lease) end
for _, i in ipairs(free) do
  if #held >= fair then break end
  redis.call('SET', KEYS[i], owner, 'PX', lease)
  table.insert(held, i)
end
local leader = redis.call('GET', KEYS[2])
local reply = {0}
if leader == owner or not leader then
  redis.call('SET', KEYS[2], owner, 'PX', lease)
  reply[1] = 1
end
for _, i in ipairs(held) do table.insert(reply, i - 3) end
return reply
"""

# KEYS: members, leader, shards. ARGV: owner. Lets go of everything the owner holds.
_LEAVE = """
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
redis.call('ZREM', KEYS[1], ARGV[1])
"""


@dataclass(frozen=True)
class _Held:
    shards: frozenset[int]
    leading: bool
    until: float  # time.monotonic() after which none of it counts


_NOTHING = _Held(frozenset(), False, 0.0)


class ShardLeases:
    """One process's leases; `run` keeps them on a thread of its own, the fan-out reads them."""

    def __init__(self, client: redis.Redis, name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.owner = f"{name}/{secrets.token_hex(4)}"  # unique even where names repeat (pid 1)
        self._keys = [keys.FANOUT_MEMBERS, keys.FANOUT_LEADER, *map(keys.fanout_shard, range(SHARDS))]
        self._round = client.register_script(_ROUND)
        self._leave = client.register_script(_LEAVE)
        self._held = _NOTHING  # replaced whole, so readers on other threads see one round's view
        self._clock = clock

    def shards(self) -> frozenset[int]:
        """The shards this process may post to now."""
        held = self._held
        return held.shards if self._clock() < held.until else frozenset()

    @property
    def leading(self) -> bool:
        held = self._held
        return held.leading and self._clock() < held.until

    def step(self) -> None:
        """One round (Redis errors are the caller's)."""
        started = self._clock()
        leading, *shards = (int(value) for value in self._round(keys=self._keys, args=[self.owner, LEASE_MS]))
        self._held = _Held(frozenset(shards), bool(leading), started + (LEASE_MS - SAFETY_MS) / 1000)

    def run(self, stop: threading.Event) -> None:
        """Hold a fair share until `stop`, then let it all go for the others to take at once."""
        while not stop.is_set():
            try:
                self.step()
            except redis.RedisError as exc:  # what is held lapses by itself: SAFETY_MS
                log.warning("fan-out leases: Redis unreachable (%s)", exc)
            stop.wait(RENEW_SECONDS)
        self.leave()

    def leave(self) -> None:
        self._held = _NOTHING
        try:
            self._leave(keys=self._keys, args=[self.owner])
        except redis.RedisError as exc:
            log.warning("fan-out leases: could not let go (%s); they lapse in %d ms", exc, LEASE_MS)
