"""The verdict rules of an interactive test (sandbox.interactive's docstring), without a sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import RunResult, Status
from sandbox.interactive import Interaction


def _run(status: Status, exit_code: int | None = 0) -> RunResult:
    return RunResult(status, 10, 20, 1000, exit_code, None, b"", b"", Path("/dev/null"))


@pytest.mark.parametrize(
    ("submission", "accepted", "rejected_first", "decides"),
    [
        (Status.OK, True, False, True),  # 42 and a clean exit: AC
        (Status.OK, False, False, True),  # 43 after the submission ended: WA
        (Status.RTE, False, True, True),  # rejected first, then it crashed on EOF: WA
        (Status.TLE, False, True, True),  # rejected first, then it spun: WA
        (Status.TLE, False, False, False),  # it never answered; 43 came after: TLE
        (Status.RTE, True, False, False),  # accepted, but the submission crashed: RTE
        (Status.MLE, False, False, False),
    ],
)
def test_who_decides_the_verdict(
    submission: Status, accepted: bool, rejected_first: bool, decides: bool
) -> None:
    interaction = Interaction(
        _run(submission), _run(Status.RTE, 42 if accepted else 43), accepted, rejected_first, "", ""
    )
    assert interaction.interactor_decides is decides
