"""The one-command start: `codearena demo` (what `make demo` runs) migrates, seeds the demo
contest, serves the API and web app, judges with its own judge host, and stops it all on Ctrl-C."""

from __future__ import annotations

import signal
import time
from typing import Any

import httpx

from codearena.cli.seed import DEMO_TITLE
from codearena.config import Settings
from tests.e2e.common import SUM, register_and_login
from tests.e2e.conftest import Process, free_port, spawn


def wait_judged(client: httpx.Client, sid: int, headers: dict[str, str], demo: Process) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while (submission := client.get(f"/submissions/{sid}", headers=headers).json())["status"] != "judged":
        assert time.monotonic() < deadline, demo.output()
        time.sleep(0.2)
    return dict(submission)


def test_codearena_demo_judges_a_submission_and_stops_on_ctrl_c(settings: Settings) -> None:
    port = free_port()
    # Instance 9: the e2e tests' sandbox boxes, apart from a developer's own `make demo`.
    demo = spawn("demo", ["demo", "--port", str(port), "--instance", "9"], settings)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            deadline = time.monotonic() + 60
            while "CodeArena is up" not in demo.output():
                assert demo.popen.poll() is None and time.monotonic() < deadline, demo.output()
                time.sleep(0.2)
            assert "demo contest #" in demo.output()
            assert client.get("/").status_code == 200  # the web app
            contest = next(c for c in client.get("/contests").json()["contests"] if c["title"] == DEMO_TITLE)
            assert contest["state"] == "running"
            problem = client.get(f"/contests/{contest['id']}/problems/A").json()
            headers = register_and_login(client, "dana")
            sid = client.post(
                f"/contests/{contest['id']}/submissions",
                headers=headers,
                json={"problem_id": problem["id"], "language": "python", "source": SUM},
            ).json()["id"]
            submission = wait_judged(client, sid, headers, demo)
            assert submission["verdict"] == "AC"
            board = client.get(f"/contests/{contest['id']}/leaderboard", headers=headers).json()
            assert board["me"]["username"] == "dana" and board["me"]["solved"] == 1
    finally:
        demo.popen.send_signal(signal.SIGINT)
        returncode = demo.popen.wait(60)
    assert returncode == 0, demo.output()
    assert "stopped gateway, judge host" in demo.output()
