from codearena_cli.watch import BoardView


def view() -> BoardView:
    board = BoardView("http://x", 1, 10)
    board.live_version = 4
    return board


def test_the_next_version_asks_for_a_reread_and_old_ones_are_ignored() -> None:
    board = view()
    assert board.on_event({"type": "leaderboard", "version": 5, "rows": []})
    assert board.live_version == 5
    assert not board.on_event({"type": "leaderboard", "version": 5, "rows": []})
    assert not board.on_event({"type": "leaderboard", "version": 3, "rows": []})


def test_a_gap_asks_for_a_reread() -> None:
    board = view()
    assert board.on_event({"type": "leaderboard", "version": 9, "rows": []})
    assert board.live_version == 9


def test_contest_state_is_remembered() -> None:
    board = view()
    assert not board.on_event({"type": "contest_state", "contest_id": 1, "state": "frozen"})
    assert board.state == "frozen"
