"""A problem package's own submissions judged before it is stored, as problemtools'
verifyproblem does: the report says, per file, the verdicts expected and the one it got.

The output validator is compiled first (a package whose validator does not compile is refused).
Without a time limit in the package, the accepted submissions run first under PROBE_LIMIT_MS
and the limit is the slowest one's CPU time × the package's time multiplier, rounded up to
whole seconds (the legacy format's rule); their results under the probe stand (the limit is
above their times). The others then run under that limit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, replace

from codearena.models import Verdict
from codearena.packages import BundledSubmission, Package, PackageError, validator_entry
from codearena.scoring import Icpc, Points
from judge_host.judging import CaseData, OutputValidator, Task, compile_validator, judge
from sandbox import Backend, Box, ValidatorError

PROBE_LIMIT_MS = 10_000  # what the accepted submissions run under while the limit is derived
MIN_DERIVED_MS, MAX_DERIVED_MS = 1000, 60_000
HOST = "package-verification"


@dataclass(frozen=True)
class SubmissionCheck:
    """How one bundled submission fared. `got` None: not judged (`note` says why)."""

    path: str
    expected: frozenset[Verdict]
    got: Verdict | None
    time_ms: int = 0
    score: float = 0.0
    note: str = ""

    @property
    def as_expected(self) -> bool | None:
        """True/False; None when nothing was expected or it was not judged."""
        if self.got is None or not self.expected:
            return None
        return self.got in self.expected


@dataclass(frozen=True)
class Verification:
    time_limit_ms: int | None  # the derived limit; None when the package gives its own
    checks: tuple[SubmissionCheck, ...]

    @property
    def mismatches(self) -> tuple[SubmissionCheck, ...]:
        return tuple(check for check in self.checks if check.as_expected is False)


def verify(
    sandbox: Backend,
    package: Package,
    languages: Collection[str],
    on_check: Callable[[SubmissionCheck], None] | None = None,
) -> Verification:
    """Judge `package`'s submissions in `sandbox` (two boxes) with the `languages` it runs.
    PackageError when the output validator does not compile."""
    validator = output_validator(package)
    with sandbox.box() as box, sandbox.box() as validator_box:
        if validator is not None:
            _check_validator(validator_box, validator)
        checks: list[SubmissionCheck] = []
        derived = None
        runnable = [s for s in package.submissions if _skip_reason(s, languages) is None]
        if package.time_limit_ms is None:
            probed = [s for s in runnable if s.expected == {Verdict.AC}]
            task = _task(package, PROBE_LIMIT_MS, validator)
            checks += _judge_all(box, validator_box, task, probed, on_check)
            derived = _derived_limit(package, checks)
        limit = package.time_limit_ms or derived or MIN_DERIVED_MS
        done = {check.path for check in checks}
        rest = [s for s in runnable if s.path not in done]
        checks += _judge_all(box, validator_box, _task(package, limit, validator), rest, on_check)
    for submission in package.submissions:
        if (reason := _skip_reason(submission, languages)) is not None:
            skipped = SubmissionCheck(submission.path, submission.expected, None, note=reason)
            checks.append(skipped)
            if on_check is not None:
                on_check(skipped)
    order = {s.path: n for n, s in enumerate(package.submissions)}
    return Verification(derived, tuple(sorted(checks, key=lambda c: order[c.path])))


def output_validator(package: Package) -> OutputValidator | None:
    if package.validator_language is None:
        return None
    language, main, others = validator_entry(package.files)
    return OutputValidator(language, package.files[main], others, package.validator_flags)


def _check_validator(box: Box, validator: OutputValidator) -> None:
    try:
        compile_validator(box, validator)
    except ValidatorError as exc:
        raise PackageError(str(exc), "validator_compile_error") from exc


def _skip_reason(submission: BundledSubmission, languages: Collection[str]) -> str | None:
    if submission.language is None:
        return "not judged: no language of CodeArena reads it (or it is several files)"
    if submission.language not in languages:
        return f"not judged: {submission.language} is not offered on this machine"
    return None


def _task(package: Package, time_limit_ms: int, validator: OutputValidator | None) -> Task:
    tests = tuple(
        CaseData(n, n, t.input.encode(), t.answer.encode(), t.group, t.points)
        for n, t in enumerate(package.tests, start=1)
    )
    return Task(
        submission_id=0,
        language="",
        source="",
        time_limit_ms=time_limit_ms,
        memory_limit_kb=package.memory_limit_kb,
        points=package.points,
        rule=Points() if package.scoring else Icpc(),
        tests=tests,
        checker=package.checker,
        output_limit_kb=package.output_limit_kb,
        validator=validator,
    )


def _judge_all(
    box: Box,
    validator_box: Box,
    task: Task,
    submissions: list[BundledSubmission],
    on_check: Callable[[SubmissionCheck], None] | None,
) -> Iterator[SubmissionCheck]:
    for submission in submissions:
        check = _judge_one(box, validator_box, task, submission)
        if on_check is not None:
            on_check(check)
        yield check


def _judge_one(box: Box, validator_box: Box, task: Task, submission: BundledSubmission) -> SubmissionCheck:
    source = submission.source.decode(errors="replace")
    assert submission.language is not None  # _skip_reason kept the others out
    own = replace(task, language=submission.language, source=source)
    validator = validator_box if task.validator is not None else None
    try:
        judgement = judge(box, own, HOST, validator_box=validator)
    except ValidatorError as exc:
        return SubmissionCheck(submission.path, submission.expected, Verdict.JE, note=str(exc)[:300])
    note = judgement.compile_output.strip().splitlines()[0][:200] if judgement.verdict is Verdict.CE else ""
    return SubmissionCheck(
        submission.path,
        submission.expected,
        judgement.verdict,
        judgement.max_time_ms,
        judgement.score,
        note,
    )


def _derived_limit(package: Package, probed: list[SubmissionCheck]) -> int | None:
    times = [check.time_ms for check in probed if check.got is Verdict.AC]
    if not times:
        return None
    seconds = math.ceil(max(times) * package.time_multiplier / 1000)
    return min(max(seconds * 1000, MIN_DERIVED_MS), MAX_DERIVED_MS)
