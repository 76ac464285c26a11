"""The status rules on their own, without running anything."""

from __future__ import annotations

import dataclasses

import pytest

from sandbox import Limits, Status
from sandbox.protocol import Measurement
from sandbox.verdict import classify

LIMITS = Limits(time_limit_ms=1000, memory_limit_kb=8192, output_limit_kb=10)
CLEAN = Measurement(
    exit_code=0,
    signal=None,
    cpu_ns=10**6,
    wall_ns=2 * 10**6,
    peak_bytes=1,
    memory_limit_hit=False,
    cpu_killed=False,
    wall_killed=False,
)


def measured(**changes: object) -> Measurement:
    return dataclasses.replace(CLEAN, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("measurement", "output_bytes", "status"),
    [
        (CLEAN, 0, Status.OK),
        (measured(cpu_ns=1_000_000_001), 0, Status.TLE),
        (measured(cpu_killed=True, signal=9, exit_code=None), 0, Status.TLE),
        (measured(wall_killed=True, signal=9, exit_code=None), 0, Status.TLE),
        (measured(memory_limit_hit=True, signal=9, exit_code=None), 0, Status.MLE),
        (measured(signal=9, exit_code=None), 0, Status.RTE),  # exit(137) or its own SIGKILL
        (measured(exit_code=1), 10 * 1024, Status.OLE),
        (measured(signal=25, exit_code=None), 10 * 1024, Status.OLE),
        (measured(exit_code=3), 0, Status.RTE),
        (measured(exit_code=0), 10 * 1024 - 1, Status.OK),
        (measured(cpu_ns=2 * 10**9, memory_limit_hit=True), 10 * 1024, Status.TLE),
        (measured(memory_limit_hit=True), 10 * 1024, Status.MLE),
    ],
)
def test_status_priority(measurement: Measurement, output_bytes: int, status: Status) -> None:
    assert classify(measurement, LIMITS, output_bytes) is status


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="memory_limit_kb"):
        Limits(time_limit_ms=1000, memory_limit_kb=1024)
    with pytest.raises(ValueError, match="positive"):
        Limits(time_limit_ms=0, memory_limit_kb=65536)
    assert Limits(time_limit_ms=1000, memory_limit_kb=65536).wall_limit_ms == 3000
