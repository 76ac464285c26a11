"""The one-command start: `codearena demo` (what `make demo` runs) migrates, seeds the demo
contest, serves the API and web app, judges with its own judge host, and stops it all on Ctrl-C.

Ctrl-C in a terminal sends SIGINT to the whole foreground process group, not only to the demo:
the test does the same (`os.killpg` on a demo started in its own session), while a sandboxed
program is running, and expects a quiet exit with nothing of the demo left running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from codearena.config import Settings
from codearena_cli.seed import DEMO_TITLE
from tests.conftest import service_env
from tests.e2e.common import SUM, register_and_login
from tests.e2e.conftest import LOGS, Process, free_port

SLEEPER = "import time\ntime.sleep(30)\n"  # a program still running when Ctrl-C comes
RUNNING = "/usr/bin/python3 main.py"  # its command line in the box (the compile's differs)
Snapshot = dict[int, tuple[str, str]]  # pid -> (start time in ticks, command line)


def spawn_in_own_session(name: str, args: list[str], settings: Settings) -> Process:
    """Like the e2e `spawn`, but as the leader of a new session, as a shell starts a job."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{name}-{int(time.time() * 1000)}.log"
    with log.open("wb") as handle:
        popen = subprocess.Popen(
            [sys.executable, "-m", "codearena_cli", *args],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=service_env(settings),
            start_new_session=True,
        )
    return Process(name, popen, log)


def descendants(root_pid: int) -> Snapshot:
    """Every live process below `root_pid`, whichever session or process group it is in."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))):
            parents[int(entry.name)] = int(stat[1])
    found, frontier = {}, [root_pid]
    while frontier:
        parent = frontier.pop()
        for pid in [p for p, pp in parents.items() if pp == parent]:
            if (stat := _stat(pid)) and (command := _command(pid)):
                found[pid] = (stat[19], command)
                frontier.append(pid)
    return found


def still_running(snapshot: Snapshot) -> list[str]:
    """The processes of `snapshot` that are still alive (same pid and start time)."""
    alive = []
    for pid, (started, command) in snapshot.items():
        stat = _stat(pid)
        if stat and stat[19] == started and stat[0] != "Z":
            alive.append(f"{pid}: {command}")
    return alive


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name: state, ppid, …, starttime."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return ""


def wait_judged(client: httpx.Client, sid: int, headers: dict[str, str], demo: Process) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while (submission := client.get(f"/submissions/{sid}", headers=headers).json())["status"] != "judged":
        assert time.monotonic() < deadline, demo.output()
        time.sleep(0.2)
    return dict(submission)


def wait_up(demo: Process) -> None:
    deadline = time.monotonic() + 60
    while "CodeArena is up" not in demo.output():
        assert demo.popen.poll() is None and time.monotonic() < deadline, demo.output()
        time.sleep(0.2)


def wait_sandboxed_program(demo: Process) -> Snapshot:
    """The demo's processes once a sandboxed program (the sleeper, under bwrap) runs."""
    deadline = time.monotonic() + 30
    while True:
        tree = descendants(demo.popen.pid)
        if any(RUNNING in command for _, command in tree.values()):
            return tree
        assert time.monotonic() < deadline, "the sleeper never ran:\n" + demo.output()
        time.sleep(0.05)


def assert_all_gone(tree: Snapshot, timeout_s: float) -> None:
    assert any("sandbox.keeper" in command for _, command in tree.values()), tree  # it saw the keepers
    deadline = time.monotonic() + timeout_s
    while (left := still_running(tree)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == [], "\n".join(left)


class Contestant:
    """dana, registered on the demo contest's problem A."""

    def __init__(self, client: httpx.Client) -> None:
        contest = next(c for c in client.get("/contests").json()["contests"] if c["title"] == DEMO_TITLE)
        assert contest["state"] == "running"
        self.client, self.contest_id = client, contest["id"]
        self.problem_id = client.get(f"/contests/{self.contest_id}/problems/A").json()["id"]
        self.headers = register_and_login(client, "dana")

    def submit(self, source: str) -> int:
        body = {"problem_id": self.problem_id, "language": "python", "source": source}
        answer = self.client.post(f"/contests/{self.contest_id}/submissions", headers=self.headers, json=body)
        return int(answer.json()["id"])


def start_demo(settings: Settings) -> tuple[Process, str]:
    port = free_port()
    # Instance 9: the e2e tests' sandbox boxes, apart from a developer's own `make demo`.
    demo = spawn_in_own_session("demo", ["demo", "--port", str(port), "--instance", "9"], settings)
    return demo, f"http://127.0.0.1:{port}"


def test_codearena_demo_judges_a_submission_and_stops_quietly_on_ctrl_c(settings: Settings) -> None:
    demo, base = start_demo(settings)
    tree: Snapshot = {}
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            wait_up(demo)
            assert "demo contest #" in demo.output()
            assert client.get("/").status_code == 200  # the web app
            dana = Contestant(client)
            submission = wait_judged(client, dana.submit(SUM), dana.headers, demo)
            assert submission["verdict"] == "AC"
            board = client.get(f"/contests/{dana.contest_id}/leaderboard", headers=dana.headers).json()
            assert board["me"]["username"] == "dana" and board["me"]["solved"] == 1
            dana.submit(SLEEPER)
            tree = wait_sandboxed_program(demo)
    finally:
        os.killpg(demo.popen.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        try:
            returncode = demo.popen.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(demo.popen.pid, signal.SIGKILL)
            raise
    output = demo.output()
    assert returncode == 0, output
    assert "stopped gateway, judge host" in output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    assert_all_gone(tree, timeout_s=10)  # reaping the last of them may lag the demo's exit a little


def test_a_killed_demo_leaves_no_process_behind(settings: Settings) -> None:
    """SIGKILL gives the demo no chance to stop its children: they must stop by themselves."""
    demo, base = start_demo(settings)
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            wait_up(demo)
            Contestant(client).submit(SLEEPER)
            tree = wait_sandboxed_program(demo)
    finally:
        demo.popen.kill()
        demo.popen.wait()
    try:
        assert_all_gone(tree, timeout_s=30)  # the judge host first finishes the sleeper's judging
    finally:
        stop_leftover_children(tree)


def stop_leftover_children(tree: Snapshot) -> None:
    """Stop the demo's gateway and judge host in order if the test found them orphaned."""
    for pid, (_, command) in tree.items():
        if "codearena_cli" in command and still_running({pid: tree[pid]}):
            os.kill(pid, signal.SIGTERM)
