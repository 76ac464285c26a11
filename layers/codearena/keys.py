"""Every Redis key CodeArena uses, with who writes it and when it expires.

PostgreSQL is the truth: each of these can be lost and rebuilt (the queue by the
sweeper, boards by `codearena leaderboard rebuild` or on first read).
"""

from __future__ import annotations

# Stream of {"submission_id"} jobs; intake XADDs, judge hosts read it in a consumer group.
QUEUE = "queue:submissions"
QUEUE_GROUP = "judges"


def processing(submission_id: int) -> str:
    """Judging lease; the judging host sets it NX with a TTL it renews, deletes when done."""
    return f"processing:{submission_id}"


def processed(submission_id: int, judgement: int) -> str:
    """Tombstone set after a judgement is committed; expires after a day."""
    return f"processed:{submission_id}:{judgement}"


def submit_rate(user_id: int, minute: int) -> str:
    """Submissions a user made in one clock minute; intake INCRs it, expires after 2 minutes."""
    return f"rate:submit:{user_id}:{minute}"


def idempotency(user_id: int, key: str) -> str:
    """Idempotency-Key of a submit → the submission id; intake sets it NX, expires after a day."""
    return f"idem:submit:{user_id}:{key}"


def board(contest_id: int, view: str) -> str:
    """ZSET member=username, score=rank key (lower is better); the judge host ZADDs after commit."""
    return f"lb:{contest_id}:{view}:z"


def board_rows(contest_id: int, view: str) -> str:
    """HASH username → standing row JSON, written with the ZSET entry."""
    return f"lb:{contest_id}:{view}:rows"


def board_applied(contest_id: int, view: str) -> str:
    """HASH username → id of the last leaderboard event applied (guards against replays)."""
    return f"lb:{contest_id}:{view}:applied"


def board_version(contest_id: int, view: str) -> str:
    """Highest leaderboard event id applied to the board; absent means "rebuild first"."""
    return f"lb:{contest_id}:{view}:version"


def event_stream(topic: str) -> str:
    """Capped stream of a topic's events (about 1,000 kept); publishers XADD, clients resume."""
    return f"events:{topic}"


def event_channel(topic: str) -> str:
    """Pub/sub channel announcing each event of a topic to fan-out processes; never stored."""
    return f"events:{topic}:live"
