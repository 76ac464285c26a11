"""Start, crash, restart, degrade, close: the sandbox leaves nothing behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import LANGUAGES, Limits, Sandbox, SandboxError, Status, init_binary
from tests import slots
from tests.sandbox.conftest import assert_gone, compile_ok

CRASH_ROOT = slots.root("crash")
CRASH_NAME = slots.cgroup_name("crash")
CRASH_UID_BASE = slots.uid_base("crash")
SLEEPER = "import os, time\nprint(os.getuid(), flush=True)\ntime.sleep(100)\n"
QUICK = Limits(time_limit_ms=200, memory_limit_kb=128 * 1024)

CRASHING_SUPERVISOR = f"""
import os, signal, threading, time
from pathlib import Path
from sandbox import Sandbox, Limits
sb = Sandbox.start(boxes=1, root_dir=Path("{CRASH_ROOT}"), name="{CRASH_NAME}",
                   uid_base={CRASH_UID_BASE})
box = sb.box().__enter__()
box.compile("python", "import time\\ntime.sleep(60)\\n")
threading.Thread(target=box.run, args=(None, Limits(30000, 65536)), daemon=True).start()
time.sleep(0.5)
print(os.getpid(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def mounts_under(root: Path) -> list[str]:
    with open("/proc/self/mountinfo") as file:
        return [line.split()[4] for line in file if line.split()[4].startswith(str(root))]


def box_cgroups(name: str) -> list[Path]:
    lines = Path("/proc/self/cgroup").read_text().splitlines()
    own = {line.split(":")[1]: line.split(":")[2] for line in lines}
    found: list[Path] = []
    for controller in ("memory", "pids", "cpuacct"):
        base = Path("/sys/fs/cgroup", controller, own[controller].lstrip("/"), name)
        found += sorted(base.glob("box*")) if base.exists() else []
    return found


@pytest.fixture
def crashed_supervisor() -> None:
    """A supervisor SIGKILLed mid-run, leaving its mounts and cgroups behind."""
    subprocess.run(
        [sys.executable, "-c", CRASHING_SUPERVISOR], check=False, timeout=60, stdout=subprocess.PIPE
    )
    assert mounts_under(CRASH_ROOT) and box_cgroups(CRASH_NAME), "the crash left nothing?"


def test_restart_after_a_crash_cleans_up_and_works(crashed_supervisor: None) -> None:
    sandbox = Sandbox.start(boxes=1, root_dir=CRASH_ROOT, name=CRASH_NAME, uid_base=CRASH_UID_BASE)
    try:
        assert len(mounts_under(CRASH_ROOT)) == 1 and len(box_cgroups(CRASH_NAME)) == 3
        with sandbox.box() as box:
            compile_ok(box, "python", "print('after crash')")
            assert box.run(None, QUICK).stdout == b"after crash\n"
    finally:
        sandbox.close()
    assert mounts_under(CRASH_ROOT) == [] and box_cgroups(CRASH_NAME) == []
    assert not list(CRASH_ROOT.glob("box*"))
    assert_gone(range(CRASH_UID_BASE, CRASH_UID_BASE + 1))


def test_degraded_mode_without_cgroups_still_limits_time() -> None:
    uid_base = slots.uid_base("degraded")
    sandbox = Sandbox.start(
        boxes=1,
        root_dir=slots.root("degraded"),
        name=slots.cgroup_name("degraded"),
        uid_base=uid_base,
        use_cgroups=False,
    )
    try:
        assert sandbox.degraded
        with sandbox.box() as box:
            compile_ok(box, "python", SLEEPER)
            result = box.run(None, QUICK)
        assert result.status is Status.TLE and result.stdout == f"{uid_base}\n".encode()
    finally:
        sandbox.close()
    assert_gone(range(uid_base, uid_base + 1))


def test_available_languages_are_the_installed_ones() -> None:
    assert set(Sandbox.available_languages()) <= set(LANGUAGES)
    if os.access("/usr/bin/gcc", os.X_OK):
        assert "c" in Sandbox.available_languages()


def test_every_language_passes_its_self_test(sandbox: Sandbox) -> None:
    assert sandbox.self_test() == dict.fromkeys(LANGUAGES)  # every toolchain is installed here


def test_unknown_language_is_a_caller_error(sandbox: Sandbox) -> None:
    with sandbox.box() as box, pytest.raises(ValueError, match="unknown language"):
        box.compile("brainfuck", "+")


def test_a_dead_keeper_is_a_sandbox_error_then_replaced(sandbox: Sandbox) -> None:
    with sandbox.box() as box:
        compile_ok(box, "python", "print('x')")
        assert box.spec.cgroup is not None
        keeper = box.spec.cgroup.procs()  # between runs only the keeper is in the cgroup
        assert len(keeper) == 1
        os.kill(keeper.pop(), signal.SIGKILL)
        with pytest.raises(SandboxError):
            box.run(None, QUICK)
    with sandbox.box() as first, sandbox.box() as second:  # both boxes work again
        for box in (first, second):
            compile_ok(box, "python", "print('x')")
            assert box.run(None, QUICK).stdout == b"x\n"


def test_run_before_compile_is_a_caller_error(sandbox: Sandbox) -> None:
    with sandbox.box() as box, pytest.raises(RuntimeError, match="compile"):
        box.run(None, QUICK)


def test_measurements_are_json_friendly(sandbox: Sandbox) -> None:
    with sandbox.box() as box:
        compile_ok(box, "python", "print('x')")
        result = box.run(None, QUICK)
    fields = {
        "status": result.status,
        "cpu_time_ms": result.cpu_time_ms,
        "memory_kb": result.memory_kb,
        "exit_code": result.exit_code,
    }
    assert json.loads(json.dumps(fields)) == {**fields, "status": "OK"}


def test_the_resident_init_is_built_once_per_source_and_compiler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every supervisor's start copies the init from the host-wide cache; gcc runs only for a
    source (or compiler) the cache has not seen, and the cache is root's alone."""
    monkeypatch.setattr(init_binary, "CACHE_DIR", tmp_path / "cache")
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    built = init_binary.build_init(first)
    assert built is not None and (built.stat().st_mode & 0o777) == 0o755
    assert ((tmp_path / "cache").stat().st_mode & 0o777) == 0o700

    compiles: list[object] = []

    def failing_compiler(argv: list[str], **kwargs: object) -> None:
        compiles.append(argv)
        raise subprocess.CalledProcessError(1, argv, stderr=b"no compiler here")

    monkeypatch.setattr(init_binary.subprocess, "run", failing_compiler)
    again = init_binary.build_init(second)
    assert compiles == [] and again is not None and again.read_bytes() == built.read_bytes()
    changed = tmp_path / "changed.c"
    changed.write_bytes(init_binary.SOURCE.read_bytes() + b"\n/* changed */\n")
    monkeypatch.setattr(init_binary, "SOURCE", changed)
    assert init_binary.build_init(second) is None and len(compiles) == 1  # a new source: gcc
    assert len(list((tmp_path / "cache").iterdir())) == 1  # no partial build left behind
