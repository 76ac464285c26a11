"""The judging queue: a Redis stream read by judge hosts in one consumer group.

At-least-once: a job stays pending in the group until the judging host acknowledges it
after the result is committed; a host that dies leaves it to be reclaimed (XAUTOCLAIM)
once its lease is over. PostgreSQL stays the truth (see judge_host's sweeper).
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from codearena import keys


@dataclass(frozen=True)
class Job:
    entry_id: str
    submission_id: int


class JobQueue:
    def __init__(self, client: redis.Redis, stream: str = keys.QUEUE, group: str = keys.QUEUE_GROUP) -> None:
        self._redis = client
        self.stream = stream
        self.group = group

    def enqueue(self, submission_id: int) -> str:
        return str(self._redis.xadd(self.stream, {"submission_id": submission_id}))

    def ensure_group(self) -> None:
        try:
            self._redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def claim(self, consumer: str, block_ms: int, lease_ms: int) -> Job | None:
        """The next job for `consumer`: an expired lease first, else a new entry."""
        try:
            return self._reclaim(consumer, lease_ms) or self._read(consumer, block_ms)
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self.ensure_group()  # the stream was lost (e.g. Redis restarted empty)
            return None

    def _reclaim(self, consumer: str, lease_ms: int) -> Job | None:
        _, entries, _ = self._redis.xautoclaim(
            self.stream, self.group, consumer, min_idle_time=lease_ms, start_id="0-0", count=1
        )
        return _job(entries[0]) if entries else None

    def _read(self, consumer: str, block_ms: int) -> Job | None:
        reply = self._redis.xreadgroup(self.group, consumer, {self.stream: ">"}, count=1, block=block_ms)
        if not reply:
            return None
        _, entries = reply[0]
        return _job(entries[0]) if entries else None

    def ack(self, job: Job) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.xack(self.stream, self.group, job.entry_id)
        pipe.xdel(self.stream, job.entry_id)
        pipe.execute()

    def depth(self) -> int:
        return int(self._redis.xlen(self.stream))


def _job(entry: tuple[str, dict[str, str]]) -> Job:
    entry_id, fields = entry
    return Job(entry_id=entry_id, submission_id=int(fields["submission_id"]))
