"""The messages between the supervisor and a box keeper (one JSON object per line)."""

from __future__ import annotations

import json
import os
import signal
from dataclasses import asdict, dataclass
from typing import Any

from sandbox.workspace import NOFILE


@dataclass(frozen=True)
class KeeperConfig:
    """How a keeper sets itself up. `uid`/`gid` None: stay as we are (degraded, not root)."""

    uid: int | None
    gid: int | None
    cgroup: dict[str, Any] | None
    seccomp_path: str
    init_path: str | None = None  # the resident init (sandbox.init_binary); None: one-shot only

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> KeeperConfig:
        return cls(**json.loads(text))


@dataclass(frozen=True)
class RunRequest:
    """One sandboxed execution: `argv` is the full bwrap command line."""

    argv: list[str]
    stdin_path: str | None
    stdout_path: str
    stderr_path: str
    time_limit_ms: int
    wall_limit_ms: int
    memory_bytes: int
    processes: int
    fsize_bytes: int
    stack_bytes: int
    nofile: int = NOFILE
    reuse: bool = False  # may run in the box's resident bubblewrap (sandbox.resident)
    fifos: bool = False  # stdin_path and stdout_path are named pipes (sandbox.interactive)


@dataclass(frozen=True)
class Measurement:
    """What the keeper measured. `memory_limit_hit` comes from the OOM-kill counter."""

    exit_code: int | None
    signal: int | None
    cpu_ns: int
    wall_ns: int
    peak_bytes: int
    memory_limit_hit: bool
    cpu_killed: bool
    wall_killed: bool
    launch_error: str | None = None
    context_switches_voluntary: int | None = None  # None: not measured (docker)
    context_switches_forced: int | None = None


def exit_or_signal(code: int) -> tuple[int | None, int | None]:
    """(exit code, signal) from an exit code as bubblewrap or docker-init report it: 128 + n
    after a death by signal n. Above 128 + SIGRTMAX it cannot be a signal: it is the program's
    own exit code. Below, a program's exit(128 + n) reads as signal n (the resident path,
    which sees the real wait status, never guesses: `from_wait_status`)."""
    if 128 < code <= 128 + signal.SIGRTMAX:
        return None, code - 128
    return code, None


def from_wait_status(status: int) -> tuple[int | None, int | None]:
    """(exit code, signal) of a wait status."""
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    return os.WEXITSTATUS(status), None


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    value = json.loads(line)
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {line[:100]!r}")
    return value


def _fields(instance: RunRequest | Measurement) -> dict[str, Any]:
    # Shallow, unlike dataclasses.asdict, which deep-copies the long argv on every run; and
    # its own attributes (they are all fields), not `fields()` looked up on every run.
    return vars(instance)


class RunMessages:
    """Run requests between one supervisor and one keeper process (each end has one): a
    request whose argv is the one of the request before it (the same program, test after
    test) leaves it out, ~1 KiB that neither end then encodes or parses again."""

    def __init__(self) -> None:
        self.argv: list[str] | None = None  # of the last run request sent or received

    def encode(
        self, request: RunRequest, warm: RunRequest | None = None, lost: dict[str, int] | None = None
    ) -> bytes:
        """`warm`: a run to come, whose resident session starts alongside `request` (a compile).
        `lost`: `request` ran, but its resident init sent no reply (see `sandbox.keeper`)."""
        fields = _fields(request)
        if request.argv == self.argv:
            fields = {**fields, "argv": None}
        self.argv = request.argv
        message: dict[str, Any] = {"run": fields}
        if warm is not None:
            message["warm"] = _fields(warm)
        if lost is not None:
            message["lost"] = lost
        return encode(message)

    def decode(self, fields: dict[str, Any]) -> RunRequest:
        """The request of a message's "run" (or "warm") fields."""
        if fields["argv"] is None:
            if self.argv is None:
                raise ValueError("a run request repeats an argv it was never sent")
            fields = {**fields, "argv": self.argv}
        self.argv = fields["argv"]
        return RunRequest(**fields)


def measurement_message(measurement: Measurement, direct: dict[str, int] | None = None) -> bytes:
    """`direct`: the keeper handed the supervisor the resident init's socket, and this is
    what it needs to measure the runs it hands the init (`sandbox.keeper_client`)."""
    if direct is None:
        return encode({"ok": True, "measurement": _fields(measurement)})
    return encode({"ok": True, "measurement": _fields(measurement), "direct": direct})


def error_message(error: str) -> bytes:
    return encode({"ok": False, "error": error})
