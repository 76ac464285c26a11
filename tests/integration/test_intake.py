"""Intake when Redis fails after the commit: the submission is kept and answered 202."""

from __future__ import annotations

import json
from typing import Any

from codearena import keys
from codearena.core import Core
from tests.integration.conftest import login


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
