"""The one interface of the sandbox: a `Backend` hands out `Box`es. Two backends implement
it: namespaces (bubblewrap, `sandbox.supervisor.Sandbox`, the default) and docker
(`sandbox.docker.backend.DockerSandbox`). Callers, the judge host included, type against these
protocols and pick a backend with `start_backend`."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from sandbox.languages import Language
from sandbox.model import CompileResult, Fifos, Input, Limits, RunResult

BACKENDS = ("namespace", "docker")
DEFAULT_ROOT = Path("/var/lib/codearena-sandbox")
DEFAULT_SCRATCH_BYTES = 256 * 1024 * 1024
UID_SPAN = 256  # a backend's boxes use uids uid_base … uid_base+255: at most this many boxes


class Box(Protocol):
    """One box: compile once, run many. Use through `Backend.box()`; one thread at a time.
    `language`: that of the program compiled in it (None before, or after a failed compile)."""

    language: Language | None

    @property
    def scratch_dir(self) -> Path:
        """The host directory that is /box inside (what the program may have written)."""
        ...

    @property
    def io_dir(self) -> Path:
        """The host directory of the program's stdin, stdout and stderr files."""
        ...

    def compile(
        self,
        language: str,
        source: str | bytes,
        files: Mapping[str, bytes] | None = None,
        run_limits: Limits | None = None,
    ) -> CompileResult:
        """Put `source` in the box and compile it. A compiler failure is `ok=False`. `files`
        (plain names) are put next to the source first: an output validator's headers.
        `run_limits`: the limits of the runs to come, which a backend may get ready for
        while it compiles (the namespace one starts their resident session)."""
        ...

    def run(
        self,
        stdin: Input,
        limits: Limits,
        args: Sequence[str] = (),
        writable_dirs: Sequence[str] = (),
        fifos: Fifos | None = None,
    ) -> RunResult:
        """Run the compiled program once on `stdin` under `limits`, with `args` after its
        command. `writable_dirs` (made by `add_dir`) stay writable in the read-only /box.
        With `fifos` (and `stdin` None) it reads and writes those named pipes instead; its
        result's stdout is then empty. A backend that cannot raises SandboxError."""
        ...

    def add_file(self, name: str, data: bytes | os.PathLike[str]) -> str:
        """Put a file next to the compiled program (read-only to it); return its path inside."""
        ...

    def add_dir(self, name: str) -> str:
        """An empty directory the program may write (see `run`); return its path inside."""
        ...

    def reset(self) -> None:
        """Forget the program and wipe the box."""
        ...


class Backend(Protocol):
    """A pool of boxes. Raises SandboxError when the sandbox itself fails."""

    @property
    def degraded(self) -> bool:
        """True when some limits rest on weaker means (see the backend)."""
        ...

    def available_languages(self) -> list[str]:
        """Languages whose toolchain this backend can run."""
        ...

    def self_test(self) -> dict[str, str | None]:
        """Each available language's hello program: None when it works, else what went wrong."""
        ...

    def box(self) -> AbstractContextManager[Box]:
        """Wait for a free box; on release it is wiped and its leftovers removed."""
        ...

    def close(self) -> None:
        """Stop every box and remove what the backend made on the host."""
        ...


def start_backend(
    backend: str = "namespace",
    boxes: int | None = None,
    root_dir: Path = DEFAULT_ROOT,
    *,
    name: str = "codearena",
    uid_base: int = 60001,
    scratch_bytes: int = DEFAULT_SCRATCH_BYTES,
    use_cgroups: bool = True,
) -> Backend:
    """Start `boxes` boxes (default: one per CPU) of `backend` ("namespace" or "docker").

    The docker backend is rooted at `<root_dir>-docker`, with uids of its own (`uid_base`
    applies to namespace boxes). Raises SandboxError (or OSError) when it cannot start."""
    if not 0 < (boxes or 1) <= UID_SPAN:
        raise ValueError(f"boxes must be between 1 and {UID_SPAN}")
    if backend == "docker":
        from sandbox.docker.backend import DockerSandbox  # the docker SDK only when asked for

        root = Path(root_dir)
        root = root.with_name(root.name + "-docker")
        return DockerSandbox.start(
            boxes, root, name=name, scratch_bytes=scratch_bytes, use_cgroups=use_cgroups
        )
    if backend != "namespace":
        raise ValueError(f"unknown sandbox backend {backend!r}; known: {', '.join(BACKENDS)}")
    from sandbox.supervisor import Sandbox  # it builds on this interface

    return Sandbox.start(
        boxes, root_dir, name=name, uid_base=uid_base, scratch_bytes=scratch_bytes, use_cgroups=use_cgroups
    )
