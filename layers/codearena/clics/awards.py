"""The awards of the CLICS Contest API's `awards` endpoint, by its known award ids, computed
from a scoreboard (the CLICS rows `objects.scoreboard` gives) without I/O:

- `winner`: the team(s) ranked first, empty while no team has scored;
- `gold-medal`, `silver-medal`, `bronze-medal` for a contest that gives them: a team that has
  scored is placed for gold when its rank is at most the gold count, for silver when at most
  gold + silver, for bronze when at most gold + silver + bronze. Ranks are shared by tied
  teams, so a tie across a boundary gives every tied team the better medal, and the places
  of the next medal shrink by as many (the counts are places on the board, as DOMjudge and
  the ICPC Resolver count them);
- `first-to-solve-<problem>`: the team that solved it first, empty while none has or while a
  submission made earlier is still unjudged;
- `organization-winner-<organization>` for a contest that gives them: the organization's
  best-ranked team(s), empty while none of its teams has scored;
- `group-winner-<group>` for a contest that gives them: likewise, the best-ranked team(s) of
  each team group (a team may be in several).

A row's rank is an integer ≥ 1 and its score has `num_solved` (pass-fail) or `score`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Award = dict[str, Any]
MEDALS = ("gold", "silver", "bronze")


@dataclass(frozen=True)
class Rules:
    """What a contest awards besides the winner and the first to solve: medal counts
    (0: that medal is not given) and whether each organization's best team is awarded."""

    gold: int = 0
    silver: int = 0
    bronze: int = 0
    organization_winners: bool = False
    group_winners: bool = False


def scored(row: Mapping[str, Any]) -> bool:
    score = row["score"]
    return bool(score.get("num_solved") or score.get("score"))


def winner(rows: list[Mapping[str, Any]]) -> Award:
    return {"id": "winner", "citation": "Winner", "team_ids": _at_rank(rows, 1)}


def medals(rows: list[Mapping[str, Any]], rules: Rules) -> list[Award]:
    """The medal awards the rules give, best first; a medal with count 0 is left out."""
    found = []
    above = 0
    for name, count in zip(MEDALS, (rules.gold, rules.silver, rules.bronze), strict=True):
        if count:
            team_ids = [
                row["team_id"] for row in rows if scored(row) and above < row["rank"] <= above + count
            ]
            found.append(
                {"id": f"{name}-medal", "citation": f"{name.title()} medal winner", "team_ids": team_ids}
            )
        above += count
    return found


def first_to_solve(problem_id: str, label: str, team_id: str | None) -> Award:
    return {
        "id": f"first-to-solve-{problem_id}",
        "citation": f"First to solve problem {label}",
        "team_ids": [team_id] if team_id is not None else [],
    }


def organization_winners(
    rows: list[Mapping[str, Any]], organization_of: Mapping[str, str], names: Mapping[str, str]
) -> list[Award]:
    """One award per organization in `names` (id → name), in that order; `organization_of`
    maps a team id to its organization's id."""
    groups_of = {team: [org] for team, org in organization_of.items()}
    return _best_of_each("organization-winner", rows, groups_of, names)


def group_winners(
    rows: list[Mapping[str, Any]], groups_of: Mapping[str, Sequence[str]], names: Mapping[str, str]
) -> list[Award]:
    """One award per group in `names` (id → name), in that order; `groups_of` maps a team id
    to the ids of its groups."""
    return _best_of_each("group-winner", rows, groups_of, names)


def _best_of_each(
    prefix: str,
    rows: list[Mapping[str, Any]],
    groups_of: Mapping[str, Sequence[str]],
    names: Mapping[str, str],
) -> list[Award]:
    members: dict[str, list[Mapping[str, Any]]] = {key: [] for key in names}
    for row in rows:
        for key in groups_of.get(row["team_id"], ()):
            if key in members:
                members[key].append(row)
    found = []
    for key, name in names.items():
        ranked = [row for row in members[key] if scored(row)]
        best = min((row["rank"] for row in ranked), default=None)
        found.append(
            {
                "id": f"{prefix}-{key}",
                "citation": f"Winner of {name}",
                "team_ids": [row["team_id"] for row in ranked if row["rank"] == best],
            }
        )
    return found


def _at_rank(rows: list[Mapping[str, Any]], rank: int) -> list[str]:
    return [row["team_id"] for row in rows if row["rank"] == rank and scored(row)]
