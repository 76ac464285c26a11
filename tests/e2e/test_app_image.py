"""The gateway / judge host image, built here with no registry, runs a judge host that judges.

`make app-image` (run by `make test` first) builds it under the private dockerd on a
debootstrap base; the session fixture runs the same script, a no-op when the image is current
(the first build takes minutes: its tests carry a longer time limit). Then a gateway container
accepts a submission and a judge container, started with exactly the privileges
localstack-compose.yml gives judges, judges it: the verdict reaches PostgreSQL. The private
dockerd has no bridge, so both containers use the host's network to reach PostgreSQL and Redis.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest

from codearena import keys
from codearena.config import Settings
from codearena.core import Core
from sandbox import LANGUAGES
from sandbox.docker import daemon as docker_daemon
from tests.e2e.cloud import ROOT, service, submit_a_plus_b, verdict_in_postgres, wait_until_up
from tests.e2e.conftest import free_port

BUILD_SCRIPT = ROOT / "infra" / "docker" / "build.py"
BUILD_SECONDS = 1800
IMAGE_TEST_TIMEOUT = pytest.mark.timeout(BUILD_SECONDS + 300)
CGROUP_V1 = [Path("/sys/fs/cgroup") / controller for controller in ("memory", "pids", "cpuacct")]


def build_image() -> subprocess.CompletedProcess[str]:
    """`make app-image`'s script, as a process; the image's name is its last line."""
    argv = [sys.executable, str(BUILD_SCRIPT)]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=BUILD_SECONDS)


@pytest.fixture(scope="session")
def docker_client() -> Iterator[docker.DockerClient]:
    """The private dockerd (daemon.client: started here when it is down, stopped at the end by
    the last of the sessions using it)."""
    with contextlib.ExitStack() as stack:
        try:
            client = stack.enter_context(docker_daemon.client(timeout_s=120))
        except (OSError, RuntimeError) as exc:
            pytest.fail(f"cannot start dockerd (install docker.io; CI must provide it): {exc}")
        yield client


@pytest.fixture(scope="session")
def app_image(docker_client: docker.DockerClient) -> str:
    done = build_image()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    image = done.stdout.strip().splitlines()[-1]
    docker_client.images.get(image)
    return image


def judge_host_config(client: docker.DockerClient, judge: dict[str, Any]) -> dict[str, Any]:
    """The compose service's privileges as the Engine API takes them, the way compose turns
    them into a container: `systempaths=unconfined` is no daemon option but empty masked and
    read-only path lists (docker/compose pkg/compose/create.go)."""
    options = [option for option in judge["security_opt"] if option != "systempaths=unconfined"]
    config: dict[str, Any] = client.api.create_host_config(
        network_mode="host",
        cap_add=judge["cap_add"],
        security_opt=options,
        cgroupns=judge["cgroup"],
        binds=judge["volumes"],
    )
    if "systempaths=unconfined" in judge["security_opt"]:
        config.update(MaskedPaths=[], ReadonlyPaths=[])
    return config


def container_env(settings: Settings) -> dict[str, str]:
    return {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "CODEARENA_JWT_SECRET": settings.jwt_secret,
        "CODEARENA_REDIS_PREFIX": keys.PREFIX,  # the test session's: apart from other runs' keys
    }


class Container:
    """One container of the image: started, stopped (SIGTERM, as compose stops it), removed."""

    def __init__(
        self,
        client: docker.DockerClient,
        image: str,
        command: list[str],
        host_config: dict[str, Any],
        env: dict[str, str],
    ) -> None:
        self.client = client
        self.id = client.api.create_container(image, command, host_config=host_config, environment=env)["Id"]
        client.api.start(self.id)

    def logs(self) -> str:
        return bytes(self.client.api.logs(self.id)).decode(errors="replace")

    def stop(self) -> int:
        self.client.api.stop(self.id, timeout=30)
        return int(self.client.api.wait(self.id, timeout=60)["StatusCode"])

    def remove(self) -> None:
        self.client.api.remove_container(self.id, force=True)


@pytest.fixture
def gateway_container(
    docker_client: docker.DockerClient, app_image: str, settings: Settings
) -> Iterator[str]:
    """The compose gateway's command, on a free port of the host's network."""
    port = free_port()
    command = [*service("gateway")["command"], "--port", str(port)]
    host_config = docker_client.api.create_host_config(network_mode="host")
    gateway = Container(docker_client, app_image, command, host_config, container_env(settings))
    try:
        wait_until_up(f"http://127.0.0.1:{port}", timeout_s=90)
        yield f"http://127.0.0.1:{port}"
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{gateway.logs()}") from exc
    finally:
        gateway.stop()
        gateway.remove()


@IMAGE_TEST_TIMEOUT
def test_a_judge_host_in_the_image_judges_what_the_gateway_accepted(
    docker_client: docker.DockerClient, app_image: str, gateway_container: str, settings: Settings, core: Core
) -> None:
    judge = service("judge-1")
    host_config = judge_host_config(docker_client, judge)
    container = Container(docker_client, app_image, judge["command"], host_config, container_env(settings))
    try:
        sid = submit_a_plus_b(gateway_container, core)
        verdict, judged_by = verdict_in_postgres(settings.database_url, sid)
        logs_before_stop = container.logs()
        exit_code = container.stop()
        logs = container.logs()
    finally:
        container.remove()
    # PID 1 of a container on the host's network: "<host name>-1-i<instance>".
    instance = judge["command"][judge["command"].index("--instance") + 1]
    assert judged_by == f"{socket.gethostname()}-1-i{instance}", logs_before_stop
    assert verdict == "AC", logs
    assert "languages: " + ", ".join(sorted(LANGUAGES)) in logs, logs  # each passed its self-test
    assert exit_code == 0, logs  # stopped cleanly: its boxes' cgroups and mounts are gone
    leftovers = [path for path in CGROUP_V1 if (path / "docker" / container.id).exists()]
    assert leftovers == [], "the judge left cgroups behind"


@IMAGE_TEST_TIMEOUT
def test_a_second_build_with_nothing_changed_reuses_the_image(app_image: str) -> None:
    started = time.monotonic()
    done = build_image()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == app_image
    assert f"{app_image} is up to date" in done.stderr
    assert time.monotonic() - started < 60
