"""Judge one submission in a sandbox box: compile once, run the tests, decide the verdict.

Grading is a stream of typed events (`grade`): each test's outcome as it finishes, then the
judgement; `judge` hands the outcomes to a listener (the daemon publishes them as progress)
and returns the judgement. The task's scoring rule decides when to stop and what the results
score, so a new scoring type changes nothing here. A contestant's outcome (CE, WA, TLE…) is a
result; a sandbox failure is a JudgeFault that the daemon turns into JE with the reason stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from codearena.judgements import CaseOutcome, Judgement
from codearena.models import Verdict
from codearena.scoring import ScoringRule
from sandbox import OUTPUT_LIMIT_KB, Box, Limits, RunResult, Status, check_output

_STATUS_VERDICT = {
    Status.TLE: Verdict.TLE,
    Status.MLE: Verdict.MLE,
    Status.RTE: Verdict.RTE,
    Status.OLE: Verdict.OLE,
}


@dataclass(frozen=True)
class CaseData:
    id: int
    ordinal: int
    input: bytes
    answer: bytes
    group: str
    points: int


@dataclass(frozen=True)
class Task:
    """Everything needed to judge a submission, loaded from PostgreSQL."""

    submission_id: int
    language: str
    source: str
    time_limit_ms: int
    memory_limit_kb: int
    points: int
    rule: ScoringRule
    tests: Sequence[CaseData]
    judgement: int = 1
    checker: str = "tokens"  # a sandbox.checkers spec


def judge(box: Box, task: Task, host: str, on_test: Callable[[CaseOutcome], None] | None = None) -> Judgement:
    """Run `task` in `box` (a sandbox box) and return its judgement; `on_test` hears each test."""
    for event in grade(box, task, host):
        if isinstance(event, Judgement):
            return event
        if on_test is not None:
            on_test(event)
    raise AssertionError("grading ended without a judgement")  # grade() always ends with one


def grade(box: Box, task: Task, host: str) -> Iterator[CaseOutcome | Judgement]:
    """Judge `task` in `box`: each test's outcome as it finishes, then (last) the judgement."""
    compiled = box.compile(task.language, task.source)
    if not compiled.ok:
        yield Judgement(
            task.submission_id, Verdict.CE, 0.0, [], compiled.output, host, judgement=task.judgement
        )
        return
    limits = Limits(
        time_limit_ms=task.time_limit_ms,
        memory_limit_kb=task.memory_limit_kb,
        output_limit_kb=OUTPUT_LIMIT_KB,
    )
    outcomes: list[CaseOutcome] = []
    for test in task.tests:
        result = box.run(test.input, limits)
        outcome = CaseOutcome(
            test.id, test.ordinal, _verdict(result, test, task.checker), result.cpu_time_ms, result.memory_kb
        )
        outcomes.append(outcome)
        yield outcome
        if task.rule.stops_after(outcome.verdict):
            break
    yield _judgement(task, host, outcomes)


def _judgement(task: Task, host: str, outcomes: Sequence[CaseOutcome]) -> Judgement:
    """The first failed test's verdict (AC when none failed), scored by the task's rule."""
    overall = next((o.verdict for o in outcomes if o.verdict is not Verdict.AC), Verdict.AC)
    passed = {o.ordinal for o in outcomes if o.verdict is Verdict.AC}
    graded = task.rule.grade(task.tests, passed, task.points)
    return Judgement(
        task.submission_id,
        overall,
        graded.score,
        list(outcomes),
        "",
        host,
        judgement=task.judgement,
        subtasks=graded.subtasks,
    )


def _verdict(result: RunResult, test: CaseData, checker: str) -> Verdict:
    if result.status is not Status.OK:
        return _STATUS_VERDICT[result.status]
    return Verdict.AC if check_output(test.answer, result.stdout_path, checker) else Verdict.WA
