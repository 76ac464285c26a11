"""Intake offers the languages live judge hosts passed their self-test for."""

from __future__ import annotations

import json
import time
from typing import Any

from codearena import keys
from codearena.core import Core
from tests.integration.conftest import login


def announce(core: Core, host: str, languages: list[str], at: float | None = None) -> None:
    moment = time.time() if at is None else at
    core.redis.zadd(keys.JUDGE_HOSTS, {host: moment})
    core.redis.hset(keys.JUDGE_LANGUAGES, mapping=dict.fromkeys(languages, moment))


def submit(http: Any, headers: dict[str, str], contest: dict[str, Any], language: str) -> Any:
    return http.post(
        f"/contests/{contest['id']}/submissions",
        headers=headers,
        body=json.dumps({"problem_id": contest["problem_id"], "language": language, "source": "print(3)"}),
    )


def test_with_no_judge_host_up_every_known_language_is_accepted(
    http: Any, core: Core, running_contest: dict[str, Any]
) -> None:
    assert http.get("/languages").json_body["languages"] == [
        "python",
        "c",
        "cpp",
        "java",
        "javascript",
        "go",
        "rust",
    ]
    assert submit(http, login(core, "amy"), running_contest, "rust").status_code == 202


def test_a_language_no_live_host_offers_is_refused_at_intake(
    http: Any, core: Core, running_contest: dict[str, Any]
) -> None:
    announce(core, "host-a", ["python", "c"])
    announce(core, "host-old", ["java"], at=time.time() - 3600)  # long gone
    headers = login(core, "amy")
    assert http.get("/languages").json_body["languages"] == ["python", "c"]
    refused = submit(http, headers, running_contest, "java")
    assert refused.status_code == 400
    assert refused.json_body["error"]["code"] == "language_unavailable"
    assert "python, c" in refused.json_body["error"]["message"]
    with core.db.transaction() as cur:
        cur.execute("SELECT count(*) AS n FROM submissions")
        assert cur.fetchone()["n"] == 0
    assert submit(http, headers, running_contest, "c").status_code == 202


def test_live_hosts_that_have_not_said_what_they_run_refuse_nothing(
    http: Any, core: Core, running_contest: dict[str, Any]
) -> None:
    # What intake saw when Redis was emptied between its two reads: a live host, no languages.
    core.redis.zadd(keys.JUDGE_HOSTS, {"host-a": time.time()})
    assert len(http.get("/languages").json_body["languages"]) == 7
    assert submit(http, login(core, "amy"), running_contest, "python").status_code == 202
