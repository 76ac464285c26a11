"""Judge one submission in a sandbox box: compile once, run the tests, decide the verdict.

Grading is a stream of typed events (`grade`): each test's outcome as it finishes, then the
judgement; `judge` hands the outcomes to a listener (the daemon publishes them as progress)
and returns the judgement. The task's scoring rule decides when to stop and what the results
score, so a new scoring type changes nothing here. A contestant's outcome (CE, WA, TLE…) is a
result; a sandbox failure is a JudgeFault that the daemon turns into JE with the reason stored.

Time: the limit is on CPU time, and a run is also stopped at `wall_limit_ms` (the limit plus
WALL_MARGIN, at least WALL_MARGIN_MIN_MS): a program that waits (sleeps, blocks on input it
never gets) is TLE too, while a busy host's scheduling delays stay within the margin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codearena.judgements import (
    OUTPUT_BUDGET_ACCEPTED_BYTES,
    OUTPUT_BUDGET_REJECTED_BYTES,
    OUTPUT_KEPT_BYTES,
    CaseOutcome,
    Judgement,
    kept_output,
)
from codearena.models import Verdict
from codearena.scoring import ScoringRule
from sandbox import OUTPUT_LIMIT_KB, Box, Limits, RunResult, Status, ValidatorError, check_output, validate
from sandbox.interactive import Interaction, interact

INTERACTIVE = "interactive"  # the checker of an interactive problem
WALL_MARGIN = 0.5  # of the time limit, on top of it, for the wall-clock limit
WALL_MARGIN_MIN_MS = 1000

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
class OutputValidator:
    """A problem's own output validator (Kattis convention): `source` is compiled as
    `language`, with `files` (its headers, say) next to it."""

    language: str
    source: bytes
    files: Mapping[str, bytes] = field(default_factory=dict, hash=False)
    flags: tuple[str, ...] = ()  # given after the feedback directory


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
    # a sandbox.checkers spec, or "validator": `validator` decides, or "interactive": `validator`
    # is the interactor the program talks to (sandbox.interactive)
    checker: str = "tokens"
    output_limit_kb: int = OUTPUT_LIMIT_KB
    validator: OutputValidator | None = None
    contest_id: int | None = None  # None: not a contest's submission (a package's, on import)

    @property
    def limits(self) -> Limits:
        """The limits of one run (see the module docstring for the wall-clock limit)."""
        margin_ms = max(int(self.time_limit_ms * WALL_MARGIN), WALL_MARGIN_MIN_MS)
        return Limits(
            time_limit_ms=self.time_limit_ms,
            memory_limit_kb=self.memory_limit_kb,
            output_limit_kb=self.output_limit_kb,
            wall_time_limit_ms=self.time_limit_ms + margin_ms,
        )


def judge(
    box: Box,
    task: Task,
    host: str,
    on_test: Callable[[CaseOutcome], None] | None = None,
    validator_box: Box | None = None,
) -> Judgement:
    """Run `task` in `box` (a sandbox box) and return its judgement; `on_test` hears each test.
    A task with an output validator needs `validator_box` to run it in."""
    for event in grade(box, task, host, validator_box):
        if isinstance(event, Judgement):
            return event
        if on_test is not None:
            on_test(event)
    raise AssertionError("grading ended without a judgement")  # grade() always ends with one


def grade(
    box: Box, task: Task, host: str, validator_box: Box | None = None
) -> Iterator[CaseOutcome | Judgement]:
    """Judge `task` in `box`: each test's outcome as it finishes, then (last) the judgement.
    Raises ValidatorError (a judge fault) when the output validator does not compile or answer."""
    compiled = box.compile(task.language, task.source)
    if not compiled.ok:
        yield Judgement(
            task.submission_id, Verdict.CE, 0.0, [], compiled.output, host, judgement=task.judgement
        )
        return
    run_test = _tester(box, task, validator_box)
    outcomes: list[CaseOutcome] = []
    for test in task.tests:
        outcome = run_test(test)
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


Check = Callable[[CaseData, RunResult], bool]  # whether a run's output is accepted
Tester = Callable[[CaseData], CaseOutcome]  # runs one test


def _tester(box: Box, task: Task, validator_box: Box | None) -> Tester:
    limits = task.limits
    if task.checker == INTERACTIVE:
        interactor = _validator_box(task, validator_box)
        flags = task.validator.flags if task.validator else ()

        def run_interactive(test: CaseData) -> CaseOutcome:
            interaction = interact(box, interactor, test.input, test.answer, limits, flags=flags)
            result = interaction.result
            verdict = _interactive_verdict(interaction)
            return CaseOutcome(
                test.id, test.ordinal, verdict, result.cpu_time_ms, result.memory_kb, interaction.transcript
            )

        return run_interactive
    check = _checker(task, validator_box)
    budget = _OutputBudget()

    def run(test: CaseData) -> CaseOutcome:
        result = box.run(test.input, limits)
        verdict = _verdict(result, test, check)
        output, cut = kept_output(_head(result.stdout_path))
        kept = output if budget.take(verdict is Verdict.AC, len(output.encode())) else None
        return CaseOutcome(
            test.id,
            test.ordinal,
            verdict,
            result.cpu_time_ms,
            result.memory_kb,
            "",
            kept,
            cut and kept is not None,
        )

    return run


class _OutputBudget:
    """What one judgement may keep of its tests' outputs (judgements.OUTPUT_BUDGET_*): a test
    past its kind's budget keeps none (`output` None: "not kept")."""

    def __init__(self) -> None:
        self.left = {True: OUTPUT_BUDGET_ACCEPTED_BYTES, False: OUTPUT_BUDGET_REJECTED_BYTES}

    def take(self, accepted: bool, size: int) -> bool:
        if size > self.left[accepted]:
            self.left[accepted] = 0  # in test order: no later, shorter output fills the gap
            return False
        self.left[accepted] -= size
        return True


def _head(stdout_path: Path) -> bytes:
    """The first OUTPUT_KEPT_BYTES + 1 bytes the program wrote (+1 tells whether there were more);
    read before the box's next run replaces the file."""
    try:
        with open(stdout_path, "rb") as output:
            return output.read(OUTPUT_KEPT_BYTES + 1)
    except FileNotFoundError:  # a run that never started writing (killed before exec)
        return b""


def _interactive_verdict(interaction: Interaction) -> Verdict:
    """The interactor's answer, or the program's limit or crash (sandbox.interactive's rules)."""
    if interaction.interactor_decides:
        return Verdict.AC if interaction.accepted else Verdict.WA
    return _STATUS_VERDICT[interaction.result.status]


def _checker(task: Task, validator_box: Box | None) -> Check:
    if task.validator is None:
        return lambda test, result: check_output(test.answer, result.stdout_path, task.checker)
    validator = task.validator
    compiled = _validator_box(task, validator_box)

    def check(test: CaseData, result: RunResult) -> bool:
        return validate(compiled, test.input, test.answer, result.stdout_path, flags=validator.flags).accepted

    return check


def _validator_box(task: Task, validator_box: Box | None) -> Box:
    """`validator_box` with the task's validator (or interactor) compiled in it."""
    if task.validator is None or validator_box is None:
        raise ValueError(f"submission {task.submission_id}: {task.checker} needs a validator and its box")
    return compile_validator(validator_box, task.validator)


def compile_validator(box: Box, validator: OutputValidator) -> Box:
    """Compile `validator` in `box` and return it; ValidatorError when it does not compile."""
    compiled = box.compile(validator.language, validator.source, files=validator.files)
    if not compiled.ok:
        raise ValidatorError(f"the output validator does not compile: {compiled.output[:2000]}")
    return box


def _verdict(result: RunResult, test: CaseData, check: Check) -> Verdict:
    if result.status is not Status.OK:
        return _STATUS_VERDICT[result.status]
    return Verdict.AC if check(test, result) else Verdict.WA
