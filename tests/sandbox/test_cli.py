"""`codearena sandbox run` through `run_cli`: one JSON object, exit 0 when the sandbox worked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox.cli import run_cli
from tests.sandbox.conftest import requires_sandbox

pytestmark = requires_sandbox

CLI_ROOT = "/tmp/codearena-sandbox-test-cli"  # box uids must be able to traverse to it
SUM = "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"


def cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, source: str, *extra: str) -> dict[str, Any]:
    program = tmp_path / "main.src"
    program.write_text(source)
    (tmp_path / "in").write_text("1 2 3\n")
    code = run_cli(
        [
            "--root-dir",
            CLI_ROOT,
            "--time-limit-ms",
            "1000",
            "--memory-limit-kb",
            "262144",
            "--input",
            str(tmp_path / "in"),
            *extra,
            str(program),
        ]
    )
    assert code == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def test_accepted_with_median(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "ans").write_text("6\n")
    report = cli(
        capsys,
        tmp_path,
        SUM,
        "--language",
        "python",
        "--expected",
        str(tmp_path / "ans"),
        "--repeat",
        "3",
    )
    assert (report["status"], report["verdict"], report["stdout"]) == ("OK", "AC", "6\n")
    assert report["wall_time_ms_median"] >= 0 and report["compile_output"] == ""


def test_wrong_answer(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "ans").write_text("7\n")
    report = cli(capsys, tmp_path, SUM, "--language", "python", "--expected", str(tmp_path / "ans"))
    assert report["verdict"] == "WA" and "wall_time_ms_median" not in report


def test_compile_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "ans").write_text("6\n")
    report = cli(capsys, tmp_path, "int main( {", "--language", "c", "--expected", str(tmp_path / "ans"))
    assert (report["status"], report["verdict"]) == ("CE", "CE")
    assert "error" in report["compile_output"]


def test_bad_arguments_are_not_a_sandbox_failure(tmp_path: Path) -> None:
    assert run_cli(["--language", "python", str(tmp_path / "missing.py")]) == 2
