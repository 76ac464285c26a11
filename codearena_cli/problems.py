"""`codearena problem import PATH`, `codearena problem export ID PATH` and `codearena problem
verification ID` (the report of an HTTP import's verification by a judge host).

Import reads the package (refusing a bad one with the reason, exit 2), judges its bundled
submissions in a sandbox of its own (judge_host.verify; a progress bar on a terminal) and
stores the problem, its tests and files in one transaction. `--strict` refuses (exit 1) a
package whose submissions do not all get their expected verdicts; without it they are
reported and the problem is stored.
"""

from __future__ import annotations

import argparse
import fcntl
import io
import json
import sys
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from codearena.packages import Package, PackageError, package_files, package_files_of, read_package
from codearena_cli.commands import _settings, _with_core

if TYPE_CHECKING:
    from codearena.core import Core
    from judge_host.verify import SubmissionCheck, Verification
    from sandbox import Backend

# The import's own sandbox: clear of the judge hosts' (judge_host.instances) and the tests'.
IMPORT_SANDBOX_ROOT = Path("/var/lib/codearena-sandbox-import")
IMPORT_SANDBOX_UID_BASE = 60501
EXIT_REFUSED, EXIT_NOT_AS_EXPECTED = 2, 1


def import_problem(args: argparse.Namespace) -> int:
    path = Path(args.path)
    try:
        package = read_package(package_files_of(path), name=path.stem)
        verification = None if args.no_verify else _verify(package)
    except PackageError as exc:
        print(f"codearena: {path}: refused: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    if verification is not None:
        _report(verification)
        if args.strict and verification.mismatches:
            print(
                "codearena: refused (--strict): not every submission got its expected verdict",
                file=sys.stderr,
            )
            return EXIT_NOT_AS_EXPECTED
    return _store(package, verification)


def _verify(package: Package) -> Verification:
    from judge_host.verify import verify

    with _import_sandbox() as sandbox, _progress(len(package.submissions)) as advance:
        return verify(sandbox, package, sandbox.available_languages(), on_check=advance)


@contextmanager
def _import_sandbox() -> Iterator[Backend]:
    """Two boxes under the import's own root; one import at a time per machine (a lock)."""
    from sandbox import Sandbox

    IMPORT_SANDBOX_ROOT.parent.mkdir(parents=True, exist_ok=True)
    with open(IMPORT_SANDBOX_ROOT.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sandbox = Sandbox.start(
            boxes=2, root_dir=IMPORT_SANDBOX_ROOT, name="codearena-import", uid_base=IMPORT_SANDBOX_UID_BASE
        )
        try:
            yield sandbox
        finally:
            sandbox.close()


@contextmanager
def _progress(total: int) -> Iterator[Callable[[SubmissionCheck], None]]:
    progress = Progress(
        TextColumn("judging bundled submissions"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        transient=True,
        disable=not sys.stderr.isatty(),
        console=None,
    )
    with progress:
        task = progress.add_task("", total=total)

        def advance(check: SubmissionCheck) -> None:
            progress.update(task, advance=1, description=check.path)

        yield advance


def _report(verification: Verification) -> None:
    for check in verification.checks:
        expected = sorted(v.value for v in check.expected)
        got = check.got.value if check.got is not None else None
        print(_line(check.as_expected, check.path, expected, got, check.time_ms, check.note))
    judged = [c for c in verification.checks if c.as_expected is not None]
    matching = sum(1 for c in judged if c.as_expected)
    print(f"{matching} of {len(judged)} checked submissions got their expected verdict", end="")
    print(f"; {len(verification.checks) - len(judged)} not checked")
    if verification.time_limit_ms is not None:
        print(f"time limit derived from the accepted submissions: {verification.time_limit_ms} ms")


def _line(
    as_expected: bool | None, path: str, expected: list[str], got: str | None, time_ms: int, note: str
) -> str:
    state = {True: "ok", False: "DIFFERS", None: "-"}[as_expected]
    line = f"{state:8} {path}: expected {'/'.join(expected) or '?'}, got {got or '-'} ({time_ms} ms)"
    return line + (f"  {note}" if note else "")


def show_verification(args: argparse.Namespace) -> int:
    """`codearena problem verification PID`: the report of an HTTP import's verification
    (codearena.verifications), as the import prints its own; exit 1 when there is none."""
    from codearena import verifications

    def run(core: Core) -> str:
        report = verifications.report(core, args.problem_id)
        return json.dumps(report, indent=2) if args.json else verification_text(report)

    return _with_core(run)


def verification_text(report: dict[str, Any]) -> str:
    """A stored verification report as lines of text."""
    host = f" on {report['host']}" if report["host"] else ""
    lines = [f"problem {report['problem_id']}: verification {report['status']}{host}"]
    for f in report["files"]:
        lines.append(
            _line(f["as_expected"], f["path"], f["expected"], f["got"], f["time_ms"] or 0, f["note"])
        )
    counts = report["counts"]
    lines.append(
        f"{counts['as_expected']} of {counts['judged']} judged submissions got their expected verdict;"
        f" {counts['files'] - counts['judged']} not judged"
    )
    if report["derived_time_limit_ms"] is not None:
        lines.append(
            f"time limit derived from the accepted submissions: {report['derived_time_limit_ms']} ms"
        )
    if report["error"]:
        lines.append(f"error: {report['error']}")
    return "\n".join(lines)


def _store(package: Package, verification: Verification | None) -> int:
    from codearena.core import Core
    from codearena.packages import store_problem

    core = Core.from_settings(_settings())
    try:
        with core.db.transaction() as cur:
            derived = verification.time_limit_ms if verification is not None else None
            problem_id = store_problem(cur, package, derived)
    finally:
        core.close()
    print(f"imported problem {problem_id}: {package.title} ({len(package.tests)} tests)")
    return 0


def export_problem(args: argparse.Namespace) -> int:
    from codearena.core import Core

    core = Core.from_settings(_settings())
    try:
        with core.db.transaction() as cur:
            files = package_files(cur, args.problem_id)
    finally:
        core.close()
    if files is None:
        print(f"codearena: no problem {args.problem_id}", file=sys.stderr)
        return EXIT_REFUSED
    target = Path(args.path)
    _write_zip(target, files) if target.suffix == ".zip" else _write_directory(target, files)
    print(f"exported problem {args.problem_id} to {target} ({len(files)} files)")
    return 0


def _write_directory(target: Path, files: Mapping[str, bytes]) -> None:
    if target.exists() and any(target.iterdir()):
        raise SystemExit(f"codearena: {target} exists and is not empty")
    for name, content in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def _write_zip(target: Path, files: Mapping[str, bytes]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            archive.writestr(f"{target.stem}/{name}", content)
    target.write_bytes(buffer.getvalue())
