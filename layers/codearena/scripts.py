"""Lua scripts on the hot paths (board reads and writes, queue, events), each thread on a
connection of its own.

redis-py's command machinery (pool checkout with a readiness poll, retry closures, metrics
hooks, the `Script` wrapper) costs about as much as a leaderboard read itself on these
machines, so scripts run here: EVALSHA packed once per call (by hiredis, a quarter of the
cost of the client's packing) on a per-thread connection, a lost script sent again in full,
a broken connection reopened once.
"""

from __future__ import annotations

import hashlib
import os
import threading
import weakref
from collections.abc import Sequence
from typing import Any

import hiredis
import redis
from redis.connection import AbstractConnection
from redis.exceptions import NoScriptError


class Lua:
    """A script's text and its SHA1, as EVALSHA names it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sha = hashlib.sha1(text.encode()).hexdigest()


class ScriptRunner:
    """Runs scripts for one Redis client; safe to share between threads."""

    def __init__(self, client: redis.Redis) -> None:
        pool = client.connection_pool
        # The pool's own class and settings: a rediss:// URL's SSLConnection with its ssl_*
        # settings (CA, hostname check) and the AUTH password carry over to these connections.
        self._connection_class = pool.connection_class
        self._connection_kwargs = dict(pool.connection_kwargs)
        self._local = threading.local()
        self._opened: weakref.WeakSet[AbstractConnection] = weakref.WeakSet()
        self._lock = threading.Lock()

    def __call__(self, script: Lua, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """The script's reply (decoded as the client decodes)."""
        conn = self._connection()
        try:
            return _run(conn, script, keys, args)
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            # A stale socket (Redis restarted): reopened once; a second failure is the caller's.
            conn.disconnect()
            return _run(conn, script, keys, args)

    def command_and_script(
        self, command: Sequence[Any], script: Lua, keys: Sequence[str], args: Sequence[Any]
    ) -> tuple[Any, Any]:
        """A plain command, then a script, in one round trip (not atomic: another client's
        write may fall between them); their two replies."""
        conn = self._connection()
        try:
            return _pair(conn, command, script, keys, args)
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            conn.disconnect()
            return _pair(conn, command, script, keys, args)

    def close(self) -> None:
        with self._lock:
            for conn in list(self._opened):
                conn.disconnect()

    def _connection(self) -> AbstractConnection:
        local = self._local
        conn: AbstractConnection | None = getattr(local, "conn", None)
        if conn is None or local.pid != os.getpid():
            conn = self._connection_class(**self._connection_kwargs)
            local.conn, local.pid = conn, os.getpid()
            with self._lock:
                self._opened.add(conn)
        return conn


def _run(conn: AbstractConnection, script: Lua, keys: Sequence[str], args: Sequence[Any]) -> Any:
    try:
        return _send(conn, _evalsha(script, keys, args))
    except NoScriptError:  # Redis restarted or its script cache was flushed
        return _send(conn, _eval(script, keys, args))


def _pair(
    conn: AbstractConnection, command: Sequence[Any], script: Lua, keys: Sequence[str], args: Sequence[Any]
) -> tuple[Any, Any]:
    conn.send_packed_command([hiredis.pack_command(tuple(command)) + _evalsha(script, keys, args)])
    try:
        first = conn.read_response()
    except redis.ResponseError:
        conn.disconnect()  # the script's reply is still unread on this connection
        raise
    try:
        return first, conn.read_response()
    except NoScriptError:
        return first, _send(conn, _eval(script, keys, args))


def _evalsha(script: Lua, keys: Sequence[str], args: Sequence[Any]) -> bytes:
    packed: bytes = hiredis.pack_command(("EVALSHA", script.sha, len(keys), *keys, *args))
    return packed


def _eval(script: Lua, keys: Sequence[str], args: Sequence[Any]) -> bytes:
    packed: bytes = hiredis.pack_command(("EVAL", script.text, len(keys), *keys, *args))
    return packed


def _send(conn: AbstractConnection, packed: bytes) -> Any:
    conn.send_packed_command([packed])
    return conn.read_response()
