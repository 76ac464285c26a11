"""`codearena sandbox run` through `run_cli`: one JSON object, exit 0 when the sandbox worked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import cli as sandbox_cli
from sandbox.cli import run_cli
from tests import slots
from tests.languages import SUM as SUMS
from tests.sandbox.conftest import assert_gone, mount_table

# The command's own root, uids and cgroup name are fixed (sandbox/cli.py): the tests move
# them into this process's slot, next to another session's.
CLI_ROOT = str(slots.root("cli"))
CLI_UID_BASE = slots.uid_base("cli")
SUM = "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"
VALIDATOR = """import sys
wanted = sum(map(int, open(sys.argv[1]).read().split()))
team = sys.stdin.read().split()
open(sys.argv[3] + "judgemessage.txt", "w").write(f"team said {team}")
sys.exit(42 if team == [str(wanted)] else 43)
"""


@pytest.fixture(autouse=True)
def _cli_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each command starts and closes a sandbox of its own: nothing of it may remain."""
    monkeypatch.setattr(sandbox_cli, "CLI_UID_BASE", CLI_UID_BASE)
    monkeypatch.setattr(sandbox_cli, "CLI_NAME", slots.cgroup_name("cli"))
    yield
    assert_gone(range(CLI_UID_BASE, CLI_UID_BASE + 2))
    assert not [point for point, _ in mount_table() if point.startswith(CLI_ROOT)]


def cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, source: str, *extra: str, stdin: str = "1 2 3\n"
) -> dict[str, Any]:
    program = tmp_path / "main.src"
    program.write_text(source)
    (tmp_path / "in").write_text(stdin)
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


@pytest.mark.parametrize("language", list(SUMS))
def test_every_language_through_the_cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, language: str
) -> None:
    """Each language's program compiled once, run twice, on input over two lines."""
    (tmp_path / "ans").write_text("46\n")
    report = cli(
        capsys,
        tmp_path,
        SUMS[language],
        "--language",
        language,
        "--expected",
        str(tmp_path / "ans"),
        "--repeat",
        "2",
        "--backend",
        "namespace",
        stdin="1 2 3\n40\n",
    )
    assert (report["status"], report["verdict"], report["stdout"], report["exit_code"]) == (
        "OK",
        "AC",
        "46\n",
        0,
    ), report["stderr"]
    assert 0 < report["memory_kb"] < 128 * 1024 and report["cpu_time_ms"] < 1000
    # wall time in whole milliseconds: a native program's run may take less than one
    assert report["signal"] is None and report["memory_kb"] > 0 and report["wall_time_ms_median"] >= 0
    assert set(report) == {
        "status",
        "verdict",
        "cpu_time_ms",
        "wall_time_ms",
        "memory_kb",
        "exit_code",
        "signal",
        "stdout",
        "stderr",
        "compile_output",
        "wall_time_ms_median",
        "timeout",
        "killed",
        "context_switches_voluntary",
        "context_switches_forced",
    }
    assert (report["timeout"], report["killed"]) == (None, False)
    assert report["context_switches_voluntary"] >= 0 and report["context_switches_forced"] >= 0


def test_limits_as_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    program = """import resource, time
limits = resource.getrlimit(resource.RLIMIT_NOFILE)[0], resource.getrlimit(resource.RLIMIT_STACK)[0]
print(*limits, flush=True)  # before the wall-clock kill
time.sleep(5)
"""
    options = ("--open-files", "20", "--stack-limit-kb", "16384", "--wall-time-limit-ms", "1500")
    report = cli(capsys, tmp_path, program, "--language", "python", "--processes", "3", *options)
    assert report["stdout"] == f"20 {16 << 20}\n"
    assert (report["status"], report["timeout"], report["killed"]) == ("TLE", "wall", True)
    assert 1500 <= report["wall_time_ms"] < 2500


def test_compile_error_in_java(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    report = cli(capsys, tmp_path, "class Main { int x = ; }", "--language", "java")
    assert report["status"] == "CE" and "illegal start of expression" in report["compile_output"]
    assert "verdict" not in report


def test_float_checker(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "ans").write_text("6.0000001\n")
    source = "console.log((6).toFixed(3));\n"
    common = ("--language", "javascript", "--expected", str(tmp_path / "ans"))
    assert cli(capsys, tmp_path, source, *common, "--checker", "float")["verdict"] == "AC"
    assert cli(capsys, tmp_path, source, *common, "--checker", "exact")["verdict"] == "WA"
    assert cli(capsys, tmp_path, source, *common)["verdict"] == "WA"  # tokens: "6.000" != "6.0000001"


def test_output_validator(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "ans").write_text("6\n")
    (tmp_path / "validator.py").write_text(VALIDATOR)
    common = ("--expected", str(tmp_path / "ans"), "--validator", str(tmp_path / "validator.py"))
    report = cli(capsys, tmp_path, SUM, "--language", "python", *common, "--validator-language", "python")
    assert (report["verdict"], report["checker_feedback"]) == ("AC", "team said ['6']")
    wrong = 'fn main() { println!("42"); }\n'
    report = cli(capsys, tmp_path, wrong, "--language", "rust", *common, "--validator-language", "python")
    assert (report["status"], report["verdict"], report["checker_feedback"]) == (
        "OK",
        "WA",
        "team said ['42']",
    )


def test_broken_validator_is_a_sandbox_failure(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "ans").write_text("6\n")
    (tmp_path / "validator.py").write_text("import sys\nsys.exit(0)\n")
    (tmp_path / "main.py").write_text(SUM)
    code = run_cli(
        [
            *("--root-dir", CLI_ROOT, "--time-limit-ms", "1000", "--memory-limit-kb", "65536"),
            *("--language", "python", "--expected", str(tmp_path / "ans")),
            *("--validator", str(tmp_path / "validator.py"), "--validator-language", "python"),
            str(tmp_path / "main.py"),
        ]
    )
    assert code == 1 and "output validator gave" in json.loads(capsys.readouterr().out)["error"]


@pytest.mark.parametrize(
    "extra",
    [
        ("--language", "cobol"),
        ("--language", "python", "--backend", "lxc"),
        ("--language", "python", "--checker", "float:x"),
        ("--language", "python", "--validator", "v.py"),
        ("--language", "python", "--validator", "v.py", "--validator-language", "python"),  # no --expected
        ("--language", "python", "--open-files", "0"),
        ("--language", "python", "--extra-time-ms", "-1"),
        ("--language", "python", "--wall-time-limit-ms", "0"),
    ],
)
def test_argument_errors_exit_2(tmp_path: Path, extra: tuple[str, ...]) -> None:
    (tmp_path / "main.py").write_text(SUM)
    argv = ["--time-limit-ms", "1000", "--memory-limit-kb", "65536", *extra, str(tmp_path / "main.py")]
    assert run_cli(argv) == 2
