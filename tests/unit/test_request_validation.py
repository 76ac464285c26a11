"""Bad request bodies, refused by the core before it reads or writes anything.

The tables of bad values per field, tested on the core functions the routes call, with a
core that fails the test if touched: a refusal is a BadRequest raised before any database,
Redis or clock access, so it changes nothing. tests/integration/test_routes_errors.py keeps a
few of each through HTTP (status, JSON error shape, nothing changed)."""

from __future__ import annotations

from typing import Any, cast

import pytest

from codearena import contests, submissions, users
from codearena.auth import Principal
from codearena.core import Core
from codearena.credentials import check_password, check_username
from codearena.errors import BadRequest
from codearena.models import Role


class Untouchable:
    """Stands in for the Core: any use of it fails the test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"core.{name} was used before the request was refused")


CORE = cast(Core, Untouchable())
CONTESTANT = Principal(1, "carol", Role.CONTESTANT)


def refused(call: Any, *args: Any, code: str | None = None) -> BadRequest:
    with pytest.raises(BadRequest) as raised:
        call(CORE, *args)
    assert raised.value.message and raised.value.code
    if code is not None:
        assert raised.value.code == code, raised.value.message
    return raised.value


# --- contests ------------------------------------------------------------------------------
GOOD_CONTEST = {
    "title": "Round 1",
    "start_at": "2030-01-01T10:00:00Z",
    "end_at": "2030-01-01T15:00:00Z",
}
BAD_CONTEST_FIELDS: list[dict[str, Any]] = [
    {"end_at": "2030-01-01T09:00:00Z"},
    {"end_at": "2030-01-01T10:00:00Z"},
    {"end_at": "2030-01-01T11:00:00+02:00"},  # 09:00Z: before the start once zones are applied
    {"freeze_at": "2030-01-01T09:59:59Z"},
    {"freeze_at": "2030-01-01T15:00:01Z"},
    {"start_at": "2030-01-01T10:00:00"},
    {"start_at": "yesterday"},
    {"start_at": 1893492000},
    {"start_at": None},
    {"end_at": ""},
    {"freeze_at": "2030-13-01T10:00:00Z"},
    {"title": ""},
    {"title": "t" * 201},
    {"title": None},
    {"title": 7},
    {"scoring": "elo"},
    {"scoring": "ICPC"},
    {"scoring": None},
    {"penalty_minutes": -1},
    {"penalty_minutes": 1001},
    {"penalty_minutes": "20"},
    {"penalty_minutes": True},
    {"penalty_minutes": 20.5},
    {"practice": "yes"},
    {"practice": 1},
    # outside the representable range
    {"start_at": "9999-12-31T22:00:00-05:00", "end_at": "9999-12-31T23:00:00-05:00"},  # UTC year 10000
    {"end_at": "9999-12-31T23:30:00-05:00"},
    {"start_at": "0001-01-01T00:00:00+01:00"},  # UTC year 0
]


@pytest.mark.parametrize("override", BAD_CONTEST_FIELDS)
def test_bad_contest_fields_are_refused(override: dict[str, Any]) -> None:
    refused(contests.create_contest, {**GOOD_CONTEST, **override})


@pytest.mark.parametrize("missing", sorted(GOOD_CONTEST))
def test_a_contest_without_a_required_field_is_refused(missing: str) -> None:
    body = {k: v for k, v in GOOD_CONTEST.items() if k != missing}
    assert missing in refused(contests.create_contest, body).message


# --- problems ------------------------------------------------------------------------------
GOOD_PROBLEM = {
    "title": "Sum",
    "statement": "add",
    "time_limit_ms": 1000,
    "memory_limit_kb": 262144,
    "tests": [{"input": "1 2\n", "answer": "3\n", "sample": True}],
}
BAD_PROBLEM_FIELDS: list[dict[str, Any]] = [
    {"tests": None},
    {"tests": []},
    {"tests": {}},
    {"tests": "1 2"},
    {"tests": [None]},
    {"tests": [[["1 2\n"], ["3\n"]]]},
    {"tests": [{"input": "1"}]},
    {"tests": [{"answer": "1"}]},
    {"tests": [{"input": 1, "answer": "1"}]},
    {"tests": [{"input": "1", "answer": "1", "group": ""}]},
    {"tests": [{"input": "1", "answer": "1", "points": -1}]},
    {"tests": [{"input": "1", "answer": "1", "sample": "yes"}]},
    {"tests": [{"input": "1", "answer": "1"}] * 501},
    {"time_limit_ms": 99},
    {"time_limit_ms": 60001},
    {"time_limit_ms": "1000"},
    {"time_limit_ms": 1000.5},
    {"time_limit_ms": None},
    {"time_limit_ms": 0},
    {"memory_limit_kb": 16383},
    {"memory_limit_kb": 4194305},
    {"memory_limit_kb": -1},
    {"points": -1},
    {"points": "100"},
    {"title": ""},
    {"title": None},
    {"title": "t" * 201},
    {"statement": 5},
    {"checker": "diff"},
    {"checker": "tokens:1"},
    {"checker": "float:-1"},
    {"checker": "float:1:2:3"},
    {"checker": "float:inf"},
    {"checker": "float:1e999"},
    {"checker": "float:x"},
    {"checker": 3},
    {"checker": None},
]


@pytest.mark.parametrize("override", BAD_PROBLEM_FIELDS)
def test_bad_problem_fields_are_refused(override: dict[str, Any]) -> None:
    refused(contests.create_problem, {**GOOD_PROBLEM, **override})


def test_a_problem_without_tests_is_refused() -> None:
    body = {k: v for k, v in GOOD_PROBLEM.items() if k != "tests"}
    assert "tests" in refused(contests.create_problem, body).message


def test_the_refusal_names_the_bad_test() -> None:
    tests = [{"input": f"{n}\n", "answer": f"{n}\n"} for n in range(10)] + [{"input": "x"}]
    assert "11" in refused(contests.create_problem, {**GOOD_PROBLEM, "tests": tests}).message


# --- attaching a problem -------------------------------------------------------------------
BAD_ATTACHMENTS: list[dict[str, Any]] = [
    {"label": "a"},
    {"label": "AB"},
    {"label": "A10"},
    {"label": ""},
    {"label": "1"},
    {"label": "\u00c4"},
    {"label": None},
    {"label": 1},
    {"label": "B\u00b2"},
    {"label": "B\u0663"},  # non-ASCII digits: str.isdigit() says yes
    {"problem_id": "2"},
    {"problem_id": 0},
    {"problem_id": True},
    {"problem_id": None},
]


@pytest.mark.parametrize("body", BAD_ATTACHMENTS)
def test_bad_attachments_are_refused(body: dict[str, Any]) -> None:
    refused(contests.attach_problem, 1, {"problem_id": 5, "label": "B", **body})


# --- roles ---------------------------------------------------------------------------------
BAD_ROLES: list[dict[str, Any]] = [
    {"role": "root"},
    {"role": "Admin"},
    {"role": ""},
    {"role": None},
    {"role": ["admin"]},
    {},
    {"rol": "admin"},
]


@pytest.mark.parametrize("body", BAD_ROLES)
def test_bad_roles_are_refused(body: dict[str, Any]) -> None:
    refused(users.set_role, 2, body)


# --- submissions ---------------------------------------------------------------------------
BAD_LANGUAGES: list[Any] = ["cobol", "Python", "python3", "", None, 1, ["python"]]
BAD_PROBLEM_IDS: list[Any] = [None, "1", 0, -3, True, 1.0, 2**70]


@pytest.mark.parametrize("language", BAD_LANGUAGES)
def test_unknown_languages_are_refused(language: Any) -> None:
    body = {"problem_id": 1, "language": language, "source": "print(1)"}
    refused(submissions.submit, CONTESTANT, 1, body, code="unknown_language")


@pytest.mark.parametrize("problem_id", BAD_PROBLEM_IDS)
def test_bad_problem_ids_in_a_submission_are_refused(problem_id: Any) -> None:
    body = {"problem_id": problem_id, "language": "python", "source": "print(1)"}
    refused(submissions.submit, CONTESTANT, 1, body)


# --- accounts ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "alice"},
        {"password": "tangerine-bicycle"},
        {"username": 1, "password": "tangerine-bicycle"},
        [],
        None,
    ],
)
def test_malformed_logins_are_refused_before_any_counting(body: Any) -> None:
    refused(users.login, body)


@pytest.mark.parametrize(
    "body",
    [
        {"username": "", "password": "tangerine-bicycle"},
        {"username": None, "password": "tangerine-bicycle"},
        {"username": 42, "password": "tangerine-bicycle"},
        {"username": "a" * 33, "password": "tangerine-bicycle"},
        {"username": "alice", "password": ""},
        {"username": "alice", "password": "x" * 129},
        {"username": "alice", "password": 12345678},
        {"username": "alice", "password": None},
    ],
)
def test_malformed_sign_ups_are_refused_before_any_counting(body: dict[str, Any]) -> None:
    refused(users.register, body)


@pytest.mark.parametrize("username", ["ab", "a" * 33, "has space", "bad/slash", "émile", "", "<script>"])
def test_bad_usernames(username: str) -> None:
    for self_service in (True, False):
        with pytest.raises(BadRequest, match="a username is") as raised:
            check_username(username, self_service=self_service)
        assert raised.value.code == "invalid_username"


@pytest.mark.parametrize("name", ["admin", "ADMIN", "root", "Jury", "judge", "admin1", "system_", "support"])
def test_staff_looking_names_are_kept_for_admins(name: str) -> None:
    with pytest.raises(BadRequest) as raised:
        check_username(name, self_service=True)
    assert raised.value.code == "reserved_username"
    check_username(name, self_service=False)  # an admin may create it


@pytest.mark.parametrize(
    "password",
    [
        "short",
        "7chars!",
        "x" * 129,
        "password",
        "12345678",
        "qwertyuiop",
        "iloveyou1",
        "dorothea",  # the username
        "aehtorod",  # the username reversed
        "aaaaaaaaaaaa",
        "abcdefgh",
    ],
)
def test_short_common_and_guessable_passwords(password: str) -> None:
    with pytest.raises(BadRequest) as raised:
        check_password(password, "dorothea")
    assert raised.value.code == "weak_password"


def test_a_good_password_and_username_pass() -> None:
    check_username("dorothea", self_service=True)
    check_password("violet-harbour", "dorothea")
