"""The schema's own guarantees on the real PostgreSQL: constraints reject bad rows, triggers keep
submissions and leaderboard events immutable, schema.sql and the migrations build the same
catalog, and `migrate` is idempotent."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.errors
import pytest

from codearena.db import migrate, migrations, sql_dir
from codearena_cli.devservers import create_database
from tests.conftest import with_database

RAISED = "23000"  # integrity_constraint_violation, the ERRCODE the triggers raise


@pytest.fixture
def db(database_url: str) -> Iterator[Any]:
    """A cursor in autocommit mode: each statement commits or fails on its own."""
    conn = psycopg2.connect(database_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            yield cur
    finally:
        conn.close()


def one(cur: Any, sql: str, params: tuple[Any, ...] = ()) -> Any:
    cur.execute(sql, params)
    return cur.fetchone()[0]


def add_user(cur: Any, username: str = "alice", role: str = "contestant") -> int:
    return one(
        cur,
        "INSERT INTO users (username, password_hash, role) VALUES (%s, 'x', %s) RETURNING id",
        (username, role),
    )


def add_contest(
    cur: Any,
    start: str = "2030-01-01T10:00Z",
    end: str = "2030-01-01T15:00Z",
    freeze: str | None = None,
    scoring: str = "icpc",
) -> int:
    return one(
        cur,
        "INSERT INTO contests (title, start_at, end_at, freeze_at, scoring)"
        " VALUES ('c', %s, %s, %s, %s) RETURNING id",
        (start, end, freeze, scoring),
    )


def add_problem(cur: Any, time_limit_ms: int = 1000, memory_limit_kb: int = 262144) -> int:
    return one(
        cur,
        "INSERT INTO problems (title, time_limit_ms, memory_limit_kb) VALUES ('p', %s, %s) RETURNING id",
        (time_limit_ms, memory_limit_kb),
    )


def attach(cur: Any, contest_id: int, problem_id: int, label: str) -> None:
    cur.execute(
        "INSERT INTO contest_problems (contest_id, problem_id, label) VALUES (%s, %s, %s)",
        (contest_id, problem_id, label),
    )


def add_submission(
    cur: Any,
    contest_id: int,
    problem_id: int,
    user_id: int,
    language: str = "python",
    source: str = "print(1)",
) -> int:
    return one(
        cur,
        "INSERT INTO submissions (contest_id, problem_id, user_id, language, source)"
        " VALUES (%s, %s, %s, %s, %s) RETURNING id",
        (contest_id, problem_id, user_id, language, source),
    )


def add_result(
    cur: Any, submission_id: int, judgement: int = 1, verdict: str = "AC", current: bool = True
) -> int:
    return one(
        cur,
        "INSERT INTO submission_results (submission_id, judgement, verdict, is_current)"
        " VALUES (%s, %s, %s, %s) RETURNING id",
        (submission_id, judgement, verdict, current),
    )


@pytest.fixture
def world(db: Any) -> dict[str, int]:
    """A contestant, a contest with problem A, a second problem not in it, one submission."""
    user = add_user(db)
    contest = add_contest(db)
    problem, outsider = add_problem(db), add_problem(db)
    attach(db, contest, problem, "A")
    submission = add_submission(db, contest, problem, user)
    return {
        "user": user,
        "contest": contest,
        "problem": problem,
        "outsider": outsider,
        "submission": submission,
    }


def count(cur: Any, table: str) -> int:
    return one(cur, f"SELECT count(*) FROM {table}")


# --- users ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["root", "Admin", "", "superuser"])
def test_bad_role_rejected(db: Any, role: str) -> None:
    with pytest.raises(psycopg2.errors.CheckViolation):
        add_user(db, "bob", role)
    assert count(db, "users") == 0


def test_role_is_required_and_defaults_to_contestant(db: Any) -> None:
    with pytest.raises(psycopg2.errors.NotNullViolation):
        db.execute("INSERT INTO users (username, password_hash, role) VALUES ('bob', 'x', NULL)")
    db.execute("INSERT INTO users (username, password_hash) VALUES ('bob', 'x') RETURNING role")
    assert db.fetchone()[0] == "contestant"


@pytest.mark.parametrize("username", ["ab", "a" * 33, "has space", "semi;colon", "émile", ""])
def test_bad_username_rejected(db: Any, username: str) -> None:
    with pytest.raises(psycopg2.errors.CheckViolation):
        add_user(db, username)
    assert count(db, "users") == 0


@pytest.mark.parametrize("username", ["abc", "a" * 32, "A.b_c-9"])
def test_good_username_accepted(db: Any, username: str) -> None:
    add_user(db, username)
    assert count(db, "users") == 1


def test_duplicate_username_rejected(db: Any) -> None:
    add_user(db, "alice")
    with pytest.raises(psycopg2.errors.UniqueViolation):
        add_user(db, "alice", "admin")
    assert count(db, "users") == 1


def test_password_hash_required(db: Any) -> None:
    with pytest.raises(psycopg2.errors.NotNullViolation):
        db.execute("INSERT INTO users (username) VALUES ('alice')")


# --- contests -------------------------------------------------------------------------
@pytest.mark.parametrize("end", ["2030-01-01T09:00Z", "2030-01-01T10:00Z"])
def test_contest_must_end_after_it_starts(db: Any, end: str) -> None:
    with pytest.raises(psycopg2.errors.CheckViolation):
        add_contest(db, end=end)
    assert count(db, "contests") == 0


@pytest.mark.parametrize("freeze", ["2030-01-01T09:59Z", "2030-01-01T15:01Z", "2031-01-01T12:00Z"])
def test_freeze_outside_window_rejected(db: Any, freeze: str) -> None:
    with pytest.raises(psycopg2.errors.CheckViolation):
        add_contest(db, freeze=freeze)
    assert count(db, "contests") == 0


@pytest.mark.parametrize("freeze", ["2030-01-01T10:00Z", "2030-01-01T14:00Z", "2030-01-01T15:00Z"])
def test_freeze_inside_window_accepted(db: Any, freeze: str) -> None:
    add_contest(db, freeze=freeze)
    assert count(db, "contests") == 1


@pytest.mark.parametrize("scoring", ["elo", "ICPC", "ioi", ""])
def test_bad_scoring_type_rejected(db: Any, scoring: str) -> None:
    with pytest.raises(psycopg2.errors.CheckViolation):
        add_contest(db, scoring=scoring)
    assert count(db, "contests") == 0


@pytest.mark.parametrize(
    "column, value",
    [("penalty_minutes", -1), ("penalty_minutes", 1001), ("title", ""), ("title", "t" * 201)],
)
def test_bad_contest_fields_rejected(db: Any, column: str, value: Any) -> None:
    row = {
        "title": "t",
        "start_at": "2030-01-01T10:00Z",
        "end_at": "2030-01-01T11:00Z",
        column: value,
    }
    with pytest.raises(psycopg2.errors.CheckViolation):
        db.execute(
            f"INSERT INTO contests ({', '.join(row)}) VALUES ({', '.join(['%s'] * len(row))})",
            tuple(row.values()),
        )
    assert count(db, "contests") == 0


@pytest.mark.parametrize(
    "time_limit_ms, memory_limit_kb",
    [(99, 262144), (60001, 262144), (1000, 16383), (1000, 4194305)],
)
def test_bad_problem_limits_rejected(db: Any, time_limit_ms: int, memory_limit_kb: int) -> None:
    with pytest.raises(psycopg2.errors.CheckViolation):
        add_problem(db, time_limit_ms, memory_limit_kb)
    assert count(db, "problems") == 0


# --- contest problems -----------------------------------------------------------------
def test_duplicate_label_in_contest_rejected(db: Any) -> None:
    contest, first, second = add_contest(db), add_problem(db), add_problem(db)
    attach(db, contest, first, "A")
    with pytest.raises(psycopg2.errors.UniqueViolation):
        attach(db, contest, second, "A")
    other = add_contest(db)
    attach(db, other, second, "A")  # the same label in another contest is fine
    assert count(db, "contest_problems") == 2


def test_same_problem_twice_in_contest_rejected(db: Any) -> None:
    contest, problem = add_contest(db), add_problem(db)
    attach(db, contest, problem, "A")
    with pytest.raises(psycopg2.errors.UniqueViolation):
        attach(db, contest, problem, "B")
    assert count(db, "contest_problems") == 1


@pytest.mark.parametrize("label", ["a", "AB", "A10", "1", "", "Ä"])
def test_bad_label_rejected(db: Any, label: str) -> None:
    contest, problem = add_contest(db), add_problem(db)
    with pytest.raises(psycopg2.errors.CheckViolation):
        attach(db, contest, problem, label)
    assert count(db, "contest_problems") == 0


def test_attach_unknown_problem_rejected(db: Any) -> None:
    contest = add_contest(db)
    with pytest.raises(psycopg2.errors.ForeignKeyViolation):
        attach(db, contest, 424242, "A")


# --- submissions ----------------------------------------------------------------------
@pytest.mark.parametrize("language", ["cobol", "Python", "python3", ""])
def test_unknown_language_rejected(db: Any, world: dict[str, int], language: str) -> None:
    with pytest.raises(psycopg2.errors.CheckViolation):
        add_submission(db, world["contest"], world["problem"], world["user"], language=language)
    assert count(db, "submissions") == 1


def test_source_size_limit_is_64_kib_in_bytes(db: Any, world: dict[str, int]) -> None:
    ids = (world["contest"], world["problem"], world["user"])
    add_submission(db, *ids, source="x" * 65536)  # exactly 64 KiB is allowed
    with pytest.raises(psycopg2.errors.CheckViolation):
        add_submission(db, *ids, source="x" * 65537)
    with pytest.raises(psycopg2.errors.CheckViolation):  # 32,769 characters but 65,538 bytes
        add_submission(db, *ids, source="é" * 32769)
    with pytest.raises(psycopg2.errors.CheckViolation):
        add_submission(db, *ids, source="")
    assert count(db, "submissions") == 2


def test_submission_for_problem_not_in_contest_rejected(db: Any, world: dict[str, int]) -> None:
    with pytest.raises(psycopg2.errors.ForeignKeyViolation):
        add_submission(db, world["contest"], world["outsider"], world["user"])
    assert count(db, "submissions") == 1


def test_submission_for_unknown_user_rejected(db: Any, world: dict[str, int]) -> None:
    with pytest.raises(psycopg2.errors.ForeignKeyViolation):
        add_submission(db, world["contest"], world["problem"], 424242)


@pytest.mark.parametrize(
    "assignment",
    [
        "source = 'print(2)'",
        "language = 'c'",
        "user_id = user_id + 1",
        "created_at = now() - '1 day'::interval",
        "status = 'judging', source = source || ' '",
        "id = id + 1000",
    ],
)
def test_submission_row_is_immutable(db: Any, world: dict[str, int], assignment: str) -> None:
    before = _submission_row(db, world["submission"])
    with pytest.raises(psycopg2.errors.IntegrityConstraintViolation) as caught:
        db.execute(f"UPDATE submissions SET {assignment} WHERE id = %s", (world["submission"],))
    assert caught.value.pgcode == RAISED and "immutable" in str(caught.value)
    assert _submission_row(db, world["submission"]) == before


def test_submission_status_may_change(db: Any, world: dict[str, int]) -> None:
    for status in ("judging", "judged", "queued"):
        db.execute("UPDATE submissions SET status = %s WHERE id = %s", (status, world["submission"]))
        assert one(db, "SELECT status FROM submissions WHERE id = %s", (world["submission"],)) == status


def test_submission_status_must_be_known(db: Any, world: dict[str, int]) -> None:
    with pytest.raises(psycopg2.errors.CheckViolation):
        db.execute("UPDATE submissions SET status = 'lost' WHERE id = %s", (world["submission"],))


def test_submission_delete_rejected(db: Any, world: dict[str, int]) -> None:
    with pytest.raises(psycopg2.errors.IntegrityConstraintViolation) as caught:
        db.execute("DELETE FROM submissions WHERE id = %s", (world["submission"],))
    assert caught.value.pgcode == RAISED and "never deleted" in str(caught.value)
    assert count(db, "submissions") == 1


def _submission_row(cur: Any, submission_id: int) -> tuple[Any, ...]:
    cur.execute("SELECT * FROM submissions WHERE id = %s", (submission_id,))
    return tuple(cur.fetchone())


# --- results --------------------------------------------------------------------------
@pytest.mark.parametrize("verdict", ["OK", "ac", "PE", "", "RE"])
def test_bad_verdict_rejected(db: Any, world: dict[str, int], verdict: str) -> None:
    with pytest.raises(psycopg2.errors.CheckViolation):
        add_result(db, world["submission"], verdict=verdict)
    assert count(db, "submission_results") == 0


@pytest.mark.parametrize("verdict", ["AC", "WA", "TLE", "MLE", "RTE", "OLE", "CE", "JE"])
def test_clics_verdicts_accepted(db: Any, world: dict[str, int], verdict: str) -> None:
    add_result(db, world["submission"], verdict=verdict)
    assert count(db, "submission_results") == 1


def test_compile_error_is_not_a_per_test_verdict(db: Any, world: dict[str, int]) -> None:
    result = add_result(db, world["submission"], verdict="CE")
    test_case = one(
        db,
        "INSERT INTO test_cases (problem_id, ordinal, input, answer) VALUES (%s, 1, '', '') RETURNING id",
        (world["problem"],),
    )
    with pytest.raises(psycopg2.errors.CheckViolation):
        db.execute(
            "INSERT INTO test_results (result_id, test_case_id, ordinal, verdict, time_ms,"
            " memory_kb) VALUES (%s, %s, 1, 'CE', 0, 0)",
            (result, test_case),
        )
    assert count(db, "test_results") == 0


def test_two_current_results_for_one_submission_rejected(db: Any, world: dict[str, int]) -> None:
    add_result(db, world["submission"], judgement=1, verdict="WA")
    with pytest.raises(psycopg2.errors.UniqueViolation):
        add_result(db, world["submission"], judgement=2, verdict="AC")
    # A rejudge retires the old row first; then a second current row is fine.
    db.execute(
        "UPDATE submission_results SET is_current = false WHERE submission_id = %s",
        (world["submission"],),
    )
    add_result(db, world["submission"], judgement=2, verdict="AC")
    assert one(db, "SELECT count(*) FROM submission_results WHERE is_current") == 1
    assert count(db, "submission_results") == 2


def test_same_judgement_twice_rejected(db: Any, world: dict[str, int]) -> None:
    add_result(db, world["submission"], judgement=1, current=False)
    with pytest.raises(psycopg2.errors.UniqueViolation):
        add_result(db, world["submission"], judgement=1, current=False)


def test_solved_cell_needs_a_time(db: Any, world: dict[str, int]) -> None:
    with pytest.raises(psycopg2.errors.CheckViolation):
        db.execute(
            "INSERT INTO contest_penalties (contest_id, user_id, problem_id, solved)"
            " VALUES (%s, %s, %s, true)",
            (world["contest"], world["user"], world["problem"]),
        )
    assert count(db, "contest_penalties") == 0


# --- leaderboard events ---------------------------------------------------------------
def test_leaderboard_events_are_append_only(db: Any, world: dict[str, int]) -> None:
    event = one(
        db,
        "INSERT INTO leaderboard_events (contest_id, user_id, submission_id, jury_row,"
        " public_row) VALUES (%s, %s, %s, '{\"solved\": 1}', '{\"solved\": 0}') RETURNING id",
        (world["contest"], world["user"], world["submission"]),
    )
    for statement in (
        "UPDATE leaderboard_events SET public_row = '{\"solved\": 1}' WHERE id = %s",
        "UPDATE leaderboard_events SET created_at = created_at WHERE id = %s",
        "DELETE FROM leaderboard_events WHERE id = %s",
    ):
        with pytest.raises(psycopg2.errors.IntegrityConstraintViolation) as caught:
            db.execute(statement, (event,))
        assert caught.value.pgcode == RAISED and "append-only" in str(caught.value)
    db.execute("SELECT jury_row, public_row FROM leaderboard_events")
    assert db.fetchall() == [({"solved": 1}, {"solved": 0})]


def test_leaderboard_event_rows_required(db: Any, world: dict[str, int]) -> None:
    with pytest.raises(psycopg2.errors.NotNullViolation):
        db.execute(
            "INSERT INTO leaderboard_events (contest_id, user_id, jury_row) VALUES (%s, %s, '{}')",
            (world["contest"], world["user"]),
        )


# --- schema.sql equals the migrations ------------------------------------------------
_CATALOG = {
    "columns": "SELECT table_name, column_name, ordinal_position, data_type, is_nullable,"
    " column_default, character_maximum_length, numeric_precision, numeric_scale"
    " FROM information_schema.columns WHERE table_schema = 'public'"
    " ORDER BY table_name, ordinal_position",
    "constraints": "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)"
    " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
    " ORDER BY 1, 2",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
    " ORDER BY 1, 2",
    "triggers": "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger"
    " WHERE NOT tgisinternal ORDER BY 1, 2",
    "functions": "SELECT proname, pg_get_function_identity_arguments(oid),"
    " pg_get_function_result(oid), prosrc FROM pg_proc"
    " WHERE pronamespace = 'public'::regnamespace ORDER BY 1, 2",
}


def catalog(url: str) -> dict[str, list[tuple[Any, ...]]]:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            found = {}
            for name, query in _CATALOG.items():
                cur.execute(query)
                found[name] = [
                    tuple(re.sub(r"\s+", " ", v).strip() if isinstance(v, str) else v for v in row)
                    for row in cur.fetchall()
                ]
            return found
    finally:
        conn.close()


def run_sql(url: str, *files: Path) -> None:
    conn = psycopg2.connect(url)
    try:
        for path in files:
            with conn, conn.cursor() as cur:
                cur.execute(path.read_text())
    finally:
        conn.close()


@pytest.fixture
def scratch_databases(server_url: str) -> Iterator[list[str]]:
    names = ["codearena_cmp_" + uuid.uuid4().hex[:12] for _ in range(2)]
    for name in names:
        create_database(server_url, name)
    yield [with_database(server_url, name) for name in names]
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for name in names:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def test_schema_sql_equals_the_migrations(scratch_databases: list[str]) -> None:
    whole, stepwise = scratch_databases
    run_sql(whole, sql_dir() / "schema.sql")
    steps = [path for _, _, path in migrations()]
    assert steps, "sql/migrations/ has no numbered migration"
    run_sql(stepwise, *steps)
    expected, actual = catalog(whole), catalog(stepwise)
    tables = {row[0] for row in expected["columns"]}
    assert {
        "users",
        "contests",
        "submissions",
        "submission_results",
        "leaderboard_events",
    } <= tables
    assert len(expected["triggers"]) >= 2
    for part in _CATALOG:
        missing = sorted(set(expected[part]) - set(actual[part]), key=repr)
        extra = sorted(set(actual[part]) - set(expected[part]), key=repr)
        assert not missing and not extra, (
            f"{part} differ between schema.sql and migrations:\n only in schema.sql: {missing}\n"
            f" only in migrations: {extra}"
        )
        assert expected[part] == actual[part], f"{part}: same rows, different order or multiplicity"


def test_migration_files_are_numbered_without_gaps() -> None:
    versions = [version for version, _, _ in migrations()]
    assert versions == list(range(1, len(versions) + 1))
    names = sorted(p.name for p in (sql_dir() / "migrations").iterdir() if p.suffix == ".sql")
    assert len(names) == len(versions), f"a .sql file does not match NNNN_name.sql: {names}"


# --- migrate ----------------------------------------------------------------------------
def recorded(url: str) -> list[tuple[int, str]]:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT version, name FROM schema_migrations ORDER BY version")
            return [tuple(row) for row in cur.fetchall()]
    finally:
        conn.close()


def test_migrate_is_idempotent_on_a_fresh_database(scratch_databases: list[str]) -> None:
    url = scratch_databases[0]
    assert migrate(url) == ["schema.sql"]
    first = catalog(url)
    assert migrate(url) == []
    assert migrate(url) == []
    assert catalog(url) == first
    assert recorded(url) == [(version, name) for version, name, _ in migrations()]


def test_test_database_is_at_the_current_version(database_url: str) -> None:
    assert recorded(database_url) == [(version, name) for version, name, _ in migrations()]
    assert migrate(database_url) == []


def test_migrate_applies_new_migrations_once(own_database_url: str, tmp_path: Path) -> None:
    shutil.copytree(sql_dir(), tmp_path / "sql")
    directory = tmp_path / "sql"
    latest = max(version for version, _, _ in migrations())
    new = directory / "migrations" / f"{latest + 1:04d}_add_probe_table.sql"
    new.write_text("CREATE TABLE probe_table (id integer PRIMARY KEY);\n")
    assert migrate(own_database_url, directory) == [new.name]
    assert migrate(own_database_url, directory) == []
    assert recorded(own_database_url)[-1] == (latest + 1, "add_probe_table")
    conn = psycopg2.connect(own_database_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT to_regclass('probe_table') IS NOT NULL")
            assert cur.fetchone()[0] is True
    finally:
        conn.close()


def test_failed_migration_is_not_recorded(own_database_url: str, tmp_path: Path) -> None:
    shutil.copytree(sql_dir(), tmp_path / "sql")
    directory = tmp_path / "sql"
    latest = max(version for version, _, _ in migrations())
    bad = directory / "migrations" / f"{latest + 1:04d}_broken.sql"
    bad.write_text("CREATE TABLE half_done (id integer);\nSELECT no_such_function();\n")
    with pytest.raises(psycopg2.errors.UndefinedFunction):
        migrate(own_database_url, directory)
    assert [v for v, _ in recorded(own_database_url)] == [v for v, _, _ in migrations()]
    conn = psycopg2.connect(own_database_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT to_regclass('half_done') IS NULL")
            assert cur.fetchone()[0] is True, "a failed migration left part of itself behind"
    finally:
        conn.close()
