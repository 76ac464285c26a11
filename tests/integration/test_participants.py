"""Who may submit: invite-only and approval contests, the cap on waiting submissions, and
judging-error details kept for the jury (issue 11, finding 6 and the JE note)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from codearena import contests, judgements, submissions
from codearena.core import Core
from codearena.errors import CodeArenaError
from codearena.models import Role, Verdict
from tests.integration.conftest import contest_with_problem, login
from tests.integration.test_accounts import call, code_of, uid

ONE = {"title": "P", "time_limit_ms": 1000, "memory_limit_kb": 65536, "tests": [{"input": "", "answer": "1"}]}


def contest_in_mode(core: Core, mode: str) -> dict[str, Any]:
    made = contest_with_problem(core, ONE, start=-timedelta(minutes=5), end=timedelta(hours=1))
    contests.update_contest(core, made["id"], {"registration": mode})
    return made


def submit(http: Any, contest: dict[str, Any], headers: dict[str, str]) -> Any:
    body = {"problem_id": contest["problem_id"], "language": "python", "source": "print(1)"}
    return call(http, "POST", f"/contests/{contest['id']}/submissions", body, headers)


def register(http: Any, contest: dict[str, Any], headers: dict[str, str]) -> Any:
    return call(http, "POST", f"/contests/{contest['id']}/registration", None, headers)


def test_an_approval_contest_takes_submissions_once_an_organizer_approves(http: Any, core: Core) -> None:
    contest, admin, ann = (
        contest_in_mode(core, "approval"),
        login(core, "boss", Role.ADMIN),
        login(core, "ann"),
    )
    assert code_of(submit(http, contest, ann), 403) == "not_registered"
    assert register(http, contest, ann).json_body["status"] == "pending"
    assert code_of(submit(http, contest, ann), 403) == "not_registered"
    listed = call(http, "GET", f"/admin/contests/{contest['id']}/participants", headers=admin).json_body
    assert [(p["username"], p["status"]) for p in listed["participants"]] == [("ann", "pending")]
    path = f"/admin/contests/{contest['id']}/participants/{uid(core, 'ann')}"
    assert call(http, "PUT", path, {"status": "approved"}, admin).json_body["status"] == "approved"
    assert submit(http, contest, ann).status_code == 202
    assert (
        call(http, "GET", f"/contests/{contest['id']}/registration", headers=ann).json_body["status"]
        == "approved"
    )


def test_an_invite_only_contest_refuses_everyone_not_invited(http: Any, core: Core) -> None:
    contest, admin = contest_in_mode(core, "invite"), login(core, "boss", Role.ADMIN)
    ann, bob = login(core, "ann"), login(core, "bob")
    assert code_of(register(http, contest, bob), 403) == "invitation_required"
    path = f"/admin/contests/{contest['id']}/participants/{uid(core, 'ann')}"
    assert call(http, "PUT", path, {"status": "invited"}, admin).status_code == 200
    assert code_of(submit(http, contest, ann), 403) == "not_registered"  # accept first
    assert register(http, contest, ann).json_body["status"] == "approved"
    assert submit(http, contest, ann).status_code == 202
    assert code_of(submit(http, contest, bob), 403) == "not_registered"


def test_a_rejected_user_stays_rejected(http: Any, core: Core) -> None:
    contest, admin, eve = (
        contest_in_mode(core, "approval"),
        login(core, "boss", Role.ADMIN),
        login(core, "eve"),
    )
    register(http, contest, eve)
    path = f"/admin/contests/{contest['id']}/participants/{uid(core, 'eve')}"
    call(http, "PUT", path, {"status": "rejected"}, admin)
    assert register(http, contest, eve).json_body["status"] == "rejected"
    assert code_of(submit(http, contest, eve), 403) == "not_registered"


def test_open_contests_need_no_registration_and_bad_input_is_refused(http: Any, core: Core) -> None:
    contest, admin, ann = contest_in_mode(core, "open"), login(core, "boss", Role.ADMIN), login(core, "ann")
    assert submit(http, contest, ann).status_code == 202
    assert register(http, contest, ann).json_body == {
        "contest_id": contest["id"],
        "user_id": uid(core, "ann"),
        "registration": "open",
        "status": "approved",
    }
    path = f"/admin/contests/{contest['id']}/participants/{uid(core, 'ann')}"
    assert code_of(call(http, "PUT", path, {"status": "pending"}, admin), 400) == "invalid_field"
    assert code_of(call(http, "PUT", path, {"status": "approved"}, ann), 403) == "forbidden"
    missing = f"/admin/contests/{contest['id']}/participants/999999"
    assert code_of(call(http, "PUT", missing, {"status": "approved"}, admin), 404) == "user_not_found"
    patched = call(http, "PATCH", f"/admin/contests/{contest['id']}", {"registration": "closed"}, admin)
    assert code_of(patched, 400) == "invalid_field"


def test_one_user_cannot_fill_the_queue(core: Core) -> None:
    core.settings = replace(core.settings, max_pending_submissions=3, submit_rate_per_minute=1000)
    contest = contest_in_mode(core, "open")
    ann = core.tokens.verify(login(core, "ann")["Authorization"].split()[1])
    body = {"problem_id": contest["problem_id"], "language": "python", "source": "print(1)"}
    answers: list[str] = []
    start = threading.Barrier(10)

    def one() -> None:
        start.wait()
        try:
            submissions.submit(core, ann, contest["id"], body)
            answers.append("accepted")
        except CodeArenaError as exc:
            answers.append(exc.code)

    threads = [threading.Thread(target=one) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["accepted"] * 3 + ["too_many_pending"] * 7
    judged = _judge_one(core, contest["id"])
    assert submissions.submit(core, ann, contest["id"], body)["id"] > judged  # one left the queue


def _judge_one(core: Core, contest_id: int) -> int:
    with core.db.transaction() as cur:
        cur.execute("SELECT min(id) AS id FROM submissions WHERE contest_id = %s", (contest_id,))
        sid = int(cur.fetchone()["id"])
    judgements.record(core, judgements.Judgement(sid, Verdict.AC, 1.0, []))
    return sid


@pytest.mark.parametrize("role, shown", [(Role.CONTESTANT, False), (Role.JURY, True)])
def test_judging_error_details_are_for_the_jury_only(http: Any, core: Core, role: Role, shown: bool) -> None:
    contest, ann = contest_in_mode(core, "open"), login(core, "ann")
    sid = submit(http, contest, ann).json_body["id"]
    reason = "judge error: OperationalError: connection to server at 10.0.3.7 failed"
    judgements.record(core, judgements.Judgement(sid, Verdict.JE, 0.0, [], reason))
    reader = ann if role is Role.CONTESTANT else login(core, "judy", role)
    answer = call(http, "GET", f"/submissions/{sid}", headers=reader).json_body
    assert answer["verdict"] == "JE"
    assert (answer["compile_output"] == reason) is shown
    assert ("10.0.3.7" in answer["compile_output"]) is shown
