"""A job stuck in a lost consumer's pending list is queued again once its marker is stale."""

from __future__ import annotations

import time

from codearena.core import Core


def test_a_stale_queued_marker_lets_the_sweeper_queue_again(core: Core) -> None:
    core.queue.ensure_group()
    core.queue.enqueue(41)
    stuck = core.queue.claim("ghost", block_ms=10, lease_ms=60_000)  # delivered, never acknowledged
    assert stuck is not None and stuck.submission_id == 41
    assert not core.queue.requeue(41, stale_seconds=3600)  # its marker is fresh: nothing added
    time.sleep(0.05)
    assert core.queue.requeue(41, stale_seconds=0.01)  # stale: a second entry is queued
    again = core.queue.claim("judge", block_ms=10, lease_ms=60_000)
    assert again is not None and again.submission_id == 41 and again.entry_id != stuck.entry_id


def test_a_submission_being_judged_is_never_queued_again(core: Core) -> None:
    core.queue.ensure_group()
    core.queue.enqueue(42)
    assert core.queue.take_lease(42, "host-a", 60)
    assert not core.queue.requeue(42, stale_seconds=0)


def test_an_expired_job_behind_many_live_ones_is_reclaimed(core: Core) -> None:
    core.queue.ensure_group()
    for sid in range(1, 32):
        core.queue.enqueue(sid)
    held = [core.queue.claim("dead", block_ms=10, lease_ms=60_000) for _ in range(31)]
    assert [job.submission_id for job in held if job] == list(range(1, 32))
    time.sleep(0.1)
    core.queue.renew("live", [job for job in held[:30] if job])  # a big fleet's live leases
    again = core.queue.claim("judge", block_ms=10, lease_ms=50)
    assert again is not None and again.submission_id == 31  # the dead host's job, last in line
    assert core.queue.claim("judge", block_ms=10, lease_ms=50) is None
