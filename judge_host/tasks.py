"""Loading a submission to judge from PostgreSQL, with test data cached by content hash."""

from __future__ import annotations

import shlex
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from codearena.db import Cursor
from codearena.models import SubmissionStatus
from codearena.packages import validator_entry
from codearena.scoring import rule_for
from judge_host.judging import CaseData, OutputValidator, Task

MAX_DELIVERIES = 3  # judgings started for one judgement before the job counts as poisoned

_START = (
    f"UPDATE submissions s SET status = '{SubmissionStatus.JUDGING.value}', deliveries = s.deliveries + 1"
    " FROM problems p, contests c"
    f" WHERE s.id = %s AND s.status <> '{SubmissionStatus.JUDGED.value}'"
    " AND p.id = s.problem_id AND c.id = s.contest_id"
    " RETURNING s.id, s.contest_id, s.language, s.source, s.judgement, s.deliveries, s.last_error,"
    " p.id AS problem_id, p.time_limit_ms, p.memory_limit_kb, p.points, p.test_data_hash, p.checker,"
    " p.output_limit_kb, p.validator_language, p.validator_flags,"
    " c.scoring"
)


@dataclass(frozen=True)
class Started:
    """A judging just started: the task, or why it must end as JE without running."""

    task: Task
    poisoned: str | None


class TestDataCache:
    """Problems' tests by content hash, least recently used dropped past `max_bytes`."""

    def __init__(self, max_bytes: int = 512 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[CaseData, ...]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0

    def get(self, digest: str) -> tuple[CaseData, ...] | None:
        with self._lock:
            tests = self._items.get(digest)
            if tests is not None:
                self._items.move_to_end(digest)
                self.hits += 1
            return tests

    def put(self, digest: str, tests: Sequence[CaseData]) -> None:
        size = sum(len(t.input) + len(t.answer) for t in tests)
        if not digest or size > self.max_bytes:
            return
        with self._lock:
            if digest in self._items:
                return
            self._items[digest] = tuple(tests)
            self._size += size
            while self._size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= sum(len(t.input) + len(t.answer) for t in dropped)


def start(cur: Cursor, submission_id: int, cache: TestDataCache) -> Started | None:
    """Mark a submission as being judged and count the delivery; None when it is already
    judged (a duplicate delivery) or unknown."""
    cur.execute(_START, (submission_id,))
    row = cur.fetchone()
    if row is None:
        return None
    if row["deliveries"] > MAX_DELIVERIES:
        reason = row["last_error"] or "the judge host died or lost its lease while judging"
        poisoned = f"judging failed {MAX_DELIVERIES} times; last error: {reason}"
        return Started(_task(row, ()), poisoned[:2000])
    return Started(_task(row, _tests(cur, row, cache), _validator(cur, row)), None)


def _validator(cur: Cursor, row: dict[str, Any]) -> OutputValidator | None:
    """The problem's output validator, from the package files it was imported with."""
    if row["validator_language"] is None:
        return None
    cur.execute(
        "SELECT path, content FROM problem_files WHERE problem_id = %s"
        " AND (path LIKE 'output\\_validators/%%' OR path LIKE 'output\\_validator/%%')",
        (row["problem_id"],),
    )
    files = {r["path"]: bytes(r["content"]) for r in cur.fetchall()}
    language, main, others = validator_entry(files)
    return OutputValidator(language, files[main], others, tuple(shlex.split(row["validator_flags"])))


def _tests(cur: Cursor, row: dict[str, Any], cache: TestDataCache) -> tuple[CaseData, ...]:
    cached = cache.get(row["test_data_hash"])
    if cached is not None:
        return cached
    # The hash is read again with the tests, in one statement (one snapshot): a problem edit
    # committed since _START must not cache its new tests under the old hash.
    cur.execute(
        "SELECT p.test_data_hash, t.id, t.ordinal, t.input, t.answer, t.test_group, t.points"
        " FROM problems p JOIN test_cases t ON t.problem_id = p.id"
        " WHERE p.id = %s ORDER BY t.ordinal",
        (row["problem_id"],),
    )
    found = cur.fetchall()
    tests = tuple(
        CaseData(
            t["id"], t["ordinal"], t["input"].encode(), t["answer"].encode(), t["test_group"], t["points"]
        )
        for t in found
    )
    if found:
        cache.put(found[0]["test_data_hash"], tests)
    return tests


def _task(row: dict[str, Any], tests: Sequence[CaseData], validator: OutputValidator | None = None) -> Task:
    return Task(
        row["id"],
        row["language"],
        row["source"],
        row["time_limit_ms"],
        row["memory_limit_kb"],
        row["points"],
        rule_for(row["scoring"]),
        tests,
        judgement=row["judgement"],
        checker=row["checker"],
        output_limit_kb=row["output_limit_kb"],
        validator=validator,
        contest_id=row["contest_id"],
    )


def note_failure(cur: Cursor, submission_id: int, error: str) -> None:
    """Keep why a judging did not finish, for the JE reason if it is poisoned."""
    cur.execute("UPDATE submissions SET last_error = %s WHERE id = %s", (error[:1000], submission_id))
