"""Contests, their problems and test data: the organizer's and the contestant's views.

A contest crosses modules as a `Contest` (its row, typed), read by `load`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import psycopg2.errors

from codearena import keys, standings
from codearena import validation as v
from codearena.core import Core
from codearena.db import Cursor, one_row
from codearena.errors import BadRequest, Conflict, NotFound
from codearena.events import contest_topic, jury_topic
from codearena.models import CHARGEABLE_VERDICTS, PENALTY_VERDICTS, ContestState, ScoringType, Verdict
from codearena.scoring import ContestRules

COLUMNS = (
    "id, title, start_at, end_at, freeze_at, unfrozen_at, scoring, penalty_minutes, practice, registration,"
    " gold_medals, silver_medals, bronze_medals, organization_winners, penalty_verdicts, visibility,"
    " group_winners"
)
MEDALS = ("gold_medals", "silver_medals", "bronze_medals")
REGISTRATION_MODES = ("open", "invite", "approval")  # see participants.py
VISIBILITIES = ("public", "hidden")  # hidden: only the jury sees the contest
_MAX_TESTS = 500
_CHARGEABLE = tuple(verdict.value for verdict in Verdict if verdict in CHARGEABLE_VERDICTS)
_DEFAULT_PENALTY = [verdict.value for verdict in Verdict if verdict in PENALTY_VERDICTS]
_ANNOUNCED_SECONDS = 86400  # a state announced is remembered this long (it is not announced again)


@dataclass(frozen=True)
class Contest:
    """A row of `contests` (COLUMNS): times with their zone, `registration` one of
    REGISTRATION_MODES, the awards it gives (medal counts, 0 for none; organization winners)."""

    id: int
    title: str
    start_at: datetime
    end_at: datetime
    freeze_at: datetime | None
    unfrozen_at: datetime | None
    scoring: ScoringType
    penalty_minutes: int
    practice: bool
    registration: str
    penalty_verdicts: tuple[str, ...]  # verdict values, in _CHARGEABLE order
    visibility: str
    gold_medals: int = 0
    silver_medals: int = 0
    bronze_medals: int = 0
    organization_winners: bool = False
    group_winners: bool = False

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Contest:
        given = {name: row[name] for name in COLUMNS.split(", ")}
        verdicts = tuple(row["penalty_verdicts"])
        return cls(**{**given, "scoring": ScoringType(row["scoring"]), "penalty_verdicts": verdicts})

    @property
    def rules(self) -> ContestRules:
        """The judgement rules scoring applies."""
        verdicts = frozenset(Verdict(name) for name in self.penalty_verdicts)
        return ContestRules(self.start_at, self.penalty_minutes, verdicts)

    def state_at(self, now: datetime) -> ContestState:
        if now < self.start_at:
            return ContestState.SCHEDULED
        if now < self.end_at:
            frozen = self.freeze_at is not None and now >= self.freeze_at
            return ContestState.FROZEN if frozen and not self.unfrozen_at else ContestState.RUNNING
        return ContestState.UNFROZEN if self.unfrozen_at else ContestState.ENDED

    def require_open(self, now: datetime) -> None:
        """Conflict unless the contest takes part now: submissions, questions and runs are taken
        while it runs (a practice contest: from its start on)."""
        state = self.state_at(now)
        if state == ContestState.SCHEDULED:
            raise Conflict("the contest has not started yet", "contest_not_running")
        if state in (ContestState.ENDED, ContestState.UNFROZEN) and not self.practice:
            raise Conflict("the contest is over", "contest_not_running")

    def public_board_frozen(self, now: datetime) -> bool:
        """Whether the public board hides verdicts: from the freeze until the organizers unfreeze."""
        return self.freeze_at is not None and now >= self.freeze_at and not self.unfrozen_at

    def fields(self) -> dict[str, Any]:
        """The columns as plain values (what the SQL statements take)."""
        return {
            **asdict(self),
            "scoring": self.scoring.value,
            "penalty_verdicts": list(self.penalty_verdicts),
        }

    def to_json(self, now: datetime) -> dict[str, Any]:
        data = self.fields()
        for name in ("start_at", "end_at", "freeze_at", "unfrozen_at"):
            data[name] = data[name].isoformat() if data[name] else None
        data["state"] = self.state_at(now).value
        return data


def announce_state(core: Core, contest: Contest, now: datetime, *, again: bool = False) -> ContestState:
    """Publish the contest's state at `now` (`contest_state` on its public and jury topics)
    once per state, as the fan-out's leader does on every tick; `again` publishes it even
    when it was announced (an unfreeze, repeated or not). Returns the state."""
    state = contest.state_at(now)
    first = core.redis.set(keys.announced_state(contest.id, state.value), 1, nx=True, ex=_ANNOUNCED_SECONDS)
    if first or again:
        for topic in (contest_topic(contest.id), jury_topic(contest.id)):
            core.events.publish(topic, "contest_state", contest_id=contest.id, state=state.value)
    return state


def load(cur: Cursor, contest_id: int) -> Contest:
    """The contest; NotFound when there is none."""
    cur.execute(f"SELECT {COLUMNS} FROM contests WHERE id = %s", (contest_id,))
    contest = cur.fetchone()
    if contest is None:
        raise NotFound(f"no contest {contest_id}", "contest_not_found")
    return Contest.from_row(contest)


def load_visible(cur: Cursor, contest_id: int, jury: bool) -> Contest:
    """The contest as a caller sees it: NotFound when there is none, or when it is hidden
    and the caller is not of the jury (a hidden contest does not exist for contestants)."""
    contest = load(cur, contest_id)
    if contest.visibility == "hidden" and not jury:
        raise NotFound(f"no contest {contest_id}", "contest_not_found")
    return contest


def require_visible(core: Core, contest_id: int, jury: bool) -> None:
    """NotFound unless the caller may see the contest (`load_visible`), in a transaction of its own."""
    with core.db.transaction() as cur:
        load_visible(cur, contest_id, jury)


def list_contests(core: Core, jury: bool = False) -> dict[str, Any]:
    with core.db.transaction() as cur:
        cur.execute(
            f"SELECT {COLUMNS} FROM contests WHERE %s OR visibility = 'public'"
            " ORDER BY start_at DESC, id DESC LIMIT 200",
            (jury,),
        )
        rows = cur.fetchall()
    now = core.clock()
    return {"contests": [Contest.from_row(row).to_json(now) for row in rows]}


def get_contest(core: Core, contest_id: int, jury: bool = False) -> dict[str, Any]:
    with core.db.transaction() as cur:
        contest = load_visible(cur, contest_id, jury)
        cur.execute(
            "SELECT problem_id AS id, label FROM contest_problems WHERE contest_id = %s ORDER BY label",
            (contest_id,),
        )
        problems = [dict(row) for row in cur.fetchall()]
    now = core.clock()
    data = contest.to_json(now)
    data["problems"] = problems if contest.state_at(now) != ContestState.SCHEDULED else []
    return data


def _contest_fields(body: dict[str, Any], current: Contest | None) -> dict[str, Any]:
    """Validated contest fields; with `current`, only the ones given are required."""
    base = current.fields() if current else {}

    def given(name: str) -> bool:
        return current is None or name in body

    fields: dict[str, Any] = dict(base)
    if given("title"):
        fields["title"] = v.string(body, "title", max_len=200)
    for name in ("start_at", "end_at"):
        if given(name):
            fields[name] = v.timestamp(body, name)
    if given("freeze_at"):
        fields["freeze_at"] = v.timestamp(body, "freeze_at", required=False)
    if given("scoring"):
        fields["scoring"] = v.choice(body, "scoring", tuple(s.value for s in ScoringType), "icpc")
    if given("penalty_minutes"):
        fields["penalty_minutes"] = v.integer(body, "penalty_minutes", low=0, high=1000, default=20)
    if given("practice"):
        fields["practice"] = v.boolean(body, "practice")
    if given("registration"):
        fields["registration"] = v.choice(body, "registration", REGISTRATION_MODES, "open")
    for name in MEDALS:
        if given(name):
            fields[name] = v.integer(body, name, low=0, high=1000, default=0)
    for name in ("organization_winners", "group_winners"):
        if given(name):
            fields[name] = v.boolean(body, name)
    if given("visibility"):
        fields["visibility"] = v.choice(body, "visibility", VISIBILITIES, "public")
    if given("penalty_verdicts"):
        fields["penalty_verdicts"] = _penalty_verdicts(body.get("penalty_verdicts", _DEFAULT_PENALTY))
    if fields["end_at"] <= fields["start_at"]:
        raise BadRequest("'end_at' must be after 'start_at'", "invalid_times")
    freeze_at = fields.get("freeze_at")
    if freeze_at is not None and not fields["start_at"] <= freeze_at <= fields["end_at"]:
        raise BadRequest("'freeze_at' must lie between 'start_at' and 'end_at'", "invalid_times")
    return fields


def _penalty_verdicts(raw: Any) -> list[str]:
    """The verdicts charged, in a fixed order."""
    if not isinstance(raw, list) or not all(isinstance(name, str) and name in _CHARGEABLE for name in raw):
        raise BadRequest(
            f"'penalty_verdicts' must be a list of verdicts among {', '.join(_CHARGEABLE)}", "invalid_field"
        )
    return [name for name in _CHARGEABLE if name in raw]


def create_contest(core: Core, body: Any) -> dict[str, Any]:
    fields = _contest_fields(v.body_object(body), None)
    with core.db.transaction() as cur:
        cur.execute(
            "INSERT INTO contests (title, start_at, end_at, freeze_at, scoring, penalty_minutes, practice,"
            " registration, gold_medals, silver_medals, bronze_medals, organization_winners,"
            " penalty_verdicts, visibility, group_winners)"
            " VALUES (%(title)s, %(start_at)s, %(end_at)s, %(freeze_at)s, %(scoring)s,"
            " %(penalty_minutes)s, %(practice)s, %(registration)s, %(gold_medals)s, %(silver_medals)s,"
            " %(bronze_medals)s, %(organization_winners)s, %(penalty_verdicts)s, %(visibility)s,"
            " %(group_winners)s)"
            f" RETURNING {COLUMNS}",
            fields,
        )
        return Contest.from_row(one_row(cur)).to_json(core.clock())


def update_contest(core: Core, contest_id: int, body: Any) -> dict[str, Any]:
    body = v.body_object(body)
    with core.db.transaction() as cur:
        fields = _contest_fields(body, load(cur, contest_id))
        cur.execute(
            "UPDATE contests SET title = %(title)s, start_at = %(start_at)s, end_at = %(end_at)s,"
            " freeze_at = %(freeze_at)s, scoring = %(scoring)s,"
            " penalty_minutes = %(penalty_minutes)s, practice = %(practice)s,"
            " registration = %(registration)s, gold_medals = %(gold_medals)s,"
            " silver_medals = %(silver_medals)s, bronze_medals = %(bronze_medals)s,"
            " organization_winners = %(organization_winners)s, penalty_verdicts = %(penalty_verdicts)s,"
            " visibility = %(visibility)s, group_winners = %(group_winners)s"
            f" WHERE id = %(id)s RETURNING {COLUMNS}",
            fields,
        )
        return Contest.from_row(one_row(cur)).to_json(core.clock())


def change_contest(core: Core, contest_id: int, body: Any) -> dict[str, Any]:
    """An organizer's change (PATCH /admin/contests/{cid}): `update_contest` (a started
    contest's start kept before now), then, when it touched a rule (standings.RULES: times,
    freeze, scoring, penalty), every board restated."""
    body = v.body_object(body)
    _keep_started(core, contest_id, body)
    changed = update_contest(core, contest_id, body)
    if any(name in body for name in standings.RULES):
        standings.restate(core, contest_id)
    return changed


def delete_contest(core: Core, contest_id: int) -> dict[str, Any]:
    """Delete a contest with no submissions and no board events (Conflict otherwise: the
    event log is append-only), and its Redis boards."""
    with core.db.transaction() as cur:
        load(cur, contest_id)
        cur.execute(
            "SELECT (SELECT count(*) FROM submissions WHERE contest_id = %(c)s) AS submissions,"
            " (SELECT count(*) FROM leaderboard_events WHERE contest_id = %(c)s) AS events",
            {"c": contest_id},
        )
        used = one_row(cur)
        if used["submissions"] or used["events"]:
            raise Conflict(
                f"contest {contest_id} has {used['submissions']} submission(s) and {used['events']} board"
                " event(s); it is kept (hide it instead: visibility hidden)",
                "has_submissions",
            )
        cur.execute("DELETE FROM contest_problems WHERE contest_id = %s", (contest_id,))
        cur.execute("DELETE FROM contests WHERE id = %s", (contest_id,))
    core.boards.drop(contest_id)
    return {"id": contest_id, "deleted": True}


def _keep_started(core: Core, contest_id: int, body: dict[str, Any]) -> None:
    """The clock rule of a change (checked once the body is valid): a contest that has
    started cannot be made to start later than now (its submissions would precede its start)."""
    with core.db.transaction() as cur:
        contest = load(cur, contest_id)
    start_at = _contest_fields(body, contest)["start_at"]
    now = core.clock()
    if contest.start_at <= now < start_at:
        raise Conflict("the contest has started; its start cannot move past now", "contest_started")


def create_problem(core: Core, body: Any) -> dict[str, Any]:
    body = v.body_object(body)
    problem = {
        "title": v.string(body, "title", max_len=200),
        "statement": v.string(body, "statement", min_len=0, max_len=200_000, required=False),
        "time_limit_ms": v.integer(body, "time_limit_ms", low=100, high=60_000),
        "memory_limit_kb": v.integer(body, "memory_limit_kb", low=16_384, high=4_194_304),
        "points": v.integer(body, "points", low=0, high=100_000, default=100),
        "checker": v.checker(body, "checker"),
    }
    tests = parse_tests(body.get("tests"))
    with core.db.transaction() as cur:
        cur.execute(
            "INSERT INTO problems (title, statement, time_limit_ms, memory_limit_kb, points, checker)"
            " VALUES (%(title)s, %(statement)s, %(time_limit_ms)s, %(memory_limit_kb)s, %(points)s,"
            " %(checker)s) RETURNING id",
            problem,
        )
        problem_id = one_row(cur)["id"]
        cur.executemany(
            "INSERT INTO test_cases (problem_id, ordinal, input, answer, test_group, points, is_sample)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(problem_id, n, *test) for n, test in enumerate(tests, start=1)],
        )
        # Judge hosts cache test data under this hash; whatever changes tests must reset it.
        cur.execute("UPDATE problems SET test_data_hash = test_data_hash(id) WHERE id = %s", (problem_id,))
    return {"id": problem_id, **problem, "tests": len(tests)}


def parse_tests(raw: Any) -> list[tuple[str, str, str, int, bool]]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= _MAX_TESTS:
        raise BadRequest(f"'tests' must be a list of 1 to {_MAX_TESTS} tests", "invalid_tests")
    tests = []
    for index, test in enumerate(raw, start=1):
        if not isinstance(test, dict):
            raise BadRequest(f"test {index} must be an object", "invalid_tests")
        try:
            tests.append(
                (
                    v.string(test, "input", min_len=0, max_len=16 << 20),
                    v.string(test, "answer", min_len=0, max_len=16 << 20),
                    v.string(test, "group", max_len=64, required=False, default="main"),
                    v.integer(test, "points", low=0, high=100_000, default=0),
                    v.boolean(test, "sample"),
                )
            )
        except BadRequest as exc:
            raise BadRequest(f"test {index}: {exc.message}", "invalid_tests") from exc
    return tests


def attach_problem(core: Core, contest_id: int, body: Any) -> dict[str, Any]:
    body = v.body_object(body)
    problem_id = v.integer(body, "problem_id", low=1, high=2**62)
    label = v.string(body, "label", max_len=2)
    if not re.fullmatch(r"[A-Z][0-9]?", label, flags=re.ASCII):
        raise BadRequest(
            "'label' must be a capital letter, optionally followed by a digit (A, B2)",
            "invalid_label",
        )
    try:
        with core.db.transaction() as cur:
            load(cur, contest_id)
            cur.execute("SELECT 1 FROM problems WHERE id = %s", (problem_id,))
            if cur.fetchone() is None:
                raise NotFound(f"no problem {problem_id}", "problem_not_found")
            cur.execute(
                "INSERT INTO contest_problems (contest_id, problem_id, label) VALUES (%s, %s, %s)",
                (contest_id, problem_id, label),
            )
    except psycopg2.errors.UniqueViolation as exc:
        raise Conflict(
            f"problem {problem_id} or label {label} is already in contest {contest_id}",
            "already_attached",
        ) from exc
    return {"contest_id": contest_id, "problem_id": problem_id, "label": label}


def _visible_contest(cur: Cursor, contest_id: int, now: datetime, jury: bool) -> Contest:
    contest = load_visible(cur, contest_id, jury)
    if not jury and contest.state_at(now) == ContestState.SCHEDULED:
        raise Conflict(
            "the contest has not started; its problems are hidden until then", "contest_not_started"
        )
    return contest


def list_problems(core: Core, contest_id: int, jury: bool = False) -> dict[str, Any]:
    with core.db.transaction() as cur:
        _visible_contest(cur, contest_id, core.clock(), jury)
        cur.execute(
            "SELECT p.id, cp.label, p.title, p.time_limit_ms, p.memory_limit_kb, p.points"
            " FROM contest_problems cp JOIN problems p ON p.id = cp.problem_id"
            " WHERE cp.contest_id = %s ORDER BY cp.label",
            (contest_id,),
        )
        return {"problems": [dict(row) for row in cur.fetchall()]}


def get_problem(core: Core, contest_id: int, key: str, jury: bool = False) -> dict[str, Any]:
    """One problem by id or by label, with its statement and only its sample tests."""
    by_label = key[:1].isalpha()
    if not by_label:
        v.path_id(key, "problem")
    elif not (key.isascii() and key.isalnum() and len(key) <= 10):
        raise NotFound(f"contest {contest_id} has no problem {key[:20]!r}", "problem_not_found")
    with core.db.transaction() as cur:
        _visible_contest(cur, contest_id, core.clock(), jury)
        cur.execute(
            "SELECT p.id, cp.label, p.title, p.statement, p.time_limit_ms, p.memory_limit_kb, p.points"
            " FROM contest_problems cp JOIN problems p ON p.id = cp.problem_id"
            f" WHERE cp.contest_id = %s AND {'cp.label' if by_label else 'p.id'} = %s",
            (contest_id, key if by_label else int(key)),
        )
        problem = cur.fetchone()
        if problem is None:
            raise NotFound(f"contest {contest_id} has no problem {key}", "problem_not_found")
        cur.execute(
            "SELECT input, answer FROM test_cases WHERE problem_id = %s AND is_sample ORDER BY ordinal",
            (problem["id"],),
        )
        return {**problem, "samples": [dict(row) for row in cur.fetchall()]}
