"""`make app-image`: the gateway / judge host image (infra/docker/Dockerfile), with no registry.

    python infra/docker/build.py [--force]      # prints the image's name last

1. The base: a debootstrap root holding the Debian packages of system_packages.py's "image"
   list, imported into the private dockerd as `codearena/base:<recipe>` (the way `make images`
   makes the sandbox's image; the root's tarball is cached in build/images).
2. The wheels: the pinned dependencies of pyproject.toml built by pip on this machine (from its
   cache, else the package index) into build/docker/wheels-<hash>.
3. `docker build` of the Dockerfile on that base (build argument BASE_IMAGE), the wheels in its
   context, with no network at all, tagged `codearena/app:<hash of all that goes in>`: an
   image with that tag is current, so a rerun with nothing changed costs a hash of the sources.

Why `docker build` and not `docker import` plus committed layers: the compose file builds this
same Dockerfile on Debian's public image, so a developer's image and this one are made by the
same steps; the legacy builder needs neither a registry nor a network when its base is local.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import sys
import tarfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import docker
from docker.utils.build import tar as context_tar

from codearena_cli.system_packages import GROUPS, TARGETS
from sandbox.docker import daemon as docker_daemon
from sandbox.docker.images import DEFAULT_CACHE_DIR, ImageRecipe, ensure_image

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = "infra/docker/Dockerfile"
BASE_REPOSITORY = "codearena/base"
APP_REPOSITORY = "codearena/app"
WHEELS_DIR = ROOT / "build" / "docker"
WHEELS_IN_CONTEXT = "wheels"  # the Dockerfile installs from here, with no index, when present
# setuptools builds the editable install of the project in the image (pyproject's build-system).
BUILD_REQUIREMENTS = ("setuptools>=68",)
BUILD_TIMEOUT_S = 1800
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
HOST_NETWORK_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "PIP_INDEX_URL",
)

logger = logging.getLogger("app-image")


def base_recipe() -> ImageRecipe:
    """The Debian packages the image needs, from the one list; python3 itself for the venv."""
    names = {package.name for group in TARGETS["image"] for package in GROUPS[group]}
    return ImageRecipe(packages=tuple(sorted(names | {"python3"})), repository=BASE_REPOSITORY)


def requirements(root: Path = ROOT) -> list[str]:
    """What the image's venv holds: the core's dependencies and the `host` extra's."""
    with (root / "pyproject.toml").open("rb") as handle:
        project = tomllib.load(handle)["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["host"]]


def build_wheels(client: docker.DockerClient, base: str, root: Path = ROOT) -> Path:
    """Wheels of `requirements()` and setuptools, made by pip in a container of the base image:
    its own Python decides the environment markers (redis needs async-timeout below 3.11.3)
    and the wheel tags. Kept by hash of the base and the requirements."""
    wanted = [*requirements(root), *BUILD_REQUIREMENTS]
    key = hashlib.sha256("\n".join([base, *wanted]).encode()).hexdigest()[:12]
    target = WHEELS_DIR / f"wheels-{key}"
    if target.is_dir():
        return target
    partial = WHEELS_DIR / f".wheels-{key}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    (partial / "requirements.txt").write_text("\n".join(wanted) + "\n")
    logger.info("pip wheel in %s (network: the host's) into %s", base, target)
    pip_wheel = "/tmp/pip/bin/pip wheel --quiet --wheel-dir /wheels -r /wheels/requirements.txt"
    script = f"python3 -m venv /tmp/pip && {pip_wheel}"
    client.containers.run(
        base,
        ["sh", "-c", script],
        network_mode="host",  # the private dockerd has no bridge
        volumes={str(partial): {"bind": "/wheels", "mode": "rw"}, **_host_trust()},
        environment=_host_network_settings(),
        remove=True,
    )
    partial.rename(target)
    return target


def _host_trust() -> dict[str, dict[str, str]]:
    """The host's CA store, read-only: pip in the container trusts what the host trusts (a
    proxy that inspects TLS included)."""
    return (
        {str(HOST_CA_BUNDLE.parent): {"bind": "/etc/ssl/host-certs", "mode": "ro"}}
        if HOST_CA_BUNDLE.exists()
        else {}
    )


def _host_network_settings() -> dict[str, str]:
    """How the host reaches the package index: its proxy variables, index URL and CA bundle."""
    settings = {name: os.environ[name] for name in HOST_NETWORK_VARIABLES if os.environ.get(name)}
    if HOST_CA_BUNDLE.exists():
        settings["PIP_CERT"] = f"/etc/ssl/host-certs/{HOST_CA_BUNDLE.name}"
    return settings


def ignore_patterns(root: Path = ROOT) -> list[str]:
    """The Dockerfile's own ignore file, which a developer's BuildKit reads too."""
    lines = (root / f"{DOCKERFILE}.dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def build_context(wheels: Path, root: Path = ROOT) -> IO[bytes]:
    """The repository as BuildKit would send it (ignore file applied), plus the wheels."""
    context = context_tar(str(root), exclude=ignore_patterns(root), dockerfile=(DOCKERFILE, None))
    with tarfile.open(fileobj=context, mode="a") as archive:
        for wheel in sorted(wheels.glob("*.whl")):
            archive.add(wheel, arcname=f"{WHEELS_IN_CONTEXT}/{wheel.name}")
    context.seek(0)
    return context


def content_key(context: IO[bytes], base_image: str) -> str:
    """A hash of every file name and byte that goes into the image, and of the base's name."""
    digest = hashlib.sha256(base_image.encode())
    with tarfile.open(fileobj=context, mode="r") as archive:
        for member in sorted(archive.getmembers(), key=lambda m: m.name):
            digest.update(member.name.encode() + b"\0" + oct(member.mode).encode())
            if member.isfile():
                digest.update(_read(archive, member))
    context.seek(0)
    return digest.hexdigest()[:12]


def _read(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = archive.extractfile(member)
    return handle.read() if handle is not None else b""


def build_app_image(client: docker.DockerClient, force: bool = False) -> str:
    """The app image's name; built (on a base made here) unless an up-to-date one exists."""
    base = ensure_image(client, base_recipe(), DEFAULT_CACHE_DIR)
    context = build_context(build_wheels(client, base))
    image = f"{APP_REPOSITORY}:{content_key(context, base)}"
    if not force and _has(client, image):
        logger.info("%s is up to date", image)
        return image
    logger.info("building %s on %s", image, base)
    for line in _docker_build(client, context, image, base):
        logger.info("%s", line)
    client.images.get(image)  # raises if the build did not produce it
    return image


def _has(client: docker.DockerClient, image: str) -> bool:
    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        return False
    return True


def _docker_build(client: docker.DockerClient, context: IO[bytes], image: str, base: str) -> Iterator[str]:
    """Run the legacy builder's /build (no BuildKit session): log lines as they come."""
    stream = client.api.build(
        fileobj=context,
        custom_context=True,
        dockerfile=DOCKERFILE,
        tag=image,
        buildargs={"BASE_IMAGE": base},
        network_mode="none",  # nothing is fetched: the base is local, the wheels in the context
        rm=True,
        forcerm=True,
        decode=True,
        timeout=BUILD_TIMEOUT_S,
    )
    for chunk in stream:
        if "error" in chunk:
            raise RuntimeError(f"docker build of {image} failed: {chunk['error']}")
        text = chunk.get("stream", "").rstrip()
        if text:
            yield text


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python infra/docker/build.py", description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="build again even if the image exists")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with docker_daemon.client(timeout_s=BUILD_TIMEOUT_S) as client:
        print(build_app_image(client, args.force), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
