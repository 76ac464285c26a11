"""Importing the test packages (tests/packages/) judges every bundled submission in the real
sandbox to its expected verdict; a validator that does not compile refuses the package."""

from __future__ import annotations

from pathlib import Path

import pytest

from codearena.models import Verdict
from codearena.packages import PackageError, package_files_of, read_package
from codearena.scoring import Icpc
from judge_host.judging import CaseData, Task, judge
from judge_host.verify import verify
from sandbox import Sandbox

PACKAGES = Path(__file__).parents[1] / "packages"


@pytest.mark.parametrize("name", ["groups", "floats", "anycase", "exactcase", "custom", "sleeper", "guess"])
def test_every_bundled_submission_gets_its_expected_verdict(sandbox: Sandbox, name: str) -> None:
    package = read_package(package_files_of(PACKAGES / name), name)
    verification = verify(sandbox, package, sandbox.available_languages())
    report = [(c.path, sorted(c.expected), c.got, c.note) for c in verification.checks]
    assert all(check.as_expected for check in verification.checks), report
    assert len(verification.checks) == len(package.submissions) >= 2
    folders = {check.path.split("/")[1] for check in verification.checks}
    if name == "groups":  # every folder of the format, and scores as the groups give them
        assert folders == {
            "accepted",
            "partially_accepted",
            "wrong_answer",
            "time_limit_exceeded",
            "run_time_error",
        }
        scores = {c.path.rsplit("/", 1)[1]: c.score for c in verification.checks}
        assert scores["sum.py"] == 65 and scores["small_only.py"] == 30 and scores["first.py"] == 0
    if package.time_limit_ms is None:
        assert verification.time_limit_ms == 1000  # the slowest accepted × 5, rounded up to seconds


def test_a_validator_that_does_not_compile_refuses_the_package(sandbox: Sandbox) -> None:
    package = read_package(package_files_of(PACKAGES / "broken" / "validator"), "validator")
    with pytest.raises(PackageError) as refused:
        verify(sandbox, package, sandbox.available_languages())
    assert refused.value.code == "validator_compile_error" and "does not compile" in refused.value.message


def test_a_program_sleeping_past_the_limit_is_tle(sandbox: Sandbox) -> None:
    """9 s of sleep under a 5 s limit: TLE at the wall-clock limit (5 s + 2.5 s), not AC."""
    task = Task(
        1,
        "python",
        "import time\ntime.sleep(9)\nprint(1)\n",
        5000,
        65536,
        100,
        Icpc(),
        (CaseData(1, 1, b"", b"1\n", "main", 0),),
    )
    with sandbox.box() as box:
        judgement = judge(box, task, "test")
    assert judgement.verdict is Verdict.TLE
    assert task.limits.wall_limit_ms == 7500
