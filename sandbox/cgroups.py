"""Per-box cgroups: one small interface, a cgroup v1 and a cgroup v2 implementation.

The supervisor creates and removes them (`CgroupLayout`); the keeper joins its box's cgroup
once and then sets limits, reads counters and kills leftovers through `Cgroup`.
Counters that cannot be reset (CPU, OOM kills) are read before and after a run.
"""

from __future__ import annotations

import errno
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.host import kill_pids

CGROUP_ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "pids", "cpuacct")
V2_CONTROLLERS = ("memory", "pids", "cpu")


def _write(path: Path, value: str | int) -> None:
    with open(path, "w") as file:
        file.write(str(value))


def _read(path: Path) -> str:
    with open(path) as file:
        return file.read()


def _keyed(text: str, key: str) -> int:
    """The value of `key` in the text of a "key value" per line file (memory.events, cpu.stat…)."""
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    return 0


class _Counters:
    """The counter files a keeper reads (or resets) on every run, each opened once and read
    with pread (a fresh open costs ~10 times more). Per process: the keeper's."""

    def __init__(self) -> None:
        self._fds: dict[tuple[str, int], int] = {}

    def read(self, directory: Path, name: str) -> str:
        return os.pread(self._fd(directory, name, os.O_RDONLY), 4096, 0).decode()

    def write(self, directory: Path, name: str, value: bytes) -> None:
        os.write(self._fd(directory, name, os.O_WRONLY), value)

    def _fd(self, directory: Path, name: str, mode: int) -> int:
        fd = self._fds.get((name, mode))
        if fd is None:
            fd = self._fds[name, mode] = os.open(directory / name, mode | os.O_CLOEXEC)
        return fd

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()


@dataclass(frozen=True)
class CounterFiles:
    """Where a box's counters are and how they read, for the resident init, which reads them
    itself (`resident_init.c`): a key names the line "<key> <number>" of a file of such
    lines, "" a file holding one number."""

    cpu: Path
    cpu_key: str
    cpu_unit_ns: int
    peak: Path  # opened read-write: writing `peak_reset` starts it again
    peak_reset: bytes
    oom_kills: Path
    oom_kills_key: str
    tasks: Path


class Cgroup(ABC):
    """One box's cgroup (v1: one directory per controller)."""

    @abstractmethod
    def counter_files(self) -> CounterFiles: ...

    @abstractmethod
    def dirs(self) -> list[Path]: ...

    @abstractmethod
    def config(self) -> dict[str, Any]: ...

    @abstractmethod
    def create(self) -> None: ...

    @abstractmethod
    def set_limits(self, memory_bytes: int, processes: int) -> None: ...

    @abstractmethod
    def reset_peak(self) -> None: ...

    @abstractmethod
    def peak_bytes(self) -> int: ...

    @abstractmethod
    def usage_bytes(self) -> int: ...

    @abstractmethod
    def file_bytes(self) -> int:
        """Of `usage_bytes`, the page cache (tmpfs files included): what outlives processes."""

    @abstractmethod
    def cpu_ns(self) -> int: ...

    @abstractmethod
    def oom_kills(self) -> int: ...

    @abstractmethod
    def task_count(self) -> int:
        """Live tasks (threads, zombies not yet reaped) in the cgroup: one counter read, where
        `procs` lists them."""

    def join(self, pid: int) -> None:
        for directory in self.dirs():
            _write(directory / "cgroup.procs", pid)

    def procs(self) -> set[int]:
        return {int(pid) for pid in _read(self.dirs()[0] / "cgroup.procs").split()}

    def signal_all(self, spare: int | None = None, also_spare: Collection[int] = ()) -> set[int]:
        """SIGKILL every process in the cgroup except `spare` and `also_spare`; return who
        was signalled."""
        victims = self.procs() - {spare} - set(also_spare)
        kill_pids(victims)
        return victims

    def kill_everything(self) -> None:
        """SIGKILL every process inside, keeper included (v2 does it in one write)."""
        self.signal_all()

    def remove(self, timeout_s: float = 5.0) -> None:
        """Kill everything inside (processes that are not our children) and delete it."""
        if not self.dirs()[0].exists():
            return
        deadline = time.monotonic() + timeout_s
        self.kill_everything()
        while victims := self.signal_all():
            if time.monotonic() > deadline:
                raise OSError(f"processes {sorted(victims)} survive SIGKILL in {self.dirs()[0]}")
            time.sleep(0.005)
        for directory in self.dirs():
            _rmdir(directory)


def _rmdir(directory: Path, attempts: int = 100) -> None:
    for _ in range(attempts):
        try:
            directory.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError as exc:  # EBUSY while the last task is still exiting
            if exc.errno != errno.EBUSY:
                raise
            time.sleep(0.01)
    directory.rmdir()


@dataclass(frozen=True)
class CgroupV1(Cgroup):
    memory: Path
    pids: Path
    cpuacct: Path
    _counters: _Counters = field(default_factory=_Counters, compare=False, repr=False)

    def dirs(self) -> list[Path]:
        return [self.pids, self.memory, self.cpuacct]

    def config(self) -> dict[str, Any]:
        return {
            "version": 1,
            "memory": str(self.memory),
            "pids": str(self.pids),
            "cpuacct": str(self.cpuacct),
        }

    def create(self) -> None:
        for directory in self.dirs():
            directory.mkdir(parents=True, exist_ok=True)
        _write(self.memory / "memory.swappiness", 0)

    def set_limits(self, memory_bytes: int, processes: int) -> None:
        limit = self.memory / "memory.limit_in_bytes"
        memsw = self.memory / "memory.memsw.limit_in_bytes"
        # memsw must stay >= limit at every step, so the order depends on the direction.
        raising = memory_bytes > int(_read(limit))
        order = [memsw, limit] if raising else [limit, memsw]
        for path in order:
            if path.exists():
                _write(path, memory_bytes)
        _write(self.pids / "pids.max", processes)

    def counter_files(self) -> CounterFiles:
        return CounterFiles(
            self.cpuacct / "cpuacct.usage",
            "",
            1,
            self.memory / "memory.max_usage_in_bytes",
            b"0",
            self.memory / "memory.oom_control",
            "oom_kill",
            self.pids / "pids.current",
        )

    def reset_peak(self) -> None:
        self._counters.write(self.memory, "memory.max_usage_in_bytes", b"0")

    def peak_bytes(self) -> int:
        return int(self._counters.read(self.memory, "memory.max_usage_in_bytes"))

    def usage_bytes(self) -> int:
        return int(self._counters.read(self.memory, "memory.usage_in_bytes"))

    def file_bytes(self) -> int:
        return _keyed(_read(self.memory / "memory.stat"), "cache")

    def cpu_ns(self) -> int:
        return int(self._counters.read(self.cpuacct, "cpuacct.usage"))

    def oom_kills(self) -> int:
        return _keyed(self._counters.read(self.memory, "memory.oom_control"), "oom_kill")

    def task_count(self) -> int:
        return int(self._counters.read(self.pids, "pids.current"))

    def remove(self, timeout_s: float = 5.0) -> None:
        self._counters.close()  # they would read a removed cgroup's files
        super().remove(timeout_s)


class CgroupV2(Cgroup):
    """Unified hierarchy. Untested on the v1 development machines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._peak_fd: int | None = None
        self._counters = _Counters()

    def dirs(self) -> list[Path]:
        return [self.path]

    def config(self) -> dict[str, Any]:
        return {"version": 2, "path": str(self.path)}

    def create(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        _write(self.path / "memory.swap.max", 0)
        _write(self.path / "memory.oom.group", 1)  # oom_score_adj -1000 (the keeper) is spared

    def kill_everything(self) -> None:
        kill = self.path / "cgroup.kill"  # kernel 5.14+
        if kill.exists():
            _write(kill, 1)
        else:
            self.signal_all()

    def set_limits(self, memory_bytes: int, processes: int) -> None:
        _write(self.path / "memory.max", memory_bytes)
        _write(self.path / "pids.max", processes)

    def counter_files(self) -> CounterFiles:
        # memory.peak: reset and read through the one descriptor (see reset_peak)
        return CounterFiles(
            self.path / "cpu.stat",
            "usage_usec",
            1000,
            self.path / "memory.peak",
            b"reset\n",
            self.path / "memory.events",
            "oom_kill",
            self.path / "pids.current",
        )

    def reset_peak(self) -> None:
        # Kernels >= 6.12 reset memory.peak for the fd that writes to it; older ones refuse,
        # and the peak is then the cgroup's lifetime peak.
        if self._peak_fd is None:
            self._peak_fd = os.open(self.path / "memory.peak", os.O_RDWR)
        try:
            os.write(self._peak_fd, b"reset\n")
        except OSError:
            pass

    def peak_bytes(self) -> int:
        if self._peak_fd is None:
            return int(_read(self.path / "memory.peak"))
        return int(os.pread(self._peak_fd, 64, 0))

    def usage_bytes(self) -> int:
        return int(self._counters.read(self.path, "memory.current"))

    def file_bytes(self) -> int:
        return _keyed(_read(self.path / "memory.stat"), "file")

    def cpu_ns(self) -> int:
        return _keyed(self._counters.read(self.path, "cpu.stat"), "usage_usec") * 1000

    def oom_kills(self) -> int:
        return _keyed(self._counters.read(self.path, "memory.events"), "oom_kill")

    def task_count(self) -> int:
        return int(self._counters.read(self.path, "pids.current"))

    def remove(self, timeout_s: float = 5.0) -> None:
        self._counters.close()
        super().remove(timeout_s)


def cgroup_from_config(config: dict[str, Any]) -> Cgroup:
    if config["version"] == 1:
        return CgroupV1(Path(config["memory"]), Path(config["pids"]), Path(config["cpuacct"]))
    return CgroupV2(Path(config["path"]))


@dataclass(frozen=True)
class CgroupLayout:
    """Where the boxes' cgroups live: `<own cgroup>/<name>/box<N>` in every controller."""

    version: int
    bases: tuple[Path, ...]  # v1: memory, pids, cpuacct; v2: one directory

    def box(self, index: int) -> Cgroup:
        name = f"box{index}"
        if self.version == 1:
            memory, pids, cpuacct = (base / name for base in self.bases)
            return CgroupV1(memory, pids, cpuacct)
        return CgroupV2(self.bases[0] / name)

    def existing_boxes(self) -> list[Cgroup]:
        """Box cgroups present now, e.g. left behind by a supervisor that crashed."""
        indexes = {
            int(d.name[3:])
            for base in self.bases
            if base.is_dir()
            for d in base.iterdir()
            if d.is_dir() and d.name[3:].isdigit()
        }
        return [self.box(index) for index in sorted(indexes)]

    def prepare(self) -> None:
        for base in self.bases:
            base.mkdir(parents=True, exist_ok=True)
        if self.version == 2:
            _enable_v2_controllers(self.bases[0])

    def remove(self, remove_bases: bool = True) -> None:
        for cgroup in self.existing_boxes():
            cgroup.remove()
        if remove_bases:
            for base in self.bases:
                _rmdir(base)


SUPERVISOR_LEAF = "supervisor"  # where the supervisor moves itself on cgroup v2 (see below)


def _enable_v2_controllers(base: Path) -> None:
    """Hand the controllers down to `base` (the boxes' parent) from the supervisor's own cgroup.

    Needs a delegated subtree (systemd's Delegate=yes) and the no-internal-process rule: a
    cgroup that hands controllers to its children holds no processes itself (the root
    excepted). A judge host started by systemd is the one process of its unit's cgroup, so it
    first moves itself into a leaf beside the boxes' parent."""
    own = base.parent
    # Only the hierarchy's root has no cgroup.type; a cgroup namespace's root (a container's
    # own cgroup seen from inside) does, and obeys the rule like any other cgroup.
    if (own / "cgroup.type").exists() and _read(own / "cgroup.procs").split():
        leaf = own / SUPERVISOR_LEAF
        leaf.mkdir(exist_ok=True)
        _write(leaf / "cgroup.procs", os.getpid())  # v2 moves the whole process, every thread
    wanted = " ".join(f"+{name}" for name in V2_CONTROLLERS)
    _write(own / "cgroup.subtree_control", wanted)
    _write(base / "cgroup.subtree_control", wanted)


def _own_paths() -> dict[str, str]:
    """controller → own cgroup path from /proc/self/cgroup ("" → the v2 path)."""
    paths: dict[str, str] = {}
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def detect_layout(name: str) -> CgroupLayout | None:
    """The usable cgroup layout for group `name`, or None when there is none."""
    own = _own_paths()
    if all(c in own and (CGROUP_ROOT / c / "cgroup.procs").exists() for c in V1_CONTROLLERS):
        bases = tuple(CGROUP_ROOT / c / own[c].lstrip("/") / name for c in V1_CONTROLLERS)
        return CgroupLayout(1, bases)
    controllers = CGROUP_ROOT / "cgroup.controllers"
    if "" in own and controllers.exists():
        if set(V2_CONTROLLERS) <= set(_read(controllers).split()):
            return CgroupLayout(2, (CGROUP_ROOT / own[""].lstrip("/") / name,))
    return None
