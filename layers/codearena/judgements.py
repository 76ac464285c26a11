"""Judgements: the judge's result contract and how a result is stored (DESIGN §4 step 3).

A judge host fills a `Judgement` (one `CaseOutcome` per test run) and `record`s it: the result
rows, the submission's status and the contestant's new standing (codearena.standings) in one
PostgreSQL transaction, idempotent per (submission, judgement). `stored` and `needs_judging`
answer what a judge host asks about a submission judged before.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass, field

from psycopg2.extras import execute_values

from codearena import standings, submissions
from codearena.core import Core
from codearena.db import Cursor
from codearena.models import SubmissionStatus, Verdict
from codearena.standings import BoardUpdate, Contestant

OUTPUT_KEPT_BYTES = 4096  # of each test's program output, for the jury (test_results.output)
# Of one judgement's kept outputs in all: accepted tests' and the others', so that a problem of
# thousands of tests stores at most ~0.6 MiB of output per judgement and a failed test's output
# is kept however many accepted tests came first.
OUTPUT_BUDGET_ACCEPTED_BYTES = 128 * 1024
OUTPUT_BUDGET_REJECTED_BYTES = 512 * 1024


@dataclass(frozen=True)
class CaseOutcome:
    test_case_id: int
    ordinal: int
    verdict: Verdict
    time_ms: int
    memory_kb: int
    transcript: str = ""  # an interactive test's pipes, for the jury only (never published)
    output: str | None = None  # the program's stdout, its first OUTPUT_KEPT_BYTES (see kept_output)
    output_truncated: bool = False  # the program wrote more than `output`


def kept_output(head: bytes) -> tuple[str, bool]:
    """What is kept of a program's stdout, from its first OUTPUT_KEPT_BYTES + 1 bytes `head`:
    at most OUTPUT_KEPT_BYTES as text (bytes that are not UTF-8 and NULs, which PostgreSQL's
    text refuses, become U+FFFD; a character cut at the end is dropped), and whether it was cut."""
    cut = len(head) > OUTPUT_KEPT_BYTES
    # not final when cut: a multi-byte character split by the cut is left out, not replaced
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(head[:OUTPUT_KEPT_BYTES], not cut)
    return text.replace("\x00", "\ufffd"), cut


@dataclass(frozen=True)
class Judgement:
    submission_id: int
    verdict: Verdict
    score: float
    tests: list[CaseOutcome]
    compile_output: str = ""
    judge_host: str = ""
    judgement: int = 1
    subtasks: dict[str, float] = field(default_factory=dict)  # test group → points

    @property
    def max_time_ms(self) -> int:
        return max((t.time_ms for t in self.tests), default=0)

    @property
    def max_memory_kb(self) -> int:
        return max((t.memory_kb for t in self.tests), default=0)


def record(core: Core, judgement: Judgement) -> BoardUpdate | None:
    """Store the judgement, the contestant's new standing and its event, in one transaction.

    The highest judgement of a submission is its current result (a rejudge supersedes, the
    old rows stay for audit). Returns the update to publish (standings.publish), or None for
    practice submissions (never ranked)."""
    with core.db.transaction() as cur:
        contestant = Contestant.of(submissions.load(cur, judgement.submission_id))
        standings.lock_standing(cur, contestant.contest_id, contestant.user_id)
        if not _insert_result(cur, judgement):
            return standings.last_update(cur, contestant)
        _make_current(cur, judgement.submission_id)
        # A rejudge asked for while this judging ran keeps the submission waiting for it.
        cur.execute(
            "UPDATE submissions SET status = %s WHERE id = %s AND judgement <= %s",
            (SubmissionStatus.JUDGED.value, judgement.submission_id, judgement.judgement),
        )
        return standings.refresh(cur, contestant)


@dataclass(frozen=True)
class Stored:
    """A judged submission's current result and the board event that showed it: what its
    judge host announces after the commit."""

    judgement: int
    verdict: Verdict
    score: float
    update: BoardUpdate | None  # None for practice submissions
    contest_id: int


def stored(core: Core, submission_id: int) -> Stored | None:
    """The current result of a judged submission (None when it is not judged)."""
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT r.judgement, r.verdict, r.score FROM submissions s JOIN submission_results r"
            " ON r.submission_id = s.id AND r.is_current WHERE s.id = %s AND s.status = %s",
            (submission_id, SubmissionStatus.JUDGED.value),
        )
        result = cur.fetchone()
        if result is None:
            return None
        contestant = Contestant.of(submissions.load(cur, submission_id))
        update = None if standings.practice(cur, contestant) else standings.last_update(cur, contestant)
    return Stored(
        result["judgement"], Verdict(result["verdict"]), float(result["score"]), update, contestant.contest_id
    )


def needs_judging(core: Core, submission_id: int) -> bool:
    """Whether a submission still waits for a judgement (e.g. a rejudge came in meanwhile)."""
    with core.db.transaction() as cur:
        submission = submissions.find(cur, submission_id)
    return submission is not None and submission.status is not SubmissionStatus.JUDGED


def _insert_result(cur: Cursor, j: Judgement) -> bool:
    cur.execute(
        "INSERT INTO submission_results (submission_id, judgement, verdict, score, max_time_ms,"
        " max_memory_kb, compile_output, judge_host, subtask_scores, is_current)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, false)"
        " ON CONFLICT (submission_id, judgement) DO NOTHING RETURNING id",
        (
            j.submission_id,
            j.judgement,
            j.verdict.value,
            j.score,
            j.max_time_ms,
            j.max_memory_kb,
            j.compile_output,
            j.judge_host,
            json.dumps(j.subtasks),
        ),
    )
    inserted = cur.fetchone()
    if inserted is None:
        return False
    execute_values(  # one statement for all tests, not one round trip each
        cur,
        "INSERT INTO test_results (result_id, test_case_id, ordinal, verdict, time_ms, memory_kb, transcript,"
        " output, output_truncated) VALUES %s",
        [
            (
                inserted["id"],
                t.test_case_id,
                t.ordinal,
                t.verdict.value,
                t.time_ms,
                t.memory_kb,
                t.transcript,
                t.output,
                t.output_truncated,
            )
            for t in j.tests
        ],
        page_size=1000,
    )
    return True


def _make_current(cur: Cursor, submission_id: int) -> None:
    """Move `is_current` to the highest judgement (two statements: the unique index on the
    current row is checked row by row)."""
    cur.execute(
        "UPDATE submission_results SET is_current = false WHERE submission_id = %s AND is_current",
        (submission_id,),
    )
    cur.execute(
        "UPDATE submission_results SET is_current = true WHERE id = (SELECT id FROM"
        " submission_results WHERE submission_id = %s ORDER BY judgement DESC LIMIT 1)",
        (submission_id,),
    )
