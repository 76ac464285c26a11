"""The judge host: workers that claim jobs, judge them and persist the results.

DESIGN §4 steps 2-4. One worker thread per sandbox box; a heartbeat thread renews the
leases of what the workers hold (stream entry and `processing:<id>`) and announces the
host in Redis; a sweeper re-enqueues from PostgreSQL what Redis lost; SIGTERM drains
(no new claims, running judgings finish, then the host leaves); `run(once=True)` ends when
nothing is left to claim (`codearena judge --once`, tests). In an Auto Scaling group,
judge_host.fleet closes `claiming` while the instance is not in service and drains the host
when the group terminates it.

Faults kept apart from verdicts: PostgreSQL unreachable → the worker keeps its job and
tries again (nothing judged is thrown away); this host's working space full → the job goes
back to be judged again (JE only after `tasks.MAX_DELIVERIES`); a job whose submission cannot
be found → left for one lease, then dropped (the sweeper reads PostgreSQL, the truth).
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from codearena import judgements, jury_feed, keys, standings
from codearena.core import Core
from codearena.errors import ServiceUnavailable
from codearena.events import submission_topic
from codearena.judgements import CaseOutcome, Judgement
from codearena.models import SubmissionStatus, Verdict
from codearena.queue import Job
from judge_host import tasks
from judge_host.invocations import InvocationWorker
from judge_host.judging import Task, judge
from judge_host.stream_worker import StreamWorker, drain
from judge_host.sweeper import sweep
from judge_host.tasks import TestDataCache
from judge_host.verifications import VerificationWorker
from sandbox import Backend, Box, SandboxError

log = logging.getLogger("codearena.judge")

PROCESSED_TTL_SECONDS = 24 * 3600
MIN_FREE_BYTES = 1024 * 1024  # less free space where a box writes its files: the host is full
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
_RETRY_FIRST_SECONDS, _RETRY_MAX_SECONDS = 0.5, 5.0  # waiting for PostgreSQL to come back
T = TypeVar("T")


class HostFault(Exception):
    """This host cannot judge now (its working space is full): not the contestant's fault,
    so the job goes back to be judged again, here or on a host that can."""


@dataclass(frozen=True)
class HostConfig:
    """Timing of a judge host, in seconds. A lease is renewed every third of its length."""

    lease_seconds: int = 60
    sweep_seconds: float = 30.0

    @property
    def beat_seconds(self) -> float:
        return max(self.lease_seconds / 3, 0.2)

    @property
    def missing_grace_seconds(self) -> float:
        """How long a job whose submission is not found is kept: it comes back once, after
        its lease, and is dropped then if the submission is still not there."""
        return float(self.lease_seconds)


def host_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class JudgeHost:
    def __init__(
        self,
        core: Core,
        sandbox: Backend,
        name: str | None = None,
        config: HostConfig | None = None,
        languages: list[str] | None = None,
        invocation_workers: int = 0,
        verification_workers: int = 0,
    ) -> None:
        self.core = core
        self.sandbox = sandbox
        self.languages = sandbox.available_languages() if languages is None else languages
        self.name = name or host_name()
        self.config = config or HostConfig()
        self.cache = TestDataCache()
        self.stopping = threading.Event()
        self.claiming = threading.Event()  # closed: no new claims for now (a warm-pool instance)
        self.claiming.set()
        self.busy_changed = threading.Event()  # set when the host starts or stops holding jobs
        self.judged = 0
        self.missing = 0  # deliveries of jobs whose submission was not found
        self._held: dict[str, Job] = {}  # consumer → the job it is judging
        self._lock = threading.Lock()
        self._started_at = time.time()
        self._boxes = 0
        # Custom invocations (judge_host.invocations): workers of their own, each with a box
        # the sandbox holds for it beyond the judging workers' (commands._ready_sandbox).
        self.invokers = [
            InvocationWorker(core, sandbox, f"{self.name}-run{n}", self.stopping)
            for n in range(invocation_workers)
        ]
        # Package verifications (judge_host.verifications): workers of their own, each with two
        # boxes beyond the others' (commands._ready_sandbox).
        self.verifiers = [
            VerificationWorker(core, sandbox, self.languages, f"{self.name}-verify{n}", self.stopping)
            for n in range(verification_workers)
        ]
        for worker in self._streams:
            worker.follow(self.claiming, self.busy_changed)

    # --- lifecycle --------------------------------------------------------------------
    def run(self, workers: int, once: bool = False) -> None:
        """Judge until stopped (or, with `once`, until the queue is empty)."""
        self._boxes = workers
        self.core.queue.ensure_group()
        try:
            self.beat()  # announce this host and its languages now, not one beat from now
        except Exception:
            log.exception("the first heartbeat failed")
        threads = [
            threading.Thread(target=self._work, args=(n, once), name=f"judge-{n}") for n in range(workers)
        ] + [threading.Thread(target=w.run, args=(once,), name=w.name) for w in self._streams]
        beats = threading.Event()
        daemons = [threading.Thread(target=self._beat_forever, args=(beats,), name="heartbeat", daemon=True)]
        if not once:
            daemons.append(threading.Thread(target=self._sweep_forever, name="sweeper", daemon=True))
        for thread in threads + daemons:
            thread.start()
        for thread in threads:
            thread.join()
        beats.set()  # workers are done: nothing left to renew
        daemons[0].join()
        self._leave()

    def stop(self) -> None:
        self.stopping.set()

    @property
    def _streams(self) -> list[StreamWorker]:
        return [*self.invokers, *self.verifiers]

    @property
    def busy(self) -> bool:
        """Whether the host holds a job now: a submission, a custom invocation or a package
        verification."""
        with self._lock:
            held = bool(self._held)
        return held or any(worker.holding is not None for worker in self._streams)

    def _work(self, number: int, once: bool) -> None:
        consumer = f"{self.name}-{number}"
        lease_ms = self.config.lease_seconds * 1000
        drain(
            lambda block_ms: self.core.queue.claim(consumer, block_ms=block_ms, lease_ms=lease_ms),
            lambda job: self.handle(job, consumer),
            self.stopping,
            once,
            "submission %s",
            lambda job: job.submission_id,
            ready=lambda: self.claiming.wait(1.0),
        )

    def _beat_forever(self, done: threading.Event) -> None:
        while not done.wait(self.config.beat_seconds):
            try:
                self.beat()
            except Exception:
                log.exception("heartbeat failed")

    def _sweep_forever(self) -> None:
        while not self.stopping.wait(self.config.sweep_seconds):
            try:
                sweep(self.core, grace_seconds=self.config.lease_seconds)
            except Exception:
                log.exception("sweep failed")

    # --- heartbeat --------------------------------------------------------------------
    def beat(self) -> None:
        """Renew the leases of every job held, and announce this host."""
        with self._lock:
            held = dict(self._held)
        for consumer, job in held.items():
            self._renew(consumer, job)
        now = time.time()
        pipe = self.core.redis.pipeline(transaction=True)
        pipe.hset(
            keys.judge_host(self.name),
            mapping={
                "boxes": self._boxes,
                "busy": len(held),
                "judged": self.judged,
                "missing": self.missing,
                "started_at": self._started_at,
                "beat_at": now,
                "draining": int(self.stopping.is_set()),
                "claiming": int(self.claiming.is_set()),
            },
        )
        pipe.expire(keys.judge_host(self.name), max(int(3 * self.config.beat_seconds), 1))
        pipe.zadd(keys.JUDGE_HOSTS, {self.name: now})
        if self.languages:
            pipe.hset(keys.JUDGE_LANGUAGES, mapping=dict.fromkeys(self.languages, now))
        pipe.execute()

    def _renew(self, consumer: str, job: Job) -> None:
        """Renew a job's lease while `consumer` still holds it, under the lock its worker
        takes to let go (`_hold`): renewing takes a lease Redis lost back, so a renewal just
        after the worker released the lease would take it again, and the next delivery of
        that submission (a rejudge) would be dropped as held by another judging."""
        with self._lock:
            if self._held.get(consumer) is not job:
                return
            self.core.queue.renew(consumer, [job])
            if not self.core.queue.renew_lease(job.submission_id, self.name, self.config.lease_seconds):
                log.warning("submission %s: another host took the lease", job.submission_id)

    def _leave(self) -> None:
        try:
            pipe = self.core.redis.pipeline(transaction=True)
            pipe.delete(keys.judge_host(self.name))
            pipe.zrem(keys.JUDGE_HOSTS, self.name)
            pipe.execute()
        except Exception:
            log.warning("leaving the host registry failed; its entry expires", exc_info=True)

    # --- one job ----------------------------------------------------------------------
    def handle(self, job: Job, consumer: str = "") -> None:
        sid = job.submission_id
        if not self.core.queue.take_lease(sid, self.name, self.config.lease_seconds):
            self.core.queue.ack(job)  # another host is judging it and holds its own entry
            return
        self._hold(consumer, job)
        try:
            stored = self._attempt(job)
        finally:
            self._hold(consumer, None)
            self._release(sid)
        if stored is None:  # this host is unfit: leave the next jobs to other hosts a while
            self.stopping.wait(self.config.lease_seconds)
            return
        # Asked only now the lease is gone: a rejudge committed earlier is seen here, and the
        # job of one committed later can no longer be dropped because we still held the lease.
        if stored and judgements.needs_judging(self.core, sid):
            self.core.queue.requeue(sid)  # (or else the sweeper finds it)

    def _hold(self, consumer: str, job: Job | None) -> None:
        """Note what `consumer` holds (None: nothing); tell `busy_changed` when `busy` turns."""
        with self._lock:
            was_busy = bool(self._held)
            if job is None:
                self._held.pop(consumer, None)
            else:
                self._held[consumer] = job
            if bool(self._held) != was_busy:
                self.busy_changed.set()

    def _attempt(self, job: Job) -> bool | None:
        """Judge and store: True when stored, False when there was nothing to judge, None
        after a host fault. A failure leaves the job unacknowledged, so it is delivered again
        once the lease is over (and poisoned after three deliveries)."""
        sid = job.submission_id
        try:
            return self._judge_and_store(job)
        except HostFault as exc:
            log.warning("submission %s: %s; it will be judged again", sid, exc)
            self._note_failure(sid, f"host fault on {self.name}: {exc}")
            return None
        except Exception as exc:  # infrastructure trouble (Redis) or a bug
            log.exception("submission %s: storing the judgement failed; it will be retried", sid)
            self._note_failure(sid, f"{type(exc).__name__}: {exc}")
            return False

    def _judge_and_store(self, job: Job) -> bool:
        """Judge and persist; True when a judgement was stored (False: nothing to judge)."""
        sid = job.submission_id
        started = self._until_reachable(lambda: self._start(sid))
        if started is None:  # already judged (a duplicate delivery) or not found
            self._not_started(job)
            return False
        judgement = self._judgement(started)
        update = self._until_reachable(lambda: judgements.record(self.core, judgement))
        contest_id = started.task.contest_id
        self._announce(sid, contest_id, judgement.judgement, judgement.verdict.value, judgement.score, update)
        self.core.queue.ack(job)
        with self._lock:
            self.judged += 1
        log.info("submission %s: %s", sid, judgement.verdict.value)
        return True

    def _announce(
        self,
        sid: int,
        contest_id: int | None,
        judgement: int,
        verdict: str,
        score: float,
        update: standings.BoardUpdate | None,
    ) -> None:
        """After the commit: the boards, the submission's `finished` event, the jury's list,
        then the `processed` tombstone that says all of this was done."""
        if update is not None:
            standings.publish(self.core, update)
        self.core.events.publish(
            submission_topic(sid), "finished", submission_id=sid, verdict=verdict, score=score
        )
        if contest_id is not None:
            jury_feed.announce(self.core, contest_id, sid, SubmissionStatus.JUDGED.value, verdict)
        self.core.redis.set(keys.processed(sid, judgement), 1, ex=PROCESSED_TTL_SECONDS)

    def _until_reachable(self, action: Callable[[], T]) -> T:
        """`action`, tried again while PostgreSQL is unreachable: the worker keeps its job (the
        heartbeat renews the lease) rather than drop a judgement or claim jobs it cannot
        start. A host told to stop gives up (the job is delivered again later)."""
        wait_seconds = _RETRY_FIRST_SECONDS
        while True:
            try:
                return action()
            except ServiceUnavailable as exc:
                if self.stopping.is_set():
                    raise
                log.warning("PostgreSQL unreachable (%s); trying again in %.1f s", exc, wait_seconds)
                self.stopping.wait(wait_seconds)
                wait_seconds = min(wait_seconds * 2, _RETRY_MAX_SECONDS)

    def _not_started(self, job: Job) -> None:
        """Nothing to judge. A judged submission delivered again: its judging host may have
        committed and then failed to announce (Redis unreachable, killed). No tombstone:
        announce once more (boards apply an event once; a second `finished` says the same).
        Or no such submission: see `_missing`."""
        sid = job.submission_id
        done = judgements.stored(self.core, sid)
        if done is None:
            self._missing(job)
            return
        if not self.core.redis.exists(keys.processed(sid, done.judgement)):
            log.info("submission %s: judged, announcing its result again", sid)
            self._announce(sid, done.contest_id, done.judgement, done.verdict.value, done.score, done.update)
        self.core.queue.ack(job)

    def _missing(self, job: Job) -> None:
        """No such submission. Intake commits the row before it enqueues, so a row not seen
        yet (a lagging replica, a commit made visible late) turns up soon: the job stays
        unacknowledged and comes back after its lease. Past `missing_grace_seconds` it is
        dropped: the row is gone or in another database, and should it ever show up unjudged
        the sweeper, which works from PostgreSQL, enqueues it again."""
        with self._lock:
            self.missing += 1
        age_seconds = time.time() - int(job.entry_id.split("-")[0]) / 1000
        if age_seconds < self.config.missing_grace_seconds:
            log.warning("submission %s: not found; its job is kept to be tried again", job.submission_id)
            return
        log.warning(
            "submission %s: still not found %.0f s after it was queued; its job is dropped",
            job.submission_id,
            age_seconds,
        )
        self.core.queue.ack(job)

    def _start(self, submission_id: int) -> tasks.Started | None:
        with self.core.db.transaction() as cur:
            return tasks.start(cur, submission_id, self.cache)

    def _judgement(self, started: tasks.Started) -> Judgement:
        task = started.task
        if started.poisoned is not None:
            log.error("submission %s: poisoned: %s", task.submission_id, started.poisoned)
            return _judge_error(task, started.poisoned, self.name)
        return self._judge(task)

    def _judge(self, task: Task, retries: int = 1) -> Judgement:
        try:
            with self.sandbox.box() as box:
                if task.validator is None:
                    return self._judge_in(box, task)
                with self.sandbox.box() as validator_box:  # the sandbox has two boxes per worker
                    return self._judge_in(box, task, validator_box)
        except HostFault:
            raise
        except SandboxError as exc:  # an infrastructure fault: retried, then JE
            if retries > 0:
                log.warning("submission %s: sandbox fault, retrying: %s", task.submission_id, exc)
                return self._judge(task, retries - 1)
            log.exception("submission %s: sandbox fault", task.submission_id)
            return _judge_error(task, f"sandbox fault: {exc}", self.name)
        except Exception as exc:  # a bug: logged with its traceback, JE, never a crash
            log.exception("submission %s: judge error", task.submission_id)
            return _judge_error(task, f"judge error: {type(exc).__name__}: {exc}", self.name)

    def _judge_in(self, box: Box, task: Task, validator_box: Box | None = None) -> Judgement:
        _require_space(box)
        try:
            judgement = judge(
                box, task, self.name, lambda outcome: self._progress(task, outcome), validator_box
            )
        except OSError as exc:
            if exc.errno not in _DISK_FULL:
                raise
            raise HostFault(f"the judge host's disk is full: {exc}") from exc  # writing an input, say
        if judgement.verdict is not Verdict.AC:
            _require_space(box)  # a run that failed for want of space is not the contestant's fault
        return judgement

    def _progress(self, task: Task, outcome: CaseOutcome) -> None:
        try:
            self.core.events.publish(
                submission_topic(task.submission_id),
                "test_result",
                submission_id=task.submission_id,
                index=outcome.ordinal,
                verdict=outcome.verdict.value,
                time_ms=outcome.time_ms,
                memory_kb=outcome.memory_kb,
            )
        except Exception:  # progress is a courtesy; the stored result is what counts
            log.warning("submission %s: publishing progress failed", task.submission_id, exc_info=True)

    def _note_failure(self, submission_id: int, error: str) -> None:
        try:
            with self.core.db.transaction() as cur:
                tasks.note_failure(cur, submission_id, error)
        except Exception:
            log.warning("submission %s: storing the failure reason failed", submission_id, exc_info=True)

    def _release(self, submission_id: int) -> None:
        try:
            self.core.queue.release_lease(submission_id, self.name)
        except Exception:
            log.exception("releasing the lease of %s failed; it expires by itself", submission_id)


def _require_space(box: Box) -> None:
    """Raise HostFault when the filesystem of the box's input and output files is full."""
    io = box.io_dir
    free_bytes = shutil.disk_usage(io).free
    if free_bytes < MIN_FREE_BYTES:
        raise HostFault(f"the judge host's working space {io} is full ({free_bytes // 1024} KiB free)")


def _judge_error(task: Task, reason: str, host: str) -> Judgement:
    return Judgement(task.submission_id, Verdict.JE, 0.0, [], reason[:2000], host, judgement=task.judgement)
