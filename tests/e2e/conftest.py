"""Real processes over real HTTP: the local gateway and a judge host, started per test."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from codearena import users
from codearena.config import Settings
from codearena.core import Core
from codearena.models import Role
from tests.conftest import service_env
from tests.e2e.common import A_PLUS_B, TLS

LOGS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e-logs"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> int:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        return int(self.popen.returncode)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def spawn(name: str, args: list[str], settings: Settings) -> Process:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{name}-{int(time.time() * 1000)}.log"
    with log.open("wb") as handle:
        popen = subprocess.Popen(
            [sys.executable, "-m", "codearena_cli", *args],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=service_env(settings),
        )
    return Process(name, popen, log)


def start_gateway(settings: Settings, name: str = "gateway") -> tuple[str, Process]:
    """A local gateway on a free port, once it answers: its base URL and process."""
    port = free_port()
    process = spawn(name, ["gateway", "--port", str(port)], settings)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(base + "/contests", timeout=2, verify=TLS).status_code == 200:
                return base, process
        except httpx.HTTPError:
            pass
        if process.popen.poll() is not None or time.monotonic() > deadline:
            process.stop()
            raise AssertionError("the gateway did not come up:\n" + process.output())
        time.sleep(0.2)


@pytest.fixture
def gateway(settings: Settings) -> Iterator[str]:
    base, process = start_gateway(settings)
    yield base
    process.stop()


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    """moto's server on loopback: AWS APIs (Secrets Manager, @connections, S3, Lambda…) for a
    real process to call."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@contextlib.contextmanager
def judge_instance(settings: Settings, instance: int) -> Iterator[Process]:
    """A judge host process with two boxes of sandbox instance `instance`; it must stop cleanly."""
    process = spawn("judge", ["judge", "--boxes", "2", "--instance", str(instance)], settings)
    yield process
    assert process.stop() == 0, process.output()


@pytest.fixture
def judge_host(settings: Settings) -> Iterator[Process]:
    # Instance 9: its own sandbox boxes, so a `make demo` judge on this machine does not block it.
    with judge_instance(settings, 9) as process:
        yield process


@pytest.fixture
def contest(gateway: str, core: Core) -> Iterator[dict[str, Any]]:
    users.create_user(core, "organizer", "organizer-password", Role.ADMIN)
    with httpx.Client(base_url=gateway, timeout=10, verify=TLS) as client:
        token = client.post("/auth/login", json={"username": "organizer", "password": "organizer-password"})
        admin = {"Authorization": "Bearer " + token.json()["token"]}
        start = datetime.now(UTC) - timedelta(minutes=10)
        cid = client.post(
            "/admin/contests",
            headers=admin,
            json={
                "title": "Live Cup",
                "start_at": start.isoformat(),
                "end_at": (start + timedelta(hours=2)).isoformat(),
            },
        ).json()["id"]
        pid = client.post("/admin/problems", headers=admin, json=A_PLUS_B).json()["id"]
        client.post(f"/admin/contests/{cid}/problems", headers=admin, json={"problem_id": pid, "label": "A"})
        yield {"id": cid, "problem_id": pid, "admin": admin, "client": client}
