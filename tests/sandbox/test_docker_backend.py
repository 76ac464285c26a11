"""The docker backend passes the namespace backend's verdict tests for python and c, and its
image runs every language's self-test.

The session starts the private dockerd when none answers (and stops it at the end), builds
the judge image when it is missing, and checks isolation before any hostile program runs.
Without docker these tests fail, never skip: CI installs docker.io and starts the daemon.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest

from sandbox import LANGUAGES as ALL_LANGUAGES
from sandbox import Limits, RunResult, Status, check_output, start_backend, validate
from sandbox import cli as sandbox_cli
from sandbox.cgroups import CGROUP_ROOT
from sandbox.cli import run_cli
from sandbox.docker import daemon as docker_daemon
from sandbox.docker.backend import DockerSandbox
from sandbox.docker.box import LABEL, DockerBox
from sandbox.docker.images import ensure_image
from sandbox.host import mounts_under
from tests import slots
from tests.sandbox.conftest import peak_rss_kb, reset_peak_rss_kb

ROOT = slots.root("docker")  # not under the namespace suite's root
NAME = slots.cgroup_name("docker")
UID_BASE = slots.uid_base("docker")
BOXES = 2
LIMITS = Limits(time_limit_ms=1000, memory_limit_kb=256 * 1024, output_limit_kb=1024)
FAST = Limits(time_limit_ms=500, memory_limit_kb=256 * 1024, output_limit_kb=1024)
CPU_BOUND = Limits(time_limit_ms=500, memory_limit_kb=256 * 1024, wall_time_limit_ms=10_000)
SMALL_MEMORY = Limits(time_limit_ms=2000, memory_limit_kb=64 * 1024, output_limit_kb=1024)
LANGUAGES = ("python", "c")

PROGRAMS: dict[str, dict[str, str]] = {
    "sum": {
        "python": "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n",
        "c": '#include <stdio.h>\nint main(void) { long a, s = 0; while (scanf("%ld", &a) == 1) s += a;'
        ' printf("%ld\\n", s); return 0; }\n',
    },
    "loop": {
        "python": "while True:\n    pass\n",
        "c": "int main(void) { volatile unsigned n = 0; for (;;) n++; }\n",
    },
    "sleep": {
        "python": "import time\ntime.sleep(1000)\n",
        "c": "#include <unistd.h>\nint main(void) { sleep(1000); return 0; }\n",
    },
    "memory_bomb": {
        "python": "chunks = []\nwhile True:\n    chunks.append(b'x' * (1 << 20))\n",
        "c": "#include <stdlib.h>\n#include <string.h>\nint main(void) { for (;;) {"
        " char *p = malloc(1 << 20); if (!p) return 3; memset(p, 1, 1 << 20); } }\n",
    },
    "crash": {
        "python": "raise ValueError('boom')\n",
        "c": '#include <stdio.h>\nint main(void) { fputs("boom\\n", stderr); int *p = 0; return *p; }\n',
    },
    "flood": {
        "python": "import sys\nwhile True:\n    sys.stdout.write('x' * 4096)\n",
        "c": '#include <stdio.h>\nint main(void) { for (;;) fputs("spam\\n", stdout); }\n',
    },
    "broken": {
        "python": "def broken(:\n    pass\n",
        "c": "int main(void) { return undefined_name; }\n",
    },
    "network": {
        "python": """import socket
for host, port, kind in [("127.0.0.1", 6379, socket.SOCK_STREAM), ("127.0.0.1", 5432, socket.SOCK_STREAM),
                         ("8.8.8.8", 53, socket.SOCK_STREAM), ("8.8.8.8", 53, socket.SOCK_DGRAM)]:
    s = socket.socket(socket.AF_INET, kind)
    s.settimeout(2)
    try:
        s.connect((host, port))
        s.send(b"x")
        print("REACHED", host, port)
    except OSError as exc:
        print("blocked", host, port, exc.errno)
""",
        "c": """#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void) {
    const char *hosts[] = {"127.0.0.1", "127.0.0.1", "8.8.8.8"};
    int ports[] = {6379, 5432, 53};
    for (int i = 0; i < 3; i++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(ports[i])};
        inet_pton(AF_INET, hosts[i], &a.sin_addr);
        if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) printf("REACHED %s %d\\n", hosts[i], ports[i]);
        else printf("blocked %s %d\\n", hosts[i], ports[i]);
        close(s);
    }
    return 0;
}
""",
    },
}

PROBE = r"""
import json, os
status = dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines()
              if ":\t" in line)
def attempt(action):
    try:
        action()
        return "allowed"
    except OSError as exc:
        return exc.errno
print(json.dumps({
    "uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "pid": os.getpid(),
    "cap_eff": status["CapEff"].strip(), "cap_bnd": status["CapBnd"].strip(),
    "no_new_privs": status["NoNewPrivs"].strip(), "seccomp": status["Seccomp"].strip(),
    "env": dict(os.environ), "interfaces": sorted(os.listdir("/sys/class/net")),
    "shadow": attempt(lambda: open("/etc/shadow").read()),
    "write_root": attempt(lambda: open("/note", "w")),
    "write_usr": attempt(lambda: open("/usr/note", "w")),
}))
"""


# --- the session: daemon, image, sandbox --------------------------------------------------
@pytest.fixture(scope="session")
def docker_host() -> Iterator[str]:
    """A running daemon: $DOCKER_HOST, else the private one (daemon.shared: started here if it is
    down, stopped at the end by the last of the sessions using it)."""
    host = os.environ.get("DOCKER_HOST")
    if host:
        _require(docker_daemon.is_up(host), f"no docker daemon answers at DOCKER_HOST={host}")
        yield host
        return
    with contextlib.ExitStack() as stack:
        try:
            use = stack.enter_context(docker_daemon.shared())
        except (OSError, RuntimeError) as exc:
            pytest.fail(f"cannot start dockerd (install docker.io; CI must provide it): {exc}")
        yield docker_daemon.DEFAULT_PATHS.host
    if use.stopped:
        assert not docker_daemon.is_up(docker_daemon.DEFAULT_PATHS.host)
        assert mounts_under(docker_daemon.DEFAULT_PATHS.run_dir) == [], "dockerd left mounts"


@pytest.fixture(scope="session")
def docker_sandbox(docker_host: str) -> Iterator[DockerSandbox]:
    client = docker.DockerClient(base_url=docker_host)
    try:
        ensure_image(client)  # a no-op after `make images`; else debootstrap (about 15 minutes)
    finally:
        client.close()
    started = DockerSandbox.start(BOXES, ROOT, name=NAME, uid_base=UID_BASE, docker_host=docker_host)
    try:
        _assert_isolated(started)
    except BaseException as exc:
        started.close()
        pytest.exit(f"the docker sandbox is not isolated; refusing hostile programs: {exc!r}", returncode=3)
    yield started
    started.close()
    _assert_nothing_left(started)


def test_the_image_carries_every_language(docker_sandbox: DockerSandbox) -> None:
    """The judge image holds every toolchain the namespace backend has, and each works there."""
    assert docker_sandbox.available_languages() == list(ALL_LANGUAGES)
    assert docker_sandbox.self_test() == dict.fromkeys(ALL_LANGUAGES)


@pytest.fixture
def docker_box(docker_sandbox: DockerSandbox) -> Iterator[DockerBox]:
    with docker_sandbox.box() as taken:
        yield taken
    assert _containers(docker_sandbox) == []
    assert list(taken.spec.scratch.iterdir()) == [] and list(taken.spec.io.iterdir()) == []
    assert _processes_of(range(UID_BASE, UID_BASE + BOXES)) == []


def _require(condition: bool, message: str) -> None:
    if not condition:
        pytest.fail(message)


def _assert_isolated(sandbox: DockerSandbox) -> None:
    assert not sandbox.degraded, "no cgroup CPU accounting for the docker boxes"
    assert {"python", "c"} <= set(sandbox.available_languages())
    with sandbox.box() as box:
        seen = json.loads(_run(box, "python", PROBE).stdout)
    assert seen["uid"] in range(UID_BASE, UID_BASE + BOXES) and seen["gid"] == seen["uid"], seen
    assert seen["groups"] == [seen["gid"]] or seen["groups"] == [], seen
    assert seen["pid"] < 10, seen  # its own pid namespace, under docker-init
    assert int(seen["cap_eff"], 16) == 0 and int(seen["cap_bnd"], 16) == 0, seen
    assert (seen["no_new_privs"], seen["seccomp"]) == ("1", "2"), seen
    assert seen["interfaces"] == ["lo"], seen  # --network none
    assert seen["shadow"] == 13 and seen["write_root"] == 30 and seen["write_usr"] == 30, seen
    assert set(seen["env"]) <= {"PATH", "HOME", "LANG", "HOSTNAME", "PWD"}, seen["env"]


def _assert_nothing_left(sandbox: DockerSandbox) -> None:
    assert not list(ROOT.glob("box*")) and _containers(sandbox) == []
    assert sandbox.layout is not None and not any(base.exists() for base in sandbox.layout.bases)
    assert not list(CGROUP_ROOT.glob(f"*/{sandbox.cgroup_name}")), "cgroups left in other controllers"
    assert not [line for line in Path("/proc/self/mounts").read_text().splitlines() if str(ROOT) in line]


def _containers(sandbox: DockerSandbox) -> list[str]:
    found = sandbox.client.containers.list(all=True, filters={"label": LABEL})
    return [c.name for c in found if c.labels[LABEL].startswith(f"{NAME}/")]


def _processes_of(uids: range) -> list[int]:
    found = []
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{name}/status").read_text()
        except OSError:
            continue
        uid = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("Uid:"))
        if uid in uids:
            found.append(int(name))
    return found


def _run(
    box: DockerBox, language: str, source: str, limits: Limits = LIMITS, stdin: bytes = b""
) -> RunResult:
    compiled = box.compile(language, source)
    assert compiled.ok, compiled.output
    return box.run(stdin, limits)


# --- the same verdicts as the namespace backend ------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_ok_compiles_once_runs_many(docker_box: DockerBox, language: str, tmp_path: Path) -> None:
    compiled = docker_box.compile(language, PROGRAMS["sum"][language])
    assert compiled.ok, compiled.output
    for numbers, total in ((b"1 2 3\n", b"6\n"), (b"40 2\n", b"42\n")):
        result = docker_box.run(numbers, LIMITS)
        assert (result.status, result.stdout, result.exit_code) == (Status.OK, total, 0), result
    data = tmp_path / "input.txt"
    data.write_bytes(b"5 5\n")
    result = docker_box.run(data, LIMITS)
    assert result.stdout == b"10\n" and result.stdout_path.read_bytes() == b"10\n"
    assert 0 < result.memory_kb < 64 * 1024 and result.cpu_time_ms < 1000


@pytest.mark.parametrize("language", LANGUAGES)
def test_wrong_answer_by_checker(docker_box: DockerBox, language: str) -> None:
    result = _run(docker_box, language, PROGRAMS["sum"][language], stdin=b"1 2\n")
    assert result.status is Status.OK
    assert check_output(b"3\n", result.stdout_path) and not check_output(b"4\n", result.stdout_path)
    assert not check_output(b"3.0\n", result.stdout_path, "exact")


@pytest.mark.parametrize("language", LANGUAGES)
def test_infinite_loop_is_tle_by_cpu(docker_box: DockerBox, language: str) -> None:
    result = _run(docker_box, language, PROGRAMS["loop"][language], CPU_BOUND)
    assert result.status is Status.TLE, result
    # Stopped by the CPU watchdog just after 500 ms of CPU, long before the wall limit.
    assert 500 <= result.cpu_time_ms < 1500 and result.wall_time_ms < 5000, result


@pytest.mark.parametrize("language", LANGUAGES)
def test_sleeping_forever_is_tle_by_wall_clock(docker_box: DockerBox, language: str) -> None:
    result = _run(docker_box, language, PROGRAMS["sleep"][language], FAST)
    assert result.status is Status.TLE, result
    assert result.cpu_time_ms < 200 and 2000 <= result.wall_time_ms < 3500, result


@pytest.mark.parametrize("language", LANGUAGES)
def test_memory_bomb_is_mle(docker_box: DockerBox, language: str) -> None:
    result = _run(docker_box, language, PROGRAMS["memory_bomb"][language], SMALL_MEMORY)
    assert result.status is Status.MLE, result
    assert result.memory_kb >= 32 * 1024


def test_memory_below_the_limit_is_ok(docker_box: DockerBox) -> None:
    result = _run(docker_box, "python", "data = b'x' * (24 << 20)\nprint(len(data))\n", SMALL_MEMORY)
    assert result.status is Status.OK, result
    assert 24 * 1024 <= result.memory_kb < 64 * 1024


@pytest.mark.parametrize("language", LANGUAGES)
def test_crash_is_rte_with_stderr(docker_box: DockerBox, language: str) -> None:
    result = _run(docker_box, language, PROGRAMS["crash"][language])
    assert result.status is Status.RTE, result
    assert b"boom" in result.stderr
    assert (result.exit_code, result.signal) == ((1, None) if language == "python" else (None, 11))


def test_exit_137_by_itself_is_rte_not_mle(docker_box: DockerBox) -> None:
    assert _run(docker_box, "python", "raise SystemExit(137)\n").status is Status.RTE


def test_killed_by_its_own_sigkill_is_rte(docker_box: DockerBox) -> None:
    result = _run(docker_box, "python", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    assert (result.status, result.signal) == (Status.RTE, 9)


@pytest.mark.parametrize("language", LANGUAGES)
def test_stdout_flood_is_ole(docker_box: DockerBox, language: str) -> None:
    result = _run(docker_box, language, PROGRAMS["flood"][language], FAST)
    assert result.status is Status.OLE, result
    assert result.stdout_path.stat().st_size == FAST.output_limit_kb * 1024
    assert len(result.stdout) == 64 * 1024  # the report keeps only the head


@pytest.mark.parametrize("language", LANGUAGES)
def test_compile_error_is_reported(docker_box: DockerBox, language: str) -> None:
    result = docker_box.compile(language, PROGRAMS["broken"][language])
    assert not result.ok
    assert ("SyntaxError" if language == "python" else "undefined_name") in result.output
    with pytest.raises(RuntimeError):
        docker_box.run(None, LIMITS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_network_is_blocked(docker_box: DockerBox, language: str) -> None:
    result = _run(docker_box, language, PROGRAMS["network"][language])
    assert result.status is Status.OK, result
    lines = result.stdout.decode().splitlines()
    assert len(lines) >= 3 and all(line.startswith("blocked") for line in lines), lines


def test_fork_bomb_is_contained(docker_box: DockerBox) -> None:
    source = """import os, time
children = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(100)
        children += 1
except OSError as exc:
    print("contained after", children, exc.errno, flush=True)
    os._exit(0)
"""
    result = _run(docker_box, "python", source, CPU_BOUND)
    assert result.status is Status.OK and result.stdout.startswith(b"contained after"), result
    assert int(result.stdout.split()[2]) <= CPU_BOUND.processes


def test_box_is_read_only_and_tmp_is_fresh_per_run(docker_box: DockerBox) -> None:
    source = """import os
for path in ("/box/note", "/usr/note", "/etc/note", "/note", "/io/note"):
    try:
        open(path, "w").close()
        print(path, "written")
    except OSError as exc:
        print(path, exc.errno)
print("seen before:", os.path.exists("/tmp/note"))
open("/tmp/note", "w").write("x")
"""
    first = _run(docker_box, "python", source).stdout.decode()
    assert "written" not in first and "seen before: False" in first, first
    assert "seen before: False" in docker_box.run(None, LIMITS).stdout.decode()


def test_custom_validator_runs_in_a_docker_box(docker_sandbox: DockerSandbox) -> None:
    validator = """import sys
answer = open(sys.argv[2]).read().split()
team = sys.stdin.read().split()
open(sys.argv[3] + "judgemessage.txt", "w").write(f"expected {answer} got {team}")
sys.exit(42 if team == answer else 43)
"""
    with docker_sandbox.box() as box, docker_sandbox.box() as checker:
        assert checker.compile("python", validator).ok
        result = _run(box, "python", PROGRAMS["sum"]["python"], stdin=b"2 2\n")
        accepted = validate(checker, b"2 2\n", b"4\n", result.stdout_path)  # type: ignore[arg-type]
        rejected = validate(checker, b"2 2\n", b"5\n", result.stdout_path)  # type: ignore[arg-type]
    assert accepted.accepted and not rejected.accepted
    assert "got ['4']" in rejected.feedback


def test_validator_gets_a_huge_team_output_without_the_judge_reading_it(
    docker_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    """A validator's stdin is a contestant's output (up to 64 MiB): the judge must hand it
    over without holding it (it once read the whole file to copy it)."""
    validator = "import sys\nsys.exit(42 if sys.stdin.buffer.read(3) == b'10 ' else 43)\n"
    team_output = tmp_path / "team_output"
    with team_output.open("wb") as file:
        for _ in range(20):  # 60 MiB, written 3 MiB at a time
            file.write(b"10 " * (1 << 20))
    with docker_sandbox.box() as checker:
        assert checker.compile("python", validator).ok
        before_kb = reset_peak_rss_kb()
        validation = validate(checker, b"", b"10\n", team_output)  # type: ignore[arg-type]
        grown_kb = peak_rss_kb() - before_kb
    assert validation.accepted
    assert grown_kb < 16 * 1024, f"validating grew the judge by {grown_kb} KiB"


# --- wiring: start_backend(...), the CLI, the daemon's footprint -----------------
def test_cli_runs_the_docker_backend(
    docker_host: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    monkeypatch.setattr(sandbox_cli, "CLI_NAME", slots.cgroup_name("docker-cli"))  # containers, cgroups
    (tmp_path / "main.c").write_text(PROGRAMS["sum"]["c"])
    (tmp_path / "in").write_text("1 2 3\n")
    (tmp_path / "ans").write_text("6\n")
    report = _cli(capsys, "--language", "c", "--expected", str(tmp_path / "ans"), "--repeat", "2", tmp_path)
    assert (report["status"], report["verdict"], report["stdout"]) == ("OK", "AC", "6\n"), report
    assert report["wall_time_ms_median"] >= 0


def _cli(capsys: pytest.CaptureFixture[str], *extra: Any) -> dict[str, Any]:
    *flags, directory = extra
    argv = [
        "--backend",
        "docker",
        "--root-dir",
        str(slots.root("docker-cli")),
        "--time-limit-ms",
        "1000",
        "--memory-limit-kb",
        "262144",
        "--input",
        str(directory / "in"),
        *flags,
        str(directory / "main.c"),
    ]
    assert run_cli(argv) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="backend"):
        start_backend("podman")


def test_daemon_leaves_host_networking_alone(docker_host: str) -> None:
    argv = docker_daemon.DEFAULT_PATHS.argv()
    assert {"--iptables=false", "--ip-forward=false", "--bridge=none", "--storage-driver=overlay2"} <= set(
        argv
    )
    assert not Path("/sys/class/net/docker0").exists()
    rules = subprocess.run(["iptables", "-S"], capture_output=True, text=True, check=True).stdout
    assert "DOCKER" not in rules, rules
