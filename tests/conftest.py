"""Shared fixtures: real PostgreSQL and Redis (local servers, or embedded ones when none run).

PostgreSQL: a template migrated once per session; each test module gets a database cloned
from it (the process's previous module's, when that left the schema as it was), and
`database_url` empties it (every row deleted, every sequence restarted) before each test, so a
test starts from a fresh schema whatever ran before it. A test that changes the schema asks
for `own_database_url`, a clone of its own.

A module may also clone a database that another fixture filled once per test run
(`shared_databases`), when filling it takes long: the run's processes take turns.

CODEARENA_TEST_PROFILE=<file> records each test's wall and CPU seconds, start and worker (JSON lines).

Redis: the session's keys carry a prefix of their own (tests/__init__.py), and `redis_url`
deletes them before each test; other sessions' keys on the same server are never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.errors
import pytest
import redis

from codearena import keys
from codearena.auth import CHEAP_COST
from codearena.config import Settings, project_root, state_dir
from codearena.core import Core
from codearena.db import migrate
from codearena_cli.devservers import (
    Services,
    create_database,
    delete_keys,
    drop_database,
    ensure,
    with_database,
)
from tests import SESSION_PREFIX

ROOT = project_root()
sys.path.insert(0, str(ROOT / "functions"))  # app.py and chalicelib, as Lambda sees them

# Per session, so two test runs on one machine never share a database.
TEMPLATE = "codearena_test_template_" + uuid.uuid4().hex[:8]
JWT_SECRET = "test-secret-" + "x" * 40


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    assert keys.PREFIX == SESSION_PREFIX, "codearena.keys was imported before tests/__init__.py ran"
    found = ensure(state_dir())
    yield found
    with redis.Redis.from_url(found.redis_url) as client:
        delete_session_keys(client)
    found.stop()


@pytest.fixture(scope="session")
def server_url(services: Services) -> str:
    return with_database(services.database_url, "postgres")


@pytest.fixture(scope="session")
def template_url(server_url: str) -> Iterator[str]:
    create_database(server_url, TEMPLATE)
    url = with_database(server_url, TEMPLATE)
    migrate(url)
    yield url
    drop_database(server_url, TEMPLATE)


@pytest.fixture(scope="session")
def module_databases(server_url: str, template_url: str) -> Iterator[ScratchDatabases]:
    pool = ScratchDatabases(server_url)
    yield pool
    pool.drop()


@pytest.fixture(scope="module")
def module_database(module_databases: ScratchDatabases) -> Iterator[ScratchDatabase]:
    """A database migrated like the template, one module's tests' at a time."""
    scratch = module_databases.take()
    yield scratch
    module_databases.give_back(scratch)


@pytest.fixture
def database_url(module_database: ScratchDatabase) -> str:
    """The module's database, emptied: no rows, sequences restarted."""
    module_database.empty()
    return module_database.url


@pytest.fixture
def own_database_url(server_url: str, template_url: str) -> Iterator[str]:
    """A database of this test's own, for a test that changes the schema."""
    with _cloned_database(server_url) as url:
        yield url


@contextlib.contextmanager
def _cloned_database(server_url: str, template: str = TEMPLATE) -> Iterator[str]:
    name = "codearena_test_" + uuid.uuid4().hex[:12]
    create_database(server_url, name, template=template)
    try:
        yield with_database(server_url, name)
    finally:
        drop_database(server_url, name)


@pytest.fixture(scope="session")
def shared_databases(
    server_url: str, template_url: str, request: pytest.FixtureRequest
) -> Iterator[SharedDatabases]:
    # pytest-xdist's workers share their controller's run id; a run without workers has its own.
    worker = getattr(request.config, "workerinput", {})
    shared = SharedDatabases(server_url, str(worker.get("testrunuid", uuid.uuid4().hex))[:12])
    yield shared
    shared.drop()


class SharedDatabases:
    """Databases filled once per test run and cloned by the modules that read them.

    The run's processes (pytest-xdist's workers) take turns under a file lock: the first
    one to need a database fills it with `build` (from the migrated template) and keeps what
    `build` returned (JSON) as the database's comment; the others clone it. Each process
    drops the ones it used when it ends: one that needs it later fills it again."""

    def __init__(self, server_url: str, run: str) -> None:
        self.server_url, self.run = server_url, run
        self.used: set[str] = set()

    @contextlib.contextmanager
    def clone(self, key: str, build: Callable[[str], Any]) -> Iterator[tuple[str, Any]]:
        """A database of the caller's own, cloned from the run's `key` database, and what
        `build` returned when it filled that one."""
        name = f"codearena_test_{key}_{self.run}"
        with self._turn(name):
            self.used.add(name)
            built = self._built(name)
            if built is None:
                built = self._fill(name, build)
            clone = "codearena_test_" + uuid.uuid4().hex[:12]
            with self._connect() as conn, conn.cursor() as cur:  # build's connections end
                cur.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
                )
            create_database(self.server_url, clone, template=name)
        try:
            yield with_database(self.server_url, clone), built
        finally:
            drop_database(self.server_url, clone)

    def drop(self) -> None:
        for name in self.used:
            with self._turn(name):
                drop_database(self.server_url, name)

    def _fill(self, name: str, build: Callable[[str], Any]) -> Any:
        create_database(self.server_url, name, template=TEMPLATE)
        try:
            built = build(with_database(self.server_url, name))
            with self._connect() as conn, conn.cursor() as cur:
                cur.execute(f'COMMENT ON DATABASE "{name}" IS %s', (json.dumps(built),))
        except BaseException:
            drop_database(self.server_url, name)
            raise
        return built

    def _built(self, name: str) -> Any:
        with self._connect() as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (name,)
            )
            row = cur.fetchone()
        return None if row is None or row[0] is None else json.loads(row[0])

    def _connect(self) -> Any:
        conn = psycopg2.connect(self.server_url)
        conn.autocommit = True
        return contextlib.closing(conn)

    @contextlib.contextmanager
    def _turn(self, name: str) -> Iterator[None]:
        digest = hashlib.sha256(f"{self.server_url} {name}".encode()).hexdigest()[:16]
        locks = Path(tempfile.gettempdir()) / "codearena-test-locks"
        locks.mkdir(exist_ok=True)
        with (locks / f"{digest}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield


class ScratchDatabases:
    """The process's module databases: one module's done with is the next one's, as the
    tests empty it before each test anyway. A clone from the template and its drop cost
    PostgreSQL ~90 ms of CPU (and the drop ~0.25 s of the test's wall) for each module. One
    whose catalog a module changed (its schema, its settings) is dropped, never handed on."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self._free: list[ScratchDatabase] = []
        self._names: dict[str, str] = {}  # url: database name, of every one made

    def take(self) -> ScratchDatabase:
        if self._free:
            return self._free.pop()
        name = "codearena_test_" + uuid.uuid4().hex[:12]
        create_database(self.server_url, name, template=TEMPLATE)
        url = with_database(self.server_url, name)
        self._names[url] = name
        return ScratchDatabase(url)

    def give_back(self, scratch: ScratchDatabase) -> None:
        if scratch.catalog_unchanged():
            self._free.append(scratch)
        else:
            scratch.close()
            drop_database(self.server_url, self._names.pop(scratch.url))

    def drop(self) -> None:
        for scratch in self._free:
            scratch.close()
        for name in self._names.values():
            drop_database(self.server_url, name)


# Every row of the catalogs a schema or a setting lives in, by where it is and which
# transaction wrote it: any DDL writes a new row version, while VACUUM and ANALYZE update
# statistics in place (same ctid and xmin).
CATALOG_FINGERPRINT = (
    "SELECT md5(string_agg(row, ',' ORDER BY row)) FROM ("
    + " UNION ALL ".join(
        f"SELECT '{catalog}' || ctid || ':' || xmin AS row FROM {catalog}"
        for catalog in (
            "pg_namespace",
            "pg_class",
            "pg_attribute",
            "pg_attrdef",
            "pg_constraint",
            "pg_index",
            "pg_trigger",
            "pg_proc",
            "pg_type",
            "pg_sequence",
            "pg_rewrite",
            "pg_policy",
            "pg_extension",
            "pg_enum",
            "pg_depend",
        )
    )
    + " UNION ALL SELECT 'settings' || s.ctid || ':' || s.xmin FROM pg_db_role_setting s JOIN pg_database d"
    " ON d.oid = s.setdatabase WHERE d.datname = current_database()) catalog"
)


class ScratchDatabase:
    """A migrated database that can be emptied between tests (~1 ms of PostgreSQL's CPU,
    where a fresh clone costs ~40 ms and its drop ~50 ms): DELETE with triggers off (the
    append-only and immutability triggers would refuse it; TRUNCATE costs ~47 ms) and every
    sequence set back to its start (setval: ALTER SEQUENCE … RESTART cost ~4 ms for the ten),
    over one connection kept for the module (a new one costs PostgreSQL ~4 ms); TRUNCATE
    when the role may not turn triggers off."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: Any = None
        cur = self._cursor()
        cur.execute(
            "SELECT format('%I', tablename) FROM pg_tables"
            " WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1"
        )
        tables = [row[0] for row in cur.fetchall()]
        cur.execute(
            "SELECT format('setval(%L, %s, false)', format('%I', sequencename), start_value)"
            " FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
        )
        restarts = [row[0] for row in cur.fetchall()]
        self._delete = "".join(
            [
                "SET LOCAL session_replication_role = replica;",
                *(f"DELETE FROM {table};" for table in tables),
                *([f"SELECT {', '.join(restarts)};"] if restarts else []),
            ]
        )
        self._truncate = f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"
        self._catalog = self._fingerprint()

    def _fingerprint(self) -> str:
        with self._cursor() as cur:
            cur.execute(CATALOG_FINGERPRINT)
            return str(cur.fetchone()[0])

    def catalog_unchanged(self) -> bool:
        """Whether the schema and the database's settings are still the template's."""
        try:
            return self._fingerprint() == self._catalog
        except psycopg2.Error:
            return False

    def _cursor(self) -> Any:
        """A cursor on the kept connection, connecting again when a test ended it (one that
        restarts PostgreSQL or ends every backend of the database)."""
        if self._conn is not None:
            try:
                with self._conn.cursor() as probe:
                    probe.execute("SELECT 1")
            except psycopg2.Error:
                self.close()
        if self._conn is None:
            self._conn = psycopg2.connect(self.url)
            self._conn.autocommit = True
        return self._conn.cursor()

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg2.Error):
                self._conn.close()
            self._conn = None

    def empty(self) -> None:
        """Remove every row, after ending the connections a previous test left open (a process
        it started, a pool it did not close): their locks would block."""
        with self._cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            try:
                cur.execute("BEGIN;" + self._delete + "COMMIT")
            except psycopg2.errors.InsufficientPrivilege:
                cur.execute("ROLLBACK")
                cur.execute(self._truncate)


def delete_session_keys(client: redis.Redis) -> None:
    """Delete this session's keys (all under its prefix) and nothing else."""
    delete_keys(client, keys.PREFIX)


@pytest.fixture
def redis_url(services: Services) -> str:
    with redis.Redis.from_url(services.redis_url) as client:
        delete_session_keys(client)
    return services.redis_url


@pytest.fixture
def settings(database_url: str, redis_url: str) -> Settings:
    return Settings(
        database_url=database_url, redis_url=redis_url, jwt_secret=JWT_SECRET, password_cost=CHEAP_COST
    )


@pytest.fixture
def core(settings: Settings) -> Iterator[Core]:
    instance = Core.from_settings(settings)
    yield instance
    instance.close()


def service_env(settings: Settings) -> dict[str, str]:
    """The environment a spawned CodeArena process needs to use the test services."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        CODEARENA_JWT_SECRET=settings.jwt_secret,
        PYTHONUNBUFFERED="1",
    )
    return env


def pytest_report_header() -> str:
    return f"codearena: {ROOT}; tests use real PostgreSQL and Redis ({Path(state_dir())})"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """With CODEARENA_TEST_PROFILE=<file>: one JSON line per test appended to it, its wall
    seconds and the CPU seconds of its process and the children it waited for (servers
    and judge hosts it started; not PostgreSQL's, Redis's or dockerd's), when it started
    (seconds since the epoch) and in which pytest-xdist worker. On a loaded machine the CPU
    seconds compare runs better than the wall; start and worker show a run's critical path."""
    path = os.environ.get("CODEARENA_TEST_PROFILE")
    if not path:
        return (yield)
    start, wall, cpu = time.time(), time.monotonic(), _cpu_seconds()
    try:
        return (yield)
    finally:
        seconds = {"wall": time.monotonic() - wall, "cpu": _cpu_seconds() - cpu, "start": start}
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(path, "a") as handle:
            rounded = {name: round(value, 3) for name, value in seconds.items()}
            handle.write(json.dumps({"test": item.nodeid, "worker": worker, **rounded}) + "\n")


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
