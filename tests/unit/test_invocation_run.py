"""One custom invocation in a box without a sandbox (judge_host/invocations.py): compile once,
run once on the input with the problem's limits and the judging wall-clock margin, keep the
head of each output and say whether more was cut."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from codearena.invocations import OUTPUT_BYTES
from judge_host.invocations import limits_of, run_invocation
from sandbox import Box, CompileResult, Limits, RunResult, Status


class RecordingBox:
    """Compiles anything but "syntax error"; a run prints its input twice and remembers its limits."""

    def __init__(self, tmp_path: Path) -> None:
        self.stdout = tmp_path / "stdout"
        self.limits: list[Limits] = []

    def compile(self, language: str, source: str) -> CompileResult:
        ok = source != "syntax error"
        return CompileResult(ok, "" if ok else "E" * (OUTPUT_BYTES + 5), 5)

    def run(self, stdin: bytes, limits: Limits) -> RunResult:
        self.limits.append(limits)
        self.stdout.write_bytes(stdin * 2)
        return RunResult(Status.RTE, 7, 9, 2048, 3, None, stdin * 2, b"oops", self.stdout)


def invocation(source: str = "echo", stdin: str = "ab") -> dict[str, Any]:
    return {
        "id": "0" * 16,
        "language": "python",
        "source": source,
        "input": stdin,
        "time_limit_ms": 2000,
        "memory_limit_kb": 65536,
        "output_limit_kb": 1024,
    }


def test_one_run_with_the_problems_limits_and_the_wall_clock_margin(tmp_path: Path) -> None:
    box = RecordingBox(tmp_path)
    result = run_invocation(cast("Box", box), invocation())
    assert box.limits == [Limits(2000, 65536, 1024, wall_time_limit_ms=3000)]
    assert result["outcome"] == "RTE" and (result["time_ms"], result["wall_time_ms"]) == (7, 9)
    assert (result["memory_kb"], result["exit_code"], result["signal"]) == (2048, 3, None)
    assert (result["stdout"], result["stderr"], result["compile_output"]) == ("abab", "oops", "")
    assert not result["stdout_truncated"] and not result["stderr_truncated"]
    assert limits_of({**invocation(), "time_limit_ms": 500}).wall_time_limit_ms == 1500  # at least 1 s more


def test_outputs_keep_their_head_and_say_so(tmp_path: Path) -> None:
    long = run_invocation(cast("Box", RecordingBox(tmp_path)), invocation(stdin="x" * OUTPUT_BYTES))
    assert len(long["stdout"]) == OUTPUT_BYTES and long["stdout_truncated"] is True
    box = RecordingBox(tmp_path)
    compile_error = run_invocation(cast("Box", box), invocation("syntax error"))
    assert box.limits == []  # nothing run
    assert compile_error["outcome"] == "CE" and compile_error["compile_output_truncated"] is True
    assert len(compile_error["compile_output"]) == OUTPUT_BYTES and compile_error["time_ms"] is None
