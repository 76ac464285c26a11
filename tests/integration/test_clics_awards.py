"""Awards as the CLICS awards endpoint gives them for a contest of ours: medal counts set
through the admin routes (and refused when out of range), medals with a tie, the first to
solve held back while an earlier submission is unjudged, organization winners."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from codearena import contests, users
from codearena.core import Core
from codearena.models import Verdict
from tests.integration.conftest import ONE_TEST, Caller, error_of
from tests.integration.test_first_solves import submit_at
from tests.integration.test_standings import judged, record_and_publish


def new_contest(core: Core, call: Caller, admin: dict[str, str], **awards: Any) -> dict[str, Any]:
    now = core.clock()
    fields = {
        "title": "Awards Cup",
        "start_at": (now - timedelta(hours=1)).isoformat(),
        "end_at": (now + timedelta(hours=1)).isoformat(),
        **awards,
    }
    created = call("POST", "/admin/contests", fields, admin)
    assert created.status_code == 201, created.body
    problem = contests.create_problem(core, ONE_TEST)
    contests.attach_problem(core, created.json_body["id"], {"problem_id": problem["id"], "label": "A"})
    return {"id": created.json_body["id"], "problem_id": problem["id"], **created.json_body}


def awards_of(call: Caller, cid: int) -> dict[str, list[str]]:
    answer = call("GET", f"/api/contests/{cid}/awards")
    assert answer.status_code == 200
    return {award["id"]: award["team_ids"] for award in answer.json_body}


def test_medal_counts_are_set_and_checked_through_the_admin_routes(
    core: Core, call: Caller, admin: dict[str, str]
) -> None:
    contest = new_contest(core, call, admin, gold_medals=4, bronze_medals=2)
    assert (contest["gold_medals"], contest["silver_medals"], contest["bronze_medals"]) == (4, 0, 2)
    assert contest["organization_winners"] is False
    changed = call("PATCH", f"/admin/contests/{contest['id']}", {"silver_medals": 3}, admin)
    assert changed.status_code == 200 and changed.json_body["silver_medals"] == 3
    assert changed.json_body["gold_medals"] == 4
    for bad in ({"gold_medals": -1}, {"silver_medals": 1001}, {"bronze_medals": "3"}, {"gold_medals": True}):
        error_of(call("PATCH", f"/admin/contests/{contest['id']}", bad, admin), 400, "invalid_field")
    error_of(call("PATCH", f"/admin/contests/{contest['id']}", {"organization_winners": 1}, admin), 400)
    refused = call("POST", "/admin/contests", {**contest, "bronze_medals": 5000}, admin)
    error_of(refused, 400, "invalid_field")
    assert call("GET", f"/contests/{contest['id']}").json_body["bronze_medals"] == 2


def test_medals_the_first_to_solve_and_organization_winners_on_the_board(
    core: Core, call: Caller, admin: dict[str, str]
) -> None:
    contest = new_contest(core, call, admin, gold_medals=1, silver_medals=1, bronze_medals=1)
    cid = contest["id"]
    team = {
        name: users.create_user(core, name, "password-" + name)["id"] for name in ("ann", "ben", "cat", "dan")
    }
    # ann and ben solve A in the same minute with no wrong try: tied at rank 1, both gold;
    # silver's place is taken by the tie, so cat (rank 3) gets bronze; dan never scores.
    plan = [("cat", 5, Verdict.WA), ("ann", 10, Verdict.AC), ("ben", 10, Verdict.AC), ("cat", 20, Verdict.AC)]
    for name, minute, verdict in plan:
        sid = submit_at(
            core, contest, team[name], timedelta(minutes=minute, seconds=5 if name == "ben" else 1)
        )
        record_and_publish(core, judged(core, sid, verdict))
    awards = awards_of(call, cid)
    ids = {str(team[name]): name for name in team}
    assert sorted(ids[t] for t in awards["winner"]) == ["ann", "ben"]
    assert sorted(ids[t] for t in awards["gold-medal"]) == ["ann", "ben"]
    assert awards["silver-medal"] == []
    assert [ids[t] for t in awards["bronze-medal"]] == ["cat"]
    assert [ids[t] for t in awards[f"first-to-solve-{contest['problem_id']}"]] == ["ann"]
    assert not any(key.startswith("organization-winner") for key in awards)

    # dan's submission from minute 2 is still unjudged: nobody is first to solve until it is
    submit_at(core, contest, team["dan"], timedelta(minutes=2))
    assert awards_of(call, cid)[f"first-to-solve-{contest['problem_id']}"] == []

    with core.db.transaction() as cur:
        cur.execute("INSERT INTO organizations (name) VALUES ('Uni') RETURNING id")
        uni = cur.fetchone()["id"]
        cur.execute(
            "INSERT INTO contest_participants (contest_id, user_id, status, organization_id)"
            " SELECT %s, id, 'approved', %s FROM users WHERE username IN ('ben', 'cat', 'dan')",
            (cid, uni),
        )
    call("PATCH", f"/admin/contests/{cid}", {"organization_winners": True}, admin)
    assert [ids[t] for t in awards_of(call, cid)[f"organization-winner-{uni}"]] == ["ben"]
