"""Jury tools (issue 14 point 4): the filtered submission list, a submission's details, the
judge fleet and queue, the audit log; contestants get 403 on each of them."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.routes import declared, jury
from chalicelib.routing import Route
from codearena import judgements, keys
from codearena.core import Core
from codearena.judgements import OUTPUT_KEPT_BYTES, CaseOutcome, Judgement
from codearena.models import Role, Verdict
from judge_host.daemon import HostConfig, JudgeHost
from tests.integration.conftest import Caller, error_of, login
from tests.integration.test_judging import PRINT, FakeSandbox, world
from tests.integration.test_judging import submit as judging_submit

__all__ = ["world"]  # the fixture, shared
JURY_ROUTES = [route for route in declared() if route in jury.AREA.routes]


def submit(call: Caller, contest: dict[str, Any], who: dict[str, str], language: str, source: str) -> int:
    body = {"problem_id": contest["problem_id"], "language": language, "source": source}
    answer = call("POST", f"/contests/{contest['id']}/submissions", body, who)
    assert answer.status_code == 202, answer.body
    return int(answer.json_body["id"])


def judge(core: Core, submission_id: int, verdict: Verdict) -> None:
    """Record a judgement as a judge host would: the first test AC, the second `verdict`."""
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT t.id, t.ordinal FROM test_cases t JOIN submissions s ON s.problem_id = t.problem_id"
            " WHERE s.id = %s ORDER BY t.ordinal",
            (submission_id,),
        )
        cases = cur.fetchall()
        cur.execute("UPDATE submissions SET status = 'judging' WHERE id = %s", (submission_id,))
    outcomes = [
        CaseOutcome(case["id"], case["ordinal"], Verdict.AC if case["ordinal"] == 1 else verdict, 12, 3456)
        for case in cases
    ]
    judgements.record(core, Judgement(submission_id, verdict, 0.0, outcomes, judge_host="host-1"))


@pytest.fixture
def judged(call: Caller, core: Core, running_contest: dict[str, Any]) -> dict[str, Any]:
    """Three submissions in the running contest: ann's AC (python), bob's WA (cpp), ann's pending (c)."""
    ann, bob = login(core, "ann"), login(core, "bob")
    first = submit(call, running_contest, ann, "python", "print(sum(map(int, input().split())))")
    second = submit(call, running_contest, bob, "cpp", "int main() { return 0; }")
    third = submit(call, running_contest, ann, "c", "int main(void) { return 0; }")
    judge(core, first, Verdict.AC)
    judge(core, second, Verdict.WA)
    with core.db.transaction() as cur:
        cur.execute("SELECT id, username FROM users WHERE username IN ('ann', 'bob')")
        ids = {row["username"]: row["id"] for row in cur.fetchall()}
    return {"cid": running_contest["id"], "ac": first, "wa": second, "pending": third, **ids}


def listed(call: Caller, headers: dict[str, str], cid: int, query: str = "") -> list[int]:
    answer = call("GET", f"/admin/contests/{cid}/submissions{query}", None, headers)
    assert answer.status_code == 200, answer.body
    return [row["id"] for row in answer.json_body["submissions"]]


def test_the_jury_lists_every_submission_with_filters(
    call: Caller, core: Core, judged: dict[str, Any]
) -> None:
    jury_member = login(core, "judy", Role.JURY)
    cid, ac, wa, pending = judged["cid"], judged["ac"], judged["wa"], judged["pending"]
    assert listed(call, jury_member, cid) == [pending, wa, ac]  # newest first
    assert listed(call, jury_member, cid, "?verdict=WA") == [wa]
    assert listed(call, jury_member, cid, "?verdict=pending") == [pending]
    assert listed(call, jury_member, cid, "?language=python") == [ac]
    assert listed(call, jury_member, cid, f"?user_id={judged['ann']}") == [pending, ac]
    assert listed(call, jury_member, cid, "?problem=A") == [pending, wa, ac]
    assert listed(call, jury_member, cid, "?problem=B") == []
    assert listed(call, jury_member, cid, f"?problem=A&user_id={judged['bob']}&verdict=WA") == [wa]
    later = (core.clock() + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert listed(call, jury_member, cid, f"?from={later}") == []
    assert listed(call, jury_member, cid, f"?to={later}") == [pending, wa, ac]
    page = call("GET", f"/admin/contests/{cid}/submissions?limit=1&offset=1", None, jury_member).json_body
    assert (page["total"], [row["id"] for row in page["submissions"]]) == (3, [wa])
    assert (
        call("GET", f"/admin/contests/{cid}/submissions?offset=9", None, jury_member).json_body["total"] == 3
    )
    row = page["submissions"][0]
    assert (row["username"], row["verdict"], row["max_time_ms"], row["judge_host"]) == (
        "bob",
        "WA",
        12,
        "host-1",
    )


@pytest.mark.parametrize(
    "query",
    [
        "?verdict=XX",
        "?language=cobol",
        "?problem=a",
        "?problem=-1",
        "?user_id=x",
        "?from=yesterday",
        "?to=2026-01-01T00:00:00",
        "?limit=0",
        "?limit=501",
        "?offset=-1",
    ],
)
def test_malformed_filters_are_400(
    call: Caller, admin: dict[str, str], judged: dict[str, Any], query: str
) -> None:
    error_of(
        call("GET", f"/admin/contests/{judged['cid']}/submissions{query}", None, admin), 400, "invalid_query"
    )


def test_unknown_contest_and_submission_are_404(call: Caller, admin: dict[str, str]) -> None:
    error_of(call("GET", "/admin/contests/999999/submissions", None, admin), 404, "contest_not_found")
    error_of(call("GET", "/admin/contests/999999/audit", None, admin), 404, "contest_not_found")
    error_of(call("GET", "/admin/submissions/999999/details", None, admin), 404, "submission_not_found")


def test_details_show_source_tests_and_the_answers(
    call: Caller, core: Core, admin: dict[str, str], judged: dict[str, Any]
) -> None:
    details = call("GET", f"/admin/submissions/{judged['wa']}/details", None, admin).json_body
    assert (details["source"], details["username"], details["verdict"]) == (
        "int main() { return 0; }",
        "bob",
        "WA",
    )
    assert [(t["index"], t["verdict"], t["answer"], t["input"]) for t in details["tests"]] == [
        (1, "AC", "3\n", "1 2\n"),
        (2, "WA", "12\n", "5 7\n"),
    ]
    assert all(
        t["output"] is None and t["diff"] is None and not t["answer_truncated"] for t in details["tests"]
    )
    assert details["output_stored"] is False and "have none" in details["output_note"]  # recorded without
    assert [(j["judgement"], j["is_current"]) for j in details["judgings"]] == [(1, True)]
    pending = call("GET", f"/admin/submissions/{judged['pending']}/details", None, admin).json_body
    assert (pending["verdict"], pending["tests"], pending["judgings"]) == (None, [], [])


def test_a_judged_wrong_answer_shows_its_output_the_answer_and_a_diff(
    call: Caller, core: Core, admin: dict[str, str], world: dict[str, Any], tmp_path: Path
) -> None:
    answers = {b"1\n": b"1\n", b"2\n": b"2\n"}
    host = JudgeHost(core, FakeSandbox(tmp_path, answers), "host-out", HostConfig())
    wrong = judging_submit(core, world, f"{PRINT}1")  # prints "1" on every test: test 2 is WA
    long = judging_submit(core, world, PRINT + "9" * (OUTPUT_KEPT_BYTES + 100), "bob")
    host.run(workers=1, once=True)
    host.run(workers=1, once=True)
    details = call("GET", f"/admin/submissions/{wrong}/details", None, admin).json_body
    assert details["verdict"] == "WA" and details["output_stored"] is True
    shown = [(t["index"], t["verdict"], t["output"], t["answer"], t["diff"]) for t in details["tests"]]
    assert shown == [
        (1, "AC", "1\n", "1\n", []),
        (
            2,
            "WA",
            "1\n",
            "2\n",
            [
                {"kind": "hunk", "text": "@@ answer 1, output 1 @@"},
                {"kind": "answer", "text": "2"},
                {"kind": "output", "text": "1"},
            ],
        ),
    ]
    assert not any(t["output_truncated"] or t["diff_truncated"] for t in details["tests"])
    cut = call("GET", f"/admin/submissions/{long}/details", None, admin).json_body["tests"][0]
    assert (cut["output"], cut["output_truncated"], cut["diff_truncated"]) == (
        "9" * OUTPUT_KEPT_BYTES,
        True,
        True,
    )
    token, _ = core.tokens.issue(world["user"], "ann", Role.CONTESTANT)
    mine = call("GET", f"/submissions/{wrong}", None, {"Authorization": f"Bearer {token}"}).json_body
    assert all(
        set(t) == {"index", "verdict", "time_ms", "memory_kb"} for t in mine["tests"]
    )  # not the owner's


def test_a_long_answer_is_cut_at_4_kib_on_a_character_boundary() -> None:
    from codearena.jury import truncated

    assert truncated("é" * 3000) == ("é" * 2048, True)
    assert truncated("ab" + "é" * 2047) == ("ab" + "é" * 2047, False)  # 4096 bytes exactly
    assert truncated("a" + "é" * 2048) == ("a" + "é" * 2047, True)  # never half a character


def test_judging_shows_live_hosts_and_the_queue(
    call: Caller, core: Core, admin: dict[str, str], judged: dict[str, Any]
) -> None:
    now = time.time()
    core.redis.zadd(keys.JUDGE_HOSTS, {"host-live": now, "host-gone": now - 3600})
    core.redis.hset(
        keys.judge_host("host-live"),
        mapping={"boxes": 4, "busy": 1, "judged": 7, "started_at": now - 60, "beat_at": now, "draining": 0},
    )
    answer = call("GET", "/admin/judging", None, admin).json_body
    assert [(h["name"], h["boxes"], h["busy"], h["judged"], h["draining"]) for h in answer["hosts"]] == [
        ("host-live", 4, 1, 7, False)
    ]
    assert answer["hosts"][0]["up_seconds"] >= 59
    # the pending submission waits in the queue; the judged ones were taken off it by hand
    assert answer["unjudged"] == {"queued": 1, "judging": 0}
    assert answer["queue"]["depth"] == answer["queue"]["waiting"] + answer["queue"]["in_flight"] >= 1


@pytest.mark.parametrize("route", JURY_ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_contestants_get_403_on_every_jury_route(
    call: Caller, core: Core, judged: dict[str, Any], route: Route
) -> None:
    contestant = login(core, "carl")
    path = route.path.format(cid=judged["cid"], sid=judged["ac"])
    error_of(call(route.method, path, None, contestant), 403)
    error_of(call(route.method, path), 401)
    allowed = login(core, "jules", Role.JURY if Role.JURY in route.roles else Role.ADMIN)
    assert call(route.method, path, None, allowed).status_code == 200


def audit_entries(call: Caller, headers: dict[str, str], cid: int) -> list[dict[str, Any]]:
    answer = call("GET", f"/admin/contests/{cid}/audit", None, headers)
    assert answer.status_code == 200, answer.body
    return list(answer.json_body["entries"])


def test_the_audit_log_records_a_rejudge_and_a_clarification_answer(
    call: Caller, core: Core, admin: dict[str, str], judged: dict[str, Any]
) -> None:
    cid, sid = judged["cid"], judged["wa"]
    assert audit_entries(call, admin, cid) == []
    assert call("POST", f"/admin/submissions/{sid}/rejudge", None, admin).status_code == 202
    jury_member = login(core, "judy", Role.JURY)
    announced = call("POST", f"/admin/contests/{cid}/clarifications", {"text": "A is easy"}, jury_member)
    assert announced.status_code == 201, announced.body
    refused = call("POST", "/admin/submissions/999999/rejudge", None, admin)
    error_of(refused, 404)  # a refused action records nothing
    entries = audit_entries(call, jury_member, cid)
    assert [(e["username"], e["role"], e["method"], e["route"], e["ids"]) for e in entries] == [
        ("judy", "jury", "POST", "/admin/contests/{cid}/clarifications", {"cid": str(cid)}),
        ("admin", "admin", "POST", "/admin/submissions/{sid}/rejudge", {"sid": str(sid)}),
    ]
    with core.db.transaction() as cur:
        cur.execute("SELECT count(*) AS n FROM audit_log")
        assert cur.fetchone()["n"] == 2
    # reading is no action: the GETs above recorded nothing
    assert len(audit_entries(call, admin, cid)) == 2


def test_the_full_log_holds_actions_no_contest_owns(
    call: Caller, core: Core, admin: dict[str, str], running_contest: dict[str, Any]
) -> None:
    pid = running_contest["problem_id"]
    assert call("PATCH", f"/admin/problems/{pid}", {"title": "Sum"}, admin).status_code == 200
    log = call("GET", "/admin/audit", None, admin).json_body
    assert log["total"] == 1
    assert [(e["route"], e["ids"], e["contest_id"]) for e in log["entries"]] == [
        ("/admin/problems/{pid}", {"pid": str(pid)}, None)
    ]
    assert audit_entries(call, admin, running_contest["id"]) == []
    error_of(call("GET", "/admin/audit", None, login(core, "judy", Role.JURY)), 403)
    error_of(call("GET", "/admin/audit?limit=0", None, admin), 400, "invalid_query")


def test_only_staff_actions_are_audited() -> None:
    audited = {
        (r.method, r.path)
        for r in declared()
        if r.method != "GET" and r.roles and Role.CONTESTANT not in r.roles
    }
    assert ("POST", "/admin/submissions/{sid}/rejudge") in audited
    assert ("POST", "/admin/contests/{cid}/unfreeze") in audited
    assert ("POST", "/contests/{cid}/submissions") not in audited
