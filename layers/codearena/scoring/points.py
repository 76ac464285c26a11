"""Points scoring (IOI-like): best score per problem, summed; ties by wrong attempts, then
the minute of the last score improvement."""

from __future__ import annotations

from collections.abc import Sequence

from codearena.scoring.base import (
    Attempt,
    Cell,
    ContestRules,
    ScoringRule,
    Standing,
    pack_rank_key,
)


class Points(ScoringRule):
    def cell(self, attempts: Sequence[Attempt], rules: ContestRules) -> Cell:
        best, improved_at, wrong, pending = 0.0, None, 0, 0
        for attempt in attempts:
            if attempt.verdict is None:
                pending += 1
                continue
            if attempt.verdict.costs_penalty:
                wrong += 1
            if attempt.score > best:
                best, improved_at = attempt.score, attempt.minute(rules)
        return Cell(
            attempts=wrong,
            pending=pending,
            solved=improved_at is not None and best > 0,
            time_minutes=improved_at,
            score=best,
            penalty_minutes=wrong,
        )

    def total(self, cells: dict[str, Cell]) -> Standing:
        scored = [cell for cell in cells.values() if cell.time_minutes is not None]
        return Standing(
            solved=sum(1 for cell in cells.values() if cell.solved),
            score=round(sum(cell.score for cell in cells.values()), 2),
            penalty=sum(cell.penalty_minutes for cell in cells.values()),
            tiebreak_minute=max((cell.time_minutes or 0 for cell in scored), default=0),
            problems=cells,
        )

    def rank_key(self, standing: Standing) -> float:
        # scores in hundredths are exact up to 90,000 points; wrong attempts below 10^4
        return pack_rank_key(round(standing.score * 100), standing.penalty, 10**4, standing.tiebreak_minute)
