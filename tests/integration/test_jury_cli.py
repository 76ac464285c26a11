"""`codearena jury …` as a script runs it: a real process on the test's PostgreSQL and Redis,
its output, its exit codes (0 done, 1 refused, 2 a malformed command line)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codearena import audit
from codearena.config import Settings
from codearena.core import Core
from codearena.events import jury_topic
from judge_host.daemon import HostConfig, JudgeHost
from tests.conftest import service_env
from tests.integration.test_judging import PRINT, RIGHT, FakeSandbox, submit, world

__all__ = ["world"]  # the fixture, shared


def codearena(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "codearena_cli", "jury", *args]
    return subprocess.run(command, env=service_env(settings), capture_output=True, text=True, timeout=60)


@pytest.fixture
def played(core: Core, world: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """ann's wrong answer (prints 1 on every test: test 2 is WA) and bob's accepted one, judged."""
    wrong = submit(core, world, f"{PRINT}1")
    right = submit(core, world, RIGHT, "bob")
    host = JudgeHost(core, FakeSandbox(tmp_path, {b"1\n": b"1\n", b"2\n": b"2\n"}), "host-cli", HostConfig())
    for _ in (wrong, right):
        host.run(workers=1, once=True)
    return {**world, "wrong": wrong, "right": right}


def test_submissions_lists_and_filters(settings: Settings, played: dict[str, Any]) -> None:
    cid = str(played["contest"])
    every = codearena(settings, "submissions", cid)
    assert every.returncode == 0, every.stderr
    lines = every.stdout.splitlines()
    assert lines[0] == f"contest {cid}: submissions 1–2 of 2"
    assert [line.split()[0] for line in lines[2:]] == [str(played["right"]), str(played["wrong"])]
    assert lines[3].split()[3:] == ["ann", "A", "python", "WA", "5", "ms"]
    wrong = codearena(
        settings, "submissions", cid, "--participant", "ann", "--verdict", "WA", "--problem", "A"
    )
    assert [line.split()[0] for line in wrong.stdout.splitlines()[2:]] == [str(played["wrong"])]
    by_id = codearena(
        settings, "submissions", cid, "--participant", str(played["user"]), "--language", "python"
    )
    assert by_id.stdout.splitlines()[0] == f"contest {cid}: submissions 1–1 of 1"
    none = codearena(settings, "submissions", cid, "--verdict", "TLE")
    assert (none.returncode, none.stdout.strip()) == (0, f"contest {cid}: no submissions match")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["submissions", "987654"], "no contest 987654"),
        (["submissions", "{cid}", "--verdict", "XX"], "query parameter 'verdict' must be one of AC,"),
        (["submissions", "{cid}", "--language", "cobol"], "query parameter 'language' must be one of"),
        (["submissions", "{cid}", "--participant", "nobody"], "no user 'nobody'"),
        (["submissions", "{cid}", "--limit", "0"], "limit"),
        (["show", "987654"], "no submission 987654"),
        (["rejudge", "987654"], "no submission 987654"),
    ],
)
def test_refusals_say_why_and_exit_1(
    settings: Settings, played: dict[str, Any], args: list[str], message: str
) -> None:
    refused = codearena(settings, *[arg.format(cid=played["contest"]) for arg in args])
    assert (refused.returncode, refused.stdout) == (1, ""), refused
    assert refused.stderr.startswith("codearena: ") and message in refused.stderr, refused.stderr


def test_a_malformed_command_line_exits_2(settings: Settings) -> None:
    for args in (["show", "twelve"], ["submissions"], ["frobnicate", "1"]):
        malformed = codearena(settings, *args)
        assert malformed.returncode == 2 and "usage: codearena jury" in malformed.stderr, malformed


def test_show_prints_the_source_each_test_and_the_output_diff(
    settings: Settings, played: dict[str, Any]
) -> None:
    shown = codearena(settings, "show", str(played["wrong"]))
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert text.startswith(
        f"submission {played['wrong']}: ann (user {played['user']}), contest {played['contest']},"
    )
    assert "judging 1: WA on host-cli (current)" in text
    assert "  test 1: AC   5 ms  1024 KiB\n  test 2: WA   5 ms  1024 KiB\n" in text
    assert (
        "    diff of the judge's output against the answer (- answer, + output):\n"
        "    @@ answer 1, output 1 @@\n    - 2\n    + 1\n"
    ) in text
    assert text.endswith(f"source:\n  {PRINT}1\n")


def test_rejudge_queues_it_audits_it_and_tells_the_jury(
    settings: Settings, core: Core, played: dict[str, Any]
) -> None:
    sid, cid = played["wrong"], played["contest"]
    again = codearena(settings, "rejudge", str(sid))
    assert (again.returncode, again.stdout) == (0, f"submission {sid}: queued for judgement 2\n"), (
        again.stderr
    )
    assert core.queue.depth() == 1  # the wrong answer, queued again
    entry = audit.contest_log(core, cid, 0, 10)["entries"][0]
    assert (entry["user_id"], entry["role"], entry["method"], entry["route"], entry["ids"]) == (
        None,
        "admin",
        "CLI",
        "codearena jury rejudge",
        {"sid": str(sid)},
    )
    assert entry["username"].startswith("cli:")
    heard = [e for e in core.events.since(jury_topic(cid), "0-0") if e["type"] == "submission"]
    assert (heard[-1]["submission_id"], heard[-1]["status"], heard[-1]["verdict"]) == (sid, "queued", None)
