"""Points scoring (IOI-like): per problem the best score over submissions, taken per subtask
(test group) when the judgements carry subtask scores; total = sum. Ties by wrong attempts,
then the minute of the last score improvement. A judgement earns a subtask's points when all of
its tests pass (the base rule's grading)."""

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
        best: dict[str, float] = {}
        total, improved_at, wrong, pending = 0.0, None, 0, 0
        for attempt in attempts:
            if attempt.verdict is None:
                pending += 1
                continue
            if rules.costs_penalty(attempt.verdict):
                wrong += 1
            for subtask, points in _subtasks(attempt).items():
                best[subtask] = max(best.get(subtask, 0.0), points)
            if round(sum(best.values()), 2) > total:
                total, improved_at = round(sum(best.values()), 2), attempt.minute(rules)
        return Cell(
            attempts=wrong,
            pending=pending,
            solved=improved_at is not None and total > 0,
            time_minutes=improved_at,
            score=total,
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


def _subtasks(attempt: Attempt) -> dict[str, float]:
    """Points per subtask; a judgement without subtasks is one subtask worth its score."""
    return attempt.subtasks or {"": attempt.score}
