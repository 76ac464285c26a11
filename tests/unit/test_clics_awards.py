"""The awards' rules (codearena.clics.awards) on boards given as CLICS scoreboard rows."""

from __future__ import annotations

from typing import Any

from codearena.clics.awards import Rules, medals, organization_winners, winner


def board(*ranks_and_solved: tuple[int, int]) -> list[dict[str, Any]]:
    """Rows t1, t2, … with the given (rank, solved)."""
    return [
        {"rank": rank, "team_id": f"t{n}", "score": {"num_solved": solved, "total_time": "0:00:00"}}
        for n, (rank, solved) in enumerate(ranks_and_solved, 1)
    ]


def medal_teams(rows: list[dict[str, Any]], rules: Rules) -> dict[str, list[str]]:
    return {award["id"]: award["team_ids"] for award in medals(rows, rules)}


def test_medals_go_down_the_board_by_count() -> None:
    rows = board(*((n, 9 - n) for n in range(1, 9)))
    assert medal_teams(rows, Rules(gold=1, silver=2, bronze=3)) == {
        "gold-medal": ["t1"],
        "silver-medal": ["t2", "t3"],
        "bronze-medal": ["t4", "t5", "t6"],
    }


def test_a_tie_across_a_boundary_gives_every_tied_team_the_better_medal() -> None:
    # t2 and t3 share rank 2, across gold's boundary (2 golds): both gold; silver starts at rank 4
    rows = board((1, 5), (2, 4), (2, 4), (4, 3), (5, 2), (6, 1))
    assert medal_teams(rows, Rules(gold=2, silver=2, bronze=1)) == {
        "gold-medal": ["t1", "t2", "t3"],
        "silver-medal": ["t4"],
        "bronze-medal": ["t5"],
    }


def test_a_medal_with_count_zero_is_not_given_and_its_places_are_not_skipped() -> None:
    rows = board((1, 3), (2, 2), (3, 1))
    assert medal_teams(rows, Rules(gold=1, bronze=1)) == {"gold-medal": ["t1"], "bronze-medal": ["t2"]}
    assert medals(rows, Rules()) == []


def test_a_team_that_has_not_scored_gets_nothing() -> None:
    rows = board((1, 1), (2, 0), (2, 0))
    assert medal_teams(rows, Rules(gold=1, silver=2)) == {"gold-medal": ["t1"], "silver-medal": []}
    assert winner(board((1, 0), (1, 0)))["team_ids"] == []
    assert winner(board((1, 2), (1, 2), (3, 1)))["team_ids"] == ["t1", "t2"]
    points = [{"rank": 1, "team_id": "p", "score": {"score": 40}}]
    assert winner(points)["team_ids"] == ["p"]


def test_each_organization_is_won_by_its_best_ranked_teams() -> None:
    rows = board((1, 5), (2, 4), (2, 4), (4, 3), (5, 0))
    organization_of = {"t1": "uni", "t2": "poly", "t3": "poly", "t4": "uni", "t5": "college"}
    awards = organization_winners(rows, organization_of, {"uni": "Uni", "poly": "Poly", "college": "College"})
    assert awards == [
        {"id": "organization-winner-uni", "citation": "Winner of Uni", "team_ids": ["t1"]},
        {"id": "organization-winner-poly", "citation": "Winner of Poly", "team_ids": ["t2", "t3"]},
        {"id": "organization-winner-college", "citation": "Winner of College", "team_ids": []},
    ]
