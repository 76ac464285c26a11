"""Live over real WebSockets: the local gateway (with its fan-out) and a judge host."""

from __future__ import annotations

import json
import queue
import threading
import time
from datetime import UTC, datetime
from typing import Any

from websockets.sync.client import ClientConnection, connect

from tests.e2e.common import DIFFERENCE, SUM, register_and_login, submit


def solved_by(username: str) -> Any:
    def matches(message: dict[str, Any]) -> bool:
        return message["type"] == "leaderboard" and any(
            row["username"] == username and row["solved"] == 1 for row in message["rows"]
        )

    return matches


class Viewer:
    """A WebSocket client that collects every message with the time it arrived."""

    def __init__(self, base: str, token: str | None = None) -> None:
        url = base.replace("http://", "ws://") + "/ws" + (f"?token={token}" if token else "")
        self._connection = connect(url)
        self.socket: ClientConnection = self._connection.__enter__()
        self.messages: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.seen: list[tuple[float, dict[str, Any]]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.socket:
                self.messages.put((time.monotonic(), json.loads(raw)))
        except Exception:
            return

    def send(self, **message: Any) -> None:
        self.socket.send(json.dumps(message))

    def until(self, predicate: Any, timeout: float = 30) -> tuple[float, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                arrived, message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append((arrived, message))
            if predicate(message):
                return arrived, message
        raise AssertionError(f"no matching message in {timeout} s; saw {[m for _, m in self.seen]}")

    def close(self) -> None:
        self._connection.__exit__(None, None, None)


def test_verdicts_and_leaderboard_arrive_live(gateway: str, judge_host: Any, contest: dict[str, Any]) -> None:
    client, cid = contest["client"], contest["id"]
    alice = register_and_login(client, "alice")
    viewer = Viewer(gateway)
    viewer.send(action="subscribe", topic=f"contest:{cid}")
    viewer.until(lambda m: m["type"] == "subscribed")

    sid = submit(contest, alice, SUM)
    owner = Viewer(gateway, alice["Authorization"].split()[1])
    owner.send(action="subscribe", topic=f"submission:{sid}", since="0")  # replay from the start
    finished_at, finished = owner.until(lambda m: m["type"] == "finished")
    results = [m for _, m in owner.seen if m["type"] == "test_result"]
    assert [m["index"] for m in results] == [1, 2, 3]
    assert all(m["verdict"] == "AC" and m["submission_id"] == sid for m in results)
    assert finished["verdict"] == "AC"

    board_at, board = viewer.until(solved_by("alice"))
    assert board["rows"][0]["rank"] == 1
    assert board_at - finished_at < 1.0, "the leaderboard change took over a second to arrive"

    # Someone else's submission is not theirs to follow.
    viewer.send(action="subscribe", topic=f"submission:{sid}")
    assert viewer.until(lambda m: m["type"] == "error")[1]["error"]["code"] == "forbidden_topic"
    assert not [m for _, m in viewer.seen if m["type"] in ("test_result", "finished")]
    viewer.close()
    owner.close()


def test_a_reconnecting_client_misses_nothing(gateway: str, judge_host: Any, contest: dict[str, Any]) -> None:
    client, cid = contest["client"], contest["id"]
    bob = register_and_login(client, "bob")
    viewer = Viewer(gateway)
    viewer.send(action="subscribe", topic=f"contest:{cid}")
    viewer.until(lambda m: m["type"] == "subscribed")
    submit(contest, bob, DIFFERENCE)
    _, first = viewer.until(lambda m: m["type"] == "leaderboard")
    viewer.close()

    submit(contest, bob, SUM)  # lands while the viewer is away
    deadline = time.monotonic() + 30
    while client.get(f"/contests/{cid}/leaderboard").json()["rows"][0]["solved"] != 1:
        assert time.monotonic() < deadline, "the second verdict never reached the board"
        time.sleep(0.1)
    time.sleep(0.6)  # past a coalescing interval

    back = Viewer(gateway)
    back.send(action="subscribe", topic=f"contest:{cid}", since=first["id"])
    back.until(solved_by("bob"))
    versions = [m["version"] for _, m in back.seen if m["type"] == "leaderboard"]
    assert versions == list(range(first["version"] + 1, first["version"] + 1 + len(versions)))
    back.close()


def test_the_public_topic_reveals_nothing_during_the_freeze(
    gateway: str, judge_host: Any, contest: dict[str, Any]
) -> None:
    client, cid = contest["client"], contest["id"]
    carol = register_and_login(client, "carol")
    frozen = client.patch(
        f"/admin/contests/{cid}", headers=contest["admin"], json={"freeze_at": datetime.now(UTC).isoformat()}
    )
    assert frozen.status_code == 200 and frozen.json()["state"] == "frozen"
    public, jury = Viewer(gateway), Viewer(gateway, contest["admin"]["Authorization"].split()[1])
    public.send(action="subscribe", topic=f"contest:{cid}")
    jury.send(action="subscribe", topic=f"jury:{cid}")
    public.until(lambda m: m["type"] == "subscribed")
    jury.until(lambda m: m["type"] == "subscribed")

    submit(contest, carol, SUM)
    jury.until(solved_by("carol"))
    time.sleep(0.6)  # past a coalescing interval: whatever the public topic says has been said
    while not public.messages.empty():
        public.seen.append(public.messages.get())
    boards = [m for _, m in public.seen if m["type"] == "leaderboard"]
    assert boards, "the public topic said nothing at all about the pending attempt"
    assert all(row["solved"] == 0 and not row["problems"]["A"]["solved"] for m in boards for row in m["rows"])
    assert boards[-1]["rows"][0]["problems"]["A"]["pending"] == 1
    public.close()
    jury.close()


def test_a_jury_member_demoted_mid_contest_sees_no_more_jury_events(
    gateway: str, judge_host: Any, contest: dict[str, Any]
) -> None:
    client, cid, admin = contest["client"], contest["id"], contest["admin"]
    dave = register_and_login(client, "dave")
    judy = register_and_login(client, "judy")
    judy_id = client.get("/auth/me", headers=judy).json()["id"]
    client.put(f"/admin/users/{judy_id}/role", headers=admin, json={"role": "jury"})
    judy = {"Authorization": "Bearer " + client.post("/auth/login", json=_login("judy")).json()["token"]}
    watcher = Viewer(gateway, judy["Authorization"].split()[1])
    watcher.send(action="subscribe", topic=f"jury:{cid}")
    watcher.until(lambda m: m["type"] == "subscribed")
    submit(contest, dave, DIFFERENCE)
    watcher.until(lambda m: m["type"] == "leaderboard")  # a jury member sees the jury board

    demoted = client.put(f"/admin/users/{judy_id}/role", headers=admin, json={"role": "contestant"})
    assert demoted.status_code == 200
    submit(contest, dave, SUM)
    deadline = time.monotonic() + 30
    while client.get(f"/admin/contests/{cid}/leaderboard", headers=admin).json()["rows"][0]["solved"] != 1:
        assert time.monotonic() < deadline, "the accepted verdict never reached the jury board"
        time.sleep(0.1)
    _, ended = watcher.until(lambda m: m["type"] == "unsubscribed")
    assert ended == {"type": "unsubscribed", "topic": f"jury:{cid}", "reason": "forbidden_topic"}
    seen_before = len(watcher.seen)
    time.sleep(0.6)  # past a coalescing interval
    while not watcher.messages.empty():
        watcher.seen.append(watcher.messages.get())
    after = [m for _, m in watcher.seen[seen_before:]]
    assert not [m for m in after if m["type"] == "leaderboard"], after
    assert not any(row["solved"] for _, m in watcher.seen if m["type"] == "leaderboard" for row in m["rows"])
    watcher.close()


def test_the_jury_topic_tells_the_jury_of_each_submission_and_refuses_contestants(
    gateway: str, judge_host: Any, contest: dict[str, Any]
) -> None:
    client, cid = contest["client"], contest["id"]
    erin = register_and_login(client, "erin")
    topic = f"jury:{cid}"
    jury = Viewer(gateway, contest["admin"]["Authorization"].split()[1])
    contestant, anonymous = Viewer(gateway, erin["Authorization"].split()[1]), Viewer(gateway)
    jury.send(action="subscribe", topic=topic)
    jury.until(lambda m: m["type"] == "subscribed")
    for refused in (contestant, anonymous):
        refused.send(action="subscribe", topic=topic)
        _, error = refused.until(lambda m: m["type"] in ("error", "subscribed"))
        assert error["error"]["code"] == "forbidden_topic", error

    sid = submit(contest, erin, DIFFERENCE)
    listed = [
        jury.until(lambda m: m["type"] == "submission" and m["submission_id"] == sid)[1] for _ in range(2)
    ]
    assert [(m["topic"], m["contest_id"], m["status"], m["verdict"]) for m in listed] == [
        (topic, cid, "queued", None),
        (topic, cid, "judged", "WA"),
    ]
    time.sleep(0.6)  # past a coalescing interval: anything the topic sent has arrived
    for refused in (contestant, anonymous):
        while not refused.messages.empty():
            refused.seen.append(refused.messages.get())
        assert [m for _, m in refused.seen if m.get("topic") == topic] == [], refused.seen
        refused.close()
    jury.close()


def _login(username: str) -> dict[str, str]:
    return {"username": username, "password": f"{username}-password"}
