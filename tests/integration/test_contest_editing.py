"""Contests organizers edit (issue 14 point 2): per-contest penalty verdicts, visibility, the
clock, deleting, and problems updated, listed, detached and deleted."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from codearena import boards
from codearena.core import Core
from codearena.models import Role, Verdict
from tests.integration.conftest import ONE_TEST, contest_with_problem, error_of, login
from tests.integration.test_accounts import call
from tests.integration.test_standings import judged, record_and_publish, submit


def running(core: Core) -> dict[str, Any]:
    return contest_with_problem(core, ONE_TEST, start=-timedelta(minutes=30), end=timedelta(hours=1))


def test_compile_errors_cost_penalty_where_the_contest_says_so(http: Any, core: Core) -> None:
    contest, admin = running(core), login(core, "boss", Role.ADMIN)
    ann = core.tokens.verify(login(core, "ann")["Authorization"].split()[1]).user_id
    for minute, verdict in [(1, Verdict.CE), (2, Verdict.WA), (5, Verdict.AC)]:
        record_and_publish(core, judged(core, submit(core, contest, ann, minute), verdict))
    cid = contest["id"]

    def penalty() -> int:
        return int(boards.page(core, cid, "public", 0, 10)["rows"][0]["penalty"])

    assert penalty() == 5 + 20
    answer = call(http, "PATCH", f"/admin/contests/{cid}", {"penalty_verdicts": ["CE", "WA"]}, admin)
    assert answer.status_code == 200, answer.body
    assert answer.json_body["penalty_verdicts"] == ["WA", "CE"]
    assert penalty() == 5 + 2 * 20  # the board restated under the new rules
    answer = call(
        http, "PATCH", f"/admin/contests/{cid}", {"penalty_verdicts": [], "penalty_minutes": 5}, admin
    )
    assert answer.status_code == 200 and penalty() == 5
    for bad in (["AC"], ["JE"], "WA", [1], None):
        error_of(
            call(http, "PATCH", f"/admin/contests/{cid}", {"penalty_verdicts": bad}, admin),
            400,
            "invalid_field",
        )
    assert call(http, "GET", f"/contests/{cid}", headers=admin).json_body["penalty_verdicts"] == []


def test_a_new_contest_charges_the_default_verdicts(http: Any, core: Core) -> None:
    admin = login(core, "boss", Role.ADMIN)
    body = {"title": "T", "start_at": "2030-01-01T10:00:00Z", "end_at": "2030-01-01T15:00:00Z"}
    made = call(http, "POST", "/admin/contests", body, admin).json_body
    assert (made["penalty_verdicts"], made["visibility"]) == (["WA", "TLE", "MLE", "RTE", "OLE"], "public")


def clics_paths(cid: int) -> list[str]:
    """The Contest API's paths of one contest (issue 15): the public reads them when the
    contest is public; a hidden one is 404 to them, as the specification's access rules allow."""
    kinds = ("state", "scoreboard", "problems", "teams", "groups", "judgement-types", "awards")
    return [
        f"/api/contests/{cid}",
        *[f"/api/contests/{cid}/{kind}" for kind in kinds],
        f"/api/contests/{cid}/event-feed?stream=false",
    ]


def test_a_hidden_contest_is_invisible_to_contestants(http: Any, core: Core) -> None:
    contest, admin, ann = running(core), login(core, "boss", Role.ADMIN), login(core, "ann")
    cid = contest["id"]
    assert call(http, "PATCH", f"/admin/contests/{cid}", {"visibility": "hidden"}, admin).status_code == 200
    for headers in (ann, None):
        listed = call(http, "GET", "/contests", headers=headers).json_body["contests"]
        assert cid not in [c["id"] for c in listed]
        for path in (
            f"/contests/{cid}",
            f"/contests/{cid}/problems",
            f"/contests/{cid}/problems/A",
            f"/contests/{cid}/leaderboard",
            *clics_paths(cid),
        ):
            error_of(call(http, "GET", path, headers=headers), 404, "contest_not_found")
        api_listed = call(http, "GET", "/api/contests", headers=headers).json_body
        assert str(cid) not in [c["id"] for c in api_listed]
    body = {"problem_id": contest["problem_id"], "language": "python", "source": "print(1)"}
    error_of(call(http, "POST", f"/contests/{cid}/submissions", body, ann), 404, "contest_not_found")
    error_of(call(http, "POST", f"/contests/{cid}/registration", None, ann), 404, "contest_not_found")
    for path in (
        f"/contests/{cid}/clarifications",
        f"/contests/{cid}/clarifications/1",
        f"/contests/{cid}/submissions",
    ):
        error_of(call(http, "GET", path, headers=ann), 404, "contest_not_found")
    question = {"text": "Is this contest still on?"}
    error_of(call(http, "POST", f"/contests/{cid}/clarifications", question, ann), 404, "contest_not_found")
    assert call(http, "GET", f"/contests/{cid}/clarifications", headers=admin).status_code == 200
    assert cid in [c["id"] for c in call(http, "GET", "/contests", headers=admin).json_body["contests"]]
    assert call(http, "GET", f"/contests/{cid}/problems/A", headers=admin).status_code == 200
    for path in clics_paths(cid):  # the jury still reads it through the Contest API
        assert call(http, "GET", path, headers=admin).status_code == 200, path
    assert str(cid) in [c["id"] for c in call(http, "GET", "/api/contests", headers=admin).json_body]
    error_of(
        call(http, "PATCH", f"/admin/contests/{cid}", {"visibility": "secret"}, admin), 400, "invalid_field"
    )
    assert call(http, "PATCH", f"/admin/contests/{cid}", {"visibility": "public"}, admin).status_code == 200
    assert call(http, "POST", f"/contests/{cid}/submissions", body, ann).status_code == 202


def clock(http: Any, admin: dict[str, str], cid: int, body: dict[str, Any]) -> Any:
    return call(http, "POST", f"/admin/contests/{cid}/clock", body, admin)


def test_the_clock_starts_ends_and_extends_by_the_rules(http: Any, core: Core) -> None:
    admin, ann = login(core, "boss", Role.ADMIN), login(core, "ann")
    later = contest_with_problem(
        core, ONE_TEST, start=timedelta(hours=1), end=timedelta(hours=3), freeze=timedelta(hours=2)
    )
    cid = later["id"]
    error_of(clock(http, admin, cid, {"action": "end_now"}), 409, "contest_not_running")
    started = clock(http, admin, cid, {"action": "start_now"})
    assert started.status_code == 200 and started.json_body["state"] == "running", started.body
    error_of(clock(http, admin, cid, {"action": "start_now"}), 409, "contest_started")
    body = {"problem_id": later["problem_id"], "language": "python", "source": "print(1)"}
    assert call(http, "POST", f"/contests/{cid}/submissions", body, ann).status_code == 202

    before = call(http, "GET", f"/contests/{cid}").json_body
    extended = clock(http, admin, cid, {"action": "extend", "minutes": 30}).json_body
    for name in ("end_at", "freeze_at"):  # the freeze to come moves with the end
        moved = datetime.fromisoformat(extended[name]) - datetime.fromisoformat(before[name])
        assert moved == timedelta(minutes=30), name
    error_of(clock(http, admin, cid, {"action": "extend"}), 400, "invalid_field")
    error_of(clock(http, admin, cid, {"action": "extend", "minutes": 0}), 400, "invalid_field")
    error_of(clock(http, admin, cid, {"action": "pause"}), 400, "invalid_field")
    error_of(clock(http, ann, cid, {"action": "end_now"}), 403)
    future = (core.clock() + timedelta(minutes=10)).isoformat()
    error_of(
        call(http, "PATCH", f"/admin/contests/{cid}", {"start_at": future}, admin), 409, "contest_started"
    )

    ended = clock(http, admin, cid, {"action": "end_now"}).json_body
    assert ended["state"] == "ended" and ended["freeze_at"] == ended["end_at"]
    error_of(call(http, "POST", f"/contests/{cid}/submissions", body, ann), 409, "contest_not_running")
    error_of(clock(http, admin, cid, {"action": "extend", "minutes": 5}), 409, "contest_over")
    error_of(clock(http, admin, cid, {"action": "end_now"}), 409, "contest_not_running")


def test_a_problem_is_changed_and_its_submissions_rejudged_on_request(http: Any, core: Core) -> None:
    contest, admin, ann = running(core), login(core, "boss", Role.ADMIN), login(core, "ann")
    pid, cid = contest["problem_id"], contest["id"]
    body = {"problem_id": pid, "language": "python", "source": "print(1)"}
    sid = call(http, "POST", f"/contests/{cid}/submissions", body, ann).json_body["id"]
    hash_before = hash_of(core, pid)
    changed = call(http, "PATCH", f"/admin/problems/{pid}", {"statement": "New words", "title": "Q"}, admin)
    assert changed.json_body == {
        "id": pid,
        "changed": ["statement", "title"],
        "rejudge_would_touch": 0,
        "rejudged": 0,
    }
    assert call(http, "GET", f"/contests/{cid}/problems/A", headers=ann).json_body["statement"] == "New words"
    tests = {"tests": [{"input": "", "answer": "2", "sample": True}, {"input": "x", "answer": "3"}]}
    replaced = call(http, "PATCH", f"/admin/problems/{pid}", tests, admin).json_body
    assert (replaced["rejudge_would_touch"], replaced["rejudged"]) == (1, 0)
    assert hash_of(core, pid) != hash_before  # judge hosts load the new tests
    samples = call(http, "GET", f"/contests/{cid}/problems/A", headers=ann).json_body["samples"]
    assert samples == [{"input": "", "answer": "2"}]
    record_and_publish(core, judged(core, sid, Verdict.WA))  # judged under the old tests
    judgement = judgement_of(core, sid)
    again = call(http, "PATCH", f"/admin/problems/{pid}", {"time_limit_ms": 2000, "rejudge": True}, admin)
    assert (again.json_body["rejudge_would_touch"], again.json_body["rejudged"]) == (1, 1)
    assert judgement_of(core, sid) == judgement + 1
    for bad, code in [
        ({"time_limit_ms": 5}, "invalid_field"),
        ({"tests": []}, "invalid_tests"),
        ({"checker": "fuzzy"}, "invalid_checker"),
        ({"rejudge": "yes"}, "invalid_field"),
        ([], "invalid_body"),
    ]:
        error_of(call(http, "PATCH", f"/admin/problems/{pid}", bad, admin), 400, code)
    error_of(call(http, "PATCH", "/admin/problems/999999", {"title": "x"}, admin), 404, "problem_not_found")
    error_of(call(http, "PATCH", f"/admin/problems/{pid}", {"title": "x"}, ann), 403)


def test_tests_judged_on_are_replaced_and_the_judgements_kept(http: Any, core: Core) -> None:
    """Replacing tests a submission was judged on keeps its per-test results (the fuzzer found
    a 500 here: the results referenced the deleted test cases)."""
    contest, admin, ann = running(core), login(core, "boss", Role.ADMIN), login(core, "ann")
    pid, cid = contest["problem_id"], contest["id"]
    body = {"problem_id": pid, "language": "python", "source": "print(1)"}
    sid = call(http, "POST", f"/contests/{cid}/submissions", body, ann).json_body["id"]
    record_and_publish(core, judged(core, sid, Verdict.WA))
    tests = {"tests": [{"input": "1", "answer": "2"}], "rejudge": True}
    replaced = call(http, "PATCH", f"/admin/problems/{pid}", tests, admin)
    assert replaced.status_code == 200 and replaced.json_body["rejudged"] == 1
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT t.ordinal, t.verdict, t.test_case_id FROM test_results t"
            " JOIN submission_results r ON r.id = t.result_id WHERE r.submission_id = %s",
            (sid,),
        )
        assert [dict(row) for row in cur.fetchall()] == [
            {"ordinal": 1, "verdict": "WA", "test_case_id": None}
        ]


def test_problems_and_contests_with_submissions_are_kept(http: Any, core: Core) -> None:
    contest, admin, ann = running(core), login(core, "boss", Role.ADMIN), login(core, "ann")
    pid, cid = contest["problem_id"], contest["id"]
    listed = call(http, "GET", "/admin/problems", headers=admin).json_body["problems"]
    assert [(p["id"], p["tests"], p["submissions"], p["contests"]) for p in listed] == [
        (pid, 1, 0, [{"contest_id": cid, "label": "A"}])
    ]
    body = {"problem_id": pid, "language": "python", "source": "print(1)"}
    assert call(http, "POST", f"/contests/{cid}/submissions", body, ann).status_code == 202
    error_of(call(http, "DELETE", f"/admin/problems/{pid}", None, admin), 409, "has_submissions")
    error_of(
        call(http, "DELETE", f"/admin/contests/{cid}/problems/{pid}", None, admin), 409, "has_submissions"
    )
    error_of(call(http, "DELETE", f"/admin/contests/{cid}", None, admin), 409, "has_submissions")
    assert call(http, "GET", f"/contests/{cid}/problems/A", headers=ann).status_code == 200  # all still there

    spare = contest_with_problem(core, ONE_TEST, start=timedelta(hours=1), end=timedelta(hours=2))
    detached = call(
        http, "DELETE", f"/admin/contests/{spare['id']}/problems/{spare['problem_id']}", None, admin
    )
    assert detached.json_body == {
        "contest_id": spare["id"],
        "problem_id": spare["problem_id"],
        "label": "A",
        "detached": True,
    }
    error_of(
        call(http, "DELETE", f"/admin/contests/{spare['id']}/problems/{spare['problem_id']}", None, admin),
        404,
    )
    assert call(http, "DELETE", f"/admin/problems/{spare['problem_id']}", None, admin).json_body["deleted"]
    error_of(
        call(http, "DELETE", f"/admin/problems/{spare['problem_id']}", None, admin), 404, "problem_not_found"
    )
    assert call(http, "DELETE", f"/admin/contests/{spare['id']}", None, admin).json_body["deleted"]
    error_of(call(http, "GET", f"/contests/{spare['id']}"), 404, "contest_not_found")
    error_of(call(http, "DELETE", f"/admin/contests/{cid}", None, ann), 403)


def hash_of(core: Core, problem_id: int) -> str:
    with core.db.transaction() as cur:
        cur.execute("SELECT test_data_hash FROM problems WHERE id = %s", (problem_id,))
        return str(cur.fetchone()["test_data_hash"])


def judgement_of(core: Core, submission_id: int) -> int:
    """The submission's judgement number; asserts it is queued when it was judged again."""
    with core.db.transaction() as cur:
        cur.execute("SELECT judgement, status FROM submissions WHERE id = %s", (submission_id,))
        row = cur.fetchone()
    assert row["judgement"] == 1 or row["status"] == "queued"
    return int(row["judgement"])
