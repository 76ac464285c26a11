"""ICPC pass-fail scoring (CLICS): solved desc, penalty asc, last accepted minute asc.

A judgement is accepted (1) or not (0), with no subtasks; judging stops at the first failed test.
"""

from __future__ import annotations

from collections.abc import Sequence

from codearena.models import Verdict
from codearena.scoring.base import (
    Attempt,
    Cell,
    ContestRules,
    Grade,
    ScoringRule,
    Standing,
    Subtask,
    pack_rank_key,
)


class Icpc(ScoringRule):
    def stops_after(self, verdict: Verdict) -> bool:
        return verdict is not Verdict.AC

    def reduce(self, subtasks: Sequence[Subtask]) -> Grade:
        return Grade(1.0 if all(subtask.all_passed for subtask in subtasks) else 0.0)

    def cell(self, attempts: Sequence[Attempt], rules: ContestRules) -> Cell:
        rejected = pending = 0
        for attempt in attempts:
            if attempt.verdict is None:
                pending += 1
            elif attempt.verdict is Verdict.AC:
                minute = attempt.minute(rules)
                return Cell(
                    attempts=rejected + 1,
                    pending=pending,
                    solved=True,
                    time_minutes=minute,
                    score=1.0,
                    penalty_minutes=minute + rejected * rules.penalty_minutes,
                )
            elif rules.costs_penalty(attempt.verdict):
                rejected += 1
        return Cell(attempts=rejected, pending=pending)

    def total(self, cells: dict[str, Cell]) -> Standing:
        solved = [cell for cell in cells.values() if cell.solved]
        return Standing(
            solved=len(solved),
            score=float(len(solved)),
            penalty=sum(cell.penalty_minutes for cell in solved),
            tiebreak_minute=max((cell.time_minutes or 0 for cell in solved), default=0),
            problems=cells,
        )

    def rank_key(self, standing: Standing) -> float:
        # penalty below 10^7 minutes; exact up to 9,000 solved problems
        return pack_rank_key(standing.solved, standing.penalty, 10**7, standing.tiebreak_minute)
