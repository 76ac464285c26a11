"""The box keeper: a single-threaded root helper that lives in its box's cgroup.

Started by the supervisor as `python -m sandbox.keeper CONFIG_JSON CHANNEL_FD` with pipes on
stdin and stdout and a socket (CHANNEL_FD) to hand it the resident init's socket. It joins
the box cgroup once, makes itself immune to the OOM killer and a child subreaper, then
answers one JSON line per run request (see `sandbox.protocol`). It exits when its stdin
closes, killing a program that is still running.

Runs marked `reuse` go to the box's resident bubblewrap (`sandbox.resident`), which an
`{"end": true}` request (the supervisor resets the box) kills. A request with `warm` (a
compile) starts the session of the runs like it while it runs. After a resident run the
keeper hands the supervisor the init's socket (the reply's `direct`), and the next runs like
it go to the init straight, without the keeper; what such a run leaves for the keeper comes
as `{"clear": true}` (processes or files left in the box) or, with the run's request,
`{"lost": {...}}` (the init sent no reply).
"""

from __future__ import annotations

import os
import socket
import sys
import traceback

from sandbox.cgroups import cgroup_from_config
from sandbox.host import set_child_subreaper, set_oom_score_adj
from sandbox.init_messages import Counts
from sandbox.protocol import (
    KeeperConfig,
    Measurement,
    RunMessages,
    RunRequest,
    decode,
    encode,
    error_message,
    measurement_message,
)
from sandbox.resident import Residents, ResidentUnavailable
from sandbox.runner import BoxContext, SupervisorGone, run_one


def setup(config: KeeperConfig) -> BoxContext:
    cgroup = cgroup_from_config(config.cgroup) if config.cgroup else None
    if cgroup:
        cgroup.join(os.getpid())
    _protect_from_oom_killer()
    set_child_subreaper()
    seccomp_fd = os.open(config.seccomp_path, os.O_RDONLY)
    init_fd = os.open(config.init_path, os.O_RDONLY) if config.init_path else None
    return BoxContext(cgroup, config.uid, config.gid, seccomp_fd, sys.stdin.fileno(), init_fd)


def _protect_from_oom_killer() -> None:
    # Needs CAP_SYS_RESOURCE, which some containers drop. Programs also run at +1000, so
    # the OOM killer prefers any of them to the keeper either way.
    try:
        set_oom_score_adj(-1000)
    except PermissionError:
        pass


def serve(ctx: BoxContext, residents: Residents, messages: RunMessages, line: bytes) -> bytes:
    """Answer one request line; only SupervisorGone escapes."""
    try:
        message = decode(line)
        if message.get("end"):
            residents.close()
            return encode({"ok": True})
        if message.get("clear"):
            return encode({"ok": True, "alive": residents.clear()})
        request = messages.decode(message["run"])
        if message.get("warm"):  # a compile, and the runs to come
            return measurement_message(residents.warming(request, RunRequest(**message["warm"])))
        if lost := message.get("lost"):
            before = Counts(lost["cpu_ns"], lost["oom_kills"])
            return measurement_message(residents.lost(request, before, lost["wall_ns"]))
        measurement = _run(ctx, residents, request)
        return measurement_message(measurement, residents.grant(request))
    except SupervisorGone:
        raise
    except Exception:
        return error_message(traceback.format_exc(limit=5))


def _run(ctx: BoxContext, residents: Residents, request: RunRequest) -> Measurement:
    if residents.usable(request):
        try:
            return residents.run(request)
        except ResidentUnavailable:
            pass
    residents.close()  # one-shot runs kill everything in the box cgroup anyway
    return run_one(ctx, request)


def send(message: bytes) -> None:
    sys.stdout.buffer.write(message)
    sys.stdout.buffer.flush()


def main(argv: list[str]) -> int:
    ctx = setup(KeeperConfig.from_json(argv[1]))
    channel = socket.socket(fileno=int(argv[2])) if len(argv) > 2 else None
    residents, messages = Residents(ctx, channel), RunMessages()
    send(encode({"ready": True, "pid": os.getpid()}))
    try:
        while line := sys.stdin.buffer.readline():
            send(serve(ctx, residents, messages, line))
    except (SupervisorGone, BrokenPipeError):
        return 1
    finally:
        residents.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
