"""What the fault tests share: their processes, a contest, intake over HTTP that remembers
every answer, and failure messages saying what PostgreSQL and Redis hold."""

from __future__ import annotations

import errno
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from codearena import contests, keys
from codearena.auth import hash_password
from codearena.config import Settings
from codearena.core import Core
from codearena.models import Role
from tests.e2e.common import SUM, TLS, contestant_headers
from tests.e2e.conftest import Process, spawn, start_gateway

SLOW_SUM = "import time\ntime.sleep(0.4)\n" + SUM  # still judging when the fault comes
FILL_TMP = "with open('/tmp/fill', 'wb') as out:\n    while True:\n        out.write(b'x' * (1 << 20))\n"
FILL_TMP_THEN_SUM = (
    "try:\n    with open('/tmp/fill', 'wb') as out:\n        while True:\n"
    "            out.write(b'x' * (1 << 20))\nexcept OSError:\n    pass\n" + SUM
)
FLOOD_STDOUT = "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n"
# AC and WA are AWK (~10 ms of CPU in the box, Python ~45): these tests check how faults are
# handled, not a language. The programs whose behaviour is the point stay Python.
LANGUAGES = {"AC": "awk", "WA": "awk"}  # every other kind: python
SOURCES = {
    "AC": "{ print $1 + $2 }\n",
    "WA": "{ print $1 - $2 }\n",
    "SLOW": SLOW_SUM,
    "FILL_TMP": FILL_TMP,  # its /tmp (a size-capped tmpfs) fills: it crashes
    "FILL_TMP_THEN_SUM": FILL_TMP_THEN_SUM,  # fills /tmp, survives, answers
    "FLOOD_STDOUT": FLOOD_STDOUT,  # output until the output limit
    "ECHO": "print(input())\n",
}
VERDICTS = {"AC": "AC", "WA": "WA", "SLOW": "AC"}
TESTS = [
    {"input": "1 2\n", "answer": "3\n"},
    {"input": "5 7\n", "answer": "12\n"},
    {"input": "-4 10\n", "answer": "6\n"},
]
LEASE_SECONDS = 3


def language_of(kind: str) -> str:
    return LANGUAGES.get(kind, "python")


@contextmanager
def gateway_process(settings: Settings, name: str) -> Iterator[tuple[str, Process]]:
    """The local gateway; it must still be the same live process at the end."""
    base, process = start_gateway(settings, name)
    try:
        yield base, process
        assert process.popen.poll() is None, f"the gateway died:\n{process.output()[-3000:]}"
    finally:
        process.stop()


@contextmanager
def judge_process(
    settings: Settings, instance: int, sweep_seconds: float = 2.0, lease_seconds: int = LEASE_SECONDS
) -> Iterator[Process]:
    """A judge host with short leases; it must survive the test and then stop cleanly."""
    args = ["judge", "--boxes", "2", "--instance", str(instance), "--lease-seconds", str(lease_seconds)]
    process = spawn(f"faults-judge-{instance}", [*args, "--sweep-seconds", str(sweep_seconds)], settings)
    try:
        yield process
        assert process.popen.poll() is None, f"the judge host died:\n{process.output()[-3000:]}"
    finally:
        code = process.stop()
    assert code == 0, process.output()[-3000:]


def wait_for_host(core: Core, process: Process, timeout: float = 30) -> str:
    """The name of the first judge host that beats after now (the one just started)."""
    since = time.time()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        beating = core.redis.zrangebyscore(keys.JUDGE_HOSTS, since, "+inf")
        if beating:
            return str(beating[0])
        if process.popen.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError("the judge host never beat:\n" + process.output()[-3000:])


class SmallDisk:
    """A tmpfs of `size_bytes` mounted over `path` (the test runs as root, as the sandbox
    needs): a full disk for the judge host's own files that harms nothing else."""

    def __init__(self, path: Path, size_bytes: int) -> None:
        self.path = path
        self._filler: BinaryIO | None = None
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_bytes},mode=0700", "tmpfs", str(path)], check=True
        )

    def resize(self, size_bytes: int) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size_bytes}", str(self.path)], check=True)

    def fill(self) -> None:
        """Write a file until the disk is full, and keep it open: the judge host empties its
        directories between judgings, and an unlinked file still holds its space while open
        (as a deleted log file a process still writes does)."""
        self._filler = open(self.path / "filler", "ab", buffering=0)
        try:
            while True:
                self._filler.write(b"x" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc

    def empty(self) -> None:
        if self._filler is not None:
            self._filler.close()
            self._filler = None
        (self.path / "filler").unlink(missing_ok=True)

    def unmount(self) -> None:
        self.empty()
        subprocess.run(["umount", "--lazy", str(self.path)], check=False, capture_output=True)


@contextmanager
def small_disks(paths: list[Path], size_bytes: int) -> Iterator[list[SmallDisk]]:
    disks: list[SmallDisk] = []
    try:
        for path in paths:
            disks.append(SmallDisk(path, size_bytes))
        yield disks
    finally:
        for disk in disks:
            disk.unmount()


@dataclass
class Arena:
    """A running contest with one problem (A+B) and contestants holding tokens."""

    core: Core
    base: str
    cid: int
    problem_id: int
    heads: list[dict[str, str]]
    answers: list[tuple[str, int, str]] = field(default_factory=list)  # (phase, status, body head)
    accepted: dict[int, str] = field(default_factory=dict)  # submission id → kind

    def submit(self, phase: str, user: int, kind: str, problem_id: int | None = None) -> httpx.Response:
        body = {
            "problem_id": problem_id or self.problem_id,
            "language": language_of(kind),
            "source": SOURCES[kind],
        }
        with httpx.Client(base_url=self.base, timeout=30, verify=TLS) as client:
            response = client.post(f"/contests/{self.cid}/submissions", headers=self.heads[user], json=body)
        self.answers.append((phase, response.status_code, response.text[:200]))
        if response.status_code == 202:
            self.accepted[int(response.json()["id"])] = kind
        return response

    def submit_all(self, phase: str, kinds: list[str]) -> None:
        """Submit each kind (one user after another) and require every answer to be 202."""
        for n, kind in enumerate(kinds):
            response = self.submit(phase, n % len(self.heads), kind)
            assert response.status_code == 202, self.report(f"{phase}: intake refused {kind}")

    def report(self, what: str) -> str:
        """`what`, then what intake answered and what PostgreSQL and Redis hold."""
        answers: dict[str, dict[int, int]] = {}
        for phase, status, _ in self.answers:
            answers.setdefault(phase, {}).setdefault(status, 0)
            answers[phase][status] += 1
        refused = [a for a in self.answers if a[1] != 202][:4]
        return (
            f"{what}\nintake answered {answers}, e.g. {refused}\n"
            f"PostgreSQL holds {self.postgres_state()}\nRedis holds {self.redis_state()}"
        )

    def postgres_state(self) -> Any:
        try:
            with self.core.db.transaction() as cur:
                cur.execute(
                    "SELECT s.status, r.verdict, count(*) AS n, max(s.deliveries) AS deliveries,"
                    " max(s.last_error) AS last_error FROM submissions s LEFT JOIN submission_results r"
                    " ON r.submission_id = s.id AND r.is_current GROUP BY 1, 2 ORDER BY 1, 2"
                )
                return [dict(row) for row in cur.fetchall()]
        except Exception as exc:  # it may be the one that is down
            return repr(exc)

    def redis_state(self) -> Any:
        try:
            redis = self.core.redis
            hosts = {
                name: redis.hgetall(keys.judge_host(name)) for name in redis.zrange(keys.JUDGE_HOSTS, 0, -1)
            }
            return {
                "stream": redis.xlen(keys.QUEUE),
                "groups": redis.xinfo_groups(keys.QUEUE),
                "hosts": hosts,
            }
        except Exception as exc:
            return repr(exc)

    def wait_judged(self, timeout: float, processes: list[Process]) -> None:
        """Until every accepted submission is judged (else a failure saying why)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._unjudged() == []:
                return
            time.sleep(0.3)
        logs = "\n".join(f"--- {p.name}:\n{p.output()[-2500:]}" for p in processes)
        raise AssertionError(self.report(f"unjudged after {timeout} s: {self._unjudged()}") + "\n" + logs)

    def _unjudged(self) -> list[int] | str:
        try:
            with self.core.db.transaction() as cur:
                cur.execute(
                    "SELECT id FROM submissions WHERE id = ANY(%s) AND status <> 'judged'",
                    (list(self.accepted),),
                )
                return [row["id"] for row in cur.fetchall()]
        except Exception as exc:
            return repr(exc)

    def check_one_result_each(self) -> None:
        """Exactly the accepted submissions are stored, each with one result: its kind's verdict."""
        with self.core.db.transaction() as cur:
            cur.execute(
                "SELECT s.id, count(r.id) AS results, count(r.id) FILTER (WHERE r.is_current) AS current,"
                " min(r.verdict) AS verdict FROM submissions s LEFT JOIN submission_results r"
                " ON r.submission_id = s.id WHERE s.contest_id = %s GROUP BY s.id",
                (self.cid,),
            )
            rows = {row["id"]: row for row in cur.fetchall()}
        assert sorted(rows) == sorted(self.accepted), self.report(
            "stored submissions differ from accepted ones"
        )
        wrong = {
            sid: dict(row)
            for sid, row in rows.items()
            if (row["results"], row["current"], row["verdict"]) != (1, 1, VERDICTS[self.accepted[sid]])
        }
        assert wrong == {}, self.report(f"results other than one of the expected verdict: {wrong}")

    def check_judged_once(self) -> None:
        """No judging was thrown away: each accepted submission was started once."""
        with self.core.db.transaction() as cur:
            cur.execute(
                "SELECT id, deliveries FROM submissions WHERE id = ANY(%s) AND deliveries <> 1",
                (list(self.accepted),),
            )
            again = {row["id"]: row["deliveries"] for row in cur.fetchall()}
        assert again == {}, self.report(f"judged more than once (id: judgings started): {again}")


def open_arena(core: Core, base: str, contestants: int = 4) -> Arena:
    now = core.clock()
    contest = contests.create_contest(
        core,
        {
            "title": "Fault Cup",
            "start_at": (now - timedelta(minutes=30)).isoformat(),
            "end_at": (now + timedelta(hours=3)).isoformat(),
        },
    )
    problem = contests.create_problem(
        core, {"title": "A+B", "time_limit_ms": 2000, "memory_limit_kb": 131072, "tests": TESTS}
    )
    contests.attach_problem(core, contest["id"], {"problem_id": problem["id"], "label": "A"})
    return Arena(core, base, contest["id"], problem["id"], contestant_tokens(core, contestants))


def contestant_tokens(core: Core, count: int) -> list[dict[str, str]]:
    return contestant_headers(core, [f"faulty{n:02d}" for n in range(count)], "fault-password")


def admin_token(core: Core) -> dict[str, str]:
    with core.db.transaction() as cur:
        cur.execute(
            "INSERT INTO users (username, password_hash, role)"
            " VALUES ('fault-admin', %s, 'admin') RETURNING id",
            (hash_password("fault-admin-password"),),
        )
        uid = cur.fetchone()["id"]
    return {"Authorization": "Bearer " + core.tokens.issue(uid, "fault-admin", Role.ADMIN)[0]}
