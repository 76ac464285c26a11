"""The shared shape of every scoring type."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from codearena.models import Verdict

MINUTE_LIMIT = 10**5  # contest minutes (69 days) kept exact in rank keys


@dataclass(frozen=True)
class ContestRules:
    start_at: datetime
    penalty_minutes: int = 20


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
        data = asdict(self)
        del data["penalty_minutes"]
        return data


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


class ScoringRule(ABC):
    """A scoring type: how one problem's attempts reduce to a cell, and how rows rank."""

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
