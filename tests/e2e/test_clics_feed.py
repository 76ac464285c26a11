"""The CLICS event feed streamed by the real gateway over real HTTP: a reader that connected
before a submission sees its notification arrive on the open answer; `since_token`
continues where a reader stopped, streaming again after a disconnection with nothing missed
and nothing twice; the jury's feed holds what the public's does not."""

from __future__ import annotations

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
    """A real streaming reader (the jury's, as a CDS reads it) goes away mid-contest;
    submissions are judged and a clarification asked and answered while it is away; it
    streams again from the last token it saw and gets exactly the lines it missed, in order,
    none twice, then a new one live."""
    cid, admin, client = contest["id"], contest["admin"], contest["client"]
    ann = register_and_login(client, "returning")
    path = f"/api/contests/{cid}/event-feed"
    timeout = httpx.Timeout(10, read=30)
    first: list[dict[str, Any]] = []
    early = submit(contest, ann, SUM)
    with httpx.Client(base_url=gateway, timeout=timeout) as reader:
        with reader.stream("GET", path, headers=admin) as response:
            assert response.status_code == 200
            read_until(response.iter_lines(), first, lambda seen: verdict_of(seen, early) is not None)
    last = first[-1]["token"]

    # while the reader is away: two more judged submissions, a question and its answer
    away = [submit(contest, ann, DIFFERENCE), submit(contest, ann, SUM)]
    assert [judged(client, sid, ann) for sid in away] == ["WA", "AC"]
    question = client.post(f"/contests/{cid}/clarifications", headers=ann, json={"text": "Is b >= 0?"})
    assert question.status_code == 201, question.text
    reply = {"text": "No.", "reply_to_id": question.json()["id"], "to": "everyone"}
    assert client.post(f"/admin/contests/{cid}/clarifications", headers=admin, json=reply).status_code == 201
    time.sleep(2.5)  # past the feed's settling time: everything above is in the feed now

    missed = client.get(path, params={"stream": "false", "since_token": last}, headers=admin)
    expected = [json.loads(line) for line in missed.text.splitlines()]
    kinds = [line["type"] for line in expected]
    assert kinds.count("submissions") == 2 and kinds.count("clarifications") == 2, kinds
    assert kinds.count("judgements") >= 2, kinds
    second: list[dict[str, Any]] = []
    with httpx.Client(base_url=gateway, timeout=timeout) as reader:
        with reader.stream("GET", path, params={"since_token": last}, headers=admin) as response:
            assert response.status_code == 200
            lines = response.iter_lines()
            read_until(lines, second, lambda seen: len(seen) >= len(expected))
            assert second == expected  # exactly what was missed: no gap, no line twice
            live = submit(contest, ann, SUM)  # and, on the open answer, what happens next
            read_until(lines, second, lambda seen: verdict_of(seen, live) is not None)
    tokens = [int(line["token"]) for line in first + second]
    assert tokens == list(range(1, len(tokens) + 1))
    everything = client.get(path, params={"stream": "false"}, headers=admin).text.splitlines()
    assert [json.loads(line) for line in everything][: len(tokens)] == first + second
    for line in first + second:
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
