"""A problem package's own submissions judged after an HTTP import (`POST /admin/problems/import`;
the functions have no sandbox): the import queues the stored problem for verification, a judge
host judges every bundled submission with the stored problem's tests, limits and output
validator (judge_host/verifications.py, through judge_host.verify as the CLI does) and writes,
file by file, the verdicts expected and the one it got; `GET /admin/problems/{pid}/verification`
reads the report as it grows; `POST /admin/problems/{pid}/verify` queues a stored problem again.

The report lives in Redis (`keys.verification`, kept `TTL_SECONDS`), not in PostgreSQL, because
it is a diagnostic of one import that the judge host rewrites after every file (live progress),
like a custom invocation (codearena.invocations, the pattern followed here: a record, a stream
of its own, a worker of its own on each judge host), and it can always be made again: lost or
expired, the admin queues the problem again. What must survive lives in PostgreSQL: the problem
itself and, for a package without a time limit, the limit its accepted submissions give, which
the judge host writes to the problem (until then it has store.DEFAULT_TIME_LIMIT_MS), unless
the problem's limit was changed meanwhile.
"""

from __future__ import annotations

import json
from typing import Any, cast

import redis

from codearena import keys
from codearena.core import Core
from codearena.db import Cursor
from codearena.errors import Conflict, NotFound, ServiceUnavailable
from codearena.packages.model import BundledSubmission
from codearena.packages.store import package_files
from codearena.work_streams import JobStatus, WorkStream, rewrite

TTL_SECONDS = 7 * 24 * 3600  # a report is forgotten a week after it was queued
QUEUE_LENGTH = 10_000  # stream entries kept


VerificationStatus = JobStatus  # the statuses of every work stream's jobs


# KEYS: report, stream. ARGV: report JSON, TTL (s), problem id, stream length, "again". Stores the
# report and queues it; "again" ("1"): not while one is queued or running (returns 0 then, else 1).
_QUEUE = """
local old = redis.call('GET', KEYS[1])
if ARGV[5] == '1' and old and cjson.decode(old)['status'] ~= 'done' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'problem_id', ARGV[3])
return 1
"""


def url(problem_id: int) -> str:
    return f"/admin/problems/{problem_id}/verification"


def queue(
    core: Core,
    problem_id: int,
    submissions: tuple[BundledSubmission, ...],
    derives_time_limit: bool,
    again: bool = False,
) -> dict[str, Any]:
    """Queue the stored problem's bundled `submissions` for a judge host; {status, url, files}.
    `derives_time_limit`: the package gave no limit, its accepted submissions set it. `again`:
    Conflict when a verification of the problem is queued or running already (a new problem
    replaces whatever report its id had)."""
    report = {
        "problem_id": problem_id,
        "status": VerificationStatus.QUEUED.value,
        "queued_at": core.clock().isoformat(),
        "started_at": None,
        "finished_at": None,
        "host": None,
        "derives_time_limit": derives_time_limit,
        "time_limit_ms": None,
        "derived_time_limit_ms": None,
        "error": None,
        "files": [_pending(s) for s in submissions],
    }
    try:
        queued = core.redis.eval(
            _QUEUE,
            2,
            keys.verification(problem_id),
            keys.VERIFICATION_QUEUE,
            json.dumps(report),
            TTL_SECONDS,
            problem_id,
            QUEUE_LENGTH,
            int(again),
        )
    except redis.RedisError as exc:
        raise ServiceUnavailable("the queue is unavailable; try again") from exc
    if not int(queued):
        raise Conflict(f"problem {problem_id} is being verified already", "verification_pending")
    return summary(report)


def requeue(core: Core, problem_id: int) -> dict[str, Any]:
    """Queue a stored problem's bundled submissions again (its time limit stays as it is)."""
    with core.db.transaction() as cur:
        submissions = _stored_submissions(cur, problem_id)
    return queue(core, problem_id, submissions, derives_time_limit=False, again=True)


def _stored_submissions(cur: Cursor, problem_id: int) -> tuple[BundledSubmission, ...]:
    from codearena.packages.reader import read_package  # problemtools: only when it is needed

    files = package_files(cur, problem_id)
    if files is None:
        raise NotFound(f"no problem {problem_id}", "problem_not_found")
    return read_package(files).submissions


def report(core: Core, problem_id: int) -> dict[str, Any]:
    """The problem's verification as it stands; NotFound for no problem, or none queued (a
    problem made from JSON or by the CLI, or a report past its week)."""
    with core.db.transaction() as cur:
        cur.execute("SELECT 1 FROM problems WHERE id = %s", (problem_id,))
        if cur.fetchone() is None:
            raise NotFound(f"no problem {problem_id}", "problem_not_found")
    stored = load(core, problem_id)
    if stored is None:
        raise NotFound(
            f"problem {problem_id} has no verification (none queued, or it expired):"
            f" POST /admin/problems/{problem_id}/verify queues one",
            "verification_not_found",
        )
    return public(stored)


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """What the import answers of the verification it queued."""
    return {"status": report["status"], "url": url(report["problem_id"]), "files": len(report["files"])}


def public(report: dict[str, Any]) -> dict[str, Any]:
    """The stored report with its counts: files judged, as expected, mismatches (their paths)."""
    files = report["files"]
    mismatches = [f["path"] for f in files if f["as_expected"] is False]
    counts = {
        "files": len(files),
        "judged": sum(1 for f in files if f["got"] is not None),
        "as_expected": sum(1 for f in files if f["as_expected"] is True),
        "mismatches": len(mismatches),
        "not_checked": sum(1 for f in files if f["got"] is None and f["note"]),
    }
    return {**report, "url": url(report["problem_id"]), "counts": counts, "mismatches": mismatches}


def _pending(submission: BundledSubmission) -> dict[str, Any]:
    return {
        "path": submission.path,
        "expected": sorted(v.value for v in submission.expected),
        "got": None,
        "time_ms": None,
        "note": "",
        "as_expected": None,
    }


def load(core: Core, problem_id: int) -> dict[str, Any] | None:
    """The stored report, None when there is none (or it expired)."""
    try:
        raw = cast("str | None", core.redis.get(keys.verification(problem_id)))
    except redis.RedisError as exc:
        raise ServiceUnavailable("the queue is unavailable; try again") from exc
    return None if raw is None else cast("dict[str, Any]", json.loads(raw))


# --- the judge host's side ------------------------------------------------------------------


class VerificationQueue(WorkStream):
    """The verification stream as judge hosts read it (codearena.work_streams)."""

    def __init__(self, client: redis.Redis) -> None:
        super().__init__(client, keys.VERIFICATION_QUEUE, keys.VERIFICATION_GROUP, "problem_id")


def save(core: Core, report: dict[str, Any]) -> bool:
    """Rewrite a stored report (keeping its expiry); False when it expired meanwhile."""
    return rewrite(core.redis, keys.verification(report["problem_id"]), report)
