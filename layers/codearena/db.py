"""PostgreSQL access: a thread-safe pool, transactions, and migrations."""

from __future__ import annotations

import re
import select
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.errors
import psycopg2.extras
import psycopg2.pool

from codearena.config import project_root
from codearena.errors import ServiceUnavailable

Cursor = psycopg2.extras.RealDictCursor
_MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_MIGRATION_LOCK = 0x0C0DEA7E  # pg_advisory_lock key: one migrator at a time
WAIT_FOR_CONNECTION_SECONDS = 10.0


class _KeepingPool(psycopg2.pool.ThreadedConnectionPool):
    """Opens connections lazily and keeps every returned one for reuse. psycopg2's pool
    keeps only `minconn` idle connections and closes the rest, and a `minconn` above zero
    opens that many at once: with 0, every transaction paid for a new server process."""

    def __init__(self, maxconn: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(0, maxconn, *args, **kwargs)
        self.minconn = maxconn  # read only by putconn: how many idle connections to keep

    def getconn(self, key: Any = None) -> Any:
        while True:
            conn = super().getconn(key)
            if _idle_and_open(conn):
                return conn
            self.putconn(conn, key, close=True)  # the server ended it (restart, idle timeout)


def _idle_and_open(conn: Any) -> bool:
    """An idle connection has nothing to read; one the server closed reads EOF or FATAL."""
    if conn.closed:
        return False
    readable, _, _ = select.select([conn], [], [], 0)
    return not readable


class Database:
    """A lazily opened connection pool. `transaction()` is the only way in."""

    def __init__(self, url: str, max_connections: int = 10) -> None:
        self.url = url
        self._max_connections = max_connections
        self._pool: psycopg2.pool.ThreadedConnectionPool | None = None
        self._lock = threading.Lock()
        # psycopg2's pool raises when it is exhausted; callers wait for a free slot instead.
        self._slots = threading.BoundedSemaphore(max_connections)

    def _get_pool(self) -> psycopg2.pool.ThreadedConnectionPool:
        with self._lock:
            if self._pool is None:
                try:
                    self._pool = _KeepingPool(self._max_connections, self.url, connect_timeout=5)
                except psycopg2.OperationalError as exc:
                    raise ServiceUnavailable("the database is unavailable") from exc
            return self._pool

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """A cursor in one transaction: committed on success, rolled back on any error."""
        pool = self._get_pool()
        if not self._slots.acquire(timeout=WAIT_FOR_CONNECTION_SECONDS):
            raise ServiceUnavailable("the database is busy; try again")
        try:
            yield from self._in_transaction(pool)
        finally:
            self._slots.release()

    def _in_transaction(self, pool: psycopg2.pool.ThreadedConnectionPool) -> Iterator[Cursor]:
        try:
            conn = pool.getconn()
        except (psycopg2.OperationalError, psycopg2.pool.PoolError) as exc:
            raise ServiceUnavailable("the database is unavailable") from exc
        broken = False
        try:
            with conn, conn.cursor(cursor_factory=Cursor) as cursor:
                yield cursor
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            broken = True
            raise ServiceUnavailable("the database connection failed") from exc
        finally:
            broken = broken or conn.closed != 0
            pool.putconn(conn, close=broken)

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.closeall()
                self._pool = None


def one_row(cur: Cursor) -> dict[str, Any]:
    """The row of a statement that always returns one (INSERT … RETURNING, an aggregate)."""
    row = cur.fetchone()
    if row is None:
        raise RuntimeError("the statement returned no row")
    return row


def sql_dir() -> Path:
    return project_root() / "sql"


def migrations(directory: Path | None = None) -> list[tuple[int, str, Path]]:
    """The numbered migration files, in order: (version, name, path)."""
    found = []
    for path in sorted(((directory or sql_dir()) / "migrations").iterdir()):
        match = _MIGRATION_FILE.match(path.name)
        if match:
            found.append((int(match.group(1)), match.group(2), path))
    return found


def migrate(url: str, directory: Path | None = None) -> list[str]:
    """Bring the database at `url` to the current schema; returns what was applied.

    A fresh database gets `schema.sql` whole and every migration recorded as applied;
    an existing one gets the migrations it has not seen, each in its own transaction.
    """
    directory = directory or sql_dir()
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
        return _migrate_locked(conn, directory)
    finally:
        conn.close()  # also releases the advisory lock


def _migrate_locked(conn: Any, directory: Path) -> list[str]:
    known = migrations(directory)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")
        initialised = cur.fetchone()[0]
        if not initialised:
            cur.execute(
                "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            cur.execute((directory / "schema.sql").read_text())
            for version, name, _ in known:
                cur.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, name))
            return ["schema.sql"]
        cur.execute("SELECT version FROM schema_migrations")
        applied = {row[0] for row in cur.fetchall()}
    done = []
    for version, name, path in known:
        if version in applied:
            continue
        with conn, conn.cursor() as cur:
            cur.execute(path.read_text())
            cur.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, name))
        done.append(path.name)
    return done
