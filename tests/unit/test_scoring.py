"""Scoring types without I/O (DESIGN §5): ICPC pass-fail and points."""

from __future__ import annotations

import itertools
import random
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

import pytest

from codearena.models import Verdict
from codearena.scoring import Attempt, Cell, ContestRules, Icpc, Points, Standing, rule_for, visible

START = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)
RULES = ContestRules(start_at=START)
ICPC = Icpc()
POINTS = Points()
AC, WA, TLE, MLE, RTE, OLE, CE, JE = (
    Verdict.AC,
    Verdict.WA,
    Verdict.TLE,
    Verdict.MLE,
    Verdict.RTE,
    Verdict.OLE,
    Verdict.CE,
    Verdict.JE,
)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


class Feed:
    """Numbers attempts in the order they are written."""

    def __init__(self) -> None:
        self.next_id = 1

    def __call__(self, problem: str, seconds: float, verdict: Verdict | None, score: float = 0.0) -> Attempt:
        attempt = Attempt(self.next_id, problem, at(seconds), verdict, score)
        self.next_id += 1
        return attempt


def minutes(m: float) -> float:
    return m * 60


# --- contest time -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "seconds, minute",
    [(0, 0), (59.99, 0), (60, 1), (119.999, 1), (120, 2), (3599.5, 59), (5 * 3600, 300)],
)
def test_contest_minute_rounds_down(seconds: float, minute: int) -> None:
    assert Attempt(1, "A", at(seconds), AC).minute(RULES) == minute


def test_ac_at_59_99_seconds_is_minute_0() -> None:
    feed = Feed()
    cell = ICPC.standing([feed("A", 59.99, AC)], RULES).problems["A"]
    assert cell.solved and cell.time_minutes == 0 and cell.penalty_minutes == 0


def test_time_before_the_start_counts_as_minute_0() -> None:
    assert Attempt(1, "A", at(-30), AC).minute(RULES) == 0


# --- ICPC cells ---------------------------------------------------------------------------
def test_penalty_is_minute_plus_20_per_rejected_attempt() -> None:
    feed = Feed()
    standing = ICPC.standing(
        [feed("A", minutes(3), WA), feed("A", minutes(7), TLE), feed("A", minutes(41.9), AC)], RULES
    )
    cell = standing.problems["A"]
    assert cell.solved and cell.time_minutes == 41
    assert cell.penalty_minutes == 41 + 2 * 20
    assert cell.attempts == 3
    assert standing.penalty == 81 and standing.solved == 1


def test_penalty_minutes_comes_from_the_contest() -> None:
    feed = Feed()
    rules = ContestRules(start_at=START, penalty_minutes=7)
    cell = ICPC.standing([feed("A", 60, WA), feed("A", 120, RTE), feed("A", 180, AC)], rules).problems["A"]
    assert cell.penalty_minutes == 3 + 2 * 7


@pytest.mark.parametrize("verdict", [WA, TLE, MLE, RTE, OLE])
def test_every_penalty_verdict_costs(verdict: Verdict) -> None:
    feed = Feed()
    cell = ICPC.standing([feed("A", 0, verdict), feed("A", minutes(10), AC)], RULES).problems["A"]
    assert cell.penalty_minutes == 30


def test_a_contest_may_charge_compile_errors_and_spare_others() -> None:
    feed = Feed()
    rules = ContestRules(start_at=START, penalty_minutes=20, penalty_verdicts=frozenset({CE, WA}))
    attempts = [feed("A", 0, CE), feed("A", 1, TLE), feed("A", 2, WA), feed("A", minutes(10), AC)]
    cell = ICPC.standing(attempts, rules).problems["A"]
    assert (cell.attempts, cell.penalty_minutes) == (3, 10 + 2 * 20)  # CE and WA charged, TLE not
    points = POINTS.standing([feed("B", 0, CE), feed("B", 1, TLE)], rules).problems["B"]
    assert points.attempts == 1


@pytest.mark.parametrize("verdict", [CE, JE])
def test_compile_and_judge_errors_cost_nothing(verdict: Verdict) -> None:
    feed = Feed()
    attempts = [feed("A", 0, verdict), feed("A", 30, verdict), feed("A", minutes(10), AC)]
    cell = ICPC.standing(attempts, RULES).problems["A"]
    assert cell.solved and cell.penalty_minutes == 10
    assert cell.attempts == 1


def test_ce_je_mixed_with_wa() -> None:
    feed = Feed()
    attempts = [feed("A", 0, CE), feed("A", 60, WA), feed("A", 120, JE), feed("A", minutes(12), AC)]
    cell = ICPC.standing(attempts, RULES).problems["A"]
    assert cell.penalty_minutes == 12 + 20 and cell.attempts == 2


def test_submissions_after_the_first_ac_are_ignored() -> None:
    feed = Feed()
    first = [feed("A", minutes(5), WA), feed("A", minutes(9), AC)]
    later = [
        feed("A", minutes(10), WA),
        feed("A", minutes(11), AC),
        feed("A", minutes(12), TLE),
        feed("A", minutes(13), None),
    ]
    alone = ICPC.standing(first, RULES)
    assert ICPC.standing(first + later, RULES) == alone
    cell = alone.problems["A"]
    assert cell.time_minutes == 9 and cell.penalty_minutes == 29 and cell.pending == 0


def test_unsolved_problem_costs_nothing() -> None:
    feed = Feed()
    standing = ICPC.standing([feed("A", 60, WA), feed("A", 120, WA), feed("B", minutes(30), AC)], RULES)
    assert standing.problems["A"].solved is False
    assert standing.problems["A"].attempts == 2 and standing.problems["A"].time_minutes is None
    assert standing.solved == 1 and standing.penalty == 30


def test_pending_attempts_are_counted() -> None:
    feed = Feed()
    cell = ICPC.standing([feed("A", 60, WA), feed("A", 120, None), feed("A", 180, None)], RULES).problems["A"]
    assert cell.pending == 2 and cell.attempts == 1 and not cell.solved
    cell = ICPC.standing([feed("B", 60, None), feed("B", minutes(4), AC)], RULES).problems["B"]
    assert cell.pending == 1 and cell.solved and cell.penalty_minutes == 4


def test_empty_standing() -> None:
    standing = ICPC.standing([], RULES)
    assert standing == Standing() and standing.problems == {}
    assert ICPC.rank_key(standing) == ICPC.rank_key(Standing())


def test_standing_totals_several_problems() -> None:
    feed = Feed()
    standing = ICPC.standing(
        [
            feed("A", minutes(10), AC),
            feed("B", minutes(20), WA),
            feed("B", minutes(50), AC),
            feed("C", minutes(70), CE),
        ],
        RULES,
    )
    assert standing.solved == 2 and standing.score == 2.0
    assert standing.penalty == 10 + (50 + 20)
    assert standing.tiebreak_minute == 50
    json_row = standing.to_json()
    assert list(json_row["problems"]) == ["A", "B", "C"]
    assert json_row["problems"]["B"] == {
        "attempts": 2,
        "pending": 0,
        "solved": True,
        "time_minutes": 50,
        "score": 1.0,
    }


# --- ICPC ranking -------------------------------------------------------------------------
def key(*attempts: tuple[str, float, Verdict | None]) -> float:
    feed = Feed()
    return ICPC.rank_key(ICPC.standing([feed(p, s, v) for p, s, v in attempts], RULES))


def test_more_solved_ranks_first_whatever_the_penalty() -> None:
    two_slow = key(("A", minutes(200), AC), ("B", minutes(290), AC), ("C", 0, WA), ("C", 1, WA))
    one_fast = key(("A", 0, AC))
    assert two_slow < one_fast  # lower ranks better
    assert one_fast < key(("A", 0, WA))
    assert key() == key(("A", 0, WA), ("B", 0, CE), ("C", 0, None))


def test_less_penalty_ranks_first() -> None:
    assert key(("A", minutes(10), AC)) < key(("A", minutes(11), AC))
    assert key(("A", minutes(30), AC)) < key(("A", 0, WA), ("A", minutes(11), AC))


def test_ties_share_a_rank_key() -> None:
    a = key(("A", minutes(10), AC), ("B", minutes(30), WA), ("B", minutes(40), AC))
    b = key(("B", minutes(10), AC), ("A", minutes(40.5), AC), ("A", minutes(5), WA))
    assert a == b
    # seconds inside the same minute do not break a tie
    assert key(("A", minutes(10), AC)) == key(("A", minutes(10) + 59, AC))


def test_last_ac_time_breaks_equal_solved_and_penalty() -> None:
    early_last = key(("A", minutes(30), AC), ("B", minutes(30), AC))  # penalty 60, last AC 30
    late_last = key(("A", minutes(10), AC), ("B", minutes(50), AC))  # penalty 60, last AC 50
    assert early_last < late_last
    penalised = key(("A", minutes(0), WA), ("A", minutes(10), AC), ("B", minutes(30), AC))  # 60, last 30
    assert penalised == early_last


def test_rank_keys_order_a_small_contest() -> None:
    boards = {
        "three": key(("A", minutes(10), AC), ("B", minutes(20), AC), ("C", minutes(280), AC)),
        "two_cheap": key(("A", minutes(5), AC), ("B", minutes(6), AC)),
        "two_dear": key(("A", minutes(5), WA), ("A", minutes(5), AC), ("B", minutes(6), AC)),
        "one": key(("A", minutes(1), AC)),
        "none": key(("A", 0, WA)),
    }
    assert sorted(boards, key=boards.__getitem__) == [
        "three",
        "two_cheap",
        "two_dear",
        "one",
        "none",
    ]


def test_rank_key_is_exact_for_large_values() -> None:
    many = Standing(solved=200, penalty=9_999_999, tiebreak_minute=99_999)
    fewer_penalty = Standing(solved=200, penalty=9_999_998, tiebreak_minute=99_999)
    earlier = Standing(solved=200, penalty=9_999_999, tiebreak_minute=99_998)
    assert ICPC.rank_key(fewer_penalty) < ICPC.rank_key(many)
    assert ICPC.rank_key(earlier) < ICPC.rank_key(many)
    assert ICPC.rank_key(many) == int(ICPC.rank_key(many))


# --- freeze ---------------------------------------------------------------------------------
def test_visible_hides_verdicts_from_the_freeze_on() -> None:
    feed = Feed()
    freeze_at = at(minutes(240))
    attempts = [
        feed("A", minutes(100), AC),
        feed("B", minutes(239.99), WA),
        feed("B", minutes(240), AC),
        feed("C", minutes(250), WA, 5.0),
    ]
    shown = visible(attempts, freeze_at)
    assert [a.verdict for a in shown] == [AC, WA, None, None]
    assert shown[3].score == 0.0
    assert [a.submission_id for a in shown] == [a.submission_id for a in attempts]
    assert visible(attempts, None) == attempts
    public = ICPC.standing(shown, RULES)
    jury = ICPC.standing(attempts, RULES)
    assert public.solved == 1 and jury.solved == 2
    assert public.problems["B"].pending == 1 and public.problems["B"].attempts == 1
    assert public.problems["C"].pending == 1 and public.problems["C"].attempts == 0
    assert jury.problems["B"].solved and jury.problems["B"].penalty_minutes == 240 + 20


def test_visible_does_not_mutate_its_input() -> None:
    feed = Feed()
    attempts = [feed("A", minutes(300), AC)]
    visible(attempts, at(0))
    assert attempts[0].verdict is AC


# --- order independence ---------------------------------------------------------------------
def icpc_attempts() -> list[Attempt]:
    feed = Feed()
    return [
        feed("A", minutes(3), WA),
        feed("A", minutes(3), CE),
        feed("A", minutes(8), AC),
        feed("A", minutes(9), WA),
        feed("B", minutes(8), None),
        feed("B", minutes(20), TLE),
    ]


def test_icpc_standing_is_the_same_in_every_order() -> None:
    attempts = icpc_attempts()
    expected = ICPC.standing(attempts, RULES)
    assert expected.solved == 1 and expected.penalty == 8 + 20
    for order in itertools.permutations(attempts):
        standing = ICPC.standing(order, RULES)
        assert standing == expected, order
        assert ICPC.rank_key(standing) == ICPC.rank_key(expected)


def test_same_second_attempts_are_ordered_by_submission_id() -> None:
    feed = Feed()
    wa, ac = feed("A", 90, WA), feed("A", 90, AC)  # WA was submitted first (smaller id)
    for order in ([wa, ac], [ac, wa]):
        cell = ICPC.standing(order, RULES).problems["A"]
        assert cell.penalty_minutes == 1 + 20


def test_points_standing_is_the_same_in_every_order() -> None:
    feed = Feed()
    attempts = [
        feed("A", minutes(1), WA, 30.0),
        feed("A", minutes(5), WA, 60.0),
        feed("A", minutes(9), AC, 100.0),
        feed("B", minutes(2), CE),
        feed("B", minutes(3), WA, 25.5),
        feed("B", minutes(4), None),
    ]
    expected = POINTS.standing(attempts, RULES)
    for order in itertools.permutations(attempts):
        assert POINTS.standing(order, RULES) == expected


# --- points ---------------------------------------------------------------------------------
def test_points_best_score_per_problem_summed() -> None:
    feed = Feed()
    standing = POINTS.standing(
        [
            feed("A", minutes(1), WA, 40.0),
            feed("A", minutes(2), WA, 70.0),
            feed("A", minutes(3), WA, 20.0),
            feed("B", minutes(4), AC, 100.0),
            feed("C", minutes(5), CE),
        ],
        RULES,
    )
    assert standing.problems["A"].score == 70.0
    assert standing.problems["A"].time_minutes == 2  # minute of the last improvement
    assert standing.problems["B"].score == 100.0
    assert standing.problems["C"].score == 0.0
    assert standing.score == 170.0
    assert standing.penalty == 3  # wrong attempts: three WA on A; CE costs nothing
    assert standing.tiebreak_minute == 4


def test_points_pending_does_not_score() -> None:
    feed = Feed()
    cell = POINTS.standing([feed("A", 60, None, 100.0)], RULES).problems["A"]
    assert cell.pending == 1 and cell.score == 0.0


def test_points_sum_keeps_hundredths() -> None:
    feed = Feed()
    standing = POINTS.standing(
        [feed("A", 0, WA, 33.33), feed("B", 0, WA, 33.33), feed("C", 0, WA, 33.34)], RULES
    )
    assert standing.score == 100.0


def points_key(*attempts: tuple[str, float, Verdict, float]) -> float:
    feed = Feed()
    return POINTS.rank_key(POINTS.standing([feed(*a) for a in attempts], RULES))


def test_points_ranking() -> None:
    assert points_key(("A", 0, AC, 100.0)) < points_key(("A", 0, WA, 99.99))
    # equal score: fewer wrong attempts first
    assert points_key(("A", 60, AC, 100.0)) < points_key(("A", 0, WA, 10.0), ("A", 60, AC, 100.0))
    # equal score and wrong attempts: earlier last improvement first
    assert points_key(("A", minutes(5), AC, 100.0)) < points_key(("A", minutes(6), AC, 100.0))
    assert points_key(("A", minutes(5), AC, 50.0), ("B", minutes(9), AC, 50.0)) == points_key(
        ("B", minutes(5), AC, 50.0), ("A", minutes(9), AC, 50.0)
    )


def test_rule_for() -> None:
    assert isinstance(rule_for("icpc"), Icpc)
    assert isinstance(rule_for("points"), Points)
    with pytest.raises(ValueError):
        rule_for("elo")


# --- subtasks (points) ------------------------------------------------------------------------
def with_subtasks(attempt: Attempt, **subtasks: float) -> Attempt:
    return replace(attempt, subtasks=subtasks, score=sum(subtasks.values()))


def test_points_take_the_best_of_each_subtask_summed() -> None:
    feed = Feed()
    first = with_subtasks(feed("A", minutes(3), WA), easy=20.0, medium=0.0, hard=0.0)
    second = with_subtasks(feed("A", minutes(7), WA), easy=0.0, medium=30.0, hard=0.0)
    third = with_subtasks(feed("A", minutes(9), WA), easy=20.0, medium=0.0, hard=0.0)
    cell = POINTS.standing([first, second, third], RULES).problems["A"]
    assert cell.score == 50.0  # 20 from the first, 30 from the second: no submission scored 50
    assert cell.time_minutes == 7  # the last improvement; the third added nothing
    assert cell.attempts == 3 and cell.solved


def test_points_subtasks_full_marks_after_partial_ones() -> None:
    feed = Feed()
    attempts = [
        with_subtasks(feed("A", minutes(1), WA), s1=10.0, s2=0.0),
        with_subtasks(feed("A", minutes(2), AC), s1=10.0, s2=90.0),
        with_subtasks(feed("A", minutes(4), WA), s1=0.0, s2=0.0),  # worse later: ignored
    ]
    cell = POINTS.standing(attempts, RULES).problems["A"]
    assert (cell.score, cell.time_minutes, cell.attempts) == (100.0, 2, 2)


def test_points_subtasks_in_every_order_give_the_same_standing() -> None:
    feed = Feed()
    attempts = [
        with_subtasks(feed("A", minutes(1), WA), s1=10.0, s2=0.0, s3=0.0),
        with_subtasks(feed("A", minutes(2), WA), s1=0.0, s2=25.0, s3=0.0),
        with_subtasks(feed("A", minutes(6), WA), s1=10.0, s2=0.0, s3=65.0),
        feed("A", minutes(8), None),
        with_subtasks(feed("B", minutes(3), WA), t1=12.5, t2=0.0),
        feed("B", minutes(4), CE),
    ]
    expected = POINTS.standing(attempts, RULES)
    assert expected.problems["A"].score == 100.0 and expected.problems["A"].pending == 1
    assert expected.score == 112.5
    for order in itertools.permutations(attempts):
        assert POINTS.standing(order, RULES) == expected


def test_visible_hides_subtask_scores_too() -> None:
    feed = Feed()
    late = with_subtasks(feed("A", minutes(50), AC), s1=40.0, s2=60.0)
    [hidden] = visible([late], at(minutes(40)))
    assert hidden.verdict is None and hidden.subtasks == {} and hidden.score == 0.0
    assert POINTS.standing([hidden], RULES).problems["A"].pending == 1


# --- whole boards -------------------------------------------------------------------------------
def board(rule: Icpc | Points, attempts: list[tuple[str, Attempt]]) -> list[tuple[int, str, float]]:
    """(rank, team, rank key) best first; equal keys share a rank, the next ranks are skipped."""
    by_team: dict[str, list[Attempt]] = {}
    for team, attempt in attempts:
        by_team.setdefault(team, []).append(attempt)
    keyed = sorted((rule.rank_key(rule.standing(items, RULES)), team) for team, items in by_team.items())
    ranked, rank = [], 0
    for position, (key, team) in enumerate(keyed, start=1):
        if position == 1 or key != keyed[position - 2][0]:
            rank = position
        ranked.append((rank, team, key))
    return ranked


def contest_attempts() -> list[tuple[str, Attempt]]:
    feed = Feed()
    return [
        ("ann", feed("A", minutes(10), WA)),
        ("ann", feed("A", minutes(12), AC)),  # A: 12 + 20
        ("ben", feed("A", minutes(32.5), AC)),  # A: 32, same penalty as ann, later last AC
        ("cat", feed("A", minutes(5), CE)),
        ("cat", feed("A", minutes(11), JE)),
        ("cat", feed("A", minutes(12.9), AC)),  # A: 12, CE and JE free
        ("cat", feed("B", minutes(20), AC)),  # B: 20
        ("dan", feed("A", minutes(32), AC)),  # same as ben exactly: shares his rank
        ("eve", feed("B", minutes(1), WA)),
        ("eve", feed("B", minutes(2), None)),
    ]


def test_icpc_board_edge_cases() -> None:
    ranked = board(ICPC, contest_attempts())
    assert [(rank, team) for rank, team, _ in ranked] == [
        (1, "cat"),
        (2, "ann"),
        (3, "ben"),
        (3, "dan"),
        (5, "eve"),
    ]


def test_icpc_board_is_the_same_in_every_feeding_order() -> None:
    attempts = contest_attempts()
    expected = board(ICPC, attempts)
    for seed in range(200):
        shuffled = attempts[:]
        random.Random(seed).shuffle(shuffled)
        assert board(ICPC, shuffled) == expected


def test_icpc_judge_error_then_ac_costs_no_penalty() -> None:
    feed = Feed()
    cell = ICPC.standing([feed("A", minutes(3), JE), feed("A", minutes(4), AC)], RULES).problems["A"]
    assert cell.penalty_minutes == 4 and cell.attempts == 1


def test_icpc_rejudged_ac_to_wa_loses_the_problem() -> None:
    feed = Feed()
    ac = feed("A", minutes(3), AC)
    assert ICPC.standing([ac], RULES).solved == 1
    rejudged = replace(ac, verdict=WA)
    standing = ICPC.standing([rejudged], RULES)
    assert standing.solved == 0 and standing.penalty == 0 and standing.problems["A"].attempts == 1


def test_a_cell_shows_every_field_but_its_penalty() -> None:
    cell = Cell(attempts=2, pending=1, solved=True, time_minutes=17, score=1.0, penalty_minutes=37)
    shown = cell.to_json()
    assert set(shown) == {f.name for f in fields(Cell)} - {"penalty_minutes"}
    assert shown == {"attempts": 2, "pending": 1, "solved": True, "time_minutes": 17, "score": 1.0}
