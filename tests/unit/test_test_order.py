"""The order tests/conftest.py gives a run: tests marked `long` at the heads of the shares
pytest-xdist's worksteal cuts for its workers, every test exactly once."""

from __future__ import annotations

from typing import Any

from tests.conftest import heads_of_shares


def worksteal_shares(order: list[Any], workers: int) -> list[list[Any]]:
    """What `--dist worksteal` first hands each worker: equal consecutive shares."""
    shares, pending = [], list(order)
    for index in range(workers):
        size = len(pending) // (workers - index)
        shares.append(pending[:size])
        pending = pending[size:]
    return shares


def test_each_long_test_heads_a_share_of_its_own_and_nothing_is_lost() -> None:
    first, rest = ["chaos", "fuzz", "languages"], list(range(100))
    order = heads_of_shares(first, rest, 4)
    assert sorted(map(str, order)) == sorted(map(str, first + rest))
    assert [share[0] for share in worksteal_shares(order, 4)] == ["chaos", "fuzz", "languages", 74]
    assert [item for item in order if item in rest] == rest  # the others keep their order


def test_more_long_tests_than_workers_take_turns_and_one_worker_takes_them_all_first() -> None:
    first, rest = ["a", "b", "c"], list(range(10))
    assert [share[:2] for share in worksteal_shares(heads_of_shares(first, rest, 2), 2)] == [
        ["a", "c"],
        ["b", 4],
    ]
    assert heads_of_shares(first, rest, 1) == first + rest
    assert heads_of_shares(first, [], 4) == first
