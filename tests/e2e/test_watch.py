"""`codearena watch` as a real client: it follows the board while a verdict lands."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

from codearena.config import Settings
from tests.conftest import service_env
from tests.e2e.common import SUM, register_and_login, submit


def test_watch_shows_the_board_change(
    gateway: str, judge_host: Any, contest: dict[str, Any], settings: Settings
) -> None:
    dave = register_and_login(contest["client"], "dave")
    watcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "codearena_cli",
            "watch",
            str(contest["id"]),
            "--url",
            gateway,
            "--duration",
            "8",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=service_env(settings),
        text=True,
    )
    time.sleep(2)  # subscribed before the verdict
    submit(contest, dave, SUM)
    output, _ = watcher.communicate(timeout=30)
    assert watcher.returncode == 0, output
    final = output.strip().splitlines()
    assert any("dave" in line and "+" in line for line in final), output
    assert "updates" in output and "version 0" not in final[0], output


def test_watch_explains_an_unreachable_gateway(settings: Settings) -> None:
    answer = subprocess.run(
        [
            sys.executable,
            "-m",
            "codearena_cli",
            "watch",
            "1",
            "--url",
            "http://127.0.0.1:9",
            "--duration",
            "1",
        ],
        capture_output=True,
        text=True,
        env=service_env(settings),
        timeout=30,
    )
    assert answer.returncode == 1
    assert "cannot follow contest 1" in answer.stderr
