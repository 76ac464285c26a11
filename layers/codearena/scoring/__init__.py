"""Scoring types: pure functions from test results to a judgement's grade, and from a
contestant's attempts to their standing.

One small class per type over `ScoringRule` (like CMS's score types). Nothing here does
I/O; the judge host feeds test results and attempts read from PostgreSQL and stores what
comes out.
"""

from __future__ import annotations

from codearena.models import ScoringType
from codearena.scoring.base import (
    Attempt,
    Cell,
    ContestRules,
    Grade,
    GradedTest,
    ScoringRule,
    Standing,
    Subtask,
    subtasks_of,
    visible,
)
from codearena.scoring.icpc import Icpc
from codearena.scoring.points import Points

__all__ = [
    "Attempt",
    "Cell",
    "ContestRules",
    "Grade",
    "GradedTest",
    "Icpc",
    "Points",
    "ScoringRule",
    "Standing",
    "Subtask",
    "rule_for",
    "subtasks_of",
    "visible",
]

_RULES: dict[ScoringType, ScoringRule] = {ScoringType.ICPC: Icpc(), ScoringType.POINTS: Points()}


def rule_for(scoring: str) -> ScoringRule:
    return _RULES[ScoringType(scoring)]
