"""Judge one submission in a sandbox box: compile once, run the tests, decide the verdict.

A contestant's outcome (CE, WA, TLE…) is a result; a sandbox failure is a JudgeFault that
the daemon turns into JE with the reason stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from codearena.models import ScoringType, Verdict
from codearena.standings import CaseOutcome, Judgement
from sandbox import Box, Limits, RunResult, Status, check_output

OUTPUT_LIMIT_KB = 64 * 1024
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
    scoring: ScoringType
    tests: Sequence[CaseData]
    judgement: int = 1
    checker: str = "tokens"  # a sandbox.checkers spec


def judge(box: Box, task: Task, host: str, on_test: Callable[[CaseOutcome], None] | None = None) -> Judgement:
    """Run `task` in `box` (a sandbox box) and return its judgement; `on_test` hears each test."""
    compiled = box.compile(task.language, task.source)
    if not compiled.ok:
        return Judgement(
            task.submission_id, Verdict.CE, 0.0, [], compiled.output, host, judgement=task.judgement
        )
    limits = Limits(
        time_limit_ms=task.time_limit_ms,
        memory_limit_kb=task.memory_limit_kb,
        output_limit_kb=OUTPUT_LIMIT_KB,
    )
    stop_at_first_failure = task.scoring is ScoringType.ICPC
    outcomes: list[CaseOutcome] = []
    for test in task.tests:
        result = box.run(test.input, limits)
        verdict = _verdict(result, test, task.checker)
        outcome = CaseOutcome(test.id, test.ordinal, verdict, result.cpu_time_ms, result.memory_kb)
        outcomes.append(outcome)
        if on_test is not None:
            on_test(outcome)
        if verdict is not Verdict.AC and stop_at_first_failure:
            break
    overall = next((o.verdict for o in outcomes if o.verdict is not Verdict.AC), Verdict.AC)
    subtasks = subtask_scores(task, outcomes)
    return Judgement(
        task.submission_id,
        overall,
        score(task, outcomes),
        outcomes,
        "",
        host,
        judgement=task.judgement,
        subtasks=subtasks,
    )


def _verdict(result: RunResult, test: CaseData, checker: str) -> Verdict:
    if result.status is not Status.OK:
        return _STATUS_VERDICT[result.status]
    return Verdict.AC if check_output(test.answer, result.stdout_path, checker) else Verdict.WA


def score(task: Task, outcomes: Sequence[CaseOutcome]) -> float:
    """ICPC: 1 for accepted. Points: the sum of the subtask scores."""
    if task.scoring is ScoringType.ICPC:
        passed = {o.ordinal for o in outcomes if o.verdict is Verdict.AC}
        return 1.0 if len(passed) == len(task.tests) else 0.0
    return float(sum(subtask_scores(task, outcomes).values()))


def subtask_scores(task: Task, outcomes: Sequence[CaseOutcome]) -> dict[str, float]:
    """Points rule: each test group (subtask) earns its tests' points when all of them pass;
    without per-test points the problem is one subtask worth its points. ICPC: none."""
    if task.scoring is ScoringType.ICPC:
        return {}
    passed = {o.ordinal for o in outcomes if o.verdict is Verdict.AC}
    if not any(test.points for test in task.tests):
        return {"": float(task.points) if len(passed) == len(task.tests) else 0.0}
    groups: dict[str, list[CaseData]] = {}
    for test in task.tests:
        groups.setdefault(test.group, []).append(test)
    return {
        group: float(sum(t.points for t in tests)) if all(t.ordinal in passed for t in tests) else 0.0
        for group, tests in groups.items()
    }
