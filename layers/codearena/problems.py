"""Problems as organizers keep them: listed, changed (statement, limits, checker, tests) and
deleted; and detached from a contest. Creating one: codearena.contests.create_problem (JSON)
and codearena.packages (a problem package).

What has been judged stays: a problem with submissions is neither deleted nor detached (409);
changing what judging depends on (tests, limits, checker) answers how many submissions a
rejudge would touch, and `rejudge: true` rejudges them.
"""

from __future__ import annotations

from typing import Any

from codearena import contests, rejudge
from codearena import validation as v
from codearena.core import Core
from codearena.db import Cursor, one_row
from codearena.errors import Conflict, NotFound

_MAX_LISTED = 1000
_JUDGING = ("time_limit_ms", "memory_limit_kb", "checker", "tests")  # what a verdict depends on


def listing(core: Core) -> dict[str, Any]:
    """Every problem (the latest _MAX_LISTED) with its limits, test count, the contests it is
    in (id and label) and its submission count."""
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT p.id, p.title, p.time_limit_ms, p.memory_limit_kb, p.output_limit_kb, p.points,"
            " p.checker,"
            " (SELECT count(*) FROM test_cases t WHERE t.problem_id = p.id) AS tests,"
            " (SELECT count(*) FROM submissions s WHERE s.problem_id = p.id) AS submissions,"
            " coalesce((SELECT json_agg(json_build_object('contest_id', cp.contest_id, 'label', cp.label)"
            " ORDER BY cp.contest_id) FROM contest_problems cp WHERE cp.problem_id = p.id), '[]') AS contests"
            " FROM problems p ORDER BY p.id DESC LIMIT %s",
            (_MAX_LISTED,),
        )
        return {"problems": [dict(row) for row in cur.fetchall()]}


def update(core: Core, problem_id: int, body: Any) -> dict[str, Any]:
    """Change the fields given; the answer says how many submissions judging them again would
    touch (`rejudge_would_touch`, when tests, limits or checker changed) and how many were
    queued again (`rejudged`, with `rejudge: true`)."""
    body = v.body_object(body)
    fields = _fields(body)
    tests = contests.parse_tests(body["tests"]) if "tests" in body else None
    again = v.boolean(body, "rejudge")
    with core.db.transaction() as cur:
        _require(cur, problem_id)
        for name, value in fields.items():  # names from _fields: a fixed set
            cur.execute(f"UPDATE problems SET {name} = %s WHERE id = %s", (value, problem_id))
        if "checker" in fields:  # a built-in checker replaces a package's own validator
            cur.execute("UPDATE problems SET validator_language = NULL WHERE id = %s", (problem_id,))
        if tests is not None:
            _replace_tests(cur, problem_id, tests)
        cur.execute(
            "SELECT count(*) AS n FROM submissions WHERE problem_id = %s AND NOT imported", (problem_id,)
        )
        touched = int(one_row(cur)["n"]) if any(name in body for name in _JUDGING) else 0
        cur.execute(
            "SELECT DISTINCT contest_id FROM submissions WHERE problem_id = %s AND NOT imported",
            (problem_id,),
        )
        contest_ids = [row["contest_id"] for row in cur.fetchall()]
    rejudged = (
        [rejudge.rejudge_problem(core, cid, problem_id)["submissions"] for cid in contest_ids]
        if again
        else []
    )
    return {
        "id": problem_id,
        "changed": sorted([*fields, *(["tests"] if tests is not None else [])]),
        "rejudge_would_touch": touched,
        "rejudged": sum(rejudged),
    }


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "title" in body:
        fields["title"] = v.string(body, "title", max_len=200)
    if "statement" in body:
        fields["statement"] = v.string(body, "statement", min_len=0, max_len=200_000, required=False)
    if "time_limit_ms" in body:
        fields["time_limit_ms"] = v.integer(body, "time_limit_ms", low=100, high=60_000)
    if "memory_limit_kb" in body:
        fields["memory_limit_kb"] = v.integer(body, "memory_limit_kb", low=16_384, high=4_194_304)
    if "points" in body:
        fields["points"] = v.integer(body, "points", low=0, high=100_000)
    if "checker" in body:
        fields["checker"] = v.checker(body, "checker")
    return fields


def _replace_tests(cur: Cursor, problem_id: int, tests: list[tuple[str, str, str, int, bool]]) -> None:
    cur.execute("DELETE FROM test_cases WHERE problem_id = %s", (problem_id,))
    cur.executemany(
        "INSERT INTO test_cases (problem_id, ordinal, input, answer, test_group, points, is_sample)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [(problem_id, n, *test) for n, test in enumerate(tests, start=1)],
    )
    # Judge hosts cache test data under this hash (see contests.create_problem).
    cur.execute("UPDATE problems SET test_data_hash = test_data_hash(id) WHERE id = %s", (problem_id,))


def delete(core: Core, problem_id: int) -> dict[str, Any]:
    """Delete a problem with no submissions (Conflict otherwise), detaching it from every contest."""
    with core.db.transaction() as cur:
        _require(cur, problem_id)
        _refuse_submitted(cur, "problem_id = %s", (problem_id,), f"problem {problem_id}")
        cur.execute("DELETE FROM contest_problems WHERE problem_id = %s", (problem_id,))
        cur.execute("DELETE FROM problems WHERE id = %s", (problem_id,))
    return {"id": problem_id, "deleted": True}


def detach(core: Core, contest_id: int, problem_id: int) -> dict[str, Any]:
    """Take a problem out of a contest that has no submissions to it (Conflict otherwise)."""
    where = "contest_id = %s AND problem_id = %s"
    with core.db.transaction() as cur:
        contests.load(cur, contest_id)
        cur.execute(f"SELECT label FROM contest_problems WHERE {where} FOR UPDATE", (contest_id, problem_id))
        row = cur.fetchone()
        if row is None:
            raise NotFound(f"contest {contest_id} has no problem {problem_id}", "problem_not_found")
        what = f"problem {problem_id} in contest {contest_id}"
        _refuse_submitted(cur, where, (contest_id, problem_id), what)
        cur.execute(f"DELETE FROM contest_problems WHERE {where}", (contest_id, problem_id))
    return {"contest_id": contest_id, "problem_id": problem_id, "label": row["label"], "detached": True}


def _require(cur: Cursor, problem_id: int) -> None:
    cur.execute("SELECT 1 FROM problems WHERE id = %s FOR UPDATE", (problem_id,))
    if cur.fetchone() is None:
        raise NotFound(f"no problem {problem_id}", "problem_not_found")


def _refuse_submitted(cur: Cursor, where: str, params: tuple[int, ...], what: str) -> None:
    """Conflict (rolling the transaction back) when submissions match `where`."""
    cur.execute(f"SELECT count(*) AS n FROM submissions WHERE {where}", params)
    count = int(one_row(cur)["n"])
    if count:
        raise Conflict(f"{what} has {count} submission(s); it is kept for their results", "has_submissions")
