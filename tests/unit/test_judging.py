"""The judging loop without a sandbox (judge_host/judging.py): the task's scoring rule decides
when to stop and what the tests score, so a new scoring type is one class and the loop is
unchanged. The box is a fake whose "program" echoes its input, or runs out of time on "slow"."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from codearena.judgements import (
    OUTPUT_BUDGET_ACCEPTED_BYTES,
    OUTPUT_KEPT_BYTES,
    CaseOutcome,
    Judgement,
    kept_output,
)
from codearena.models import Verdict
from codearena.scoring import Icpc, Points, ScoringRule, Subtask
from judge_host.judging import CaseData, Task, grade, judge
from sandbox import Box, CompileResult, Limits, RunResult, Status


class EchoBox:
    """Compiles anything but "syntax error"; a run prints its input (TLE on b"slow")."""

    def __init__(self, tmp_path: Path) -> None:
        self.stdout = tmp_path / "stdout"
        self.runs = 0

    def compile(self, language: str, source: str, run_limits: Limits | None = None) -> CompileResult:
        ok = source != "syntax error"
        return CompileResult(ok, "" if ok else "line 1: syntax error", 5)

    def run(self, stdin: bytes, limits: Limits) -> RunResult:
        self.runs += 1
        status = Status.TLE if stdin == b"slow" else Status.OK
        self.stdout.write_bytes(b"" if status is Status.TLE else stdin)
        return RunResult(status, 10 * self.runs, 10, 1000, 0, None, stdin, b"", self.stdout)


def case(ordinal: int, output: bytes, answer: bytes = b"yes", group: str = "", points: int = 0) -> CaseData:
    """A test the echo program passes when `output` (its input) is `answer`."""
    return CaseData(100 + ordinal, ordinal, output, answer, group, points)


def task(rule: ScoringRule, tests: list[CaseData], source: str = "echo", points: int = 100) -> Task:
    return Task(1, "python", source, 1000, 65536, points, rule, tests, judgement=2)


def judged(tmp_path: Path, the_task: Task) -> tuple[Judgement, list[CaseOutcome], int]:
    box = EchoBox(tmp_path)
    heard: list[CaseOutcome] = []
    judgement = judge(cast(Box, box), the_task, "host-1", on_test=heard.append)
    return judgement, heard, box.runs


def test_icpc_stops_at_the_first_failed_test_and_scores_pass_fail(tmp_path: Path) -> None:
    tests = [case(1, b"yes"), case(2, b"no"), case(3, b"yes")]
    judgement, heard, runs = judged(tmp_path, task(Icpc(), tests))
    assert runs == 2 and [o.verdict for o in heard] == [Verdict.AC, Verdict.WA]
    assert (judgement.verdict, judgement.score, judgement.subtasks) == (Verdict.WA, 0.0, {})
    assert judgement.tests == heard and judgement.judgement == 2 and judgement.judge_host == "host-1"
    accepted, _, _ = judged(tmp_path, task(Icpc(), [case(1, b"yes"), case(2, b"yes")]))
    assert (accepted.verdict, accepted.score, accepted.subtasks) == (Verdict.AC, 1.0, {})


def test_points_runs_every_test_and_scores_each_subtask(tmp_path: Path) -> None:
    tests = [
        case(1, b"yes", group="small", points=10),
        case(2, b"yes", group="small", points=10),
        case(3, b"no", group="large", points=40),
        case(4, b"yes", group="large", points=40),
    ]
    judgement, heard, runs = judged(tmp_path, task(Points(), tests))
    assert runs == 4 and len(heard) == 4
    assert judgement.verdict is Verdict.WA  # the first failed test's verdict
    assert (judgement.score, judgement.subtasks) == (20.0, {"small": 20.0, "large": 0.0})


def test_points_without_test_points_is_one_subtask_worth_the_problem(tmp_path: Path) -> None:
    passed, _, _ = judged(tmp_path, task(Points(), [case(1, b"yes"), case(2, b"yes")], points=70))
    assert (passed.verdict, passed.score, passed.subtasks) == (Verdict.AC, 70.0, {"": 70.0})
    failed, _, _ = judged(tmp_path, task(Points(), [case(1, b"yes"), case(2, b"no")], points=70))
    assert (failed.score, failed.subtasks) == (0.0, {"": 0.0})


def test_a_compile_error_runs_nothing(tmp_path: Path) -> None:
    judgement, heard, runs = judged(tmp_path, task(Points(), [case(1, b"yes")], source="syntax error"))
    assert runs == 0 and heard == []
    assert (judgement.verdict, judgement.score, judgement.compile_output) == (
        Verdict.CE,
        0.0,
        "line 1: syntax error",
    )


class PartialCredit(Points):
    """A third scoring type, as a contest might want one: each subtask earns its points in
    proportion to the tests it passed, and judging stops at the first test out of time."""

    def stops_after(self, verdict: Verdict) -> bool:
        return verdict is Verdict.TLE

    def subtask_score(self, subtask: Subtask) -> float:
        return subtask.points * len(subtask.tests & subtask.passed) / len(subtask.tests)


def test_a_new_scoring_type_is_one_class_and_the_loop_is_unchanged(tmp_path: Path) -> None:
    tests = [
        case(1, b"yes", group="a", points=30),
        case(2, b"no", group="a", points=30),
        case(3, b"yes", group="b", points=40),
        case(4, b"slow", group="b", points=0),
        case(5, b"yes", group="b", points=0),
    ]
    judgement, heard, runs = judged(tmp_path, task(PartialCredit(), tests))
    assert runs == 4 and [o.verdict for o in heard] == [Verdict.AC, Verdict.WA, Verdict.AC, Verdict.TLE]
    assert judgement.verdict is Verdict.WA
    # a: 1 of 2 tests → 30 of 60; b: 1 of 3 tests (one not run) → 40 / 3
    assert judgement.subtasks == {"a": 30.0, "b": 40 / 3}
    assert judgement.score == 30.0 + 40 / 3


def test_grading_is_a_stream_of_outcomes_ending_in_the_judgement(tmp_path: Path) -> None:
    events: list[Any] = list(grade(cast(Box, EchoBox(tmp_path)), task(Icpc(), [case(1, b"yes")]), "h"))
    assert [type(event) for event in events] == [CaseOutcome, Judgement]
    assert events[-1].tests == events[:-1]


def test_each_test_keeps_the_first_4_kib_of_the_output(tmp_path: Path) -> None:
    long = b"x" * (OUTPUT_KEPT_BYTES + 10)
    judgement, _, _ = judged(tmp_path, task(Points(), [case(1, b"yes"), case(2, long), case(3, b"slow")]))
    kept = [(o.output, o.output_truncated) for o in judgement.tests]
    assert kept == [("yes", False), ("x" * OUTPUT_KEPT_BYTES, True), ("", False)]


def test_kept_output_is_text_postgresql_takes_and_never_half_a_character() -> None:
    assert kept_output(b"3\n") == ("3\n", False)
    assert kept_output(b"a\x00b\xff\n") == ("a\ufffdb\ufffd\n", False)  # NUL and a byte not UTF-8
    split = b"a" + "é".encode() * (OUTPUT_KEPT_BYTES // 2)  # the last é is cut in half
    assert kept_output(split) == ("a" + "é" * (OUTPUT_KEPT_BYTES // 2 - 1), True)
    assert kept_output(b"\xff" * (OUTPUT_KEPT_BYTES + 1)) == ("\ufffd" * OUTPUT_KEPT_BYTES, True)


def test_a_judgement_keeps_outputs_up_to_its_budget_and_a_failed_tests_past_it(tmp_path: Path) -> None:
    full = b"y" * OUTPUT_KEPT_BYTES  # each accepted test keeps 4 KiB
    accepted = OUTPUT_BUDGET_ACCEPTED_BYTES // OUTPUT_KEPT_BYTES
    tests = [case(n, full, answer=full) for n in range(1, accepted + 3)] + [case(accepted + 3, b"no", b"yes")]
    judgement, _, _ = judged(tmp_path, task(Points(), tests))
    kept = [o.output is not None for o in judgement.tests]
    assert kept == [True] * accepted + [False, False, True]  # the failed one is kept
    assert judgement.tests[-1].output == "no"
