"""The Debian packages CodeArena needs on the host, and the step that installs them.

This is the one list. `codearena doctor` reports from it; `make install`, `make images`,
`make demo` and `make test` (and so `.ci/run`) first run this file with the system python3,
before .venv exists, so it imports only the standard library:

    python3 codearena_cli/system_packages.py demo

What the target needs and dpkg does not list as installed is installed with apt-get when
this can be done (root, apt-get present), announced in one line, apt's own output shown
only when it fails. Otherwise, or when apt-get fails, it says what is missing and the
apt-get line that installs it, and exits 1.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class SystemPackage:
    """`name`: the Debian package; `purpose`: what needs it. `alternatives`: packages that
    provide the same (Docker's own docker-ce). `unless_module`: not needed when the Python
    running this can already import that module (a python3 that is not Debian's).
    `unless_command`: not needed when that command is on PATH (NodeSource's nodejs carries
    npm, and conflicts with Debian's npm)."""

    name: str
    purpose: str
    alternatives: tuple[str, ...] = ()
    unless_module: str | None = None
    unless_command: str | None = None


GROUPS: dict[str, tuple[SystemPackage, ...]] = {
    "venv": (SystemPackage("python3-venv", "creating .venv", unless_module="ensurepip"),),
    "sandbox": (
        SystemPackage("bubblewrap", "the sandbox"),
        SystemPackage("libseccomp2", "the sandbox's system call filter"),
        SystemPackage("python3-minimal", "/usr/bin/python3, which runs Python submissions"),
    ),
    "languages": (
        SystemPackage("gcc", "judging C"),
        SystemPackage("g++", "judging C++"),
        SystemPackage("openjdk-17-jdk-headless", "judging Java"),
        SystemPackage("nodejs", "judging JavaScript"),
        SystemPackage("golang-go", "judging Go"),
        SystemPackage("rustc", "judging Rust"),
        SystemPackage("pypy3", "judging PyPy 3"),
        SystemPackage("kotlin", "judging Kotlin"),
        SystemPackage("mono-mcs", "judging C# (compiler)"),
        SystemPackage("mono-runtime", "judging C# (runtime)"),
        SystemPackage("ruby", "judging Ruby"),
        SystemPackage("php-cli", "judging PHP"),
        SystemPackage("ghc", "judging Haskell"),
        SystemPackage("fp-compiler", "judging Pascal"),
        SystemPackage("ocaml-nox", "judging OCaml"),
        SystemPackage("lua5.4", "judging Lua"),
        SystemPackage("perl", "judging Perl"),
        SystemPackage("scala", "judging Scala"),
        SystemPackage("gfortran", "judging Fortran"),
        SystemPackage("gnat", "judging Ada"),
        SystemPackage("sbcl", "judging Common Lisp"),
        SystemPackage("elixir", "judging Elixir"),
        SystemPackage("r-base-core", "judging R"),
        SystemPackage("swi-prolog-nox", "judging Prolog"),
        SystemPackage("gawk", "judging AWK"),
        SystemPackage("bash", "judging Bash"),
    ),
    "browser": (SystemPackage("chromium", "the web app's browser tests"),),
    "web": (
        SystemPackage("nodejs", "the web app's lint (ESLint) and logic tests (node --test)"),
        SystemPackage("npm", "installing ESLint (package-lock.json)", unless_command="npm"),
    ),
    "docker": (
        SystemPackage("docker.io", "the docker backend", alternatives=("docker-ce",)),
        SystemPackage("debootstrap", "building the docker backend's judge image"),
    ),
}
# What each make target needs, by group.
TARGETS: dict[str, tuple[str, ...]] = {
    "install": ("venv",),
    "lint": ("venv", "web"),
    "images": ("venv", "docker"),
    "demo": ("venv", "sandbox", "languages"),
    "test": ("venv", "sandbox", "languages", "browser", "docker", "web"),
    # Not a make target: what the gateway / judge host image holds (infra/docker/Dockerfile).
    "image": ("venv", "sandbox", "languages"),
}
REQUIRED_GROUPS = ("sandbox",)  # without these nothing is judged: `codearena doctor` fails
APT_OPTIONS = ("-o", "DPkg::Lock::Timeout=120")  # wait for another apt run rather than fail
APT_TAIL_LINES = 20


def needed(groups: tuple[str, ...]) -> list[SystemPackage]:
    """The packages of `groups` that this machine needs, each once (by name, in group order)."""
    packages: dict[str, SystemPackage] = {}
    for package in (package for group in groups for package in GROUPS[group]):
        packages.setdefault(package.name, package)
    return [p for p in packages.values() if not _already_there(p)]


def _already_there(package: SystemPackage) -> bool:
    if package.unless_module and importlib.util.find_spec(package.unless_module):
        return True
    return bool(package.unless_command and shutil.which(package.unless_command))


def missing(packages: list[SystemPackage]) -> list[SystemPackage]:
    """Those dpkg lists as installed under none of their names. Needs dpkg-query."""
    names = [name for package in packages for name in (package.name, *package.alternatives)]
    installed = _installed(names)
    return [p for p in packages if not installed.intersection((p.name, *p.alternatives))]


def _installed(names: list[str]) -> set[str]:
    # Exit status 1 only says that dpkg has never heard of some name: not installed either.
    result = subprocess.run(
        ["dpkg-query", "--show", "--showformat=${Package} ${db:Status-Status}\n", *names],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    return {line.split()[0] for line in result.stdout.splitlines() if line.split()[1:] == ["installed"]}


def install_line(packages: list[SystemPackage]) -> str:
    return "apt-get install -y " + " ".join(package.name for package in packages)


def doctor_report() -> tuple[list[str], list[str]]:
    """What `codearena doctor` says about system packages: (problems, notes)."""
    if not shutil.which("dpkg-query"):
        return [], ["no dpkg-query (not Debian): cannot check the system packages CodeArena needs"]
    required = needed(REQUIRED_GROUPS)
    problems: list[str] = []
    notes: list[str] = []
    for package in missing(needed(tuple(GROUPS))):
        line = f"{package.name} is missing ({package.purpose}): {install_line([package])}"
        (problems if package in required else notes).append(line)
    return problems, notes


def install(target: str) -> int:
    """Install what `target` needs and is missing; the exit status of the set-up step."""
    if not shutil.which("dpkg-query"):
        print(f"make {target}: not a Debian system (no dpkg-query); system packages not checked")
        return 0
    absent = missing(needed(TARGETS[target]))
    if not absent:
        return 0
    if why := _cannot_install():
        return _refuse(target, absent, why)
    names = " ".join(package.name for package in absent)
    print(f"make {target}: installing {names} with apt-get (this can take a few minutes)", flush=True)
    failure = _apt_get(absent)
    still = missing(absent)
    if failure or still:
        print(failure or "apt-get succeeded, yet dpkg does not list them as installed", file=sys.stderr)
        return _refuse(target, still or absent, "apt-get failed")
    return 0


def _cannot_install() -> str | None:
    if os.geteuid() != 0:
        return "not root"
    if not shutil.which("apt-get"):
        return "no apt-get"
    return None


def _refuse(target: str, packages: list[SystemPackage], why: str) -> int:
    lines = [f"make {target}: MISSING system packages ({why}, so not installed here):"]
    lines += [f"  {package.name}: {package.purpose}" for package in packages]
    lines.append(f"install them as root:  apt-get update && {install_line(packages)}")
    print("\n".join(lines), file=sys.stderr)
    return 1


def _apt_get(packages: list[SystemPackage]) -> str | None:
    """apt-get update, then install; None on success, else what apt said last."""
    update = _run_apt(["update", "-qq"])
    result = _run_apt(["install", "-y", "-qq", *(package.name for package in packages)])
    if result.returncode == 0:
        return None
    said = [_tail(update)] if update.returncode != 0 else []
    return "\n".join([*said, _tail(result)])


def _run_apt(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["apt-get", *APT_OPTIONS, *arguments],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # kept, and shown only if it fails
        text=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        check=False,
    )


def _tail(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stdout.strip().splitlines()[-APT_TAIL_LINES:]
    command = " ".join(str(part) for part in result.args)
    return "\n".join([f"`{command}` failed (exit {result.returncode}):", *(f"  {line}" for line in lines)])


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in TARGETS:
        print(f"usage: python3 {__file__} {'|'.join(TARGETS)}", file=sys.stderr)
        return 2
    try:
        return install(argv[0])
    except KeyboardInterrupt:  # Ctrl-C, apt-get included: no traceback, make stops
        print(f"make {argv[0]}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
