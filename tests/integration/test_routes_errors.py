"""Every route's answer to bad input (DESIGN §4, §8): the right 4xx, the body
{"error": {"code", "message"}}, and nothing changed in PostgreSQL or the queue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.routes import declared
from chalicelib.routing import Route
from codearena import contests
from codearena.core import Core
from codearena.models import Role
from tests.integration.conftest import Caller, error_of, login

TABLES = (
    "users",
    "contests",
    "problems",
    "contest_problems",
    "test_cases",
    "submissions",
    "submission_results",
    "test_results",
    "contest_penalties",
    "leaderboard_events",
)
KIB64 = 64 * 1024


def snapshot(core: Core) -> dict[str, Any]:
    state: dict[str, Any] = {}
    with core.db.transaction() as cur:
        for table in TABLES:
            cur.execute(f"SELECT row_to_json(t)::text AS r FROM {table} t ORDER BY 1")
            state[table] = [row["r"] for row in cur.fetchall()]
    state["queue"] = core.redis.xlen(core.queue.stream)
    return state


@contextmanager
def unchanged(core: Core) -> Iterator[None]:
    before = snapshot(core)
    yield
    after = snapshot(core)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"a refused request changed {changed}"


def count(core: Core, table: str) -> int:
    with core.db.transaction() as cur:
        cur.execute(f"SELECT count(*) AS n FROM {table}")
        return int(cur.fetchone()["n"])


def make_contest(core: Core, start: timedelta, end: timedelta, **extra: Any) -> dict[str, Any]:
    """A contest starting and ending at now+start / now+end with problem A (one sample,
    one hidden test) attached, and problem `outsider` that is in no contest."""
    now = core.clock()
    contest = contests.create_contest(
        core,
        {
            "title": "C",
            "start_at": (now + start).isoformat(),
            "end_at": (now + end).isoformat(),
            **extra,
        },
    )
    problem = contests.create_problem(
        core,
        {
            "title": "Echo",
            "statement": "print the input",
            "time_limit_ms": 1000,
            "memory_limit_kb": 262144,
            "tests": [
                {"input": "sample-in-1\n", "answer": "sample-out-1\n", "sample": True},
                {"input": "HIDDEN-INPUT-42\n", "answer": "HIDDEN-ANSWER-42\n"},
                {"input": "sample-in-2\n", "answer": "sample-out-2\n", "sample": True},
            ],
        },
    )
    contests.attach_problem(core, contest["id"], {"problem_id": problem["id"], "label": "A"})
    return {"id": contest["id"], "problem_id": problem["id"]}


@pytest.fixture
def contestant(core: Core) -> dict[str, str]:
    return login(core, "carol")


@pytest.fixture
def outsider_problem(core: Core) -> int:
    problem = contests.create_problem(
        core,
        {
            "title": "Elsewhere",
            "time_limit_ms": 1000,
            "memory_limit_kb": 262144,
            "tests": [{"input": "", "answer": ""}],
        },
    )
    return int(problem["id"])


def submission_body(contest: dict[str, Any], **override: Any) -> dict[str, Any]:
    return {
        "problem_id": contest["problem_id"],
        "language": "python",
        "source": "print(input())",
        **override,
    }


# --- bodies ---------------------------------------------------------------------------------
def caller(route: Route) -> str:
    """Whose headers reach the route's checks: anyone, a contestant, or an admin."""
    if route.token == "none":
        return "anyone"
    return "admin" if Role.ADMIN in route.roles else "contestant"


def concrete(route: Route, cid: str, sid: str = "1", uid: str = "1") -> str:
    """The route's path with ids (a problem by its label A where a label is accepted; a
    problem's own route, without a contest, takes `cid` as its id)."""
    pid = "A" if route.path_params.get("pid") == "problem_key" else "1" if "{cid}" in route.path else cid
    return route.path.format(cid=cid, sid=sid, uid=uid, pid=pid, oid="1")


def body_routes(cid: int, uid: int) -> list[tuple[str, str, str]]:
    """(method, path, who) of every route that reads a JSON body, from the route table."""
    return [
        (route.method, concrete(route, str(cid), uid=str(uid)), caller(route))
        for route in declared()
        if route.body is not None and not route.body_optional
    ]


def headers_for(who: str, admin: dict[str, str], contestant: dict[str, str]) -> dict[str, str]:
    return {"admin": admin, "contestant": contestant, "anyone": {}}[who]


@pytest.mark.parametrize("raw", ["{not json", '{"username": "x",}', "{'a': 1}", "\x00", "[1, 2"])
def test_invalid_json_is_400_everywhere(
    call: Caller,
    core: Core,
    admin: dict[str, str],
    contestant: dict[str, str],
    running_contest: dict[str, Any],
    raw: str,
) -> None:
    for method, path, who in body_routes(running_contest["id"], 1):
        with unchanged(core):
            error_of(call(method, path, raw, headers_for(who, admin, contestant)), 400)


@pytest.mark.parametrize("raw", ["[]", '["username", "password"]', '"text"', "42", "true", "null"])
def test_non_object_json_is_400_everywhere(
    call: Caller,
    core: Core,
    admin: dict[str, str],
    contestant: dict[str, str],
    running_contest: dict[str, Any],
    raw: str,
) -> None:
    for method, path, who in body_routes(running_contest["id"], 1):
        with unchanged(core):
            error_of(call(method, path, raw, headers_for(who, admin, contestant)), 400)


def test_empty_body_is_400(
    call: Caller,
    core: Core,
    admin: dict[str, str],
    contestant: dict[str, str],
    running_contest: dict[str, Any],
) -> None:
    for method, path, who in body_routes(running_contest["id"], 1):
        with unchanged(core):
            error_of(call(method, path, "", headers_for(who, admin, contestant)), 400)


def test_wrong_content_type_is_415_in_our_shape(call: Caller, core: Core) -> None:
    with unchanged(core):
        error_of(
            call(
                "POST",
                "/auth/register",
                "username=a&password=b",
                {"Content-Type": "application/x-www-form-urlencoded"},
            ),
            415,
        )


def missing_methods() -> list[tuple[str, str]]:
    """(method, path) for every method a declared path lacks."""
    declared_methods: dict[str, set[str]] = {}
    for route in declared():
        declared_methods.setdefault(concrete(route, "1"), set()).add(route.method)
    methods = ("GET", "POST", "PUT", "PATCH", "DELETE")
    return [(m, path) for path, have in declared_methods.items() for m in methods if m not in have]


@pytest.mark.parametrize("method, path", missing_methods())
def test_wrong_method_is_405_in_our_shape(call: Caller, core: Core, method: str, path: str) -> None:
    with unchanged(core):
        error_of(call(method, path), 405)


@pytest.mark.parametrize("path", ["/nope", "/contests/1/nope", "/admin", "/admin/contests/1/unknown"])
def test_unknown_route_is_refused_without_a_5xx(call: Caller, path: str) -> None:
    r = call("GET", path)
    # API Gateway (and chalice.test, which imitates it) answers unmatched paths itself with
    # 403 {"message": "Missing Authentication Token"}; the app never sees the request.
    assert r.status_code in (403, 404), r.body
    body = r.json_body
    assert isinstance(body, dict), r.body
    if "error" in body:
        assert set(body["error"]) == {"code", "message"}
    else:
        assert isinstance(body.get("message"), str) and body["message"]


# --- ids in paths ---------------------------------------------------------------------------
def id_routes(cid: str, sid: str = "1", uid: str = "1") -> list[tuple[str, str, str]]:
    """(method, path, who) of every route with an id in its path, from the route table."""
    return [
        (route.method, concrete(route, cid, sid, uid), caller(route))
        for route in declared()
        if "{" in route.path
    ]


@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", "1e3", "0x1f", "9" * 19, "1_0"])
def test_non_numeric_ids_in_paths_are_400(
    call: Caller,
    core: Core,
    admin: dict[str, str],
    contestant: dict[str, str],
    running_contest: dict[str, Any],
    bad: str,
) -> None:
    cid = str(running_contest["id"])
    routes = [
        (m, p, w) for m, p, w in id_routes(bad, "1", "1") if "/submissions/1" not in p and "/users/" not in p
    ]
    routes += [
        ("GET", f"/submissions/{bad}", "contestant"),
        ("PUT", f"/admin/users/{bad}/role", "admin"),
        ("GET", f"/contests/{cid}/problems/1{bad}", "anyone"),
    ]
    body = {
        "problem_id": running_contest["problem_id"],
        "language": "python",
        "source": "x",
        "role": "jury",
        "label": "B",
        "title": "t",
    }
    for method, path, who in routes:
        with unchanged(core):
            error_of(
                call(
                    method,
                    path,
                    body if method != "GET" else None,
                    headers_for(who, admin, contestant),
                ),
                400,
            )


@pytest.mark.parametrize("bad", ["\u00b2", "\u2460", "1\u00b3"])
def test_unicode_digit_ids_in_paths_are_400(
    call: Caller,
    core: Core,
    admin: dict[str, str],
    contestant: dict[str, str],
    running_contest: dict[str, Any],
    bad: str,
) -> None:
    # str.isdigit() accepts superscripts and circled digits that int() then rejects.
    cid = running_contest["id"]
    for method, path, who in [
        ("GET", f"/contests/{bad}", "anyone"),
        ("GET", f"/contests/{cid}/problems/{bad}", "anyone"),
        ("GET", f"/submissions/{bad}", "contestant"),
        ("PUT", f"/admin/users/{bad}/role", "admin"),
    ]:
        with unchanged(core):
            error_of(
                call(
                    method,
                    path,
                    {"role": "jury"} if method == "PUT" else None,
                    headers_for(who, admin, contestant),
                ),
                400,
            )


# --- unknown things -------------------------------------------------------------------------
def test_unknown_contest_is_404_everywhere(
    call: Caller,
    core: Core,
    admin: dict[str, str],
    contestant: dict[str, str],
    running_contest: dict[str, Any],
) -> None:
    body = {
        "problem_id": running_contest["problem_id"],
        "language": "python",
        "source": "x",
        "label": "B",
        "title": "t",
        "status": "approved",
    }
    for method, path, who in id_routes("424242"):
        if "/submissions/1" in path or "/users/" in path:
            continue
        with unchanged(core):
            error_of(
                call(
                    method,
                    path,
                    body if method != "GET" else None,
                    headers_for(who, admin, contestant),
                ),
                404,
            )
    error_of(call("GET", "/contests/424242/leaderboard?at=2030-01-01T00:00:00Z"), 404)


def test_unknown_problem_is_404(
    call: Caller, core: Core, running_contest: dict[str, Any], outsider_problem: int
) -> None:
    cid = running_contest["id"]
    for key in ("Z", "B", "A1", "424242", str(outsider_problem), "0"):
        error_of(call("GET", f"/contests/{cid}/problems/{key}"), 404)


def test_problem_of_another_contest_is_404(call: Caller, core: Core, running_contest: dict[str, Any]) -> None:
    other = make_contest(core, timedelta(hours=-1), timedelta(hours=1))
    error_of(call("GET", f"/contests/{running_contest['id']}/problems/{other['problem_id']}"), 404)


def test_unknown_submission_is_404(call: Caller, contestant: dict[str, str]) -> None:
    error_of(call("GET", "/submissions/424242", headers=contestant), 404)


def test_another_contestants_submission_is_404(
    call: Caller, core: Core, contestant: dict[str, str], running_contest: dict[str, Any]
) -> None:
    r = call(
        "POST",
        f"/contests/{running_contest['id']}/submissions",
        submission_body(running_contest),
        contestant,
    )
    assert r.status_code == 202, r.body
    sid = r.json_body["id"]
    missing = error_of(call("GET", "/submissions/424242", headers=login(core, "dave")), 404)
    theirs = error_of(call("GET", f"/submissions/{sid}", headers=login(core, "erin")), 404)
    assert theirs["code"] == missing["code"]
    assert "print(input())" not in json.dumps(theirs)
    assert call("GET", f"/submissions/{sid}", headers=contestant).status_code == 200
    assert call("GET", f"/submissions/{sid}", headers=login(core, "judy", Role.JURY)).status_code == 200
    # and their list of submissions does not show it either
    mine = call("GET", f"/contests/{running_contest['id']}/submissions", headers=login(core, "fred"))
    assert mine.status_code == 200 and mine.json_body["submissions"] == []


# --- submissions ------------------------------------------------------------------------------
def test_source_over_64_kib_is_413(
    call: Caller, core: Core, contestant: dict[str, str], running_contest: dict[str, Any]
) -> None:
    path = f"/contests/{running_contest['id']}/submissions"
    for source in ("x" * (KIB64 + 1), "\u00e9" * (KIB64 // 2 + 1), "#" * (1 << 20)):
        with unchanged(core):
            error_of(call("POST", path, submission_body(running_contest, source=source), contestant), 413)
    r = call("POST", path, submission_body(running_contest, source="x" * KIB64), contestant)
    assert r.status_code == 202, "exactly 64 KiB is allowed"


# The whole table of bad values: tests/unit/test_request_validation.py; a few through HTTP here.
@pytest.mark.parametrize("language", ["cobol", None])
def test_unknown_language_is_400(
    call: Caller,
    core: Core,
    contestant: dict[str, str],
    running_contest: dict[str, Any],
    language: Any,
) -> None:
    with unchanged(core):
        error_of(
            call(
                "POST",
                f"/contests/{running_contest['id']}/submissions",
                submission_body(running_contest, language=language),
                contestant,
            ),
            400,
        )


# Bad problem ids: tests/unit/test_request_validation.py; sources are checked after the
# languages on offer are read from Redis, so here.
@pytest.mark.parametrize(
    "override",
    [
        {"problem_id": "1"},
        {"source": ""},
        {"source": "   \n\t"},
        {"source": None},
        {"source": ["print(1)"]},
    ],
)
def test_bad_submission_fields_are_400(
    call: Caller,
    core: Core,
    contestant: dict[str, str],
    running_contest: dict[str, Any],
    override: dict[str, Any],
) -> None:
    with unchanged(core):
        error_of(
            call(
                "POST",
                f"/contests/{running_contest['id']}/submissions",
                submission_body(running_contest, **override),
                contestant,
            ),
            400,
        )


def test_submission_for_problem_not_in_contest_is_404(
    call: Caller,
    core: Core,
    contestant: dict[str, str],
    running_contest: dict[str, Any],
    outsider_problem: int,
) -> None:
    with unchanged(core):
        for problem_id in (outsider_problem, 424242):
            error_of(
                call(
                    "POST",
                    f"/contests/{running_contest['id']}/submissions",
                    submission_body(running_contest, problem_id=problem_id),
                    contestant,
                ),
                404,
            )


def test_scheduled_contest_refuses_submissions(call: Caller, core: Core, contestant: dict[str, str]) -> None:
    contest = make_contest(core, timedelta(minutes=5), timedelta(hours=2))
    with unchanged(core):
        error_of(
            call(
                "POST",
                f"/contests/{contest['id']}/submissions",
                submission_body(contest),
                contestant,
            ),
            409,
        )


@pytest.mark.parametrize("extra", [{}, {"practice": False}])
def test_ended_contest_refuses_submissions(
    call: Caller, core: Core, contestant: dict[str, str], extra: dict[str, Any]
) -> None:
    contest = make_contest(core, timedelta(hours=-3), timedelta(seconds=-1), **extra)
    with unchanged(core):
        error_of(
            call(
                "POST",
                f"/contests/{contest['id']}/submissions",
                submission_body(contest),
                contestant,
            ),
            409,
        )


def test_ended_practice_contest_accepts(call: Caller, core: Core, contestant: dict[str, str]) -> None:
    contest = make_contest(core, timedelta(hours=-3), timedelta(hours=-1), practice=True)
    queued = core.redis.xlen(core.queue.stream)
    r = call("POST", f"/contests/{contest['id']}/submissions", submission_body(contest), contestant)
    assert r.status_code == 202, r.body
    assert r.json_body["status"] == "queued" and isinstance(r.json_body["id"], int)
    assert count(core, "submissions") == 1
    assert core.redis.xlen(core.queue.stream) == queued + 1


def test_frozen_contest_accepts(call: Caller, core: Core, contestant: dict[str, str]) -> None:
    now = core.clock()
    contest = make_contest(
        core,
        timedelta(hours=-2),
        timedelta(hours=1),
        freeze_at=(now - timedelta(minutes=10)).isoformat(),
    )
    r = call("POST", f"/contests/{contest['id']}/submissions", submission_body(contest), contestant)
    assert r.status_code == 202, r.body


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic Y2Fyb2w6cGFzc3dvcmQ="}],
)
def test_submit_without_a_valid_token_is_401(
    call: Caller, core: Core, running_contest: dict[str, Any], headers: dict[str, str]
) -> None:
    with unchanged(core):
        error_of(
            call(
                "POST",
                f"/contests/{running_contest['id']}/submissions",
                submission_body(running_contest),
                headers,
            ),
            401,
        )


def test_staff_submitting_is_403(
    call: Caller, core: Core, admin: dict[str, str], running_contest: dict[str, Any]
) -> None:
    with unchanged(core):
        error_of(
            call(
                "POST",
                f"/contests/{running_contest['id']}/submissions",
                submission_body(running_contest),
                admin,
            ),
            403,
        )


def test_overlong_idempotency_key_is_400(
    call: Caller, core: Core, contestant: dict[str, str], running_contest: dict[str, Any]
) -> None:
    with unchanged(core):
        error_of(
            call(
                "POST",
                f"/contests/{running_contest['id']}/submissions",
                submission_body(running_contest),
                {**contestant, "Idempotency-Key": "k" * 129},
            ),
            400,
        )


def test_submissions_over_the_rate_limit_are_429(
    call: Caller, core: Core, contestant: dict[str, str], running_contest: dict[str, Any]
) -> None:
    fixed = core.clock()
    core.clock = lambda: fixed  # one clock minute for the whole burst
    core.settings = replace(core.settings, max_pending_submissions=1000)  # the rate is what is tested
    path = f"/contests/{running_contest['id']}/submissions"
    limit = core.settings.submit_rate_per_minute
    for _ in range(limit):
        assert call("POST", path, submission_body(running_contest), contestant).status_code == 202
    with unchanged(core):
        error_of(call("POST", path, submission_body(running_contest), contestant), 429)
    assert count(core, "submissions") == limit


def test_my_submissions_needs_a_token(call: Caller, core: Core, running_contest: dict[str, Any]) -> None:
    error_of(call("GET", f"/contests/{running_contest['id']}/submissions"), 401)
    error_of(call("GET", "/submissions/1"), 401)


# --- admin: contests ----------------------------------------------------------------------
GOOD_CONTEST = {
    "title": "Round 1",
    "start_at": "2030-01-01T10:00:00Z",
    "end_at": "2030-01-01T15:00:00Z",
}


# The whole table of bad values: tests/unit/test_request_validation.py; a few through HTTP here.
@pytest.mark.parametrize(
    "override",
    [
        {"end_at": "2030-01-01T09:00:00Z"},
        {"start_at": "2030-01-01T10:00:00"},
        {"title": 7},
        {"penalty_minutes": True},
    ],
)
def test_create_contest_bad_input_is_400(
    call: Caller, core: Core, admin: dict[str, str], override: dict[str, Any]
) -> None:
    with unchanged(core):
        error_of(call("POST", "/admin/contests", {**GOOD_CONTEST, **override}, admin), 400)


def test_create_contest_missing_fields_is_400(call: Caller, core: Core, admin: dict[str, str]) -> None:
    for missing in GOOD_CONTEST:
        body = {k: v for k, v in GOOD_CONTEST.items() if k != missing}
        with unchanged(core):
            error = error_of(call("POST", "/admin/contests", body, admin), 400)
        assert missing in error["message"]


def test_create_contest_good_input_is_201(call: Caller, core: Core, admin: dict[str, str]) -> None:
    r = call(
        "POST",
        "/admin/contests",
        {
            **GOOD_CONTEST,
            "freeze_at": "2030-01-01T14:00:00Z",
            "scoring": "points",
            "penalty_minutes": 10,
        },
        admin,
    )
    assert r.status_code == 201, r.body
    assert r.json_body["state"] == "scheduled" and r.json_body["scoring"] == "points"
    assert datetime.fromisoformat(r.json_body["start_at"]).tzinfo is not None


@pytest.mark.parametrize(
    "times",
    [
        {
            "start_at": "9999-12-31T22:00:00-05:00",
            "end_at": "9999-12-31T23:00:00-05:00",
        },  # UTC year 10000
    ],
)
def test_contest_times_outside_the_representable_range_are_400(
    call: Caller, core: Core, admin: dict[str, str], times: dict[str, str]
) -> None:
    with unchanged(core):
        error_of(call("POST", "/admin/contests", {**GOOD_CONTEST, **times}, admin), 400)


@pytest.mark.parametrize(
    "patch",
    [
        {"end_at": "2000-01-01T00:00:00Z"},
        {"start_at": "2999-01-01T00:00:00Z"},
        {"freeze_at": "2000-01-01T00:00:00Z"},
        {"start_at": None},
        {"title": ""},
        {"scoring": "elo"},
        {"penalty_minutes": -5},
        {"practice": "no"},
        {"end_at": "9999-12-31T23:00:00-05:00"},
    ],
)
def test_patch_contest_bad_input_is_400(
    call: Caller,
    core: Core,
    admin: dict[str, str],
    running_contest: dict[str, Any],
    patch: dict[str, Any],
) -> None:
    with unchanged(core):
        error_of(call("PATCH", f"/admin/contests/{running_contest['id']}", patch, admin), 400)


def test_patch_contest_good_input_is_200(
    call: Caller, core: Core, admin: dict[str, str], running_contest: dict[str, Any]
) -> None:
    r = call("PATCH", f"/admin/contests/{running_contest['id']}", {"title": "Renamed"}, admin)
    assert r.status_code == 200 and r.json_body["title"] == "Renamed"


def test_every_admin_route_needs_a_staff_role() -> None:
    admin_routes = [route for route in declared() if route.path.startswith("/admin")]
    assert admin_routes
    for route in admin_routes:
        assert route.roles and Role.CONTESTANT not in route.roles, (route.method, route.path)


@pytest.mark.parametrize(
    "route", [route for route in declared() if route.roles], ids=lambda route: f"{route.method} {route.path}"
)
def test_routes_refuse_the_roles_they_do_not_name(
    call: Caller, core: Core, running_contest: dict[str, Any], route: Route
) -> None:
    """A role the declaration does not name gets 403, no token 401, before anything changes."""
    refused = {role: login(core, f"some-{role.value}", role) for role in Role if role not in route.roles}
    assert refused, "a route naming every role should name none"
    ids = {"cid": running_contest["id"], "pid": running_contest["problem_id"], "sid": 1, "uid": 1}
    path = route.path.format(**ids)
    body = (
        {"title": "x", "role": "admin", "problem_id": running_contest["problem_id"]} if route.body else None
    )
    with unchanged(core):
        for headers in refused.values():
            error_of(call(route.method, path, body, headers), 403)
        error_of(call(route.method, path, body), 401)


# --- admin: problems ---------------------------------------------------------------------
GOOD_PROBLEM = {
    "title": "Sum",
    "statement": "add",
    "time_limit_ms": 1000,
    "memory_limit_kb": 262144,
    "tests": [{"input": "1 2\n", "answer": "3\n", "sample": True}],
}


# The whole table of bad values: tests/unit/test_request_validation.py; a few through HTTP here.
@pytest.mark.parametrize(
    "override",
    [
        {"tests": []},
        {"tests": [{"input": "1"}]},
        {"time_limit_ms": "1000"},
        {"checker": "float:inf"},
    ],
)
def test_create_problem_bad_input_is_400(
    call: Caller, core: Core, admin: dict[str, str], override: dict[str, Any]
) -> None:
    with unchanged(core):
        error_of(call("POST", "/admin/problems", {**GOOD_PROBLEM, **override}, admin), 400)


def test_create_problem_without_tests_is_400(call: Caller, core: Core, admin: dict[str, str]) -> None:
    body = {k: v for k, v in GOOD_PROBLEM.items() if k != "tests"}
    with unchanged(core):
        error = error_of(call("POST", "/admin/problems", body, admin), 400)
    assert "tests" in error["message"]


def test_bad_later_test_creates_nothing(call: Caller, core: Core, admin: dict[str, str]) -> None:
    tests = [{"input": f"{n}\n", "answer": f"{n}\n"} for n in range(10)] + [{"input": "x"}]
    with unchanged(core):
        error = error_of(call("POST", "/admin/problems", {**GOOD_PROBLEM, "tests": tests}, admin), 400)
    assert "11" in error["message"], "the message should say which test is wrong"


# --- admin: attaching problems ---------------------------------------------------------------
def test_attach_unknown_problem_is_404(
    call: Caller, core: Core, admin: dict[str, str], running_contest: dict[str, Any]
) -> None:
    with unchanged(core):
        error_of(
            call(
                "POST",
                f"/admin/contests/{running_contest['id']}/problems",
                {"problem_id": 424242, "label": "B"},
                admin,
            ),
            404,
        )


def test_attach_to_unknown_contest_is_404(
    call: Caller, core: Core, admin: dict[str, str], outsider_problem: int
) -> None:
    with unchanged(core):
        error_of(
            call(
                "POST",
                "/admin/contests/424242/problems",
                {"problem_id": outsider_problem, "label": "B"},
                admin,
            ),
            404,
        )


def test_attach_duplicate_label_is_409(
    call: Caller,
    core: Core,
    admin: dict[str, str],
    running_contest: dict[str, Any],
    outsider_problem: int,
) -> None:
    with unchanged(core):
        error_of(
            call(
                "POST",
                f"/admin/contests/{running_contest['id']}/problems",
                {"problem_id": outsider_problem, "label": "A"},
                admin,
            ),
            409,
        )


def test_attach_same_problem_twice_is_409(
    call: Caller, core: Core, admin: dict[str, str], running_contest: dict[str, Any]
) -> None:
    with unchanged(core):
        error_of(
            call(
                "POST",
                f"/admin/contests/{running_contest['id']}/problems",
                {"problem_id": running_contest["problem_id"], "label": "B"},
                admin,
            ),
            409,
        )


# The whole table of bad values: tests/unit/test_request_validation.py; a few through HTTP here.
@pytest.mark.parametrize(
    "body",
    [
        {"label": "a"},
        {"label": "B\u0663"},  # non-ASCII digits: str.isdigit() says yes
        {"problem_id": "2"},
    ],
)
def test_attach_bad_input_is_400(
    call: Caller,
    core: Core,
    admin: dict[str, str],
    running_contest: dict[str, Any],
    outsider_problem: int,
    body: dict[str, Any],
) -> None:
    with unchanged(core):
        error_of(
            call(
                "POST",
                f"/admin/contests/{running_contest['id']}/problems",
                {"problem_id": outsider_problem, "label": "B", **body},
                admin,
            ),
            400,
        )


# --- admin: roles -------------------------------------------------------------------------
# The whole table of bad values: tests/unit/test_request_validation.py; a few through HTTP here.
@pytest.mark.parametrize("body", [{"role": "root"}, {}])
def test_put_bad_role_is_400(call: Caller, core: Core, admin: dict[str, str], body: dict[str, Any]) -> None:
    login(core, "carol")
    with core.db.transaction() as cur:
        cur.execute("SELECT id FROM users WHERE username = 'carol'")
        uid = cur.fetchone()["id"]
    with unchanged(core):
        error_of(call("PUT", f"/admin/users/{uid}/role", body, admin), 400)


def test_put_role_of_unknown_user_is_404(call: Caller, core: Core, admin: dict[str, str]) -> None:
    with unchanged(core):
        error_of(call("PUT", "/admin/users/424242/role", {"role": "jury"}, admin), 404)


# --- leaderboards -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "offset=-1",
        "offset=abc",
        "offset=1.5",
        "offset=10000001",
        "offset=",
        "limit=0",
        "limit=501",
        "limit=-5",
        "limit=ten",
        "limit=",
        "offset=\u00b2",
        "limit=\u00b9",
        "at=garbage",
        "at=2030-01-01T00:00:00",
        "at=",
        "at=1893456000",
    ],
)
def test_leaderboard_bad_query_is_400(
    call: Caller, core: Core, admin: dict[str, str], running_contest: dict[str, Any], query: str
) -> None:
    cid = running_contest["id"]
    with unchanged(core):
        error_of(call("GET", f"/contests/{cid}/leaderboard?{query}"), 400)
        error_of(call("GET", f"/admin/contests/{cid}/leaderboard?{query}", headers=admin), 400)


def test_leaderboard_good_query_is_200(
    call: Caller, admin: dict[str, str], running_contest: dict[str, Any]
) -> None:
    cid = running_contest["id"]
    for query in ("", "?offset=0&limit=1", "?limit=500", "?at=2030-01-01T00:00:00Z"):
        r = call("GET", f"/contests/{cid}/leaderboard{query}")
        assert r.status_code == 200, (query, r.body)
        assert {"frozen", "version", "rows"} <= set(r.json_body)


def test_public_leaderboard_with_a_bad_token_is_401(call: Caller, running_contest: dict[str, Any]) -> None:
    error_of(
        call(
            "GET",
            f"/contests/{running_contest['id']}/leaderboard",
            headers={"Authorization": "Bearer not-a-token"},
        ),
        401,
    )


# --- what contestants may see ---------------------------------------------------------------
def test_hidden_tests_never_appear(
    call: Caller, core: Core, admin: dict[str, str], contestant: dict[str, str]
) -> None:
    contest = make_contest(core, timedelta(hours=-1), timedelta(hours=1))
    cid, pid = contest["id"], contest["problem_id"]
    expected = [
        {"input": "sample-in-1\n", "answer": "sample-out-1\n"},
        {"input": "sample-in-2\n", "answer": "sample-out-2\n"},
    ]
    for headers in ({}, contestant, admin, login(core, "judy", Role.JURY)):
        for path in (f"/contests/{cid}/problems/A", f"/contests/{cid}/problems/{pid}"):
            r = call("GET", path, headers=headers)
            assert r.status_code == 200, r.body
            assert r.json_body["samples"] == expected
            assert b"HIDDEN" not in r.body
        for path in (f"/contests/{cid}", f"/contests/{cid}/problems", "/contests"):
            r = call("GET", path, headers=headers)
            assert r.status_code == 200 and b"HIDDEN" not in r.body


def test_scheduled_contest_problems_hidden_from_contestants(
    call: Caller, core: Core, admin: dict[str, str], contestant: dict[str, str]
) -> None:
    contest = make_contest(core, timedelta(hours=1), timedelta(hours=3))
    cid, pid = contest["id"], contest["problem_id"]
    paths = (
        f"/contests/{cid}/problems",
        f"/contests/{cid}/problems/A",
        f"/contests/{cid}/problems/{pid}",
    )
    for headers in ({}, contestant):
        for path in paths:
            error_of(call("GET", path, headers=headers), 409)
        r = call("GET", f"/contests/{cid}", headers=headers)
        assert r.status_code == 200 and r.json_body["state"] == "scheduled"
        assert r.json_body["problems"] == [] and b"Echo" not in r.body
    for headers in (admin, login(core, "judy", Role.JURY)):
        listed = call("GET", paths[0], headers=headers)
        assert listed.status_code == 200, listed.body
        assert [p["label"] for p in listed.json_body["problems"]] == ["A"]
        for path in paths[1:]:
            r = call("GET", path, headers=headers)
            assert r.status_code == 200 and r.json_body["title"] == "Echo"
            assert b"HIDDEN" not in r.body


# --- text PostgreSQL cannot store -------------------------------------------------------------
@pytest.mark.parametrize("bad", ["\u0000", "\ud800"], ids=["nul", "lone-surrogate"])
def test_nul_characters_and_lone_surrogates_are_400(
    call: Caller,
    core: Core,
    admin: dict[str, str],
    contestant: dict[str, str],
    running_contest: dict[str, Any],
    bad: str,
) -> None:
    # JSON may carry U+0000 (PostgreSQL text may not) and "\ud800" (no Unicode text at all):
    # the answer must be a 4xx, not a 500.
    cid = running_contest["id"]
    cases = [
        ("POST", "/auth/login", {"username": f"car{bad}ol", "password": "password-carol"}, {}),
        ("POST", "/auth/login", {"username": "carol", "password": f"password{bad}"}, {}),
        ("POST", "/auth/register", {"username": "dora", "password": f"dora-password{bad}"}, {}),
        ("POST", "/admin/contests", {**GOOD_CONTEST, "title": f"Round{bad}1"}, admin),
        ("PATCH", f"/admin/contests/{cid}", {"title": f"x{bad}"}, admin),
        ("POST", "/admin/problems", {**GOOD_PROBLEM, "statement": f"a{bad}b"}, admin),
        (
            "POST",
            "/admin/problems",
            {**GOOD_PROBLEM, "tests": [{"input": bad, "answer": "1"}]},
            admin,
        ),
        (
            "POST",
            f"/contests/{cid}/submissions",
            submission_body(running_contest, source=f"print(1){bad}"),
            contestant,
        ),
    ]
    failures = []
    for method, path, body, headers in cases:
        with unchanged(core):
            r = call(method, path, body, headers)
        if not 400 <= r.status_code < 500:
            failures.append((method, path, r.status_code))
        else:
            error_of(r, r.status_code)
    assert failures == [], f"{bad!r} in a string field was not answered with a 4xx: {failures}"


def test_odd_paths_queries_and_bodies_are_4xx(
    call: Caller, core: Core, contestant: dict[str, str], running_contest: dict[str, Any]
) -> None:
    cid = running_contest["id"]
    with unchanged(core):
        error_of(call("GET", f"/contests/{cid}/leaderboard?offset={'9' * 5000}"), 400, "invalid_query")
        error_of(call("GET", f"/contests/{cid}/leaderboard?limit={'1' * 19}"), 400, "invalid_query")
        error_of(call("GET", f"/contests/{cid}/problems/A%00"), 404, "problem_not_found")
        error_of(call("GET", f"/contests/{cid}/problems/{'A' * 300}"), 404, "problem_not_found")
        deep = "[" * 100_000 + "]" * 100_000
        error_of(call("POST", "/auth/login", deep), 400, "invalid_body")
        error_of(call("POST", f"/contests/{cid}/submissions", deep, contestant), 400, "invalid_body")
