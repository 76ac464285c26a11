"""The CLICS event feed streamed by the real gateway over real HTTP: a reader that connected
before a submission sees its notification arrive on the open answer; `since_token`
continues where a reader stopped, streaming again after a disconnection with nothing missed
and nothing twice; the jury's feed holds what the public's does not."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from tests.e2e.common import DIFFERENCE, SUM, register_and_login, submit
from tests.integration.test_clics_import import schemas, valid

__all__ = ["schemas"]  # the fixture, used by name


def test_a_streaming_reader_sees_a_submission_arrive(gateway: str, contest: dict[str, Any]) -> None:
    cid = contest["id"]
    contestant = register_and_login(contest["client"], "streamer")
    seen: list[dict[str, Any]] = []
    before = 0
    submission_id = None
    with httpx.Client(base_url=gateway, timeout=httpx.Timeout(10, read=30)) as reader:
        with reader.stream("GET", f"/api/contests/{cid}/event-feed", headers=contest["admin"]) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("application/x-ndjson")
            started = time.monotonic()
            for text in response.iter_lines():
                if text.strip():
                    seen.append(json.loads(text))
                if submission_id is None and any(line["type"] == "state" for line in seen):
                    # everything so far has come: submit while the answer stays open
                    before = len(seen)
                    assert not any(line["type"] == "submissions" for line in seen)
                    submission_id = submit(contest, contestant, "print(sum(map(int, input().split())))")
                if {"submissions", "teams"} <= {line["type"] for line in seen}:
                    break  # the submission and its team, new to the feed
                assert time.monotonic() - started < 30, seen
    arrived = [line for line in seen if line["type"] == "submissions"]
    assert [line["id"] for line in arrived] == [str(submission_id)]
    assert [int(line["token"]) for line in seen] == list(
        range(1, len(seen) + 1)
    )  # tokens in order, none twice
    with httpx.Client(base_url=gateway, timeout=10) as client:
        rest = client.get(
            f"/api/contests/{cid}/event-feed",
            params={"stream": "false", "since_token": before},
            headers=contest["admin"],
        )
        assert [json.loads(line) for line in rest.text.splitlines()] == seen[before:]
        public = [
            json.loads(line)
            for line in client.get(f"/api/contests/{cid}/event-feed?stream=false").text.splitlines()
        ]
        submitted = [line for line in public if line["type"] == "submissions"]
        assert [line["id"] for line in submitted] == [str(submission_id)]
        assert submitted[0]["data"]["team_id"] in {line["id"] for line in public if line["type"] == "teams"}
        bad = client.get(f"/api/contests/{cid}/event-feed", params={"since_token": "999999"})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_token"


def read_until(
    lines: Iterator[str], seen: list[dict[str, Any]], done: Callable[[list[dict[str, Any]]], bool]
) -> None:
    """Read notifications into `seen` until `done(seen)` (30 s at most; keep-alives skipped)."""
    started = time.monotonic()
    while not done(seen):
        assert time.monotonic() - started < 30, seen[-5:]
        text = next(lines)
        if text.strip():
            seen.append(json.loads(text))


def at_least(count: int) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda seen: len(seen) >= count


def judged(client: httpx.Client, submission_id: int, headers: dict[str, str]) -> str:
    """Wait for the submission's verdict."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answer = client.get(f"/submissions/{submission_id}", headers=headers).json()
        if answer["status"] == "judged":
            return str(answer["verdict"])
        time.sleep(0.2)
    raise AssertionError(f"submission {submission_id} was not judged")


def test_a_streaming_reader_reconnects_with_since_token_and_misses_nothing(
    gateway: str, judge_host: Any, contest: dict[str, Any], schemas: Any
) -> None:
    """Real streaming readers, the jury's (as a CDS reads it) and the public's, go away
    mid-contest; submissions are judged and a clarification asked and answered while they
    are away; each streams again from the last token it saw and gets exactly the lines it
    missed, in order, none twice, then a new one live on the open answer."""
    cid, admin, client = contest["id"], contest["admin"], contest["client"]
    ann = register_and_login(client, "returning")
    path = f"/api/contests/{cid}/event-feed"
    readers: dict[str, dict[str, str]] = {"jury": admin, "public": {}}
    timeout = httpx.Timeout(10, read=30)
    first: dict[str, list[dict[str, Any]]] = {name: [] for name in readers}
    early = submit(contest, ann, SUM)
    with httpx.Client(base_url=gateway, timeout=timeout) as reader:
        for name, headers in readers.items():
            with reader.stream("GET", path, headers=headers) as response:
                assert response.status_code == 200
                read_until(response.iter_lines(), first[name], lambda seen: verdict_of(seen, early) == "AC")
    last = {name: first[name][-1]["token"] for name in readers}

    # while the readers are away: two more judged submissions, a question and its answer
    away = [submit(contest, ann, DIFFERENCE), submit(contest, ann, SUM)]
    assert [judged(client, sid, ann) for sid in away] == ["WA", "AC"]
    question = client.post(f"/contests/{cid}/clarifications", headers=ann, json={"text": "Is b >= 0?"})
    assert question.status_code == 201, question.text
    reply = {"text": "No.", "reply_to_id": question.json()["id"], "to": "everyone"}
    assert client.post(f"/admin/contests/{cid}/clarifications", headers=admin, json=reply).status_code == 201
    time.sleep(2.5)  # past the feed's settling time: everything above is in the feed now

    second: dict[str, list[dict[str, Any]]] = {name: [] for name in readers}
    with httpx.Client(base_url=gateway, timeout=timeout) as reader, contextlib.ExitStack() as streams:
        lines = {}
        for name, headers in readers.items():
            response = streams.enter_context(
                reader.stream("GET", path, params={"since_token": last[name]}, headers=headers)
            )
            assert response.status_code == 200
            lines[name] = response.iter_lines()
            missed = client.get(path, params={"stream": "false", "since_token": last[name]}, headers=headers)
            expected = [json.loads(line) for line in missed.text.splitlines()]
            read_until(lines[name], second[name], at_least(len(expected)))
            assert second[name] == expected, name  # exactly what was missed: no gap, no line twice
            told = [line["data"]["text"] for line in expected if line["type"] == "clarifications"]
            assert told == (["Is b >= 0?", "No."] if name == "jury" else ["No."]), name
            made = [line["id"] for line in expected if line["type"] == "submissions"]
            assert made == [str(sid) for sid in away], name
            assert [verdict_of(expected, sid) for sid in away] == ["WA", "AC"], name
        live = submit(contest, ann, SUM)
        for name in readers:
            read_until(lines[name], second[name], lambda seen: verdict_of(seen, live) == "AC")
    for name, headers in readers.items():
        got = first[name] + second[name]
        assert [int(line["token"]) for line in got] == list(range(1, len(got) + 1)), name
        everything = client.get(path, params={"stream": "false"}, headers=headers).text.splitlines()
        assert [json.loads(line) for line in everything][: len(got)] == got, name
        for line in got:
            valid(schemas, "event-feed.json", json.dumps(line).encode())
            valid(schemas, f"{SCHEMA_OF[line['type']]}.json", json.dumps(line["data"]).encode())


SCHEMA_OF = {
    "contest": "contest",
    "state": "state",
    "judgement-types": "judgement-type",
    "languages": "language",
    "problems": "problem",
    "groups": "group",
    "organizations": "organization",
    "teams": "team",
    "submissions": "submission",
    "judgements": "judgement",
    "runs": "run",
    "clarifications": "clarification",
    "awards": "award",
}


def verdict_of(seen: list[dict[str, Any]], submission_id: int) -> str | None:
    """The judgement type the feed gave the submission, if it has."""
    for line in seen:
        data = line["data"]
        if line["type"] == "judgements" and data["submission_id"] == str(submission_id):
            if data.get("judgement_type_id"):
                return str(data["judgement_type_id"])
    return None
