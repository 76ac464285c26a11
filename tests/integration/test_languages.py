"""Intake offers the languages live judge hosts passed their self-test for; `GET /languages`
names all of them (the sandbox's registry, through the core's copy) for the web app."""

from __future__ import annotations

import json
import time
from typing import Any

from codearena import keys
from codearena.core import Core
from codearena.languages import LANGUAGES
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
    assert http.get("/languages").json_body["languages"] == list(LANGUAGES)
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
    assert http.get("/languages").json_body["languages"] == list(LANGUAGES)
    assert submit(http, login(core, "amy"), running_contest, "python").status_code == 202


def test_every_language_is_named_even_when_no_host_offers_it(http: Any, core: Core) -> None:
    """The web app titles earlier submissions and picks a language by file extension from it."""
    announce(core, "host-a", ["python"])
    answer = http.get("/languages").json_body
    assert answer["languages"] == ["python"]
    assert [language["name"] for language in answer["catalog"]] == list(LANGUAGES)
    cpp = {"name": "cpp", "title": "C++", "extensions": ["cc", "cpp", "cxx"], "time_factor": 1.0}
    assert cpp in answer["catalog"]
    assert answer["max_source_bytes"] == core.settings.max_source_bytes == 64 * 1024
