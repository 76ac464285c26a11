"""Rosters (issue 14 point 3): teams with a display name, organization and members; categories
deciding the boards (participant: ranked everywhere; observer: jury board only; hidden: no
board); every approved participant on the board from the start with nothing solved."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from codearena import boards, contests, judgements, standings
from codearena.core import Core
from codearena.models import Role, Verdict
from tests.integration.conftest import ONE_TEST, contest_with_problem, error_of, login
from tests.integration.test_accounts import call, uid
from tests.integration.test_standings import judged, submit


def roster_contest(core: Core, mode: str = "approval") -> dict[str, Any]:
    made = contest_with_problem(core, ONE_TEST, start=-timedelta(minutes=5), end=timedelta(hours=1))
    contests.update_contest(core, made["id"], {"registration": mode})
    return made


def put(http: Any, admin: dict[str, str], cid: int, user_id: int, body: dict[str, Any]) -> Any:
    return call(http, "PUT", f"/admin/contests/{cid}/participants/{user_id}", body, admin)


def names(http: Any, path: str, headers: dict[str, str] | None = None) -> list[tuple[int, str]]:
    answer = call(http, "GET", path, headers=headers)
    assert answer.status_code == 200, answer.body
    return [(row["rank"], row["display_name"]) for row in answer.json_body["rows"]]


def test_an_approved_team_is_on_the_board_with_nothing_solved(http: Any, core: Core) -> None:
    contest, admin = roster_contest(core), login(core, "boss", Role.ADMIN)
    login(core, "team1")
    org = call(http, "POST", "/admin/organizations", {"name": "KTH", "country": "SWE"}, admin)
    assert org.status_code == 201, org.body
    body = {
        "status": "approved",
        "display_name": "Null Pointers",
        "organization_id": org.json_body["id"],
        "members": ["Ann", "Bob", "Cy"],
        "external_id": "t1",
    }
    answer = put(http, admin, contest["id"], uid(core, "team1"), body)
    assert answer.status_code == 200, answer.body
    assert {k: answer.json_body[k] for k in body if k != "status"} == {
        k: v for k, v in body.items() if k != "status"
    }
    assert answer.json_body["category"] == "participant"
    board = call(http, "GET", f"/contests/{contest['id']}/leaderboard").json_body
    [row] = board["rows"]
    assert (row["username"], row["display_name"], row["rank"]) == ("team1", "Null Pointers", 1)
    assert (row["solved"], row["penalty"], row["problems"]) == (0, 0, {})
    listed = call(http, "GET", f"/admin/contests/{contest['id']}/participants", headers=admin).json_body
    assert listed["participants"][0]["members"] == ["Ann", "Bob", "Cy"]
    orgs = call(http, "GET", "/admin/organizations", headers=admin).json_body["organizations"]
    assert [(o["name"], o["country"]) for o in orgs] == [("KTH", "SWE")]


def test_registering_in_an_open_contest_puts_you_on_the_board(http: Any, core: Core) -> None:
    contest, ann = roster_contest(core, "open"), login(core, "ann")
    assert call(http, "POST", f"/contests/{contest['id']}/registration", None, ann).status_code == 200
    assert names(http, f"/contests/{contest['id']}/leaderboard") == [(1, "ann")]


def test_observers_are_not_ranked_publicly_and_hidden_teams_on_no_board(http: Any, core: Core) -> None:
    contest, admin = roster_contest(core), login(core, "boss", Role.ADMIN)
    cid = contest["id"]
    for name, category in [("solver", "participant"), ("watcher", "observer"), ("ghost", "hidden")]:
        login(core, name)
        body = {"status": "approved", "display_name": name.title(), "category": category}
        assert put(http, admin, cid, uid(core, name), body).status_code == 200
    for name in ("watcher", "ghost"):  # both solve A; the participant solves nothing
        record_and_publish_if_shown(core, contest, uid(core, name))
    public, jury = f"/contests/{cid}/leaderboard", f"/admin/contests/{cid}/leaderboard"
    assert names(http, public) == [(1, "Solver")]
    assert names(http, jury, admin) == [(1, "Watcher"), (2, "Solver")]
    standings.rebuild(core, cid)  # a board rebuilt from the events leaves them out as well
    assert names(http, public) == [(1, "Solver")]
    assert [r["display_name"] for r in boards.page_at(core, cid, "public", core.clock(), 0, 10)["rows"]] == [
        "Solver"
    ]
    assert [r["display_name"] for r in boards.page_at(core, cid, "jury", core.clock(), 0, 10)["rows"]] == [
        "Watcher",
        "Solver",
    ]
    # Made a participant, the observer is ranked publicly; made hidden, they leave every board.
    assert put(http, admin, cid, uid(core, "watcher"), {"category": "participant"}).status_code == 200
    assert names(http, public) == [(1, "Watcher"), (2, "Solver")]
    assert put(http, admin, cid, uid(core, "watcher"), {"category": "hidden"}).status_code == 200
    assert names(http, public) == [(1, "Solver")]
    assert names(http, jury, admin) == [(1, "Solver")]


def record_and_publish_if_shown(core: Core, contest: dict[str, Any], user_id: int) -> None:
    update = judgements.record(core, judged(core, submit(core, contest, user_id, 2), Verdict.AC))
    if update is not None:
        standings.publish(core, update)


def test_an_invite_only_contest_refuses_others_and_rosters_refuse_bad_fields(http: Any, core: Core) -> None:
    contest, admin, ann = roster_contest(core, "invite"), login(core, "boss", Role.ADMIN), login(core, "ann")
    cid, ann_id = contest["id"], uid(core, "ann")
    error_of(call(http, "POST", f"/contests/{cid}/registration", None, ann), 403, "invitation_required")
    error_of(put(http, admin, cid, ann_id, {"display_name": "A"}), 400, "invalid_field")  # no status yet
    for bad in (
        {"status": None, "display_name": "A"},
        {"status": "invited", "category": "guest"},
        {"status": "invited", "members": ["x"] * 21},
        {"status": "invited", "members": [""]},
        {"status": "invited", "display_name": ""},
        {"status": "invited", "external_id": "no spaces"},
    ):
        error_of(put(http, admin, cid, ann_id, bad), 400, "invalid_field")
    error_of(put(http, admin, cid, ann_id, {"status": "invited", "organization_id": 999999}), 404)
    assert call(http, "GET", f"/contests/{cid}/leaderboard").json_body["rows"] == []
    assert put(http, admin, cid, ann_id, {"status": "invited", "external_id": "x1"}).status_code == 200
    login(core, "bob")
    error_of(
        put(http, admin, cid, uid(core, "bob"), {"status": "invited", "external_id": "x1"}), 409, "duplicate"
    )
    error_of(
        call(http, "POST", "/admin/organizations", {"name": "X", "country": "se"}, admin),
        400,
        "invalid_field",
    )
    error_of(call(http, "POST", "/admin/organizations", {"name": "X"}, ann), 403)
    # Invited is not yet on the board; accepting the invitation is.
    assert call(http, "GET", f"/contests/{cid}/leaderboard").json_body["rows"] == []
    assert call(http, "POST", f"/contests/{cid}/registration", None, ann).json_body["status"] == "approved"
    assert names(http, f"/contests/{cid}/leaderboard") == [(1, "ann")]
