"""The judge host: workers that claim jobs, judge them and persist the results.

DESIGN §4 steps 2-4. One worker thread per sandbox box; a sweeper re-enqueues from
PostgreSQL what Redis lost; SIGTERM drains (no new claims, running judgings finish).
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from codearena import keys, standings
from codearena.core import Core
from codearena.events import submission_topic
from codearena.models import ScoringType, Verdict
from codearena.queue import Job
from codearena.standings import CaseOutcome, Judgement
from judge_host.judging import CaseData, Task, judge
from sandbox import Sandbox

log = logging.getLogger("codearena.judge")

LEASE_SECONDS = 300
SWEEP_EVERY_SECONDS = 30.0
PROCESSED_TTL_SECONDS = 24 * 3600


def host_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class JudgeHost:
    def __init__(self, core: Core, sandbox: Sandbox, name: str | None = None) -> None:
        self.core = core
        self.sandbox = sandbox
        self.name = name or host_name()
        self.stopping = threading.Event()
        self.judged = 0
        self._count_lock = threading.Lock()

    # --- lifecycle --------------------------------------------------------------------
    def run(self, workers: int, once: bool = False) -> None:
        """Judge until stopped (or, with `once`, until the queue is empty)."""
        self.core.queue.ensure_group()
        threads = [
            threading.Thread(target=self._work, args=(n, once), name=f"judge-{n}") for n in range(workers)
        ]
        if not once:
            threads.append(threading.Thread(target=self._sweep_forever, name="sweeper", daemon=True))
        for thread in threads:
            thread.start()
        for thread in threads:
            if not thread.daemon:
                thread.join()

    def stop(self) -> None:
        self.stopping.set()

    def _work(self, number: int, once: bool) -> None:
        consumer = f"{self.name}-{number}"
        while not self.stopping.is_set():
            try:
                job = self.core.queue.claim(consumer, block_ms=1000, lease_ms=LEASE_SECONDS * 1000)
            except Exception:  # Redis restarting: wait and retry, never die
                log.exception("claiming a job failed")
                self.stopping.wait(1.0)
                continue
            if job is None:
                if once:
                    return
                continue
            self.handle(job)

    def _sweep_forever(self) -> None:
        while not self.stopping.wait(SWEEP_EVERY_SECONDS):
            try:
                self.sweep(older_than_seconds=LEASE_SECONDS)
            except Exception:
                log.exception("sweep failed")

    # --- one job ----------------------------------------------------------------------
    def handle(self, job: Job) -> None:
        sid = job.submission_id
        lock = keys.processing(sid)
        if not self.core.redis.set(lock, self.name, nx=True, ex=LEASE_SECONDS):
            self.core.queue.ack(job)  # another host is judging it and holds its own entry
            return
        try:
            self._judge_and_store(job)
        except Exception:
            # Infrastructure trouble (database, Redis): leave the job unacknowledged so it
            # is delivered again once the lease is over.
            log.exception("submission %s: storing the judgement failed; it will be retried", sid)
        finally:
            self._release(lock)

    def _judge_and_store(self, job: Job) -> None:
        sid = job.submission_id
        task = self.load_task(sid)
        if task is None:  # already judged (a duplicate delivery) or unknown
            self.core.queue.ack(job)
            return
        judgement = self._judge(task)
        update = standings.record(self.core, judgement)
        if update is not None:
            standings.publish(self.core, update)
        self.core.events.publish(
            submission_topic(sid),
            "finished",
            submission_id=sid,
            verdict=judgement.verdict.value,
            score=judgement.score,
        )
        self.core.redis.set(keys.processed(sid, judgement.judgement), 1, ex=PROCESSED_TTL_SECONDS)
        self.core.queue.ack(job)
        with self._count_lock:
            self.judged += 1
        log.info("submission %s: %s", sid, judgement.verdict.value)

    def _judge(self, task: Task) -> Judgement:
        try:
            with self.sandbox.box() as box:
                return judge(box, task, self.name, on_test=lambda outcome: self._progress(task, outcome))
        except Exception as exc:  # a sandbox fault or a bug: the submission gets JE, not a crash
            log.exception("submission %s: judge error", task.submission_id)
            return Judgement(task.submission_id, Verdict.JE, 0.0, [], f"judge error: {exc}"[:2000], self.name)

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

    def _release(self, lock: str) -> None:
        try:
            if self.core.redis.get(lock) == self.name:
                self.core.redis.delete(lock)
        except Exception:
            log.exception("releasing %s failed; it expires by itself", lock)

    # --- PostgreSQL -------------------------------------------------------------------
    def load_task(self, submission_id: int) -> Task | None:
        with self.core.db.transaction() as cur:
            cur.execute(
                "UPDATE submissions s SET status = 'judging' FROM problems p, contests c"
                " WHERE s.id = %s AND s.status <> 'judged' AND p.id = s.problem_id AND c.id = s.contest_id"
                " RETURNING s.id, s.language, s.source, p.id AS problem_id, p.time_limit_ms,"
                " p.memory_limit_kb, p.points, c.scoring",
                (submission_id,),
            )
            row = cur.fetchone()
            if row is None:
                return None
            cur.execute(
                "SELECT id, ordinal, input, answer, test_group, points FROM test_cases"
                " WHERE problem_id = %s ORDER BY ordinal",
                (row["problem_id"],),
            )
            tests = [
                CaseData(
                    t["id"],
                    t["ordinal"],
                    t["input"].encode(),
                    t["answer"].encode(),
                    t["test_group"],
                    t["points"],
                )
                for t in cur.fetchall()
            ]
        return Task(
            row["id"],
            row["language"],
            row["source"],
            row["time_limit_ms"],
            row["memory_limit_kb"],
            row["points"],
            ScoringType(row["scoring"]),
            tests,
        )

    def sweep(self, older_than_seconds: int) -> int:
        """Re-enqueue unjudged submissions nobody holds a lease on; returns how many."""
        with self.core.db.transaction() as cur:
            cur.execute(
                "SELECT id FROM submissions WHERE status <> 'judged'"
                " AND created_at < now() - make_interval(secs => %s) ORDER BY id LIMIT 1000",
                (older_than_seconds,),
            )
            ids = [row["id"] for row in cur.fetchall()]
        lost = [sid for sid in ids if not self.core.redis.exists(keys.processing(sid))]
        for sid in lost:
            self.core.queue.enqueue(sid)
        if lost:
            log.warning("re-enqueued %d submissions with no live job", len(lost))
        return len(lost)
