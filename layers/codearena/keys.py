"""Every Redis key CodeArena uses, with who writes it and when it expires.

PostgreSQL is the truth: each of these can be lost and rebuilt (the queue by the
sweeper, boards by `codearena leaderboard rebuild` or on first read).

Every key and channel name starts with PREFIX, empty unless CODEARENA_REDIS_PREFIX sets it,
read once at import (all processes of one deployment share it). A test session sets its own
(tests/__init__.py), so two sessions, or a session and `make demo`, share a Redis database
without meeting each other's jobs, boards or events.
"""

from __future__ import annotations

import os
import re
import zlib

from codearena.config import ConfigError


def _prefix(value: str) -> str:
    # No glob characters: the fan-out subscribes to a pattern of channel names.
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{0,64}", value):
        raise ConfigError(f"CODEARENA_REDIS_PREFIX must be up to 64 of A-Z a-z 0-9 _ . : -, not {value!r}")
    return value


PREFIX = _prefix(os.environ.get("CODEARENA_REDIS_PREFIX", ""))

# Stream of {"submission_id"} jobs; intake XADDs, judge hosts read it in a consumer group.
QUEUE = PREFIX + "queue:submissions"
QUEUE_GROUP = "judges"


def processing(submission_id: int) -> str:
    """Judging lease; the judging host sets it NX with a TTL it renews, deletes when done."""
    return f"{PREFIX}processing:{submission_id}"


def queued(submission_id: int) -> str:
    """Id of the stream entry that carries a submission; set with the XADD, deleted with its
    ACK, expires after an hour. The sweeper re-enqueues only what has neither this nor a lease."""
    return f"{PREFIX}queued:{submission_id}"


def processed(submission_id: int, judgement: int) -> str:
    """Tombstone set after a judgement is committed; expires after a day."""
    return f"{PREFIX}processed:{submission_id}:{judgement}"


# ZSET host name → unix time of its last heartbeat; judge hosts write it, readers drop stale ones.
JUDGE_HOSTS = PREFIX + "judge:hosts"


# HASH language → unix time a judge host last offered it (its self-test passed); written by
# every heartbeat, read at intake to refuse languages no live judge host can run.
JUDGE_LANGUAGES = PREFIX + "judge:languages"


def judge_host(name: str) -> str:
    """HASH of a judge host's state (boxes, busy, judged, started_at); its heartbeat rewrites
    it every few seconds with a TTL of three beats, and a drained host deletes it."""
    return f"{PREFIX}judge:host:{name}"


# The judge host that publishes the queue metrics to CloudWatch (judge_host.fleet): its name,
# SET NX EX 30 and renewed every 10 s by the leader, deleted when it leaves.
METRICS_LEADER = PREFIX + "fleet:metrics:leader"


TIME_TRAVEL_BUSY = PREFIX + "busy:time-travel"  # board_at queries running now (ZSET: holder → start time)


def time_travel_caller(caller: str) -> str:
    """The holder of the one board_at query a caller may run at a time; set NX when it
    starts, deleted when it ends, expires after a minute (a process that died)."""
    return f"{PREFIX}busy:time-travel:{caller}"


def time_travel_rate(caller: str) -> str:
    """ZSET of the board_at queries a caller started in the last minute (holder → start
    time); older ones are dropped as it is read, and it expires after a minute."""
    return f"{PREFIX}rate:time-travel:{caller}"


def time_travel_answer(contest_id: int, view: str, second: int, offset: int, limit: int) -> str:
    """JSON of a board page as it stood at one second, shared by identical queries; expires
    after a few seconds (codearena.time_travel)."""
    return f"{PREFIX}tt:{contest_id}:{view}:{second}:{offset}:{limit}"


def login_failures(address: str, username: str | None = None) -> str:
    """HASH {n: failed logins, until: ms before which none is tried} from `address` ("*": any)
    for `username` (lower case), or for everyone; expires 15 minutes after the last failure."""
    return f"{PREFIX}rate:login:{address}" + (f":{username}" if username is not None else "")


def registrations(address: str) -> str:
    """Accounts registered from `address` in the current hour; expires with the hour."""
    return f"{PREFIX}rate:register:{address}"


def replayed_events(connection_id: str) -> str:
    """Events a WebSocket connection had replayed (`since`) this minute; expires with it."""
    return f"{PREFIX}rate:replay:{connection_id}"


def account(user_id: int) -> str:
    """JSON of a user's role, token generation, ban and revoked token ids (sessions.py); a
    cache of PostgreSQL written after each change and on a miss, expires after a minute."""
    return f"{PREFIX}account:{user_id}"


def submit_rate(user_id: int, minute: int) -> str:
    """Submissions a user made in one clock minute; intake INCRs it, expires after 2 minutes."""
    return f"{PREFIX}rate:submit:{user_id}:{minute}"


def clarification_rate(contest_id: int, user_id: int) -> str:
    """Questions a participant asked in a contest this minute; asking (clarifications.ask)
    INCRs it, expires a minute after the first."""
    return f"{PREFIX}rate:clarify:{contest_id}:{user_id}"


# Stream of {"invocation_id"} jobs (custom invocations, codearena.invocations): the functions
# XADD (capped), a judge host's invocation worker reads it in the consumer group below and
# XACKs + XDELs each entry once run. Apart from QUEUE, so invocations never delay judging.
INVOCATION_QUEUE = PREFIX + "queue:invocations"
INVOCATION_GROUP = "judges"


# Stream of {"problem_id"} jobs (package verifications, codearena.verifications): an HTTP import
# XADDs (capped), a judge host's verification worker reads it in the consumer group below,
# renews its lease after every file and XACKs + XDELs the entry once the report is done.
VERIFICATION_QUEUE = PREFIX + "queue:verifications"
VERIFICATION_GROUP = "judges"


def verification(problem_id: int) -> str:
    """JSON of a problem's package verification: per bundled submission expected vs got; the
    functions set it on import, the judge host rewrites it file by file; expires after a week."""
    return f"{PREFIX}verification:{problem_id}"


def invocation(invocation_id: str) -> str:
    """JSON of one custom invocation: what to run (until a judge host has run it) and then its
    result; the functions set it, the judge host rewrites it; expires 15 minutes after creation."""
    return f"{PREFIX}invocation:{invocation_id}"


def invocations_pending(user_id: int) -> str:
    """ZSET invocation id → unix time it stops counting (its expiry) of a user's invocations
    not yet run; the functions add, the judge host removes; expires with its newest member."""
    return f"{PREFIX}invocations:pending:{user_id}"


def invocation_rate(user_id: int) -> str:
    """Invocations a user started this minute; the functions INCR it, expires a minute after
    the first."""
    return f"{PREFIX}rate:invoke:{user_id}"


def idempotency(user_id: int, key: str) -> str:
    """Idempotency-Key of a submit → the submission id; intake sets it NX, expires after a day."""
    return f"{PREFIX}idem:submit:{user_id}:{key}"


def board(contest_id: int, view: str) -> str:
    """ZSET member="<rank key bits>|<username>", score=rank key (lower is better); the judge
    host writes it after commit. The key's bits in the member (16 hex digits, one text per
    value) let reads list a top without a WITHSCORES reply, whose doubles Redis 7.0 prints
    slowly; equal keys have equal text, so ties still sort by username."""
    return f"{PREFIX}lb:{contest_id}:{view}:order"


def board_rows(contest_id: int, view: str) -> str:
    """HASH username → standing row JSON, written with the ZSET entry."""
    return f"{PREFIX}lb:{contest_id}:{view}:rows"


def board_keys(contest_id: int, view: str) -> str:
    """HASH username → the rank key bits of its ZSET member (to find, move and rank it)."""
    return f"{PREFIX}lb:{contest_id}:{view}:keys"


def board_applied(contest_id: int, view: str) -> str:
    """HASH username → id of the last leaderboard event applied (guards against replays)."""
    return f"{PREFIX}lb:{contest_id}:{view}:applied"


def fingerprints(submission_id: int, version: str) -> str:
    """A submission's plagiarism fingerprints (JSON), written by the first similarity report
    that reads it, expiring a week later; `version` names the fingerprinting parameters."""
    return f"{PREFIX}similarity:{version}:{submission_id}"


def board_version(contest_id: int, view: str) -> str:
    """Highest leaderboard event id applied to the board; absent means "rebuild first"."""
    return f"{PREFIX}lb:{contest_id}:{view}:order:version"


def first_solves(contest_id: int, view: str) -> str:
    """JSON label → user id of each problem's first solver; a cache of one second (first_solves.py)."""
    return f"{PREFIX}lb:{contest_id}:{view}:first"


def legacy_board(contest_id: int, view: str) -> list[str]:
    """A board's ZSET and version from before the member carried its key; nothing reads them
    (the board counts as missing and is rebuilt), and the rebuild deletes them."""
    return [f"{PREFIX}lb:{contest_id}:{view}:z", f"{PREFIX}lb:{contest_id}:{view}:version"]


def event_stream(topic: str) -> str:
    """Capped stream of a topic's events (about 1,000 kept); publishers XADD, clients resume."""
    return f"{PREFIX}events:{topic}"


def event_channel(db: int, topic: str) -> str:
    """Pub/sub channel announcing each event of a topic to fan-out processes; never stored.
    Channels are server-wide, not per database, so the name carries the database index."""
    return f"{PREFIX}db{db}:events:{topic}:live"


def ws_connection(connection_id: str) -> str:
    """HASH of a WebSocket connection's principal; set on connect, expires after 3 hours."""
    return f"{PREFIX}ws:conn:{connection_id}"


def ws_connection_topics(connection_id: str) -> str:
    """HASH topic → grant (public, owner, staff) of the topics a connection follows: what
    each subscription rests on (checked again at delivery) and what to clean up on
    disconnect; same expiry."""
    return f"{PREFIX}ws:conn:{connection_id}:grants"


# WebSocket connections fall into shards by a hash of their id: one fan-out process posts to a
# shard's connections (codearena.fanout_leases), and reads only its shards' followers of a topic.
CONNECTION_SHARDS = 64  # the most fan-out processes one audience can be spread over


def connection_shard(connection_id: str) -> int:
    return zlib.crc32(connection_id.encode()) % CONNECTION_SHARDS


def ws_topic(topic: str, shard: int) -> str:
    """SET of the connection ids of one shard following a topic; members leave on disconnect
    or when gone."""
    return f"{PREFIX}ws:topic:{topic}:{shard}"


def live_version(topic: str) -> str:
    """Sequence of coalesced `leaderboard` events on a board topic; the fan-out INCRs it."""
    return f"{PREFIX}lbseq:{topic}"


def announced_state(contest_id: int, state: str) -> str:
    """Set once the fan-out announced a contest state; expires after a day."""
    return f"{PREFIX}announced:{contest_id}:{state}"


# Fan-out processes (codearena.fanout_leases): each key below holds the owner token of one
# process ("<name>/<nonce>"), set with a PX lease its owner renews in one Lua round every half
# second and that lapses a few seconds after the owner dies (then another takes it over).
FANOUT_LEADER = PREFIX + "fanout:leader"  # the process that coalesces boards and announces contest states
FANOUT_MEMBERS = (
    PREFIX + "fanout:members"
)  # ZSET owner → Redis ms its membership lapses; sizes the fair share


def fanout_shard(shard: int) -> str:
    """Lease on one shard of the WebSocket connections (by a hash of the id): its owner alone
    posts to them."""
    return f"{PREFIX}fanout:shard:{shard}"
