"""The CLICS event feed streamed by the real gateway over real HTTP: a reader that connected
before a submission sees its notification arrive on the open answer; `since_token`
continues where a reader stopped; the jury's feed holds what the public's does not."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from tests.e2e.common import register_and_login, submit


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
