"""The watchdog's limits, shared by every way a program runs (one-shot and resident
bubblewrap in the keeper, a container in the docker backend): a wall-clock deadline and a
CPU-time budget, checked every `POLL_S`. An rlimit on CPU seconds is only a backstop."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Literal

POLL_S = 0.01
Killed = Literal["cpu", "wall"]  # which limit made the watchdog stop a program


@dataclass(frozen=True)
class Watchdog:
    """The limits of one run, from its start (`time.monotonic_ns()`)."""

    deadline_ns: int
    cpu_limit_ns: int

    @classmethod
    def start(cls, started_ns: int, time_limit_ms: int, wall_limit_ms: int) -> Watchdog:
        return cls(started_ns + wall_limit_ms * 1_000_000, time_limit_ms * 1_000_000)

    def exceeded(self, cpu_ns: int | None) -> Killed | None:
        """The limit the run is past, given its CPU time so far (None: not measured)."""
        if time.monotonic_ns() >= self.deadline_ns:
            return "wall"
        if cpu_ns is not None and cpu_ns > self.cpu_limit_ns:
            return "cpu"
        return None


def cpu_backstop_s(time_limit_ms: int) -> tuple[int, int]:
    """RLIMIT_CPU (soft, hard) in seconds: a second past the time limit, in case the watchdog
    cannot act (the watchdog is exact)."""
    soft = math.ceil(time_limit_ms / 1000) + 1
    return soft, soft + 1
