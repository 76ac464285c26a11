"""The docker backend's judge image, built locally from a debootstrap root filesystem.

No registry is involved: `debootstrap --variant=minbase` makes a Debian root with the
toolchains, its tarball is cached (keyed by suite and package list), and `docker import`
turns it into `JUDGE_IMAGE`. Run it with `make images` (or `python -m sandbox.images`).
"""

from sandbox.images.build import JUDGE_IMAGE, ImageRecipe, build_image, ensure_image

__all__ = ["JUDGE_IMAGE", "ImageRecipe", "build_image", "ensure_image"]
