"""The namespace backend's supervisor (`sandbox.backend.Backend` over bubblewrap): a pool
of boxes, stale-state cleanup, and degraded mode.

Boxes, their uids (`uid_base + N`), cgroups (`<own cgroup>/<name>/box<N>`) and scratch
mounts (`<root_dir>/box<N>/scratch`) belong to one supervisor at a time, guarded by lock
files; whatever a crashed predecessor left there is removed at start. Concurrent supervisors
on one host need distinct `root_dir`, `uid_base` and `name`.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

from sandbox.backend import DEFAULT_ROOT, DEFAULT_SCRATCH_BYTES, UID_SPAN
from sandbox.box import BoxSpec, NamespaceBox
from sandbox.bwrap import BWRAP
from sandbox.cgroups import CgroupLayout, detect_layout
from sandbox.host import is_root, kill_pids, lock_dir, pids_of_uids, remove_boxes, take_lock
from sandbox.init_binary import build_init
from sandbox.languages import LANGUAGES
from sandbox.model import SandboxError
from sandbox.pool import BoxPool
from sandbox.seccomp_filter import write_filter

logger = logging.getLogger(__name__)


class Sandbox(BoxPool[NamespaceBox]):
    """Create with `Sandbox.start()`, take boxes with `with sandbox.box() as box:`."""

    def __init__(self, root: Path, layout: CgroupLayout | None, uid_base: int | None) -> None:
        super().__init__()
        self.root = root
        self.layout = layout
        self.uid_base = uid_base
        self._locks: list[int] = []

    @classmethod
    def start(
        cls,
        boxes: int | None = None,
        root_dir: Path = DEFAULT_ROOT,
        *,
        name: str = "codearena",
        uid_base: int = 60001,
        scratch_bytes: int = DEFAULT_SCRATCH_BYTES,
        use_cgroups: bool = True,
    ) -> Sandbox:
        """Clean up after a crashed predecessor and start `boxes` boxes (default: one per CPU).

        Without root or usable cgroups (or with `use_cgroups=False`) it runs degraded: see
        `degraded`. Raises SandboxError (or OSError) when it cannot start at all. The docker
        backend starts with `sandbox.backend.start_backend("docker")`.
        """
        if not 0 < (boxes or 1) <= UID_SPAN:
            raise ValueError(f"boxes must be between 1 and {UID_SPAN}")
        root = _prepare_root(Path(root_dir))
        sandbox = cls(root, None, uid_base if is_root() else None)
        try:
            sandbox._lock(name)
            sandbox.layout = _cgroup_layout(name) if use_cgroups else None
            sandbox._clean_stale()
            seccomp = write_filter(root / "seccomp.bpf")
            init = build_init(root) if sandbox.layout else None  # resident boxes need cgroups
            sandbox._open_boxes(boxes or os.cpu_count() or 1, scratch_bytes, seccomp, init)
        except BaseException:
            sandbox.close()
            raise
        sandbox._log_mode()
        return sandbox

    @property
    def degraded(self) -> bool:
        """True when limits rest on rlimits and the wall watchdog only (no cgroups)."""
        return self.layout is None

    @staticmethod
    def available_languages() -> list[str]:
        """Languages whose toolchain is installed here (and bubblewrap itself)."""
        if not os.access(BWRAP, os.X_OK):
            return []
        return [name for name, language in LANGUAGES.items() if language.available()]

    def close(self) -> None:
        """Stop every keeper, kill leftovers, remove cgroups, mounts and directories."""
        if self._closed:
            return
        self._closed = True
        for box in self.boxes:
            _try(box.close, f"close box {box.spec.index}")
        _try(lambda: self._clean_stale(remove_bases=True), "clean up")
        (self.root / "seccomp.bpf").unlink(missing_ok=True)
        (self.root / "resident-init").unlink(missing_ok=True)
        for fd in self._locks:
            os.close(fd)

    def _open_boxes(self, count: int, scratch_bytes: int, seccomp: Path, init: Path | None) -> None:
        for index in range(count):
            uid = None if self.uid_base is None else self.uid_base + index
            cgroup = self.layout.box(index) if self.layout else None
            spec = BoxSpec(index, self.root / f"box{index}", uid, cgroup, scratch_bytes, seccomp, init)
            box = NamespaceBox(spec)
            self.boxes.append(box)
            box.open()
            self._free.put(box)

    def _lock(self, name: str) -> None:
        """One lock per shared resource: the root, the uid range, the cgroup name."""
        paths = [self.root / ".lock"]
        if self.uid_base is not None:
            paths.append(lock_dir() / f"codearena-sandbox-uid{self.uid_base}.lock")
            paths.append(lock_dir() / f"codearena-sandbox-cgroup-{name}.lock")
        for path in paths:
            self._locks.append(take_lock(path))

    def _clean_stale(self, remove_bases: bool = False) -> None:
        if self.uid_base is not None:
            _kill_uids(range(self.uid_base, self.uid_base + UID_SPAN))
        if self.layout:
            self.layout.remove(remove_bases)
        remove_boxes(self.root)

    def _log_mode(self) -> None:
        for name, language in LANGUAGES.items():
            if missing := language.missing():
                logger.warning("sandbox: %s not offered, missing %s", name, ", ".join(missing))
        if self.layout:
            logger.info(
                "sandbox: %d boxes, cgroup v%d, root %s",
                len(self.boxes),
                self.layout.version,
                self.root,
            )
            return
        why = "no cgroups" if self.uid_base is not None else "not running as root"
        logger.warning(
            "sandbox: DEGRADED mode (%s): no memory, process or CPU-time cgroup "
            "limits, only rlimits and the wall-clock watchdog",
            why,
        )


def _kill_uids(uids: range, timeout_s: float = 5.0) -> None:
    """Kill every process of `uids` and wait for them to die. Zombies are left to their
    parent (init, when a killed keeper orphaned them): they hold nothing but a pid."""
    deadline = time.monotonic() + timeout_s
    while pids := pids_of_uids(uids, zombies=False):
        kill_pids(pids)
        if time.monotonic() > deadline:
            logger.warning("sandbox: box processes %s survive SIGKILL", pids)
            return
        time.sleep(0.01)


def _cgroup_layout(name: str) -> CgroupLayout | None:
    if not is_root():
        return None
    layout = detect_layout(name)
    if layout is None:
        return None
    try:
        layout.prepare()
    except OSError as exc:
        logger.warning("sandbox: cannot create cgroups under %s: %s", layout.bases[0], exc)
        return None
    return layout


def _prepare_root(root: Path) -> Path:
    """Create `root`; box uids must be able to traverse every directory down to it."""
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    if is_root():
        root.chmod(0o711)
        for directory in (root, *root.parents):
            if not directory.stat().st_mode & stat.S_IXOTH:
                raise SandboxError(
                    f"{directory} must be searchable by others (o+x) so box uids can reach {root}"
                )
    return root


def _try(action: Callable[[], object], what: str) -> None:
    try:
        action()
    except Exception:
        logger.exception("sandbox: %s failed", what)
