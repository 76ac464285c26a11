"""Custom invocations end to end: the local gateway, a real judge host and its sandbox. A run
is answered over HTTP and live over the participant's WebSocket topic, with the problem's
limits (a TLE, a runtime error, a compile error), and never shows up as a submission."""

from __future__ import annotations

import time
from typing import Any

from tests.e2e.common import SUM, register_and_login
from tests.e2e.conftest import Process
from tests.e2e.test_live import Viewer


def run(
    contest: dict[str, Any], headers: dict[str, str], source: str, stdin: str = "1 2\n"
) -> dict[str, Any]:
    answer = contest["client"].post(
        f"/contests/{contest['id']}/problems/A/invocations",
        headers=headers,
        json={"language": "python", "source": source, "input": stdin},
    )
    assert answer.status_code == 202, answer.text
    return dict(answer.json())


def finished(contest: dict[str, Any], headers: dict[str, str], invocation_id: str) -> dict[str, Any]:
    """The invocation once done, read by polling (the fallback of the live event)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answer = contest["client"].get(
            f"/contests/{contest['id']}/invocations/{invocation_id}", headers=headers
        )
        assert answer.status_code == 200, answer.text
        if answer.json()["status"] == "done":
            return dict(answer.json())
        time.sleep(0.2)
    raise AssertionError(f"invocation {invocation_id} was not run within 60 s")


def test_a_run_answers_over_http_and_live_and_is_no_submission(
    gateway: str, judge_host: Process, contest: dict[str, Any]
) -> None:
    client = contest["client"]
    ann = register_and_login(client, "ann")
    me = client.get("/auth/me", headers=ann).json()
    viewer = Viewer(gateway, ann["Authorization"].split()[1])
    try:
        topic = f"participant:{contest['id']}:{me['id']}"
        viewer.send(action="subscribe", topic=topic)
        viewer.until(lambda m: m.get("type") == "subscribed")
        queued = run(contest, ann, SUM, "40 2\n")
        _, live = viewer.until(
            lambda m: m.get("type") == "invocation" and m["invocation"]["status"] == "done", timeout=60
        )
    finally:
        viewer.close()
    result = live["invocation"]
    assert result["id"] == queued["id"] and live["topic"] == topic
    assert (result["outcome"], result["stdout"], result["exit_code"]) == ("OK", "42\n", 0), result
    assert result["time_ms"] >= 0 and result["memory_kb"] > 0
    assert finished(contest, ann, queued["id"]) == result  # the polling fallback reads the same
    running = [
        m for _, m in viewer.seen if m.get("type") == "invocation" and m["invocation"]["status"] == "running"
    ]
    assert len(running) == 1

    assert client.get(f"/contests/{contest['id']}/submissions", headers=ann).json()["submissions"] == []
    jury = client.get(f"/admin/contests/{contest['id']}/submissions", headers=contest["admin"]).json()
    assert jury["submissions"] == []
    assert client.get(f"/api/contests/{contest['id']}/submissions", headers=contest["admin"]).json() == []


def test_the_problems_limits_and_the_outcomes(
    gateway: str, judge_host: Process, contest: dict[str, Any]
) -> None:
    ann = register_and_login(contest["client"], "bea")
    spin = run(contest, ann, "while True:\n    pass\n")  # the problem's limit: 2 s of CPU
    crash = run(contest, ann, "import sys\nprint('partial')\nsys.stderr.write('boom\\n')\nsys.exit(3)\n")
    timed_out = finished(contest, ann, spin["id"])
    # out of CPU time at 2 s, or of wall time at 3 s on a busy machine (judge_host.judging)
    assert timed_out["outcome"] == "TLE" and timed_out["wall_time_ms"] >= 2000, timed_out
    failed = finished(contest, ann, crash["id"])
    assert (failed["outcome"], failed["exit_code"], failed["stdout"], failed["stderr"]) == (
        "RTE",
        3,
        "partial\n",
        "boom\n",
    )
    chatty = run(contest, ann, "print('x' * 100000)\n")
    broken = run(contest, ann, "def f(:\n")
    long_output = finished(contest, ann, chatty["id"])
    assert long_output["outcome"] == "OK" and long_output["stdout_truncated"] is True
    assert len(long_output["stdout"]) == 16 * 1024
    compile_error = finished(contest, ann, broken["id"])
    assert compile_error["outcome"] == "CE" and "SyntaxError" in compile_error["compile_output"], (
        compile_error
    )
