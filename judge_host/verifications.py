"""Package verifications on a judge host (codearena.verifications): a worker of its own drains
the verification stream with two boxes of its own (the submission's and the output
validator's), so verifying a package never holds a judging box.

For each queued problem it reads the stored problem back as a package (its files, its tests as
stored now) with the problem's limits, and judges it with judge_host.verify, as `codearena
problem import` does: the validator compiled once, each bundled submission judged, the report
rewritten after every file (and the entry's lease renewed). A package without a time limit gets
the limit its accepted submissions give, written to the problem unless its limit was changed
since the import; submissions judged under the placeholder meanwhile are judged again. A
validator that does not compile, or a problem deleted meanwhile, ends the report with an
`error`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import replace
from typing import Any

from codearena import rejudge, verifications
from codearena.core import Core
from codearena.db import Cursor
from codearena.errors import ServiceUnavailable
from codearena.packages import Package, PackageError, package_files
from codearena.packages.store import DEFAULT_TIME_LIMIT_MS
from codearena.verifications import VerificationQueue, VerificationStatus
from codearena.work_streams import StreamJob
from judge_host.stream_worker import StreamWorker
from judge_host.verify import SubmissionCheck, verify
from sandbox import Backend, SandboxError

log = logging.getLogger("codearena.judge")

LEASE_MS = 10 * 60_000  # an entry idle this long (no file finished) is taken over by another host
_NOT_JUDGED = {"got": None, "time_ms": None, "note": "", "as_expected": None}  # a file's fields


class ProblemGone(Exception):
    """The problem was deleted after it was queued."""


class VerificationWorker(StreamWorker):
    """Claims queued verifications and judges them until `stopping` is set (or, `once`, the
    stream is empty), running the `languages` this host offers."""

    what = "verification"

    def __init__(
        self,
        core: Core,
        sandbox: Backend,
        languages: Collection[str],
        name: str,
        stopping: threading.Event,
        lease_ms: int = LEASE_MS,
    ) -> None:
        super().__init__(VerificationQueue(core.redis), name, stopping, lease_ms)
        self.core = core
        self.sandbox = sandbox
        self.languages = languages
        self.verified = 0

    def handle(self, job: StreamJob) -> None:
        report = verifications.load(self.core, int(job.id))
        if report is None or report["status"] == VerificationStatus.DONE.value:
            self.queue.ack(job)  # expired, or done already (a second delivery)
            return
        started = {"status": VerificationStatus.RUNNING.value, "host": self.name, "error": None}
        files = [{**f, **_NOT_JUDGED} for f in report["files"]]  # a dead host's results go
        report = {**report, **started, "files": files, "started_at": self.core.clock().isoformat()}
        if verifications.save(self.core, report):
            report = self._verify(job, report)
            report["finished_at"] = self.core.clock().isoformat()
            verifications.save(self.core, {**report, "status": VerificationStatus.DONE.value})
            self.verified += 1
        self.queue.ack(job)

    def _verify(self, job: StreamJob, report: dict[str, Any]) -> dict[str, Any]:
        """The report once every file is judged, or with an `error` saying why not."""
        try:
            package, derives = self._stored(report)
            verification = verify(self.sandbox, package, self.languages, self._recorder(job, report))
        except ProblemGone:
            return {**report, "error": "the problem was deleted before it was verified"}
        except PackageError as exc:  # the output validator does not compile
            return {**report, "error": exc.message}
        except SandboxError as exc:
            log.warning("verification of problem %s: sandbox fault: %s", report["problem_id"], exc)
            return {**report, "error": f"sandbox fault: {exc}"}
        except Exception:
            log.exception("verification of problem %s: judge error", report["problem_id"])
            return {**report, "error": "the judge host failed (logged there)"}
        derived = verification.time_limit_ms
        applied = derives and derived is not None and self._apply(report["problem_id"], derived)
        report["time_limit_ms"] = package.time_limit_ms or derived or DEFAULT_TIME_LIMIT_MS
        report["derived_time_limit_ms"] = derived if applied else None
        return report

    def _stored(self, report: dict[str, Any]) -> tuple[Package, bool]:
        """The stored problem as a package with its limits now; and whether its time limit is
        still to be derived (None in the package then)."""
        from codearena.packages.reader import read_package  # problemtools: only when it is needed

        with self.core.db.transaction() as cur:
            row, files = _problem(cur, report["problem_id"])
        package = read_package(files)
        derives = report["derives_time_limit"] and row["time_limit_ms"] == DEFAULT_TIME_LIMIT_MS
        limits = {"memory_limit_kb": row["memory_limit_kb"], "output_limit_kb": row["output_limit_kb"]}
        return replace(package, time_limit_ms=None if derives else row["time_limit_ms"], **limits), derives

    def _recorder(self, job: StreamJob, report: dict[str, Any]) -> Callable[[SubmissionCheck], None]:
        """Write each file's result to the report as it comes, and renew the entry's lease."""

        def record(check: SubmissionCheck) -> None:
            report["files"] = [_file(check) if f["path"] == check.path else f for f in report["files"]]
            verifications.save(self.core, report)
            self.queue.renew(job, self.name)

        return record

    def _apply(self, problem_id: int, time_limit_ms: int) -> bool:
        """Set the derived limit on the problem, unless its limit changed since the import;
        submissions judged meanwhile, under the placeholder, are judged again under it."""
        with self.core.db.transaction() as cur:
            cur.execute(
                "UPDATE problems SET time_limit_ms = %s WHERE id = %s AND time_limit_ms = %s",
                (time_limit_ms, problem_id, DEFAULT_TIME_LIMIT_MS),
            )
            if not cur.rowcount:
                return False
            again = rejudge.bump_judged(cur, problem_id)
        try:
            rejudge.queue(self.core, again)
        except ServiceUnavailable:  # committed as queued: the sweeper queues them
            log.warning("problem %s: queueing its %d rejudges failed", problem_id, len(again), exc_info=True)
        return True


def _problem(cur: Cursor, problem_id: int) -> tuple[dict[str, Any], dict[str, bytes]]:
    cur.execute(
        "SELECT time_limit_ms, memory_limit_kb, output_limit_kb FROM problems WHERE id = %s", (problem_id,)
    )
    row = cur.fetchone()
    files = package_files(cur, problem_id) if row is not None else None
    if row is None or files is None:
        raise ProblemGone(problem_id)
    return dict(row), files


def _file(check: SubmissionCheck) -> dict[str, Any]:
    return {
        "path": check.path,
        "expected": sorted(v.value for v in check.expected),
        "got": None if check.got is None else check.got.value,
        "time_ms": None if check.got is None else check.time_ms,
        "note": check.note,
        "as_expected": check.as_expected,
    }
