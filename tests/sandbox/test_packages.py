"""Importing the test packages (tests/packages/) judges every bundled submission in the real
sandbox to its expected verdict; a validator that does not compile refuses the package."""

from __future__ import annotations

from pathlib import Path

import pytest

from codearena.models import Verdict
from codearena.packages import PackageError, package_files_of, read_package
from codearena.scoring import Icpc
from judge_host.judging import CaseData, OutputValidator, Task, judge
from judge_host.verify import verify
from sandbox import Sandbox, ValidatorError

PACKAGES = Path(__file__).parents[1] / "packages"


@pytest.mark.parametrize(
    "name", ["groups", "floats", "anycase", "exactcase", "custom", "sleeper", "guess", "multipass"]
)
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


# A validator that keeps its state in the feedback directory (it lives on from pass to pass):
# it asks for a pass while fewer than 3 ran, then accepts.
COUNTING_VALIDATOR = b"""
import os, sys
state = sys.argv[3] + "count"
count = int(open(state).read()) + 1 if os.path.exists(state) else 1
open(state, "w").write(str(count))
if count < 3:
    open(sys.argv[3] + "nextpass.in", "w").write(f"pass {count + 1}\\n")
sys.exit(42)
"""
# Asks for another pass while rejecting: a judge error (problemtools' rule).
REJECTING_VALIDATOR = b"""
import sys
open(sys.argv[3] + "nextpass.in", "w").write("again\\n")
sys.exit(43)
"""
# Pass 1 sends "double N" and wants 2N, then asks for a pass with 2N; pass 2 sends "inc M"
# and wants M + 1.
PASSING_INTERACTOR = b"""
import sys
word, number = open(sys.argv[1]).read().split()
number = int(number)
print("double" if word == "start" else "inc", number, flush=True)
got = int(sys.stdin.readline())
if word == "start" and got == 2 * number:
    open(sys.argv[3] + "nextpass.in", "w").write(f"next {got}\\n")
    sys.exit(42)
sys.exit(42 if word == "next" and got == number + 1 else 43)
"""
INTERACTING = "word, n = input().split()\nprint(2 * int(n) if word == 'double' else int(n) + 1, flush=True)\n"


def _multi_pass_task(checker: str, validator: bytes, source: str = "print(input())\n") -> Task:
    return Task(
        1,
        "python",
        source,
        1000,
        65536,
        100,
        Icpc(),
        (CaseData(1, 1, b"start 5\n", b"", "secret", 0),),
        checker=checker,
        validator=OutputValidator("python", validator),
    )


def test_the_feedback_directory_lives_on_from_pass_to_pass(sandbox: Sandbox) -> None:
    with sandbox.box() as box, sandbox.box() as validator_box:
        accepted = judge(
            box, _multi_pass_task("multi-pass:3", COUNTING_VALIDATOR), "test", validator_box=validator_box
        )
        assert accepted.verdict is Verdict.AC
        with pytest.raises(ValidatorError, match="no verdict within 2 passes"):
            judge(
                box, _multi_pass_task("multi-pass:2", COUNTING_VALIDATOR), "test", validator_box=validator_box
            )


def test_a_validator_rejecting_with_a_next_pass_is_a_judge_error(sandbox: Sandbox) -> None:
    with sandbox.box() as box, sandbox.box() as validator_box:
        with pytest.raises(ValidatorError, match="rejected and wrote nextpass.in"):
            judge(
                box,
                _multi_pass_task("multi-pass:2", REJECTING_VALIDATOR),
                "test",
                validator_box=validator_box,
            )


@pytest.mark.parametrize(
    ("source", "verdict"), [(INTERACTING, Verdict.AC), ("print(10)\nprint(10)\n", Verdict.WA)]
)
def test_an_interactive_multi_pass_problem(sandbox: Sandbox, source: str, verdict: Verdict) -> None:
    """Pass 2's exchange depends on what the program answered in pass 1; both transcripts kept."""
    task = _multi_pass_task("interactive,multi-pass:2", PASSING_INTERACTOR, source)
    with sandbox.box() as box, sandbox.box() as validator_box:
        judgement = judge(box, task, "test", validator_box=validator_box)
    assert judgement.verdict is verdict
    if verdict is Verdict.AC:
        assert (
            judgement.tests[0].transcript
            == "interactor> double 5\nprogram> 10\n---\ninteractor> inc 10\nprogram> 11"
        )
