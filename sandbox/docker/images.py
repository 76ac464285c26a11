"""The docker backend's judge image, built locally: debootstrap → a cached root filesystem
tarball → `docker import`. No registry is involved.

`debootstrap --variant=minbase` makes a Debian root with the toolchains; its tarball is keyed
by everything that goes into it (suite, packages, recipe version), so a rerun with the same
recipe only imports (about 3 s), and an image already present with the same key costs
nothing. `make images` runs `python -m sandbox.images [--cache-dir DIR] [--force]` (this
module's `main`), with the private dockerd (`sandbox.docker.daemon`), started for the build
and stopped afterwards when it was not running.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import docker

from sandbox.docker import daemon
from sandbox.host import mounts_under, unmount

logger = logging.getLogger(__name__)

JUDGE_IMAGE = "codearena/judge"
RECIPE_VERSION = 1  # bump when the trimming or layout below changes
DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[2] / "build" / "images"  # <repo>/build/images
# Not needed by any judged program; about a third of the root filesystem.
TRIMMED = (
    "var/cache/apt/archives",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
)
MOUNT_POINTS = ("box", "io")  # the box scratch and the program's stdio files
# Every language's toolchain: the "languages" group of the one list of Debian packages
# (codearena_cli/system_packages.py, which the sandbox may not import), repeated here;
# tests/unit/test_language_catalog.py fails while the two differ.
TOOLCHAINS = (
    "gcc",
    "g++",
    "openjdk-17-jdk-headless",
    "nodejs",
    "golang-go",
    "rustc",
    "pypy3",
    "kotlin",
    "mono-mcs",
    "mono-runtime",
    "ruby",
    "php-cli",
    "ghc",
    "fp-compiler",
    "ocaml-nox",
    "lua5.4",
    "perl",
    "scala",
    "gfortran",
    "gnat",
    "sbcl",
    "elixir",
    "r-base-core",
    "swi-prolog-nox",
    "gawk",
    "bash",
)
# debootstrap's resolver does not follow virtual packages: ocaml-nox's ocaml needs
# ocaml-base-4.13.1, which only ocaml-base provides, so it is named too.
PROVIDERS = {"ocaml-nox": ("ocaml-base",)}


@dataclass(frozen=True)
class ImageRecipe:
    """What goes into an image. `packages` are Debian packages added to minbase; `repository`
    names the image (the judge's sandbox image unless another recipe says otherwise)."""

    suite: str = "bookworm"
    mirror: str = "http://deb.debian.org/debian"
    packages: tuple[str, ...] = ("python3", "libc6-dev", *TOOLCHAINS)
    repository: str = JUDGE_IMAGE

    @property
    def key(self) -> str:
        """A short hash of the recipe: the tarball's name and the image's tag."""
        content = json.dumps([RECIPE_VERSION, self.suite, sorted(self.packages)])
        return hashlib.sha256(content.encode()).hexdigest()[:12]

    @property
    def image(self) -> str:
        return f"{self.repository}:{self.key}"


DEFAULT_RECIPE = ImageRecipe()


def ensure_image(
    client: docker.DockerClient, recipe: ImageRecipe = DEFAULT_RECIPE, cache_dir: Path = DEFAULT_CACHE_DIR
) -> str:
    """The recipe's image name; it is built first when the daemon does not have it."""
    try:
        client.images.get(recipe.image)
    except docker.errors.ImageNotFound:
        build_image(client, recipe, cache_dir)
    return recipe.image


def build_image(client: docker.DockerClient, recipe: ImageRecipe, cache_dir: Path) -> str:
    """Import the recipe's root filesystem (built, or taken from the cache) as its image."""
    tarball = build_rootfs(recipe, cache_dir)
    logger.info("importing %s as %s", tarball, recipe.image)
    repository, tag = recipe.image.split(":")
    client.api.import_image_from_file(
        str(tarball),
        repository=repository,
        tag=tag,
        changes=[
            f"LABEL codearena.recipe={recipe.key}",
            "ENV PATH=/usr/bin:/bin LANG=C.UTF-8",
            "WORKDIR /box",
        ],
    )
    client.images.get(recipe.image)  # raises if the import did not produce it
    return recipe.image


def build_rootfs(recipe: ImageRecipe, cache_dir: Path) -> Path:
    """The cached tarball of the recipe's root filesystem; debootstrap it when missing."""
    tarball = cache_dir / f"rootfs-{recipe.key}.tar"
    if tarball.exists():
        return tarball
    cache_dir.mkdir(parents=True, exist_ok=True)
    root = cache_dir / f"rootfs-{recipe.key}.d"
    _remove_tree(root)
    try:
        _debootstrap(recipe, root, cache_dir / f"rootfs-{recipe.key}.log")
        _trim(root)
        partial = tarball.with_suffix(".partial")
        subprocess.run(["tar", "-C", str(root), "--numeric-owner", "-cf", str(partial), "."], check=True)
        partial.rename(tarball)
    finally:
        _remove_tree(root)
    return tarball


def _debootstrap(recipe: ImageRecipe, root: Path, log: Path) -> None:
    argv = [
        "debootstrap",
        "--variant=minbase",
        f"--include={','.join(_with_providers(recipe.packages))}",
        recipe.suite,
        str(root),
        recipe.mirror,
    ]
    logger.info("running %s (log: %s)", " ".join(argv), log)
    with open(log, "wb") as output:
        done = subprocess.run(argv, stdout=output, stderr=subprocess.STDOUT, env=_debootstrap_env())
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"debootstrap failed with {done.returncode}:\n{tail}")


def _with_providers(packages: tuple[str, ...]) -> list[str]:
    return [*packages, *(extra for name in packages for extra in PROVIDERS.get(name, ()))]


def _debootstrap_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = env.get("PATH", "") + ":/usr/sbin:/sbin"
    env["DEBIAN_FRONTEND"] = "noninteractive"
    return env


def _trim(root: Path) -> None:
    for relative in TRIMMED:
        target = root / relative
        if target.is_dir():
            shutil.rmtree(target)
            target.mkdir()
    for relative in MOUNT_POINTS:
        (root / relative).mkdir(mode=0o755, exist_ok=True)


def _remove_tree(root: Path) -> None:
    """Remove a (possibly half-built) root; debootstrap may leave /proc or /sys mounted."""
    if not root.exists():
        return
    for mount in mounts_under(root):
        unmount(mount)
    shutil.rmtree(root)


def main(argv: list[str]) -> int:
    """`python -m sandbox.images`: build the judge image unless the daemon has it."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.images")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--force", action="store_true", help="import again even if the image exists")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with daemon.client() as client:
        print(_build(client, args.cache_dir, args.force))
    return 0


def _build(client: docker.DockerClient, cache_dir: Path, force: bool) -> str:
    if not force:
        try:
            client.images.get(DEFAULT_RECIPE.image)
            return f"{DEFAULT_RECIPE.image} is up to date"
        except docker.errors.ImageNotFound:
            pass
    return f"built {build_image(client, DEFAULT_RECIPE, cache_dir)}"
