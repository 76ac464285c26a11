"""A worker draining one of the work streams beside the submissions' queue
(codearena.work_streams): custom invocations, package verifications. It claims an entry,
handles it and goes on until stopped; Redis failing never ends it. `drain` is that loop, which
the submissions' workers (judge_host.daemon) run too."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from codearena.work_streams import StreamJob, WorkStream

log = logging.getLogger("codearena.judge")
J = TypeVar("J")


def drain(
    claim: Callable[[int | None], J | None],
    handle: Callable[[J], None],
    stopping: threading.Event,
    once: bool,
    named: str,
    name_of: Callable[[J], object],
    ready: Callable[[], bool] = lambda: True,
) -> None:
    """The claim loop of every queue a judge host drains (submissions, invocations,
    verifications): `claim(block_ms)` a job, `handle` it, until `stopping` is set or, `once`,
    nothing is left to claim; a pass where `ready()` is false claims nothing. Redis failing never
    ends it: a failed claim is retried after a second, a job whose handling failed comes back
    by its lease. `named % name_of(job)` names a job in the log."""
    while not stopping.is_set():
        if not ready():
            continue
        try:
            # `once` ends as soon as nothing is left to claim, instead of waiting for more.
            job = claim(None if once else 1000)
        except Exception:  # Redis restarting: wait and retry, never die
            log.exception("claiming %s failed", named % "a job")
            stopping.wait(1.0)
            continue
        if job is None:
            if once:
                return
            continue
        try:
            handle(job)
        except Exception:  # Redis lost mid-job: the job comes back by its lease
            log.exception("handling %s failed", named % name_of(job))


class StreamWorker:
    """Claims jobs of `queue` and hands each to `handle` until `stopping` is set (or, `once`,
    the stream is empty). `what` names a job in the log. A judge host joins it to its own
    state (`follow`): it claims only while the host's `claiming` is set, and tells the host's
    `busy_changed` when it starts or stops holding a job (`holding`), so a scale-in spares a
    host in the middle of one."""

    what = "job"

    def __init__(self, queue: WorkStream, name: str, stopping: threading.Event, lease_ms: int) -> None:
        self.queue = queue
        self.name = name
        self.stopping = stopping
        self.lease_ms = lease_ms
        self.holding: StreamJob | None = None
        self._claiming: threading.Event | None = None
        self._busy_changed: threading.Event | None = None

    def follow(self, claiming: threading.Event, busy_changed: threading.Event) -> None:
        self._claiming, self._busy_changed = claiming, busy_changed

    def run(self, once: bool = False) -> None:
        self.queue.ensure_group()
        drain(
            lambda block_ms: self.queue.claim(self.name, block_ms=block_ms, lease_ms=self.lease_ms),
            self._handle_holding,
            self.stopping,
            once,
            f"{self.what} %s",
            lambda job: job.id,
            ready=lambda: self._claiming is None or self._claiming.wait(1.0),
        )

    def _handle_holding(self, job: StreamJob) -> None:
        self._hold(job)
        try:
            self.handle(job)
        finally:
            self._hold(None)

    def _hold(self, job: StreamJob | None) -> None:
        self.holding = job
        if self._busy_changed is not None:
            self._busy_changed.set()

    def handle(self, job: StreamJob) -> None:
        raise NotImplementedError
