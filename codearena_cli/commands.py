"""The `codearena` commands. Each returns the process exit code."""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from codearena.config import Settings, cloud_services, project_root, state_dir
from codearena_cli.devservers import Services, ensure, port_open

if TYPE_CHECKING:
    from codearena.core import Core
    from judge_host.fleet import Instance
    from sandbox import Backend

# What stops `up` and `demo` (Ctrl-C, `kill`, the terminal closing): everything they started.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True)


def _services() -> Services:
    """Resolve PostgreSQL and Redis and export them to this process and its children."""
    services = ensure(state_dir())
    os.environ.update(services.env())
    return services


def _settings() -> Settings:
    if not cloud_services(os.environ):  # in AWS no local server may stand in for RDS or ElastiCache
        _services()
    return Settings.from_env()


# --- doctor ---------------------------------------------------------------------------
def doctor(args: argparse.Namespace) -> int:
    from codearena_cli.system_packages import doctor_report

    problems, notes = doctor_report()
    if os.geteuid() != 0:
        notes.append("not root: the judge host's sandbox runs degraded (no per-box uid or cgroups)")
    for note in notes:
        print(f"codearena doctor: note: {note}", file=sys.stderr)
    for problem in problems:
        print(f"codearena doctor: MISSING: {problem}", file=sys.stderr)
    return 1 if problems else 0


# --- database and users -----------------------------------------------------------------
def migrate(args: argparse.Namespace) -> int:
    from codearena.db import migrate as run_migrations

    # The database instance itself, never RDS Proxy: the migration's advisory lock pins a session.
    applied = run_migrations(_settings().migration_database_url)
    print("applied: " + ", ".join(applied) if applied else "the schema is current")
    return 0


def create_user(args: argparse.Namespace) -> int:
    from codearena import users
    from codearena.models import Role

    def create(core: Core) -> str:
        user = users.create_user(core, args.username, args.password, Role(args.role))
        return f"created {user['role']} {user['username']} (id {user['id']})"

    return _with_core(create)


def ban_user(args: argparse.Namespace) -> int:
    from codearena import users

    def ban(core: Core) -> str:
        user = users.ban_by_name(core, args.username, args.reason)
        return f"banned {user['username']} (id {user['id']}): its tokens are revoked"

    return _with_core(ban)


def unban_user(args: argparse.Namespace) -> int:
    from codearena import users

    def unban(core: Core) -> str:
        user = users.unban(core, users.id_of(core, args.username))
        return f"lifted the ban on {user['username']} (id {user['id']})"

    return _with_core(unban)


def revoke_tokens(args: argparse.Namespace) -> int:
    from codearena import users

    def revoke(core: Core) -> str:
        user = users.revoke_tokens(core, users.id_of(core, args.username))
        return f"revoked every token of {user['username']} (id {user['id']})"

    return _with_core(revoke)


def rebuild(args: argparse.Namespace) -> int:
    from codearena import standings

    def run(core: Core) -> str:
        rows = standings.rebuild(core, args.contest)
        return f"contest {args.contest}: rebuilt {rows} rows on the jury and public boards"

    return _with_core(run)


def import_contest(args: argparse.Namespace) -> int:
    """Replay a CLICS contest package (a directory) as a finished contest, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from codearena.clics.package import import_contest as replay

    def run(core: Core) -> str:
        columns = (TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=True) as progress:
            task = progress.add_task("replay", total=None)
            answer = replay(
                core, Path(args.path), lambda done, total: progress.update(task, completed=done, total=total)
            )
        return (
            f"contest {answer['contest_id']}: {answer['teams']} teams, {answer['submissions']} submissions,"
            f" {answer['judgements']} judgements imported from {args.path}"
        )

    return _with_core(run)


def export_contest(args: argparse.Namespace) -> int:
    """Write a contest as a CLICS contest package (a directory)."""
    from codearena.clics.export import export_contest as write

    def run(core: Core) -> str:
        written = write(core, args.contest, Path(args.path))
        return f"contest {args.contest}: wrote {len(written)} files to {args.path}"

    return _with_core(run)


def _with_core(action: Callable[[Core], str]) -> int:
    """Run one action on the core; a refused request is a message and exit code 1."""
    from codearena.core import Core
    from codearena.errors import CodeArenaError

    core = Core.from_settings(_settings())
    try:
        print(action(core))
    except CodeArenaError as exc:
        print(f"codearena: {exc.message}", file=sys.stderr)
        return 1
    finally:
        core.close()
    return 0


# --- processes ------------------------------------------------------------------------
def gateway(args: argparse.Namespace) -> int:
    from local_gateway.server import serve

    _services()
    serve(args.host, args.port)
    return 0


def judge(args: argparse.Namespace) -> int:
    from codearena.core import Core

    # A stop asked for while the sandbox starts is honoured once the host exists.
    early_stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: early_stop.set())
    core = Core.from_settings(_settings())
    instance = _fleet_instance()
    try:
        return _judge_with(args, core, instance, early_stop)
    finally:
        core.close()


def _fleet_instance() -> Instance | None:
    """This EC2 instance when the host is a member of an Auto Scaling group (CODEARENA_ASG_NAME)."""
    from judge_host import fleet

    settings = fleet.FleetSettings.from_env(os.environ)
    return fleet.join(settings) if settings is not None else None


def _judge_with(
    args: argparse.Namespace, core: Core, instance: Instance | None, early_stop: threading.Event
) -> int:
    from judge_host.daemon import HostConfig, JudgeHost, host_name
    from judge_host.fleet import Membership

    boxes = args.boxes or os.cpu_count() or 1
    extra = args.invocation_workers + 2 * args.verification_workers
    ready = _ready_sandbox(args.instance, boxes, instance, extra)
    if ready is None:
        return 1
    sandbox, languages, refused = ready
    config = HostConfig(lease_seconds=args.lease_seconds, sweep_seconds=args.sweep_seconds)
    host = JudgeHost(
        core,
        sandbox,
        f"{host_name()}-i{args.instance}",
        config,
        languages,
        args.invocation_workers,
        args.verification_workers,
    )
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: host.stop())
    if early_stop.is_set():
        host.stop()
    print(
        f"judge host {host.name}: {boxes} boxes, languages: "
        f"{', '.join(languages)}" + (f" (not offered: {', '.join(sorted(refused))})" if refused else ""),
        flush=True,
    )
    membership = Membership(host, instance) if instance is not None else None
    try:
        if membership is not None:
            membership.start()
        host.run(workers=boxes, once=args.once)
    finally:
        if membership is not None:
            membership.finish()  # after the last result is committed
        sandbox.close()
    print(f"judge host {host.name}: judged {host.judged}, stopped", flush=True)
    return 0


def _ready_sandbox(
    number: int, boxes: int, instance: Instance | None, extra_boxes: int = 0
) -> tuple[Backend, list[str], dict[str, str]] | None:
    """The sandbox and the languages whose self-test passed, (working, {refused: why}). In an
    Auto Scaling group this completes the launch lifecycle action: CONTINUE, or ABANDON when
    no language works (then None: the group replaces the instance)."""
    from judge_host.instances import sandbox_options
    from judge_host.languages import working_languages
    from sandbox import Sandbox

    sandbox: Backend | None = None
    try:
        # Two boxes per worker: a problem's output validator runs in a box of its own; and the
        # extra ones of the invocation (one each) and verification (two each) workers, so
        # custom invocations and package verifications never take a judging box.
        sandbox = Sandbox.start(boxes=2 * boxes + extra_boxes, **sandbox_options(number))
        languages, refused = working_languages(sandbox)
    except Exception:  # a sandbox that cannot start or run anything: no language works
        if sandbox is not None:
            sandbox.close()
        if instance is not None:
            instance.complete_launch(works=False)
        raise
    if instance is None:
        return sandbox, languages, refused
    instance.complete_launch(works=bool(languages))
    if not languages:
        print("judge host: no language passed its self-test; the launch is abandoned", file=sys.stderr)
        sandbox.close()
        return None
    return sandbox, languages, refused


def up(args: argparse.Namespace) -> int:
    services = _services()
    try:
        from codearena.db import migrate as run_migrations

        run_migrations(services.database_url)
        return _run_children(args.host, args.port, args.instance, services)
    finally:
        services.stop()


def demo(args: argparse.Namespace) -> int:
    from codearena_cli.seed import seed

    services = _services()
    try:
        from codearena.db import migrate as run_migrations

        run_migrations(services.database_url)
        seed(Settings.from_env(), base_url=f"http://{args.host}:{args.port}")
        return _run_children(args.host, args.port, args.instance, services)
    finally:
        services.stop()


def _run_children(host: str, port: int, instance: int, services: Services) -> int:
    stop = {"requested": False}

    def request_stop(*_: object) -> None:
        stop["requested"] = True

    for signum in STOP_SIGNALS:  # before any child starts: none is ever left untracked
        signal.signal(signum, request_stop)
    me = [sys.executable, "-m", "codearena_cli"]
    children = {
        "gateway": _start_child([*me, "gateway", "--host", host, "--port", str(port)]),
        "judge host": _start_child([*me, "judge", "--instance", str(instance)]),
    }
    for line in services.started:
        print(f"started {line}")
    print(f"PostgreSQL: {services.database_url}\nRedis: {services.redis_url}", flush=True)
    listening = False
    while not stop["requested"] and all(p.poll() is None for p in children.values()):
        # "Up" once the gateway takes connections, not when its process merely started.
        if not listening and port_open("127.0.0.1" if host in ("0.0.0.0", "::") else host, port, 0.2):
            listening = True
            print(f"CodeArena is up: http://{host}:{port}/  (API description: /openapi.json)")
            print("started the local gateway and one judge host; Ctrl-C stops everything", flush=True)
        time.sleep(0.2)
    failed = [name for name, p in children.items() if p.poll() not in (None, 0)]
    for name, process in children.items():
        _terminate(name, process)
    print("stopped " + ", ".join(children) + (f" ({', '.join(failed)} had failed)" if failed else ""))
    return 1 if failed else 0


def _start_child(argv: list[str]) -> subprocess.Popen[bytes]:
    """A child in its own process group: a terminal's Ctrl-C (SIGINT to the foreground group)
    reaches only this process, which stops the children in order with SIGTERM. Should this
    process die without doing so (SIGKILL), the kernel sends them SIGTERM."""
    return subprocess.Popen(argv, process_group=0, preexec_fn=partial(_terminate_with_parent, os.getpid()))


def _terminate_with_parent(parent_pid: int) -> None:
    # In the forked child, before exec: SIGTERM when the parent thread dies, or at once
    # when the parent is already gone.
    if _LIBC.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0 or os.getppid() != parent_pid:
        os.kill(os.getpid(), signal.SIGTERM)


def _terminate(name: str, process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop in 20 s; killing it", file=sys.stderr)
        process.kill()
        process.wait()


def fanout(args: argparse.Namespace) -> int:
    from codearena.core import Core
    from codearena.delivery import PooledDelivery
    from codearena.fanout import Fanout

    try:
        delivery = PooledDelivery(args.endpoint, concurrency=args.concurrency)
    except (RuntimeError, ValueError) as exc:
        print(f"codearena fanout: {exc}", file=sys.stderr)
        return 1
    core = Core.from_settings(_settings())
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker = Fanout(core, delivery, name=f"fanout-{socket.gethostname()}-{os.getpid()}")
    print(
        f"fan-out {worker.leases.owner} delivering to {args.endpoint}, {args.concurrency} posts at a time;"
        " it shares the connections with the other fan-out processes",
        flush=True,
    )
    try:
        worker.run(stop)
    finally:
        delivery.close()
        core.close()
    return 0


def watch(args: argparse.Namespace) -> int:
    import httpx

    from codearena_cli.watch import BoardView
    from codearena_cli.watch import watch as follow

    view = BoardView(args.url.rstrip("/"), args.contest, args.limit, args.token, args.jury)
    try:
        follow(view, args.duration)
    except (httpx.HTTPError, OSError) as exc:
        print(f"codearena watch: cannot follow contest {args.contest} at {args.url}: {exc}", file=sys.stderr)
        return 1
    return 0


# --- sandbox and packaging --------------------------------------------------------------
def sandbox_run(args: argparse.Namespace) -> int:
    from sandbox.cli import run_cli

    return run_cli(args.rest)


def package(args: argparse.Namespace) -> int:
    from codearena_cli.package import write_template

    output = Path(args.output) if args.output else project_root() / "template.yaml"
    write_template(output, build_layer=args.layer)
    print(f"wrote {output}")
    return 0
