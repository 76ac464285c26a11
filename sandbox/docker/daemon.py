"""A private dockerd for the docker backend's tests, benchmark, image build and CI.

It leaves the host's networking alone (`--iptables=false --ip-forward=false --bridge=none`:
containers get `--network none` anyway), keeps its state under its own data root, exec root,
socket and pid file, and uses overlay2 (vfs copies the whole root for every container: 3.4 s
per run). `stop()` ends only the daemon whose pid it recorded.

Several processes on one machine use it side by side (two test sessions, a benchmark, an
image build): `shared()` and `client()` hold it for a block, started by the first when it is
down and stopped by the last one out, if one of them started it.

    python -m sandbox.docker.daemon start|stop|status
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import docker

from sandbox.host import lock_dir, mounts_under, unmount

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
PING_API_VERSION = "1.41"  # fixed, so a ping does not first ask the daemon for its version
# Daemons this process started, by pid file: kept so `stop` reaps them (and no Popen is
# collected while its daemon runs).
_started: dict[Path, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class DaemonPaths:
    """Where the private daemon keeps everything; nothing is shared with a system dockerd."""

    data_root: Path = Path("/var/lib/codearena-docker")
    run_dir: Path = Path("/run/codearena-docker")

    @property
    def socket(self) -> Path:
        return self.run_dir / "docker.sock"

    @property
    def host(self) -> str:
        """The docker SDK's `base_url` for this daemon."""
        return f"unix://{self.socket}"

    @property
    def pidfile(self) -> Path:
        return self.run_dir / "dockerd.pid"

    @property
    def log(self) -> Path:
        return self.data_root / "dockerd.log"

    @property
    def users_lock(self) -> Path:
        """Held shared by every `shared()` block, exclusively by the one that stops it."""
        return lock_dir() / f"codearena-docker-users-{self.run_dir.name}.lock"

    @property
    def start_lock(self) -> Path:
        """Held by the `shared()` block that checks whether it is up, and starts it if not."""
        return lock_dir() / f"codearena-docker-start-{self.run_dir.name}.lock"

    @property
    def started_for_users(self) -> Path:
        """Present while the running daemon was started by a `shared()` block."""
        return self.run_dir / "started-for-users"

    def argv(self) -> list[str]:
        return [
            "dockerd",
            f"--data-root={self.data_root / 'data'}",
            f"--exec-root={self.run_dir / 'exec'}",
            f"--host={self.host}",
            f"--pidfile={self.pidfile}",
            "--iptables=false",
            "--ip-forward=false",
            "--ip-masq=false",
            "--bridge=none",
            "--storage-driver=overlay2",
            "--log-level=warn",
        ]


DEFAULT_PATHS = DaemonPaths()


def is_up(host: str, timeout_s: int = 2) -> bool:
    """Whether a docker daemon answers at `host`."""
    if host.startswith("unix://") and not _accepts(host.removeprefix("unix://"), timeout_s):
        return False  # (the SDK leaks its socket when the connection is refused)
    try:
        client = docker.APIClient(base_url=host, version=PING_API_VERSION, timeout=timeout_s)
    except docker.errors.DockerException:
        return False
    try:
        return bool(client.ping())
    except (docker.errors.DockerException, OSError):
        return False
    finally:
        client.close()


def _accepts(socket_path: str, timeout_s: float) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(timeout_s)
        try:
            probe.connect(socket_path)
        except OSError:
            return False
    return True


def start(paths: DaemonPaths = DEFAULT_PATHS) -> bool:
    """Start the private daemon unless it already answers; True when this call started it."""
    if is_up(paths.host):
        return False
    paths.data_root.mkdir(parents=True, exist_ok=True)
    paths.run_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.log, "ab") as log:
        daemon = subprocess.Popen(
            paths.argv(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # not killed by a Ctrl-C meant for the caller
            env=_daemon_env(),
        )
    try:
        _wait_until_up(paths, daemon)
    except BaseException:
        daemon.kill()
        daemon.wait()
        raise
    _started[paths.pidfile] = daemon
    return True


@dataclass
class Use:
    """A `shared()` block's outcome: whether it stopped the daemon on leaving."""

    stopped: bool = False


@contextmanager
def shared(paths: DaemonPaths = DEFAULT_PATHS) -> Iterator[Use]:
    """The private daemon for the block, next to other processes' blocks: started when it is
    down, stopped on leaving by the last block out when a block started it (one started by
    hand is left running)."""
    fd = os.open(paths.users_lock, os.O_RDWR | os.O_CREAT, 0o600)
    use = Use()
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits only for a block that is stopping it
        starting = os.open(paths.start_lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(starting, fcntl.LOCK_EX)
            if start(paths):
                paths.started_for_users.touch()
        finally:
            os.close(starting)
        yield use
    finally:
        try:  # the last one out gets it exclusively (a failed try leaves this one no lock)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass
        else:
            if paths.started_for_users.exists():
                use.stopped = stop(paths)
                paths.started_for_users.unlink(missing_ok=True)
        os.close(fd)


@contextmanager
def client(timeout_s: int = 60, paths: DaemonPaths = DEFAULT_PATHS) -> Iterator[docker.DockerClient]:
    """A client of the private daemon for the block (`shared()`)."""
    with shared(paths):
        connected = docker.DockerClient(base_url=paths.host, timeout=timeout_s)
        try:
            yield connected
        finally:
            connected.close()


def stop(paths: DaemonPaths = DEFAULT_PATHS) -> bool:
    """Stop the daemon recorded in the pid file (SIGTERM, then SIGKILL); True if one ran.
    Then unmount what it left (it keeps a bind mount of the host's network namespace)."""
    pid = _recorded_pid(paths)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pid, STOP_TIMEOUT_S):
        os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, 5.0)
    paths.pidfile.unlink(missing_ok=True)
    if daemon := _started.pop(paths.pidfile, None):
        daemon.wait()
    for directory in (paths.run_dir, paths.data_root):
        for mount in mounts_under(directory):
            unmount(mount)
    return True


def _daemon_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = env.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"
    env.pop("DOCKER_HOST", None)
    return env


def _wait_until_up(paths: DaemonPaths, daemon: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not is_up(paths.host):
        code = daemon.poll()
        if code is not None:
            raise RuntimeError(f"dockerd exited with {code}: {_log_tail(paths)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"dockerd did not answer within {START_TIMEOUT_S:.0f} s: {_log_tail(paths)}")
        time.sleep(0.1)


def _recorded_pid(paths: DaemonPaths) -> int | None:
    """The pid in the pid file, if that process is still a dockerd."""
    try:
        pid = int(paths.pidfile.read_text().strip())
        command = Path(f"/proc/{pid}/comm").read_text().strip()
    except (OSError, ValueError):
        return None
    return pid if command == "dockerd" else None


def _wait_gone(pid: int, timeout_s: float) -> bool:
    """Whether `pid` ended within `timeout_s` (a zombie left to the process that started it,
    when that is another one, has ended)."""
    deadline = time.monotonic() + timeout_s
    while _alive(pid):
        _reap(pid)
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)  # our child when this process started it
    except ChildProcessError:
        pass


def _log_tail(paths: DaemonPaths) -> str:
    try:
        return paths.log.read_text(errors="replace")[-1500:]
    except OSError:
        return "(no log)"


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) == 2 else ""
    if command == "start":
        print("started" if start() else "already running", DEFAULT_PATHS.host)
    elif command == "stop":
        print("stopped" if stop() else "not running")
    elif command == "status":
        up = is_up(DEFAULT_PATHS.host)
        print("up" if up else "down", DEFAULT_PATHS.host)
        return 0 if up else 1
    else:
        print("usage: python -m sandbox.docker.daemon start|stop|status", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
