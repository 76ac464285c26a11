"""The shared shape of every scoring type: standings from attempts, grades from test results.

`ScoringRule` does the bookkeeping once (attempts grouped by problem; tests grouped into
subtasks), as CMS's ScoreTypeGroup does; a concrete type overrides its reductions: a problem's
attempts to a cell, the cells to a standing, a subtask's test results to its points, and
whether the judge may stop after a failed test.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from codearena.models import PENALTY_VERDICTS, Verdict

MINUTE_LIMIT = 10**5  # contest minutes (69 days) kept exact in rank keys


@dataclass(frozen=True)
class ContestRules:
    """A contest's judgement rules: its start, the penalty per rejected attempt in minutes,
    and which verdicts count as such an attempt."""

    start_at: datetime
    penalty_minutes: int = 20
    penalty_verdicts: frozenset[Verdict] = PENALTY_VERDICTS

    def costs_penalty(self, verdict: Verdict) -> bool:
        return verdict in self.penalty_verdicts


@dataclass(frozen=True)
class Attempt:
    """One submission as scoring sees it. `verdict` None means not judged yet (pending).
    `subtasks` maps a test group to the points this submission earned in it (points rule)."""

    submission_id: int
    problem: str
    submitted_at: datetime
    verdict: Verdict | None
    score: float = 0.0
    subtasks: dict[str, float] = field(default_factory=dict)

    def minute(self, rules: ContestRules) -> int:
        """Contest time in whole minutes, rounded down."""
        return max(0, int((self.submitted_at - rules.start_at).total_seconds() // 60))


@dataclass(frozen=True)
class Cell:
    attempts: int = 0
    pending: int = 0
    solved: bool = False
    time_minutes: int | None = None
    score: float = 0.0
    penalty_minutes: int = 0

    def to_json(self) -> dict[str, Any]:
        """The cell as boards show it (the penalty is the standing's total)."""
        return {
            "attempts": self.attempts,
            "pending": self.pending,
            "solved": self.solved,
            "time_minutes": self.time_minutes,
            "score": self.score,
        }


@dataclass(frozen=True)
class Standing:
    solved: int = 0
    score: float = 0.0
    penalty: int = 0
    tiebreak_minute: int = 0
    problems: dict[str, Cell] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "solved": self.solved,
            "score": self.score,
            "penalty": self.penalty,
            "tiebreak_minute": self.tiebreak_minute,
            "problems": {label: cell.to_json() for label, cell in sorted(self.problems.items())},
        }


class GradedTest(Protocol):
    """A test case as grading sees it (the judge host's test data has these and more)."""

    @property
    def ordinal(self) -> int: ...

    @property
    def group(self) -> str: ...

    @property
    def points(self) -> int: ...


@dataclass(frozen=True)
class Subtask:
    """A test group of one problem and how its tests went: `tests` and `passed` are ordinals
    (a test the judge did not run has not passed)."""

    name: str
    points: float
    tests: frozenset[int]
    passed: frozenset[int]

    @property
    def all_passed(self) -> bool:
        return self.tests <= self.passed


@dataclass(frozen=True)
class Grade:
    """What one judgement scores: its points, and the points of each subtask (stored so that
    the points rule can take the best per subtask over submissions)."""

    score: float
    subtasks: dict[str, float] = field(default_factory=dict)


def subtasks_of(tests: Sequence[GradedTest], passed: Collection[int], problem_points: int) -> list[Subtask]:
    """The problem's tests grouped into subtasks, each worth its tests' points; a problem
    without per-test points is one subtask "" worth `problem_points`."""
    ok = frozenset(passed)
    if not any(test.points for test in tests):
        return [Subtask("", float(problem_points), frozenset(t.ordinal for t in tests), ok)]
    groups: dict[str, list[GradedTest]] = {}
    for test in tests:
        groups.setdefault(test.group, []).append(test)
    return [
        Subtask(name, float(sum(t.points for t in members)), frozenset(t.ordinal for t in members), ok)
        for name, members in groups.items()
    ]


class ScoringRule(ABC):
    """A scoring type: how one problem's attempts reduce to a cell, how rows rank, and how
    one judgement's test results reduce to its grade."""

    def stops_after(self, verdict: Verdict) -> bool:
        """Whether the judge may skip the remaining tests after one ending in `verdict`."""
        return False

    def grade(self, tests: Sequence[GradedTest], passed: Collection[int], problem_points: int) -> Grade:
        """A judgement's grade from the ordinals of the tests that passed."""
        return self.reduce(subtasks_of(tests, passed, problem_points))

    def reduce(self, subtasks: Sequence[Subtask]) -> Grade:
        """The subtasks' points and their sum."""
        scores = {subtask.name: self.subtask_score(subtask) for subtask in subtasks}
        return Grade(float(sum(scores.values())), scores)

    def subtask_score(self, subtask: Subtask) -> float:
        """A subtask's points: all of them when every test passed, else none."""
        return subtask.points if subtask.all_passed else 0.0

    def standing(self, attempts: Iterable[Attempt], rules: ContestRules) -> Standing:
        by_problem: dict[str, list[Attempt]] = {}
        for attempt in sorted(attempts, key=lambda a: (a.submitted_at, a.submission_id)):
            by_problem.setdefault(attempt.problem, []).append(attempt)
        cells = {label: self.cell(items, rules) for label, items in by_problem.items()}
        return self.total(cells)

    @abstractmethod
    def cell(self, attempts: Sequence[Attempt], rules: ContestRules) -> Cell:
        """Reduce one problem's attempts, in submission order, to its cell."""

    @abstractmethod
    def total(self, cells: dict[str, Cell]) -> Standing:
        """Sum the cells into a standing."""

    @abstractmethod
    def rank_key(self, standing: Standing) -> float:
        """A number where lower ranks better; equal numbers share a rank."""


def visible(attempts: Iterable[Attempt], freeze_at: datetime | None) -> list[Attempt]:
    """The attempts as the public sees them: verdicts from the freeze on are hidden (pending)."""
    if freeze_at is None:
        return list(attempts)
    return [
        a if a.submitted_at < freeze_at else replace(a, verdict=None, score=0.0, subtasks={})
        for a in attempts
    ]


def pack_rank_key(better: int, worse: int, worse_limit: int, minute: int) -> float:
    """One double ordering rows (lower ranks better): more `better` first, then less `worse`,
    then an earlier `minute`. Exact while better·worse_limit·MINUTE_LIMIT < 2^53."""
    worse = min(max(worse, 0), worse_limit - 1)
    minute = min(max(minute, 0), MINUTE_LIMIT - 1)
    return float((-better * worse_limit + worse) * MINUTE_LIMIT + minute)
