"""`POST /admin/problems/import`: a zipped package sent as the body, stored in one transaction.

The functions have no sandbox: once the problem is stored, its bundled submissions are queued
for a judge host (codearena.verifications), which compiles the output validator, judges each
one with the stored problem's tests and limits and reports, per file, expected vs got on
`GET /admin/problems/{pid}/verification`. A package without a time limit is stored with
DEFAULT_TIME_LIMIT_MS until the judge host derives the limit from its accepted submissions.
"""

from __future__ import annotations

import logging
from typing import Any

from codearena import verifications
from codearena.core import Core
from codearena.errors import ServiceUnavailable
from codearena.packages.archive import zip_files
from codearena.packages.model import Package, PackageError
from codearena.packages.store import DEFAULT_TIME_LIMIT_MS, store_problem

log = logging.getLogger("codearena.packages")


def import_zip(core: Core, data: bytes | None) -> dict[str, Any]:
    """Store the zipped package `data` and queue its verification; PackageError (400) when it
    is refused."""
    from codearena.packages.reader import read_package  # problemtools: only when it is needed

    if not data:
        raise PackageError("send the package as a zip body (Content-Type: application/zip)", "invalid_zip")
    package = read_package(zip_files(data))
    with core.db.transaction() as cur:
        problem_id = store_problem(cur, package)
    return {
        "id": problem_id,
        "title": package.title,
        "time_limit_ms": package.time_limit_ms or DEFAULT_TIME_LIMIT_MS,
        "memory_limit_kb": package.memory_limit_kb,
        "output_limit_kb": package.output_limit_kb,
        "checker": package.checker,
        "points": package.points,
        "tests": len(package.tests),
        "submissions": [
            {"path": s.path, "expected": sorted(v.value for v in s.expected)} for s in package.submissions
        ],
        "verification": _verification(core, problem_id, package),
    }


def _verification(core: Core, problem_id: int, package: Package) -> dict[str, Any]:
    """The verification queued; the problem is stored whatever happens here, so a queue that
    is down is said (status not_queued: POST /admin/problems/{pid}/verify later), not a 503."""
    derives = package.time_limit_ms is None
    try:
        return verifications.queue(core, problem_id, package.submissions, derives)
    except ServiceUnavailable:
        log.warning("problem %s: its verification could not be queued", problem_id, exc_info=True)
        return {
            "status": "not_queued",
            "url": verifications.url(problem_id),
            "files": len(package.submissions),
        }
