"""The jury's live submissions list: a `submission` event on the contest's jury topic
("jury:<cid>", DESIGN §7) whenever a submission arrives, is queued for a rejudge or is judged.

`{"type": "submission", "contest_id", "submission_id", "status", "verdict"}` (verdict null
until judged). Only the jury can follow the topic, so the verdict is never seen early by a
contestant during a freeze. Best effort: the rows are committed, and a jury page that missed an
event catches up on the next one or on reload.
"""

from __future__ import annotations

import logging

import redis

from codearena.core import Core
from codearena.events import jury_topic

log = logging.getLogger(__name__)


def announce(
    core: Core, contest_id: int, submission_id: int, status: str, verdict: str | None = None
) -> None:
    """Tell the contest's jury topic that a submission is now `status` (with `verdict`)."""
    try:
        core.events.publish(
            jury_topic(contest_id),
            "submission",
            contest_id=contest_id,
            submission_id=submission_id,
            status=status,
            verdict=verdict,
        )
    except redis.RedisError:
        log.warning("submission %s: telling the jury failed", submission_id, exc_info=True)
