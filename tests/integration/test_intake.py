"""Intake: Redis failing after the commit, Idempotency-Key replays and races, and the rate
limit counting only what was taken."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from codearena import judgements, keys, submissions, users
from codearena.auth import Principal
from codearena.core import Core
from codearena.errors import Conflict, NotFound
from codearena.models import Role, SubmissionStatus
from tests.integration.conftest import ONE_TEST, contest_with_problem, login


def test_a_failed_enqueue_still_answers_202_and_keeps_the_submission(
    http: Any, core: Core, running_contest: dict[str, Any]
) -> None:
    headers = login(core, "eve")
    core.redis.set(keys.QUEUE, "not a stream")  # XADD now fails with WRONGTYPE, a real Redis error
    answer = http.post(
        f"/contests/{running_contest['id']}/submissions",
        headers=headers,
        body=json.dumps(
            {"problem_id": running_contest["problem_id"], "language": "python", "source": "print(3)"}
        ),
    )
    assert answer.status_code == 202, answer.body
    with core.db.transaction() as cur:
        cur.execute("SELECT status FROM submissions WHERE id = %s", (answer.json_body["id"],))
        assert cur.fetchone()["status"] == "queued"  # the sweeper enqueues it from PostgreSQL


def count_submissions(core: Core) -> int:
    with core.db.transaction() as cur:
        cur.execute("SELECT count(*) AS n FROM submissions")
        return int(cur.fetchone()["n"])


def test_an_idempotency_key_replays_its_submission_and_refuses_another(
    http: Any, core: Core, running_contest: dict[str, Any]
) -> None:
    headers = {**login(core, "ivy"), "Idempotency-Key": "retry-1"}
    path = f"/contests/{running_contest['id']}/submissions"
    body = {"problem_id": running_contest["problem_id"], "language": "python", "source": "print(3)"}
    first = http.post(path, headers=headers, body=json.dumps(body))
    again = http.post(path, headers=headers, body=json.dumps(body))
    assert first.status_code == again.status_code == 202
    assert again.json_body == {"id": first.json_body["id"], "status": "queued", "replayed": True}
    other = http.post(path, headers=headers, body=json.dumps({**body, "source": "print(4)"}))
    assert other.status_code == 409 and other.json_body["error"]["code"] == "idempotency_key_reused"
    elsewhere = contest_with_problem(core, ONE_TEST, start=timedelta(minutes=-5), end=timedelta(hours=1))
    moved = http.post(
        f"/contests/{elsewhere['id']}/submissions",
        headers=headers,
        body=json.dumps({**body, "problem_id": elsewhere["problem_id"]}),
    )
    assert moved.status_code == 409 and moved.json_body["error"]["code"] == "idempotency_key_reused"
    assert count_submissions(core) == 1
    # A refused request gives its key back: the same key then works for a good request.
    refused = {**headers, "Idempotency-Key": "retry-2"}
    assert http.post(path, headers=refused, body=json.dumps({**body, "problem_id": 999})).status_code == 404
    assert http.post(path, headers=refused, body=json.dumps(body)).status_code == 202


def test_concurrent_retries_with_one_key_make_one_submission(
    core: Core, running_contest: dict[str, Any]
) -> None:
    user = users.create_user(core, "quinn", "password-quinn")
    principal = Principal(user["id"], "quinn", Role.CONTESTANT)
    body = {"problem_id": running_contest["problem_id"], "language": "python", "source": "print(3)"}
    start = threading.Barrier(8)

    def send() -> str:
        start.wait()
        try:
            answer = submissions.submit(core, principal, running_contest["id"], body, "same-key")
        except Conflict as exc:
            return exc.code
        return "replayed" if answer.get("replayed") else f"new:{answer['id']}"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda _: send(), range(8)))
    assert len([o for o in outcomes if o.startswith("new:")]) == 1, outcomes
    assert set(outcomes) - {o for o in outcomes if o.startswith("new:")} <= {
        "replayed",
        "idempotency_key_in_progress",
    }
    assert count_submissions(core) == 1


def test_refused_submissions_do_not_use_up_the_rate_limit(
    http: Any, core: Core, running_contest: dict[str, Any]
) -> None:
    fixed = core.clock()
    core.clock = lambda: fixed  # one clock minute for the whole burst
    headers = login(core, "rex")
    path = f"/contests/{running_contest['id']}/submissions"
    body = {"problem_id": running_contest["problem_id"], "language": "python", "source": "print(3)"}
    for _ in range(core.settings.submit_rate_per_minute + 5):
        refused = http.post(path, headers=headers, body=json.dumps({**body, "problem_id": 999}))
        assert refused.status_code == 404
    assert http.post(path, headers=headers, body=json.dumps(body)).status_code == 202


def test_a_submission_crosses_modules_as_its_typed_row(
    http: Any, core: Core, running_contest: dict[str, Any]
) -> None:
    path = f"/contests/{running_contest['id']}/submissions"
    body = {"problem_id": running_contest["problem_id"], "language": "python", "source": "print(3)"}
    answer = http.post(path, headers=login(core, "tess"), body=json.dumps(body))
    assert answer.status_code == 202
    assert answer.json_body == {"id": answer.json_body["id"], "status": "queued"}
    with core.db.transaction() as cur:
        row = submissions.load(cur, answer.json_body["id"])
        missing = submissions.find(cur, 10**12)
    assert (row.contest_id, row.problem_id, row.username, row.language) == (
        running_contest["id"],
        running_contest["problem_id"],
        "tess",
        "python",
    )
    assert row.status is SubmissionStatus.QUEUED and row.judgement == 1 and row.created_at.tzinfo is not None
    assert missing is None and not judgements.needs_judging(core, 10**12)
    assert judgements.needs_judging(core, row.id) and judgements.stored(core, row.id) is None
    with core.db.transaction() as cur, pytest.raises(NotFound, match="no submission 1000000000000"):
        submissions.load(cur, 10**12)
