"""`POST /admin/problems/import`: a zipped package sent as the body, stored in one transaction.

The functions have no sandbox, so this import does not judge the package's submissions nor
compile its output validator (`codearena problem import` does both); without a time limit in
the package the problem gets DEFAULT_TIME_LIMIT_MS. The answer lists the submissions found.
"""

from __future__ import annotations

from typing import Any

from codearena.core import Core
from codearena.packages.archive import zip_files
from codearena.packages.model import PackageError
from codearena.packages.reader import read_package
from codearena.packages.store import DEFAULT_TIME_LIMIT_MS, store_problem

NOT_JUDGED = "not judged here: `codearena problem import` judges them and compiles the validator"


def import_zip(core: Core, data: bytes | None) -> dict[str, Any]:
    """Store the zipped package `data`; PackageError (400) when it is refused."""
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
        "verification": NOT_JUDGED,
    }
