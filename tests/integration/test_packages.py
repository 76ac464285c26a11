"""Problem packages in PostgreSQL: stored in one transaction, exported back, and a judge host
loading a problem's own output validator with its flags."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from codearena import contests, judgements, submissions, users
from codearena.auth import Principal
from codearena.core import Core
from codearena.judgements import CaseOutcome, Judgement
from codearena.models import Role, Verdict
from codearena.packages import package_files, package_files_of, read_package, store_problem
from judge_host import tasks
from tests.integration.conftest import error_of, login

PACKAGES = Path(__file__).parents[1] / "packages"


def _count(core: Core, table: str) -> int:
    with core.db.transaction() as cur:
        cur.execute(f"SELECT count(*) AS n FROM {table}")
        return int(cur.fetchone()["n"])  # type: ignore[index]


def test_an_imported_package_exports_the_same_package(core: Core) -> None:
    files = package_files_of(PACKAGES / "groups")
    package = read_package(files, "groups")
    with core.db.transaction() as cur:
        problem_id = store_problem(cur, package, 1000)
    with core.db.transaction() as cur:
        exported = package_files(cur, problem_id)
    assert exported == files
    assert read_package(exported, "groups") == package


def test_nothing_is_stored_when_the_transaction_fails(core: Core) -> None:
    package = read_package(package_files_of(PACKAGES / "custom"), "custom")
    before = [_count(core, t) for t in ("problems", "test_cases", "problem_files")]
    with pytest.raises(RuntimeError), core.db.transaction() as cur:
        store_problem(cur, package, 1000)
        raise RuntimeError("the import stopped half-way")
    assert [_count(core, t) for t in ("problems", "test_cases", "problem_files")] == before


def test_a_problem_made_through_the_api_exports_as_a_package(core: Core) -> None:
    created = contests.create_problem(
        core,
        {
            "title": "A+B",
            "time_limit_ms": 2000,
            "memory_limit_kb": 262144,
            "checker": "float:1e-6,nocase",
            "tests": [
                {"input": "1 2\n", "answer": "3\n", "sample": True},
                {"input": "2 2\n", "answer": "4\n"},
            ],
        },
    )
    with core.db.transaction() as cur:
        files = package_files(cur, created["id"])
    assert files is not None
    package = read_package(files, "aplusb")
    assert (package.title, package.time_limit_ms, package.memory_limit_kb) == ("A+B", 2000, 262144)
    assert package.checker == "float:1e-06:1e-06,nocase"
    assert [(t.input, t.answer, t.sample) for t in package.tests] == [
        ("1 2\n", "3\n", True),
        ("2 2\n", "4\n", False),
    ]


def _submitted(core: Core, name: str, username: str, source: str) -> int:
    """A contestant's submission to the package `name`, stored with a 1 s time limit."""
    package = read_package(package_files_of(PACKAGES / name), name)
    with core.db.transaction() as cur:
        problem_id = store_problem(cur, package, 1000)
    now = core.clock()
    contest = contests.create_contest(
        core,
        {
            "title": "Packages",
            "start_at": (now - timedelta(minutes=5)).isoformat(),
            "end_at": (now + timedelta(hours=1)).isoformat(),
        },
    )
    contests.attach_problem(core, contest["id"], {"problem_id": problem_id, "label": "A"})
    user = users.create_user(core, username, "violet-harbour-lamp-9", Role.CONTESTANT)
    submitted = submissions.submit(
        core,
        Principal(user["id"], user["username"], Role.CONTESTANT),
        contest["id"],
        {"problem_id": problem_id, "language": "python", "source": source},
    )
    return int(submitted["id"])


def test_the_judge_host_loads_the_output_validator_with_its_flags(core: Core) -> None:
    submission_id = _submitted(core, "custom", "pkg-judge-user", "print(1, int(input()) - 1)\n")
    with core.db.transaction() as cur:
        started = tasks.start(cur, submission_id, tasks.TestDataCache())
    assert started is not None and started.task.validator is not None
    validator = started.task.validator
    assert (validator.language, validator.flags) == ("cpp", ("at_least", "1"))
    assert b'#include "pair.h"' in validator.source and set(validator.files) == {"pair.h"}
    assert started.task.checker == "validator" and started.task.output_limit_kb == 8192


def test_an_interactive_problem_is_stored_loaded_and_keeps_its_transcripts(core: Core) -> None:
    submission_id = _submitted(core, "guess", "pkg-interactive-user", "print(500)\n")
    with core.db.transaction() as cur:
        started = tasks.start(cur, submission_id, tasks.TestDataCache())
    assert started is not None and started.task.validator is not None
    assert started.task.checker == "interactive" and started.task.validator.language == "python"
    assert b"sys.exit(42)" in started.task.validator.source
    test = started.task.tests[0]
    transcript = "interactor> 1000\nprogram> 500\ninteractor> higher"
    outcome = CaseOutcome(test.id, test.ordinal, Verdict.WA, 20, 9000, transcript)
    judgements.record(core, Judgement(submission_id, Verdict.WA, 0.0, [outcome], "", "test"))
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT t.transcript FROM test_results t JOIN submission_results r ON r.id = t.result_id"
            " WHERE r.submission_id = %s",
            (submission_id,),
        )
        assert [row["transcript"] for row in cur.fetchall()] == [transcript]
        cur.execute("SELECT user_id FROM submissions WHERE id = %s", (submission_id,))
        owner = Principal(cur.fetchone()["user_id"], "pkg-interactive-user", Role.CONTESTANT)  # type: ignore[index]
    jury = Principal(0, "jury", Role.JURY)
    assert submissions.get_submission(core, jury, submission_id)["tests"][0]["transcript"] == transcript
    assert "transcript" not in submissions.get_submission(core, owner, submission_id)["tests"][0]


def _zipped(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in package_files_of(PACKAGES / name).items():
            archive.writestr(f"{Path(name).name}/{path}", content)
    return buffer.getvalue()


def _post_zip(http: Any, headers: dict[str, str], data: bytes) -> Any:
    sent = {**headers, "Content-Type": "application/zip"}
    response = http.request("POST", "/admin/problems/import", headers=sent, body=data)
    assert response.status_code < 500, response.body[:500]
    return response


def test_a_zipped_package_is_imported_over_http(core: Core, http: Any, admin: dict[str, str]) -> None:
    response = _post_zip(http, admin, _zipped("custom"))
    assert response.status_code == 201, response.body[:500]
    answer = response.json_body
    assert (answer["checker"], answer["tests"], answer["output_limit_kb"]) == ("validator", 3, 8192)
    assert {"path": "submissions/accepted/halves.py", "expected": ["AC"]} in answer["submissions"]
    with core.db.transaction() as cur:
        assert package_files(cur, answer["id"]) == package_files_of(PACKAGES / "custom")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("broken/missing_answer", "missing_answer"),
        ("broken/bad_yaml", "invalid_problem_yaml"),
        ("broken/submitanswer", "unsupported_problem_type"),
        ("broken/multipass", "invalid_problem_yaml"),
    ],
)
def test_a_broken_package_is_a_400_and_stores_nothing(
    core: Core, http: Any, admin: dict[str, str], name: str, code: str
) -> None:
    before = _count(core, "problems")
    error_of(_post_zip(http, admin, _zipped(name)), 400, code)
    error_of(_post_zip(http, admin, b"not a zip"), 400, "invalid_zip")
    assert _count(core, "problems") == before


def test_contestants_may_not_import(core: Core, http: Any) -> None:
    error_of(_post_zip(http, login(core, "pkg-contestant"), _zipped("floats")), 403)


def test_a_multi_pass_problem_is_stored_and_loaded_with_its_passes(core: Core) -> None:
    submission_id = _submitted(core, "multipass", "pkg-multipass-user", "print(input())\n")
    with core.db.transaction() as cur:
        started = tasks.start(cur, submission_id, tasks.TestDataCache())
    assert started is not None and started.task.validator is not None
    assert started.task.checker == "multi-pass:2" and started.task.validator.language == "python"
