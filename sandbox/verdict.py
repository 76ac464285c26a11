"""From measurements to a status. Pure: no I/O, so every rule is testable on its own.

Counters and the watchdog decide, never the exit code alone: bwrap reports a death by signal
n as exit 128 + n, so a program calling exit(137) must not read as an OOM kill.
"""

from __future__ import annotations

from sandbox.model import Limits, Status, Timeout
from sandbox.protocol import Measurement


def classify(measurement: Measurement, limits: Limits, largest_output_bytes: int) -> Status:
    """The status of a run, in priority order TLE > MLE > OLE > RTE > OK."""
    if timeout_of(measurement, limits):
        return Status.TLE
    if measurement.memory_limit_hit:
        return Status.MLE
    # RLIMIT_FSIZE stops every file at the limit (SIGXFSZ for C, EFBIG for Python).
    if largest_output_bytes >= limits.output_limit_kb * 1024:
        return Status.OLE
    if measurement.exit_code != 0 or measurement.signal is not None:
        return Status.RTE
    return Status.OK


def timeout_of(measurement: Measurement, limits: Limits) -> Timeout | None:
    """Which limit a TLE ran out on, in `classify`'s order: CPU time, then the wall clock."""
    if measurement.cpu_killed or measurement.cpu_ns > limits.time_limit_ms * 1_000_000:
        return "cpu"
    if measurement.wall_killed:
        return "wall"
    return None
