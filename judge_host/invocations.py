"""Custom invocations on a judge host (codearena.invocations): a worker of its own drains the
invocation stream with a box of its own, so a burst of invocations never holds a judging box
and submissions never wait behind them. Each invocation: compile once, run once on the
participant's input with the problem's limits, keep the head of stdout and stderr.

An invocation is not a submission: it is run at most a few times (an entry a dead host held
is taken over after a lease), never retried into JE, and dropped once it has expired.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from codearena import invocations
from codearena.core import Core
from codearena.invocations import InvocationQueue, InvocationStatus, Outcome
from codearena.work_streams import StreamJob
from judge_host.judging import WALL_MARGIN, WALL_MARGIN_MIN_MS
from judge_host.stream_worker import StreamWorker
from sandbox import Backend, Box, Limits, RunResult, SandboxError

log = logging.getLogger("codearena.judge")

LEASE_MS = 60_000  # an entry held this long by a consumer is taken over by another


def run_invocation(box: Box, invocation: dict[str, Any]) -> dict[str, Any]:
    """Compile and run `invocation` in `box`: the fields its result adds (outcome, time_ms,
    memory_kb, exit_code, stdout, stderr, compile_output, *_truncated)."""
    compiled = box.compile(invocation["language"], invocation["source"])
    if not compiled.ok:
        return {**_empty(), "outcome": Outcome.CE.value, **_text("compile_output", compiled.output.encode())}
    result = box.run(invocation["input"].encode(), limits_of(invocation))
    return {**_empty(), **_run_fields(result)}


def limits_of(invocation: dict[str, Any]) -> Limits:
    """The problem's limits, with the wall-clock margin judging gives (judge_host.judging)."""
    time_limit_ms = int(invocation["time_limit_ms"])
    margin_ms = max(int(time_limit_ms * WALL_MARGIN), WALL_MARGIN_MIN_MS)
    return Limits(
        time_limit_ms=time_limit_ms,
        memory_limit_kb=int(invocation["memory_limit_kb"]),
        output_limit_kb=int(invocation["output_limit_kb"]),
        wall_time_limit_ms=time_limit_ms + margin_ms,
    )


def _empty() -> dict[str, Any]:
    return {
        "time_ms": None,
        "wall_time_ms": None,
        "memory_kb": None,
        "exit_code": None,
        "signal": None,
        **_text("stdout", b""),
        **_text("stderr", b""),
        **_text("compile_output", b""),
    }


def _run_fields(result: RunResult) -> dict[str, Any]:
    return {
        "outcome": result.status.value,
        "time_ms": result.cpu_time_ms,
        "wall_time_ms": result.wall_time_ms,
        "memory_kb": result.memory_kb,
        "exit_code": result.exit_code,
        "signal": result.signal,
        **_text("stdout", result.stdout),
        **_text("stderr", result.stderr),
    }


def _text(name: str, data: bytes) -> dict[str, Any]:
    """`name`: the head of `data` as text, and `name_truncated`: whether more was cut."""
    head = data[: invocations.OUTPUT_BYTES]
    return {name: head.decode(errors="replace"), f"{name}_truncated": len(data) > len(head)}


class InvocationWorker(StreamWorker):
    """Claims invocations and runs them until `stopping` is set (or, `once`, the queue is empty)."""

    what = "invocation"

    def __init__(
        self, core: Core, sandbox: Backend, name: str, stopping: threading.Event, lease_ms: int = LEASE_MS
    ) -> None:
        super().__init__(InvocationQueue(core.redis), name, stopping, lease_ms)
        self.core = core
        self.sandbox = sandbox
        self.ran = 0

    def handle(self, job: StreamJob) -> None:
        invocation = invocations.load(self.core, job.id)
        if invocation is None or "source" not in invocation:
            self.queue.ack(job)  # expired, or run already (a second delivery)
            return
        running = invocations.announce(self.core, invocation, status=InvocationStatus.RUNNING.value)
        if running is not None:
            fields = self._run(invocation)
            invocations.announce(self.core, running, status=InvocationStatus.DONE.value, **fields)
            self.ran += 1
        self.queue.ack(job)

    def _run(self, invocation: dict[str, Any]) -> dict[str, Any]:
        """The result's fields; JE when the sandbox or this code failed (logged, never raised)."""
        try:
            with self.sandbox.box() as box:
                return run_invocation(box, invocation)
        except SandboxError as exc:
            log.warning("invocation %s: sandbox fault: %s", invocation["id"], exc)
        except Exception:
            log.exception("invocation %s: judge error", invocation["id"])
        return {**_empty(), "outcome": Outcome.JE.value}
