"""Judge one submission in a sandbox box: compile once, run the tests, decide the verdict.

Grading is a stream of typed events (`grade`): each test's outcome as it finishes, then the
judgement; `judge` hands the outcomes to a listener (the daemon publishes them as progress)
and returns the judgement. The task's scoring rule decides when to stop and what the results
score, so a new scoring type changes nothing here. A contestant's outcome (CE, WA, TLE…) is a
result; a sandbox failure is a JudgeFault that the daemon turns into JE with the reason stored.

Time: the limit is on CPU time, and a run is also stopped at `wall_limit_ms` (the limit plus
WALL_MARGIN, at least WALL_MARGIN_MIN_MS): a program that waits (sleeps, blocks on input it
never gets) is TLE too, while a busy host's scheduling delays stay within the margin.

Multi-pass problems (the Kattis format's `type: multi-pass`): a test runs pass after pass,
each a fresh run of the program on the input the output validator (or interactor) wrote as
`nextpass.in` when it accepted the pass before, until it accepts without one, rejects, or
the problem's `validation_passes` are used up (a judge error, as in problemtools). The
outcome is the last pass's verdict with the most costly pass's time and memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
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
from sandbox import (
    OUTPUT_LIMIT_KB,
    Box,
    Limits,
    RunResult,
    Status,
    ValidatorError,
    check_output,
    next_pass_of,
    validate,
)
from sandbox.interactive import TRANSCRIPT_CHARS, interact

INTERACTIVE = "interactive"  # the checker of an interactive problem
VALIDATOR = "validator"  # the checker of a problem with its own output validator
MULTI_PASS = "multi-pass:"  # then the most passes: "multi-pass:N", "interactive,multi-pass:N"
PASS_SEPARATOR = "\n---\n"  # between the passes' transcripts (problemtools' sample files too)
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
    # is the interactor the program talks to (sandbox.interactive); either of the two over
    # several passes: "multi-pass:N", "interactive,multi-pass:N" (`validation_kind`)
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
    compiled = box.compile(task.language, task.source, run_limits=task.limits)
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
PassRunner = Callable[[CaseData, bytes, bool], "Pass"]  # one pass on an input; True: the first


@dataclass(frozen=True)
class Pass:
    """One pass of a test: its verdict, and the next pass's input when the validator asked."""

    verdict: Verdict
    result: RunResult
    next_input: bytes | None = None
    transcript: str = ""


def validation_kind(checker: str) -> tuple[str, int]:
    """(`validator`, `interactive` or the built-in spec, passes) of a problem's checker:
    "multi-pass:N" is a validator's N passes, "interactive,multi-pass:N" an interactor's."""
    kind, _, passes = checker.partition(MULTI_PASS)
    if not passes:
        return checker, 1
    return (kind.rstrip(",") or VALIDATOR), int(passes)


def _tester(box: Box, task: Task, validator_box: Box | None) -> Tester:
    limits = task.limits
    kind, passes = validation_kind(task.checker)
    budget = _OutputBudget()
    if kind not in (INTERACTIVE, VALIDATOR) and task.validator is None:

        def run(test: CaseData) -> CaseOutcome:
            result = box.run(test.input, limits)
            verdict = _verdict(result, test, lambda t, r: check_output(t.answer, r.stdout_path, task.checker))
            output, cut = budget.kept(verdict, result)
            return CaseOutcome(
                test.id, test.ordinal, verdict, result.cpu_time_ms, result.memory_kb, "", output, cut
            )

        return run
    validator = _validator_box(task, validator_box)
    flags = task.validator.flags if task.validator else ()
    runner = _interactive_pass if kind == INTERACTIVE else _validated_pass
    run_pass = runner(box, validator, limits, flags, passes > 1)
    keeping = None if kind == INTERACTIVE else budget  # an interaction keeps its transcript
    return lambda test: _passes(test, run_pass, passes, keeping)


def _passes(test: CaseData, run_pass: PassRunner, passes: int, budget: _OutputBudget | None) -> CaseOutcome:
    """Run `test` pass after pass while the validator asks for one (at most `passes`); the
    outcome's time and memory are its most costly pass's, its transcript every pass's, its
    output the last pass's (kept within `budget`; None: not kept)."""
    data, done = test.input, []
    for number in range(passes):
        done.append(run_pass(test, data, number == 0))
        last = done[-1]
        if last.next_input is None:
            transcripts = [p.transcript for p in done]
            transcript = PASS_SEPARATOR.join(transcripts)[:TRANSCRIPT_CHARS] if any(transcripts) else ""
            cpu_ms = max(p.result.cpu_time_ms for p in done)
            memory_kb = max(p.result.memory_kb for p in done)
            output, cut = budget.kept(last.verdict, last.result) if budget else (None, False)
            return CaseOutcome(
                test.id, test.ordinal, last.verdict, cpu_ms, memory_kb, transcript, output, cut
            )
        data = last.next_input
    raise ValidatorError(f"the output validator gave no verdict within {passes} passes")


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

    def kept(self, verdict: Verdict, result: RunResult) -> tuple[str | None, bool]:
        """What is kept of the run's output, and whether it was cut."""
        output, cut = kept_output(_head(result.stdout_path))
        kept = output if self.take(verdict is Verdict.AC, len(output.encode())) else None
        return kept, cut and kept is not None


def _head(stdout_path: Path) -> bytes:
    """The first OUTPUT_KEPT_BYTES + 1 bytes the program wrote (+1 tells whether there were more);
    read before the box's next run replaces the file."""
    try:
        with open(stdout_path, "rb") as output:
            return output.read(OUTPUT_KEPT_BYTES + 1)
    except FileNotFoundError:  # a run that never started writing (killed before exec)
        return b""


def _validated_pass(
    box: Box, validator: Box, limits: Limits, flags: Sequence[str], multi: bool
) -> PassRunner:
    def run_pass(test: CaseData, data: bytes, first: bool) -> Pass:
        result = box.run(data, limits)
        if result.status is not Status.OK:
            return Pass(_STATUS_VERDICT[result.status], result)
        answer = validate(validator, data, test.answer, result.stdout_path, flags=flags, fresh_feedback=first)
        return _validated(answer.accepted, result, validator, multi)

    return run_pass


def _interactive_pass(
    box: Box, interactor: Box, limits: Limits, flags: Sequence[str], multi: bool
) -> PassRunner:
    def run_pass(test: CaseData, data: bytes, first: bool) -> Pass:
        interaction = interact(box, interactor, data, test.answer, limits, flags=flags, fresh_feedback=first)
        if not interaction.interactor_decides:
            return Pass(
                _STATUS_VERDICT[interaction.result.status], interaction.result, None, interaction.transcript
            )
        done = _validated(interaction.accepted, interaction.result, interactor, multi)
        return replace(done, transcript=interaction.transcript)

    return run_pass


def _validated(accepted: bool, result: RunResult, validator: Box, multi: bool) -> Pass:
    """A pass the validator judged; on a multi-pass problem its nextpass.in is the next input
    (asking for a pass while rejecting is a judge error, as in problemtools)."""
    next_input = next_pass_of(validator) if multi else None
    if next_input is not None and not accepted:
        raise ValidatorError("the output validator rejected and wrote nextpass.in")
    return Pass(Verdict.AC if accepted else Verdict.WA, result, next_input)


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
