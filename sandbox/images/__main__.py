"""`python -m sandbox.images [--cache-dir DIR]`: build the judge image (what `make images` runs).

Uses the private dockerd (sandbox.docker_daemon); when it was not running, it is started for
the build and stopped afterwards.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import docker

from sandbox import docker_daemon
from sandbox.images.build import DEFAULT_CACHE_DIR, DEFAULT_RECIPE, build_image


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.images")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--force", action="store_true", help="import again even if the image exists")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with docker_daemon.client() as client:
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
