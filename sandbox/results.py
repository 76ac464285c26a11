"""From a measurement and the output files to what callers get back, for every backend."""

from __future__ import annotations

import os
from pathlib import Path

from sandbox.languages import MAX_SOURCE_BYTES
from sandbox.model import REPORT_BYTES, CompileResult, Limits, RunResult, Status
from sandbox.protocol import Measurement
from sandbox.verdict import classify, timeout_of


def result_of(measurement: Measurement, limits: Limits, stdout: Path, stderr: Path) -> RunResult:
    """What a run came to, from its measurement and its output files."""
    (out, out_bytes), (err, err_bytes) = _head_and_size(stdout), _head_and_size(stderr)
    return RunResult(
        status=classify(measurement, limits, max(out_bytes, err_bytes)),
        cpu_time_ms=measurement.cpu_ns // 1_000_000,
        wall_time_ms=measurement.wall_ns // 1_000_000,
        memory_kb=measurement.peak_bytes // 1024,
        exit_code=measurement.exit_code,
        signal=measurement.signal,
        stdout=out,
        stderr=err,
        stdout_path=stdout,
        timeout=timeout_of(measurement, limits),
        killed=measurement.cpu_killed or measurement.wall_killed or measurement.memory_limit_hit,
        context_switches_voluntary=measurement.context_switches_voluntary,
        context_switches_forced=measurement.context_switches_forced,
    )


def compile_result(measurement: Measurement, limits: Limits, output: Path) -> CompileResult:
    """What a compile came to, from its measurement and its output file (stdout+stderr)."""
    status = classify(measurement, limits, output.stat().st_size)
    text = head(output).decode(errors="replace")
    if status not in (Status.OK, Status.RTE):
        text += f"\n[compiler stopped: {status.value}]"
    return CompileResult(status is Status.OK, text, measurement.wall_ns // 1_000_000)


def source_too_large(data: bytes) -> CompileResult | None:
    """The compile error of a source over MAX_SOURCE_BYTES (never written to a box)."""
    if len(data) <= MAX_SOURCE_BYTES:
        return None
    return CompileResult(False, f"source of {len(data)} bytes is over {MAX_SOURCE_BYTES}", 0)


def head(path: Path, limit: int = REPORT_BYTES) -> bytes:
    """The first `limit` bytes of `path` (empty when it does not exist)."""
    try:
        with open(path, "rb") as file:
            return file.read(limit)
    except FileNotFoundError:
        return b""


def _head_and_size(path: Path) -> tuple[bytes, int]:
    """The first REPORT_BYTES of `path` and its size, from one open (FileNotFoundError when
    it does not exist)."""
    with open(path, "rb") as file:
        return file.read(REPORT_BYTES), os.fstat(file.fileno()).st_size
