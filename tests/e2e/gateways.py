"""A local gateway process started with settings of its own in the environment (the
`gateway` fixture's, configured), and what the edge tests share about it."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from websockets.sync.client import ClientConnection, connect

from codearena.config import Settings
from codearena.core import Core
from codearena.keys import ws_connection
from tests.e2e.conftest import Process, start_gateway


@dataclass
class Gateway:
    base: str
    process: Process

    def rss_kb(self) -> int:
        """The gateway process's resident memory now (Linux /proc)."""
        status = Path(f"/proc/{self.process.popen.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))


@contextlib.contextmanager
def configured_gateway(settings: Settings, **env: str) -> Iterator[Gateway]:
    """A gateway on a free port with `env` added to the test services' environment."""
    with pytest.MonkeyPatch.context() as patch:  # spawn() passes the environment on
        for name, value in env.items():
            patch.setenv(name, value)
        gateway = Gateway(*start_gateway(settings))
    try:
        yield gateway
    finally:
        gateway.process.stop()


@contextlib.contextmanager
def open_socket(base: str, from_address: str = "127.0.0.1", **headers: str) -> Iterator[ClientConnection]:
    """A WebSocket to the gateway from the local address `from_address` (any 127.x.y.z is
    this machine's loopback, so a test can call from several addresses)."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), source_address=(from_address, 0))
    with connect(base.replace("http://", "ws://") + "/ws", sock=sock, additional_headers=headers) as ws:
        yield ws


def connection_ids(core: Core) -> set[str]:
    """The ids of the gateway's open WebSocket connections, from the registry in Redis."""
    prefix = ws_connection("")
    found = core.redis.scan_iter(match=ws_connection("*"))
    return {key.removeprefix(prefix) for key in found if not key.endswith(":topics")}
