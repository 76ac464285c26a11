"""Scoring types: pure functions from a contestant's attempts to their standing.

One small class per type over `ScoringRule` (like CMS's score types). Nothing here does
I/O; the judge host feeds attempts read from PostgreSQL and stores what comes out.
"""

from __future__ import annotations

from codearena.models import ScoringType
from codearena.scoring.base import Attempt, Cell, ContestRules, ScoringRule, Standing, visible
from codearena.scoring.icpc import Icpc
from codearena.scoring.points import Points

__all__ = [
    "Attempt",
    "Cell",
    "ContestRules",
    "Icpc",
    "Points",
    "ScoringRule",
    "Standing",
    "rule_for",
    "visible",
]

_RULES: dict[ScoringType, ScoringRule] = {ScoringType.ICPC: Icpc(), ScoringType.POINTS: Points()}


def rule_for(scoring: str) -> ScoringRule:
    return _RULES[ScoringType(scoring)]
