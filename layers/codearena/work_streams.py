"""A Redis stream of jobs drained by judge hosts outside the submissions' queue (custom
invocations, package verifications): each entry names one thing by id, judge hosts read it in
a consumer group, and an entry is acknowledged and deleted once done. An entry a dead host held
is taken over after `lease_ms` idle; a worker that is still busy renews it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

import redis


class JobStatus(StrEnum):
    """Where a job of a work stream is, as its record (kept in Redis beside the stream) says."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


# KEYS: record. ARGV: record JSON. Rewrites it keeping its expiry; nothing when it expired.
_REWRITE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
return 1
"""


def rewrite(client: redis.Redis, key: str, record: dict[str, Any]) -> bool:
    """Store `record` at `key` keeping its expiry; False (nothing stored) once it expired."""
    return bool(client.eval(_REWRITE, 1, key, json.dumps(record)))


@dataclass(frozen=True)
class StreamJob:
    entry_id: str
    id: str  # what the entry names (an invocation id, a problem id)


def ensure_group(client: redis.Redis, stream: str, group: str) -> None:
    """Create `group` on `stream` (and the stream) unless it exists: every stream's consumers
    call it before reading, and again when Redis restarted empty."""
    try:
        client.xgroup_create(stream, group, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


class WorkStream:
    """`stream` read in consumer group `group`; each entry's `field` holds the job's id."""

    def __init__(self, client: redis.Redis, stream: str, group: str, field: str) -> None:
        self._redis = client
        self.stream = stream
        self.group = group
        self.field = field

    def ensure_group(self) -> None:
        ensure_group(self._redis, self.stream, self.group)

    def claim(self, consumer: str, block_ms: int | None, lease_ms: int) -> StreamJob | None:
        """An entry a dead consumer left, else the next new one (waiting up to `block_ms`)."""
        try:
            reply = self._redis.xautoclaim(self.stream, self.group, consumer, lease_ms, "0-0", count=1)
            entries = [entry for entry in reply[1] if entry]
            if not entries:
                read = cast(
                    "list[list[Any]]",
                    self._redis.xreadgroup(self.group, consumer, {self.stream: ">"}, count=1, block=block_ms),
                )
                entries = read[0][1] if read else []
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self.ensure_group()  # the stream was lost (Redis restarted empty)
            return None
        if not entries:
            return None
        entry_id, fields = entries[0]
        return StreamJob(entry_id, fields[self.field])

    def renew(self, job: StreamJob, consumer: str) -> None:
        """Reset the entry's idle time: the lease starts again (XCLAIM by its holder)."""
        self._redis.xclaim(self.stream, self.group, consumer, 0, [job.entry_id], justid=True)

    def ack(self, job: StreamJob) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.xack(self.stream, self.group, job.entry_id)
        pipe.xdel(self.stream, job.entry_id)
        pipe.execute()

    def depth(self) -> int:
        return int(self._redis.xlen(self.stream))
