"""The sweeper: PostgreSQL is the truth, so whatever it says is unjudged and Redis neither
queues nor leases is enqueued again — after a host died, or when Redis lost everything."""

from __future__ import annotations

import logging

from codearena.core import Core
from codearena.models import SubmissionStatus

STALE_LEASES = 10  # queued this many leases ago and not judged: the entry is stuck
MIN_STALE_SECONDS = 60.0
log = logging.getLogger("codearena.judge.sweeper")
PAGE = 1000


def sweep(core: Core, grace_seconds: float) -> int:
    """Re-enqueue lost jobs among submissions older than `grace_seconds` (so intake, which
    commits the row before it enqueues, is never raced); returns how many were re-enqueued."""
    added, after = 0, 0
    while True:
        ids = _unjudged(core, grace_seconds, after)
        # An entry queued this long ago and still unjudged is stuck (say, in a lost
        # consumer's pending list): queue another one.
        stale = max(STALE_LEASES * grace_seconds, MIN_STALE_SECONDS)
        added += sum(core.queue.requeue(sid, stale_seconds=stale) for sid in ids)
        if len(ids) < PAGE:
            break
        after = ids[-1]
    if added:
        log.warning("re-enqueued %d submissions with no live job", added)
    return added


def _unjudged(core: Core, grace_seconds: float, after: int) -> list[int]:
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT id FROM submissions WHERE status <> %s AND id > %s"
            " AND created_at < now() - make_interval(secs => %s) ORDER BY id LIMIT %s",
            (SubmissionStatus.JUDGED.value, after, grace_seconds, PAGE),
        )
        return [row["id"] for row in cur.fetchall()]
