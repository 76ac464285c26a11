"""Clarifications over HTTP on the real PostgreSQL and Redis: asking, who reads what, the
jury's answers and announcements, the rate limit, bad input; their live events and who may
follow a participant's private topic."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from codearena import participants
from codearena.core import Core
from codearena.events import contest_topic, jury_topic, participant_topic
from codearena.models import Role
from tests.integration.conftest import Caller, error_of, login
from tests.integration.test_realtime import event, invoke, posted, token_of, ws

__all__ = ["ws"]  # the fixture, used by name


def ids(answer: Any) -> list[int]:
    return [c["id"] for c in answer.json_body["clarifications"]]


def user_id(core: Core, username: str) -> int:
    with core.db.transaction() as cur:
        cur.execute("SELECT id FROM users WHERE username = %s", (username,))
        return int(cur.fetchone()["id"])


@pytest.fixture
def people(core: Core) -> dict[str, dict[str, str]]:
    return {
        "alice": login(core, "alice"),
        "bob": login(core, "bob"),
        "jury": login(core, "judy", Role.JURY),
    }


def test_a_question_its_answers_and_who_reads_them(
    call: Caller, core: Core, running_contest: dict[str, Any], people: dict[str, dict[str, str]]
) -> None:
    cid, pid = running_contest["id"], running_contest["problem_id"]
    base = f"/contests/{cid}/clarifications"
    asked = call("POST", base, {"text": "Is n ever 0?", "problem_id": pid}, people["alice"])
    assert asked.status_code == 201, asked.body
    question = asked.json_body
    assert question["from_username"] == "alice" and question["to_user_id"] is None
    assert (question["label"], question["problem_id"]) == ("A", pid)
    general = call("POST", base, {"text": "Can I use a calculator?"}, people["bob"]).json_body
    assert general["problem_id"] is None and general["label"] is None

    jury_base = f"/admin/contests/{cid}/clarifications"
    private = call("POST", jury_base, {"text": "No.", "reply_to_id": question["id"]}, people["jury"])
    assert private.status_code == 201
    assert private.json_body["to_username"] == "alice" and private.json_body["from_user_id"] is None
    assert private.json_body["problem_id"] == pid  # the question's problem
    to_all = call(
        "POST", jury_base, {"text": "n >= 1", "reply_to_id": question["id"], "to": "everyone"}, people["jury"]
    ).json_body
    notice = call("POST", jury_base, {"text": "Ten more minutes."}, people["jury"]).json_body
    assert to_all["to_user_id"] is None and notice["reply_to_id"] is None

    mine = call("GET", base, None, people["alice"])
    assert ids(mine) == [question["id"], private.json_body["id"], to_all["id"], notice["id"]]
    assert ids(call("GET", base, None, people["bob"])) == [general["id"], to_all["id"], notice["id"]]
    everything = ids(call("GET", base, None, people["jury"]))
    assert everything == [question["id"], general["id"], private.json_body["id"], to_all["id"], notice["id"]]
    # one by one: what another participant asked or was told looks like nothing at all
    assert call("GET", f"{base}/{question['id']}", None, people["alice"]).json_body == question
    error_of(call("GET", f"{base}/{question['id']}", None, people["bob"]), 404, "clarification_not_found")
    error_of(call("GET", f"{base}/{private.json_body['id']}", None, people["bob"]), 404)
    assert call("GET", f"{base}/{general['id']}", None, people["jury"]).status_code == 200
    error_of(call("GET", base), 401)


def test_asking_is_for_contestants_and_answering_for_the_jury(
    call: Caller, core: Core, running_contest: dict[str, Any], people: dict[str, dict[str, str]]
) -> None:
    cid = running_contest["id"]
    error_of(call("POST", f"/contests/{cid}/clarifications", {"text": "?"}, people["jury"]), 403)
    error_of(call("POST", f"/admin/contests/{cid}/clarifications", {"text": "hi"}, people["alice"]), 403)
    error_of(call("POST", f"/contests/{cid}/clarifications", {"text": "?"}), 401)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "invalid_field"),
        ({"text": ""}, 400, "invalid_field"),
        ({"text": "   \n"}, 400, "invalid_field"),
        ({"text": "x" * 2001}, 400, "invalid_field"),
        ({"text": 5}, 400, "invalid_field"),
        ({"text": "a\x00b"}, 400, "invalid_field"),
        ({"text": "?", "problem_id": "1"}, 400, "invalid_field"),
        ({"text": "?", "problem_id": 0}, 400, "invalid_field"),
        ({"text": "?", "problem_id": 999999}, 404, "problem_not_found"),
    ],
)
def test_bad_questions_are_4xx_and_store_nothing(
    call: Caller,
    core: Core,
    running_contest: dict[str, Any],
    people: dict[str, dict[str, str]],
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    cid = running_contest["id"]
    error_of(call("POST", f"/contests/{cid}/clarifications", body, people["alice"]), status, code)
    assert ids(call("GET", f"/contests/{cid}/clarifications", None, people["jury"])) == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": "x", "to": "asker"}, 400, "invalid_field"),  # an announcement goes to everyone
        ({"text": "x", "to": "nobody"}, 400, "invalid_field"),
        ({"text": "x", "reply_to_id": 999999}, 404, "clarification_not_found"),
        ({"text": "x", "reply_to_id": "1"}, 400, "invalid_field"),
        ({"text": "x" * 2001}, 400, "invalid_field"),
    ],
)
def test_bad_jury_answers_are_4xx(
    call: Caller,
    running_contest: dict[str, Any],
    people: dict[str, dict[str, str]],
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    cid = running_contest["id"]
    error_of(call("POST", f"/admin/contests/{cid}/clarifications", body, people["jury"]), status, code)


def test_the_jury_answers_questions_not_its_own_announcements(
    call: Caller, running_contest: dict[str, Any], people: dict[str, dict[str, str]]
) -> None:
    base = f"/admin/contests/{running_contest['id']}/clarifications"
    notice = call("POST", base, {"text": "Welcome"}, people["jury"]).json_body
    error_of(call("POST", base, {"text": "x", "reply_to_id": notice["id"]}, people["jury"]), 400)


def test_questions_wait_for_the_start_and_end_with_the_contest(
    call: Caller, core: Core, running_contest: dict[str, Any], people: dict[str, dict[str, str]]
) -> None:
    from tests.integration.conftest import ONE_TEST, contest_with_problem

    later = contest_with_problem(core, ONE_TEST, start=timedelta(hours=1), end=timedelta(hours=2))
    over = contest_with_problem(core, ONE_TEST, start=-timedelta(hours=2), end=-timedelta(hours=1))
    for contest in (later, over):
        answer = call("POST", f"/contests/{contest['id']}/clarifications", {"text": "?"}, people["alice"])
        error_of(answer, 409, "contest_not_running")
    error_of(call("POST", "/contests/424242/clarifications", {"text": "?"}, people["alice"]), 404)


def test_only_participants_may_ask_where_registration_is_needed(
    call: Caller, core: Core, running_contest: dict[str, Any], people: dict[str, dict[str, str]]
) -> None:
    cid = running_contest["id"]
    call("PATCH", f"/admin/contests/{cid}", {"registration": "invite"}, login(core, "boss", Role.ADMIN))
    error_of(call("POST", f"/contests/{cid}/clarifications", {"text": "?"}, people["alice"]), 403)
    participants.set_status(core, cid, user_id(core, "alice"), {"status": "approved"})
    assert call("POST", f"/contests/{cid}/clarifications", {"text": "?"}, people["alice"]).status_code == 201


def test_asking_is_rate_limited_per_participant_with_retry_after(
    call: Caller, core: Core, running_contest: dict[str, Any], people: dict[str, dict[str, str]]
) -> None:
    cid = running_contest["id"]
    base = f"/contests/{cid}/clarifications"
    allowed = core.settings.clarifications_per_minute
    for n in range(allowed):
        assert call("POST", base, {"text": f"question {n}"}, people["alice"]).status_code == 201
    refused = call("POST", base, {"text": "one more"}, people["alice"])
    error_of(refused, 429, "rate_limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # a refused bad question is not counted against bob, and bob has his own allowance
    error_of(call("POST", base, {"text": ""}, people["bob"]), 400)
    for n in range(allowed):
        assert call("POST", base, {"text": f"bob {n}"}, people["bob"]).status_code == 201
    assert len(ids(call("GET", base, None, people["jury"]))) == 2 * allowed


def test_each_goes_live_to_the_topics_that_may_see_it(
    call: Caller, core: Core, running_contest: dict[str, Any], people: dict[str, dict[str, str]]
) -> None:
    cid = running_contest["id"]
    alice = user_id(core, "alice")
    topics = [jury_topic(cid), contest_topic(cid), participant_topic(cid, alice)]
    last = {topic: (core.events.since(topic, "0") or [{"id": "0"}])[-1]["id"] for topic in topics}
    question = call("POST", f"/contests/{cid}/clarifications", {"text": "?"}, people["alice"]).json_body
    jury_base = f"/admin/contests/{cid}/clarifications"
    private = call(
        "POST", jury_base, {"text": "yes", "reply_to_id": question["id"]}, people["jury"]
    ).json_body
    notice = call("POST", jury_base, {"text": "all"}, people["jury"]).json_body

    def heard(topic: str) -> list[int]:
        events = [e for e in core.events.since(topic, last[topic]) if e["type"] == "clarification"]
        assert all(e["contest_id"] == cid for e in events)
        return [e["clarification"]["id"] for e in events]

    assert heard(jury_topic(cid)) == [question["id"], private["id"], notice["id"]]
    assert heard(participant_topic(cid, alice)) == [question["id"], private["id"]]
    assert heard(contest_topic(cid)) == [notice["id"]]
    assert core.events.since(participant_topic(cid, user_id(core, "bob")), "0") == []


def test_only_the_participant_and_the_jury_follow_a_private_topic(
    ws: Client, core: Core, running_contest: dict[str, Any], people: dict[str, dict[str, str]]
) -> None:
    cid = running_contest["id"]
    topic = participant_topic(cid, user_id(core, "alice"))
    for connection_id, who in [("a", "alice"), ("b", "bob"), ("j", "jury")]:
        invoke(ws, "ws_connect", event(connection_id, "$connect", token=token_of(people[who])))
    invoke(ws, "ws_connect", event("anon", "$connect"))
    subscribe = {"action": "subscribe", "topic": topic}
    for connection_id in ("a", "j"):
        invoke(ws, "ws_message", event(connection_id, "$default", subscribe))
        assert posted(connection_id)[-1] == {"type": "subscribed", "topic": topic}
    for connection_id in ("b", "anon"):
        invoke(ws, "ws_message", event(connection_id, "$default", subscribe))
        assert posted(connection_id)[-1]["error"]["code"] == "forbidden_topic"
    for bad in (f"participant:{cid}", f"participant:{cid}:x", f"participant:{cid}:1:2", "participant:"):
        invoke(ws, "ws_message", event("a", "$default", {"action": "subscribe", "topic": bad}))
        assert posted("a")[-1]["error"]["code"] == "invalid_topic", bad
    elsewhere = {"action": "subscribe", "topic": f"participant:424242:{user_id(core, 'alice')}"}
    invoke(ws, "ws_message", event("a", "$default", elsewhere))
    assert posted("a")[-1]["error"]["code"] == "contest_not_found"
