"""What the local-cloud tests share: localstack-compose.yml read as compose reads it, its
commands resolved to this checkout, and one contest path ending in a verdict in PostgreSQL."""

from __future__ import annotations

import copy
import functools
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg2
import yaml

from codearena import users
from codearena.core import Core
from codearena.models import Role
from tests.e2e.common import A_PLUS_B, SUM, register_and_login

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "localstack-compose.yml"
VERDICT_SECONDS = 120.0


def compose() -> dict[str, Any]:
    """The compose file with its YAML anchors and merge keys resolved (as compose does),
    parsed once per session (PyYAML's pure Python loader takes milliseconds a call); each
    caller gets a copy of its own."""
    return copy.deepcopy(_parsed())


@functools.cache
def _parsed() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def service(name: str) -> dict[str, Any]:
    found: dict[str, Any] = compose()["services"][name]
    return found


def local_argv(command: list[str]) -> list[str]:
    """A container's command as a process of this checkout: the image's PATH puts the venv's
    `codearena` and `python` first, and its working directory is the repository root."""
    programs = {
        "codearena": shutil.which("codearena", path=str(Path(sys.executable).parent)),
        "python": sys.executable,
    }
    program = programs.get(command[0])
    assert program, f"no local program for {command[0]!r}"
    return [program, *command[1:]]


def wait_until_up(base_url: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + "/contests", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"nothing answers at {base_url}")


def submit_a_plus_b(base_url: str, core: Core) -> int:
    """An organizer's contest with A+B, and a contestant's correct Python solution: its id."""
    users.create_user(core, "organizer", "organizer-password", Role.ADMIN)
    with httpx.Client(base_url=base_url, timeout=15) as client:
        login = client.post("/auth/login", json={"username": "organizer", "password": "organizer-password"})
        admin = {"Authorization": "Bearer " + login.json()["token"]}
        start = datetime.now(UTC) - timedelta(minutes=5)
        window = {"start_at": start.isoformat(), "end_at": (start + timedelta(hours=1)).isoformat()}
        cid = client.post("/admin/contests", headers=admin, json={"title": "Cloud Cup", **window}).json()[
            "id"
        ]
        pid = client.post("/admin/problems", headers=admin, json=A_PLUS_B).json()["id"]
        client.post(f"/admin/contests/{cid}/problems", headers=admin, json={"problem_id": pid, "label": "A"})
        contestant = register_and_login(client, "cloudy")
        body = {"problem_id": pid, "language": "python", "source": SUM}
        answer = client.post(f"/contests/{cid}/submissions", headers=contestant, json=body)
    assert answer.status_code == 202, answer.text
    return int(answer.json()["id"])


def verdict_in_postgres(database_url: str, sid: int, timeout_s: float = VERDICT_SECONDS) -> tuple[str, str]:
    """(verdict, judge host) of the submission's current result, once PostgreSQL has it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        conn = psycopg2.connect(database_url)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT verdict, judge_host FROM submission_results"
                    " WHERE submission_id = %s AND is_current",
                    (sid,),
                )
                row = cur.fetchone()
        finally:
            conn.close()
        if row:
            return str(row[0]), str(row[1])
        time.sleep(0.3)
    raise AssertionError(f"no verdict for submission {sid} in PostgreSQL after {timeout_s:.0f} s")
