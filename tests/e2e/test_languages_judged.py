"""Every language judged end to end: over HTTP to the gateway, by a real judge host in the
sandbox. Per language (tests/languages.py, one entry each): a sum of the input is accepted on
A+B, the language's self-test program ("hello") is a wrong answer, and a source that does not
compile is a compile error carrying the compiler's message. All of them go in as one batch,
judged by the host's two boxes at once, each compiled once and run on every test."""

from __future__ import annotations

import time
from typing import Any

import httpx

from codearena.core import Core
from sandbox import LANGUAGES
from tests.e2e.common import contestant_headers
from tests.languages import BROKEN, SUM

JUDGED_WITHIN_S = 300  # 78 submissions, Kotlin and Scala compiling for seconds each


def test_every_language_is_judged_end_to_end(contest: dict[str, Any], judge_host: Any, core: Core) -> None:
    client: httpx.Client = contest["client"]
    # A contestant per language: three pending each, within intake's cap on pending submissions.
    users = contestant_headers(core, [f"in-{name}" for name in LANGUAGES], "pw-123456")
    batch = {
        (name, kind): _submit(client, contest, headers, name, source)
        for (name, language), headers in zip(LANGUAGES.items(), users, strict=True)
        for kind, source in (("AC", SUM[name]), ("WA", language.self_test), ("CE", BROKEN[name][0]))
    }
    judged = _wait_for_all(client, core, batch)
    verdicts = {key: submission["verdict"] for key, submission in judged.items()}
    assert verdicts == {key: key[1] for key in batch}
    for name in LANGUAGES:
        ok, failed = judged[(name, "AC")], judged[(name, "CE")]
        assert [test["verdict"] for test in ok["tests"]] == ["AC"] * 3, (name, ok)
        assert BROKEN[name][1] in (failed.get("compile_output") or ""), (name, failed.get("compile_output"))


def _submit(
    client: httpx.Client, contest: dict[str, Any], headers: dict[str, str], language: str, source: str
) -> tuple[int, dict[str, str]]:
    answer = client.post(
        f"/contests/{contest['id']}/submissions",
        headers=headers,
        json={"problem_id": contest["problem_id"], "language": language, "source": source},
    )
    assert answer.status_code == 202, (language, answer.text)
    return int(answer.json()["id"]), headers


def _wait_for_all(
    client: httpx.Client, core: Core, batch: dict[tuple[str, str], tuple[int, dict[str, str]]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Each submission as its owner reads it over HTTP once it is judged. Which are judged
    comes from PostgreSQL (one query a poll): asking the gateway for each one every poll
    cost more CPU than judging most languages."""
    judged: dict[tuple[str, str], dict[str, Any]] = {}
    keys_of = {sid: key for key, (sid, _) in batch.items()}
    deadline = time.monotonic() + JUDGED_WITHIN_S
    while True:
        with core.db.transaction() as cur:
            cur.execute(
                "SELECT id FROM submissions WHERE id = ANY(%s) AND status = 'judged'", (list(keys_of),)
            )
            done = [keys_of[row["id"]] for row in cur.fetchall()]
        for key in set(done) - set(judged):
            sid, headers = batch[key]
            submission = client.get(f"/submissions/{sid}", headers=headers).json()
            assert submission["status"] == "judged", (key, submission)
            judged[key] = submission
        if len(judged) == len(batch) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(judged) == len(batch), f"not judged in {JUDGED_WITHIN_S} s: {sorted(set(batch) - set(judged))}"
    return judged
