"""`make demo` and `make test` install the Debian packages they need (as root, with apt-get),
else say what is missing and the apt-get line, and stop.

The set-up step runs for real (the system python3, through make where it matters) against a
fake `dpkg-query` and a fake `apt-get` first on PATH: they keep the "installed" packages in a
file and record each call, so nothing on this machine is installed or removed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from codearena_cli.system_packages import GROUPS, TARGETS

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / "codearena_cli" / "system_packages.py"
SYSTEM_PYTHON = "/usr/bin/python3"  # what runs the step on a fresh machine, before .venv
NOBODY = 65534

DPKG_QUERY = """#!/bin/sh
for name in "$@"; do
  case "$name" in -*) continue ;; esac
  /bin/grep -qx "$name" {state} && echo "$name installed"
done
exit 0
"""
APT_GET = """#!/bin/sh
echo "$*" >> {calls}
echo "Reading package lists... Done"
echo "debconf: delaying package configuration, since apt-utils is not installed" >&2
[ "$1 $2 $3" = "-o DPkg::Lock::Timeout=120 install" ] || exit 0
if [ -e {fail} ]; then
  echo "E: Unable to locate package rustc" >&2
  exit 100
fi
shift 3
for name in "$@"; do
  case "$name" in -*) ;; *) echo "$name" >> {state} ;; esac
done
"""


@dataclass
class FakeApt:
    """A directory with fake `dpkg-query` and `apt-get`, readable by any user."""

    bin: Path
    state: Path  # one installed package a line
    calls: Path  # apt-get's arguments, one call a line
    fail: Path  # when it exists, `apt-get install` fails as apt does

    def have(self, packages: list[str]) -> None:
        self.state.write_text("".join(f"{name}\n" for name in packages))

    def apt_calls(self) -> list[str]:
        return self.calls.read_text().splitlines() if self.calls.exists() else []

    def env(self, with_apt_get: bool = True) -> dict[str, str]:
        if not with_apt_get:
            (self.bin / "apt-get").unlink()
        return {**os.environ, "PATH": f"{self.bin}:{os.environ['PATH']}" if with_apt_get else str(self.bin)}


@pytest.fixture
def fake_apt() -> Iterator[FakeApt]:
    directory = Path(tempfile.mkdtemp(prefix="codearena-fake-apt-"))
    directory.chmod(0o777)  # the non-root case runs as nobody
    fake = FakeApt(directory / "bin", directory / "installed", directory / "calls", directory / "fail")
    fake.bin.mkdir(mode=0o755)
    fake.state.touch(mode=0o666)
    paths = {"state": fake.state, "calls": fake.calls, "fail": fake.fail}
    for name, script in (("dpkg-query", DPKG_QUERY), ("apt-get", APT_GET)):
        (fake.bin / name).write_text(script.format(**paths))
        (fake.bin / name).chmod(0o755)
    yield fake
    shutil.rmtree(directory)


def all_of(target: str) -> list[str]:
    return [package.name for group in TARGETS[target] for package in GROUPS[group]]


def setup_step(target: str, env: dict[str, str], user: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SYSTEM_PYTHON, "-I", str(SETUP), target],
        env=env,
        user=user,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_demo_installs_exactly_the_missing_packages_and_says_so(fake_apt: FakeApt) -> None:
    fake_apt.have([name for name in all_of("demo") if name not in ("bubblewrap", "rustc")])
    done = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "system-packages",
            "SYSTEM_PACKAGES_FOR=demo",
            f"PYTHON={SYSTEM_PYTHON}",
        ],
        cwd=ROOT,
        env=fake_apt.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "make demo: installing bubblewrap rustc with apt-get (this can take a few minutes)"
    ]
    assert done.stderr == ""  # apt's chatter is kept out of the way
    assert fake_apt.apt_calls() == [
        "-o DPkg::Lock::Timeout=120 update -qq",
        "-o DPkg::Lock::Timeout=120 install -y -qq bubblewrap rustc",
    ]


def test_make_test_needs_the_browser_and_docker_too_and_docker_ce_will_do(fake_apt: FakeApt) -> None:
    fake_apt.have([*all_of("demo"), "docker-ce"])
    done = setup_step("test", fake_apt.env())
    assert done.returncode == 0, done.stderr
    assert fake_apt.apt_calls()[-1] == "-o DPkg::Lock::Timeout=120 install -y -qq chromium debootstrap"


def test_nothing_missing_is_silent_and_calls_no_apt(fake_apt: FakeApt) -> None:
    fake_apt.have(all_of("test"))
    done = setup_step("test", fake_apt.env())
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert fake_apt.apt_calls() == []


def test_a_failing_apt_get_shows_its_error_and_the_line_to_run(fake_apt: FakeApt) -> None:
    fake_apt.have([name for name in all_of("demo") if name != "rustc"])
    fake_apt.fail.touch()
    done = setup_step("demo", fake_apt.env())
    assert done.returncode == 1
    assert "E: Unable to locate package rustc" in done.stderr
    assert "MISSING system packages (apt-get failed" in done.stderr
    assert "  rustc: judging Rust" in done.stderr
    assert done.stderr.rstrip().endswith("install them as root:  apt-get update && apt-get install -y rustc")


def test_make_lint_needs_node_and_npm_and_an_npm_on_path_will_do(fake_apt: FakeApt) -> None:
    alone = {**os.environ, "PATH": str(fake_apt.bin)}  # no npm of this machine's in sight
    fake_apt.have(all_of("install"))
    assert setup_step("lint", alone).returncode == 0
    assert fake_apt.apt_calls()[-1] == "-o DPkg::Lock::Timeout=120 install -y -qq nodejs npm"
    # NodeSource's nodejs carries npm (and conflicts with Debian's): then npm is not asked for.
    (fake_apt.bin / "npm").write_text("#!/bin/sh\n")
    (fake_apt.bin / "npm").chmod(0o755)
    fake_apt.have(all_of("install"))
    assert setup_step("lint", alone).returncode == 0
    assert fake_apt.apt_calls()[-1] == "-o DPkg::Lock::Timeout=120 install -y -qq nodejs"


def test_make_test_asks_for_a_package_two_of_its_groups_need_once(fake_apt: FakeApt) -> None:
    fake_apt.have([name for name in all_of("test") if name != "nodejs"])
    done = setup_step("test", fake_apt.env())
    assert done.stdout.splitlines() == [
        "make test: installing nodejs with apt-get (this can take a few minutes)"
    ]
    assert fake_apt.apt_calls()[-1] == "-o DPkg::Lock::Timeout=120 install -y -qq nodejs"


def test_without_root_it_names_what_is_missing_and_installs_nothing(fake_apt: FakeApt) -> None:
    fake_apt.have([name for name in all_of("demo") if name not in ("bubblewrap", "gcc")])
    done = setup_step("demo", fake_apt.env(), user=NOBODY)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "make demo: MISSING system packages (not root, so not installed here):",
        "  bubblewrap: the sandbox",
        "  gcc: judging C",
        "install them as root:  apt-get update && apt-get install -y bubblewrap gcc",
    ]
    assert fake_apt.apt_calls() == []


def test_without_apt_get_it_names_what_is_missing(fake_apt: FakeApt) -> None:
    fake_apt.have([name for name in all_of("demo") if name != "libseccomp2"])
    done = setup_step("demo", fake_apt.env(with_apt_get=False))
    assert done.returncode == 1
    assert "MISSING system packages (no apt-get" in done.stderr
    assert "apt-get install -y libseccomp2" in done.stderr


def test_each_make_target_runs_the_step_for_itself_before_anything_else() -> None:
    for target in ("demo", "test", "install", "images", "lint"):
        plan = subprocess.run(
            ["make", "--no-print-directory", "-n", target],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        step = f"codearena_cli/system_packages.py {target}"
        commands = [line for line in plan.stdout.splitlines() if not line.startswith("command -v")]
        assert step in commands[0], plan.stdout


def test_doctor_reads_the_same_list(fake_apt: FakeApt) -> None:
    fake_apt.have([name for name in all_of("test") if name not in ("bubblewrap", "rustc", "chromium")])
    done = subprocess.run(
        [sys.executable, "-m", "codearena_cli", "doctor"],
        env=fake_apt.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert (
        "codearena doctor: MISSING: bubblewrap is missing (the sandbox): apt-get install -y bubblewrap"
        in lines
    )
    assert "codearena doctor: note: rustc is missing (judging Rust): apt-get install -y rustc" in lines
    assert any(line.startswith("codearena doctor: note: chromium is missing") for line in lines)
