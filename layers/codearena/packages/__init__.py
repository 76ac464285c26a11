"""Kattis / ICPC problem packages in and out (legacy format, and 2023-07 where it agrees).

    read_package(files) -> Package      the package's meaning, or PackageError (400)
    store_problem(cur, package, …)      the problem, its tests and files in one transaction
    package_files(cur, problem_id)      the package of a stored problem, as files

`files` is the package as `{path: bytes}` (`package_files_of` reads a directory or a zip).
Judging the bundled submissions needs a sandbox: judge_host.verify does it for the CLI, and on a
judge host after an HTTP import (codearena.verifications).
"""

from typing import TYPE_CHECKING

from codearena.packages.archive import package_files_of, zip_files
from codearena.packages.model import (
    BundledSubmission,
    Package,
    PackageError,
    PackageTest,
    validator_entry,
)
from codearena.packages.store import package_files, store_problem

if TYPE_CHECKING:
    from codearena.packages.reader import read_package

__all__ = [
    "BundledSubmission",
    "Package",
    "PackageError",
    "PackageTest",
    "package_files",
    "package_files_of",
    "read_package",
    "store_problem",
    "validator_entry",
    "zip_files",
]


def __getattr__(name: str) -> object:
    """`read_package`, imported when first asked for: the reader brings problemtools and
    pydantic (0.15 CPU-seconds), which the gateway, a judge host and the functions need only
    once a package is read, not at start."""
    if name == "read_package":
        from codearena.packages.reader import read_package

        return read_package
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
