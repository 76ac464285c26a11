"""An HTTP-imported package's own submissions verified by a judge host (codearena.verifications,
judge_host/verifications.py) on real PostgreSQL and Redis: the import queues them, the host's
verification worker judges each one and writes expected vs got, the route reads the report, and
a package without a time limit gets the one its accepted submissions give. The sandbox is the
fake of test_judging (the real one: tests/e2e/test_verifications.py)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from codearena import contests, keys, submissions, users, verifications
from codearena.auth import Principal
from codearena.config import Settings
from codearena.core import Core
from codearena.models import Role
from codearena.verifications import VerificationQueue
from judge_host.daemon import HostConfig, JudgeHost
from judge_host.verifications import VerificationWorker
from sandbox import CompileResult, Limits, RunResult
from tests.conftest import service_env
from tests.integration.conftest import Caller, error_of, login
from tests.integration.test_fleet import wait_for
from tests.integration.test_judging import BROKEN, RIGHT, WRONG, FakeBox, FakeSandbox

SLOWEST_MS = 300  # the CPU time the fake reports of a run: × 5 (the legacy multiplier) → 2 s

FILES = {
    "problem.yaml": b"name: Echo\n",  # legacy, no time limit: the accepted submissions set it
    "data/sample/1.in": b"1\n",
    "data/sample/1.ans": b"1\n",
    "data/secret/2.in": b"2\n",
    "data/secret/2.ans": b"2\n",
    "submissions/accepted/right.py": RIGHT.encode(),
    "submissions/accepted/wrong_but_said_right.py": WRONG.encode(),
    "submissions/wrong_answer/wrong.py": WRONG.encode(),
    "submissions/compile_error/broken.py": BROKEN.encode(),
    "submissions/accepted/notes.txt": b"no program",
}
ANSWERS = {b"1\n": b"1\n", b"2\n": b"2\n"}


class TimedBox(FakeBox):
    """The fake box, its runs taking SLOWEST_MS, and compiling validators too."""

    def compile(
        self, language: str, source: str | bytes, run_limits: Limits | None = None, files: object = None
    ) -> CompileResult:
        text = source.decode() if isinstance(source, bytes) else source
        return super().compile(language, text, run_limits)

    def run(self, stdin: bytes, limits: Limits) -> RunResult:
        return replace(super().run(stdin, limits), cpu_time_ms=SLOWEST_MS)


class TimedSandbox(FakeSandbox):
    @contextmanager
    def box(self) -> Iterator[FakeBox]:
        with super().box() as box:
            yield TimedBox(box.directory, box.answers)


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in files.items():
            archive.writestr(f"echo/{path}", content)
    return buffer.getvalue()


def imported(http: Any, admin: dict[str, str], files: dict[str, bytes] = FILES) -> dict[str, Any]:
    headers = {**admin, "Content-Type": "application/zip"}
    response = http.request("POST", "/admin/problems/import", headers=headers, body=zipped(files))
    assert response.status_code == 201, response.body[:500]
    return dict(response.json_body)


def verify_queued(core: Core, tmp_path: Path) -> VerificationWorker:
    worker = VerificationWorker(
        core, TimedSandbox(tmp_path, ANSWERS), ["python"], "host-verify0", threading.Event()
    )
    worker.run(once=True)
    return worker


def time_limit(core: Core, problem_id: int) -> int:
    with core.db.transaction() as cur:
        cur.execute("SELECT time_limit_ms FROM problems WHERE id = %s", (problem_id,))
        return int(cur.fetchone()["time_limit_ms"])  # type: ignore[index]


def test_the_import_queues_the_submissions_and_the_host_reports_expected_vs_got(
    core: Core, http: Any, call: Caller, admin: dict[str, str], tmp_path: Path
) -> None:
    problem = imported(http, admin)
    url = f"/admin/problems/{problem['id']}/verification"
    assert problem["verification"] == {"status": "queued", "url": url, "files": 5}
    assert problem["time_limit_ms"] == 1000  # until the host derives it
    assert core.redis.xlen(keys.VERIFICATION_QUEUE) == 1
    assert 0 < core.redis.ttl(keys.verification(problem["id"])) <= 7 * 24 * 3600
    queued = call("GET", url, None, admin).json_body
    assert (queued["status"], queued["counts"]["judged"]) == ("queued", 0)
    assert {f["got"] for f in queued["files"]} == {None}

    assert verify_queued(core, tmp_path).verified == 1
    report = call("GET", url, None, admin).json_body
    files = {f["path"].removeprefix("submissions/"): f for f in report["files"]}
    got = {path: (f["expected"], f["got"], f["as_expected"]) for path, f in files.items()}
    assert got == {
        "accepted/right.py": (["AC"], "AC", True),
        "accepted/wrong_but_said_right.py": (["AC"], "WA", False),
        "wrong_answer/wrong.py": (["WA"], "WA", True),
        "compile_error/broken.py": (["CE"], "CE", True),
        "accepted/notes.txt": (["AC"], None, None),
    }
    assert files["accepted/right.py"]["time_ms"] == SLOWEST_MS
    assert "not judged" in files["accepted/notes.txt"]["note"]
    assert report["status"] == "done" and report["error"] is None and report["host"] == "host-verify0"
    assert report["counts"] == {"files": 5, "judged": 4, "as_expected": 3, "mismatches": 1, "not_checked": 1}
    assert report["mismatches"] == ["submissions/accepted/wrong_but_said_right.py"]
    assert (report["derived_time_limit_ms"], report["time_limit_ms"]) == (2000, 2000)
    assert time_limit(core, problem["id"]) == 2000
    assert core.redis.xlen(keys.VERIFICATION_QUEUE) == 0


def test_submissions_judged_under_the_placeholder_are_judged_again_under_the_derived_limit(
    core: Core, http: Any, admin: dict[str, str], tmp_path: Path
) -> None:
    problem = imported(http, admin)
    contest = contests.create_contest(
        core, {"title": "Early", "start_at": core.clock().isoformat(), "end_at": "2999-01-01T00:00:00+00:00"}
    )
    contests.attach_problem(core, contest["id"], {"problem_id": problem["id"], "label": "A"})
    ann = users.create_user(core, "ann", "password-ann")
    body = {"problem_id": problem["id"], "language": "python", "source": RIGHT}
    principal = Principal(ann["id"], "ann", Role.CONTESTANT)
    judged, waiting = (submissions.submit(core, principal, contest["id"], body)["id"] for _ in range(2))
    host = JudgeHost(core, FakeSandbox(tmp_path, ANSWERS), "host-a", HostConfig(lease_seconds=5))
    core.queue.ensure_group()
    job = core.queue.claim("host-a-0", block_ms=10, lease_ms=5000)
    assert job is not None and job.submission_id == judged
    host.handle(job, "host-a-0")
    assert [status_of(core, sid) for sid in (judged, waiting)] == [("judged", 1), ("queued", 1)]

    verify_queued(core, tmp_path)
    assert time_limit(core, problem["id"]) == 2000
    assert [status_of(core, sid) for sid in (judged, waiting)] == [("queued", 2), ("queued", 1)]
    host.run(workers=1, once=True)
    assert [status_of(core, sid) for sid in (judged, waiting)] == [("judged", 2), ("judged", 1)]


def status_of(core: Core, submission_id: int) -> tuple[str, int]:
    with core.db.transaction() as cur:
        cur.execute("SELECT status, judgement FROM submissions WHERE id = %s", (submission_id,))
        row = cur.fetchone()
    assert row is not None
    return str(row["status"]), int(row["judgement"])


def test_a_limit_changed_since_the_import_is_kept_and_one_in_the_package_is_not_derived(
    core: Core, http: Any, call: Caller, admin: dict[str, str], tmp_path: Path
) -> None:
    changed = imported(http, admin)
    call("PATCH", f"/admin/problems/{changed['id']}", {"time_limit_ms": 3000}, admin)
    given = imported(http, admin, {**FILES, ".timelimit": b"1.5\n"})
    verify_queued(core, tmp_path)
    for problem, limit in ((changed, 3000), (given, 1500)):
        report = call("GET", f"/admin/problems/{problem['id']}/verification", None, admin).json_body
        assert (report["status"], report["counts"]["as_expected"]) == ("done", 3)
        assert (report["derived_time_limit_ms"], report["time_limit_ms"]) == (None, limit)
        assert time_limit(core, problem["id"]) == limit


def test_a_validator_that_does_not_compile_ends_the_report_with_an_error(
    core: Core, http: Any, call: Caller, admin: dict[str, str], tmp_path: Path
) -> None:
    files = {**FILES, "problem.yaml": b"name: Echo\nvalidation: custom\n"}
    problem = imported(http, admin, {**files, "output_validators/check/validate.py": BROKEN.encode()})
    verify_queued(core, tmp_path)
    report = call("GET", f"/admin/problems/{problem['id']}/verification", None, admin).json_body
    assert report["status"] == "done" and "compile" in report["error"], report
    assert report["counts"]["judged"] == 0 and time_limit(core, problem["id"]) == 1000


def test_queueing_again_and_bad_requests(
    core: Core, http: Any, call: Caller, admin: dict[str, str], tmp_path: Path
) -> None:
    problem = imported(http, admin)
    url = f"/admin/problems/{problem['id']}/verification"
    verify = f"/admin/problems/{problem['id']}/verify"
    error_of(call("POST", verify, None, admin), 409, "verification_pending")  # still queued
    verify_queued(core, tmp_path)
    again = call("POST", verify, None, admin)
    assert again.status_code == 202 and again.json_body == {"status": "queued", "url": url, "files": 5}
    assert call("GET", url, None, admin).json_body["counts"]["judged"] == 0

    error_of(call("GET", "/admin/problems/999999/verification", None, admin), 404, "problem_not_found")
    error_of(call("POST", "/admin/problems/999999/verify", None, admin), 404, "problem_not_found")
    error_of(call("GET", "/admin/problems/x1/verification", None, admin), 400)
    made = call("POST", "/admin/problems", _A_PROBLEM, admin).json_body
    error_of(
        call("GET", f"/admin/problems/{made['id']}/verification", None, admin), 404, "verification_not_found"
    )
    for role in (Role.CONTESTANT, Role.JURY):
        other = login(core, f"verify-{role.value}", role)
        error_of(call("GET", url, None, other), 403)
        error_of(call("POST", verify, None, other), 403)
    assert core.redis.xlen(keys.VERIFICATION_QUEUE) == 1  # the refused requests queued nothing


def test_a_verification_a_dead_host_held_is_taken_over_after_its_lease(
    core: Core, http: Any, call: Caller, admin: dict[str, str], tmp_path: Path
) -> None:
    problem = imported(http, admin)
    dead = VerificationQueue(core.redis)
    dead.ensure_group()
    held = dead.claim("dead-host-verify0", block_ms=None, lease_ms=60_000)
    assert held is not None and held.id == str(problem["id"])
    stale = verifications.load(core, problem["id"]) or {}
    first = {**stale["files"][0], "got": "JE", "as_expected": False}  # what the dead host had written
    verifications.save(core, {**stale, "status": "running", "files": [first, *stale["files"][1:]]})
    url = f"/admin/problems/{problem['id']}/verification"
    assert verify_queued(core, tmp_path).verified == 0  # still under its lease: left alone
    assert call("GET", url, None, admin).json_body["files"][0]["got"] == "JE"
    time.sleep(0.05)
    seen: list[dict[str, Any]] = []  # the report as the new host starts judging

    class Peeking(TimedSandbox):
        @contextmanager
        def box(self) -> Iterator[FakeBox]:
            seen.append(verifications.load(core, problem["id"]) or {})
            with super().box() as box:
                yield box

    worker = VerificationWorker(
        core, Peeking(tmp_path, ANSWERS), ["python"], "host-verify1", threading.Event(), lease_ms=20
    )
    worker.run(once=True)
    assert {f["got"] for f in seen[0]["files"]} == {None}  # the dead host's results are gone
    report = call("GET", url, None, admin).json_body
    assert (worker.verified, report["status"], report["host"]) == (1, "done", "host-verify1")
    assert "JE" not in {f["got"] for f in report["files"]} and report["counts"]["as_expected"] == 3
    assert core.redis.xlen(keys.VERIFICATION_QUEUE) == 0


def test_a_host_verifying_is_busy_and_a_host_not_claiming_verifies_nothing(
    core: Core, http: Any, call: Caller, admin: dict[str, str], tmp_path: Path
) -> None:
    """Scale-in protection counts a verification as work (JudgeHost.busy); a host in standby or
    a warm pool (`claiming` cleared) leaves the stream alone, as it leaves the judging queue."""
    problem = imported(http, admin)
    release, judging = threading.Event(), threading.Event()

    class Held(TimedSandbox):
        @contextmanager
        def box(self) -> Iterator[FakeBox]:
            judging.set()
            release.wait(10)
            with super().box() as box:
                yield box

    host = JudgeHost(core, Held(tmp_path, ANSWERS), "host-a", languages=["python"], verification_workers=1)
    host.claiming.clear()
    running = threading.Thread(target=host.run, args=(0,))
    running.start()
    try:
        assert not judging.wait(1.5) and not host.busy
        host.busy_changed.clear()
        host.claiming.set()
        assert judging.wait(5) and host.busy and host.busy_changed.is_set()
        host.busy_changed.clear()
        release.set()
        wait_for(lambda: not host.busy)
        assert host.busy_changed.is_set()
    finally:
        release.set()
        host.stop()
        running.join(10)
    url = f"/admin/problems/{problem['id']}/verification"
    assert call("GET", url, None, admin).json_body["status"] == "done"


def test_the_cli_prints_the_report(
    core: Core, settings: Settings, http: Any, admin: dict[str, str], tmp_path: Path
) -> None:
    problem = imported(http, admin)
    verify_queued(core, tmp_path)
    shown = codearena(settings, "verification", str(problem["id"]))
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == f"problem {problem['id']}: verification done on host-verify0"
    assert "DIFFERS  submissions/accepted/wrong_but_said_right.py: expected AC, got WA (300 ms)" in lines
    assert "ok       submissions/accepted/right.py: expected AC, got AC (300 ms)" in lines
    assert lines[-2:] == [
        "3 of 4 judged submissions got their expected verdict; 1 not judged",
        "time limit derived from the accepted submissions: 2000 ms",
    ]
    as_json = json.loads(codearena(settings, "verification", str(problem["id"]), "--json").stdout)
    assert as_json["counts"]["mismatches"] == 1
    unknown = codearena(settings, "verification", "999999")
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert unknown.stderr.startswith("codearena: no problem 999999")


def codearena(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "codearena_cli", "problem", *args]
    return subprocess.run(command, env=service_env(settings), capture_output=True, text=True, timeout=60)


_A_PROBLEM = {
    "title": "Made from JSON",
    "time_limit_ms": 1000,
    "memory_limit_kb": 65536,
    "tests": [{"input": "1\n", "answer": "1\n"}],
}


@pytest.fixture(autouse=True)
def _fresh_stream(core: Core) -> None:
    core.redis.delete(keys.VERIFICATION_QUEUE)
