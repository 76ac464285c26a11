"""A worker draining one of the work streams beside the submissions' queue
(codearena.work_streams): custom invocations, package verifications. It claims an entry,
handles it and goes on until stopped; Redis failing never ends it."""

from __future__ import annotations

import logging
import threading

from codearena.work_streams import StreamJob, WorkStream

log = logging.getLogger("codearena.judge")


class StreamWorker:
    """Claims jobs of `queue` and hands each to `handle` until `stopping` is set (or, `once`,
    the stream is empty). `what` names a job in the log."""

    what = "job"

    def __init__(self, queue: WorkStream, name: str, stopping: threading.Event, lease_ms: int) -> None:
        self.queue = queue
        self.name = name
        self.stopping = stopping
        self.lease_ms = lease_ms

    def run(self, once: bool = False) -> None:
        self.queue.ensure_group()
        while not self.stopping.is_set():
            try:
                job = self.queue.claim(self.name, block_ms=None if once else 1000, lease_ms=self.lease_ms)
            except Exception:  # Redis restarting: wait and retry, never die
                log.exception("claiming a %s failed", self.what)
                self.stopping.wait(1.0)
                continue
            if job is None:
                if once:
                    return
                continue
            try:
                self.handle(job)
            except Exception:  # Redis lost mid-run: the entry is taken over after its lease
                log.exception("%s %s: handling failed", self.what, job.id)

    def handle(self, job: StreamJob) -> None:
        raise NotImplementedError
