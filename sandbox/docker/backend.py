"""The docker backend's supervisor: a pool of `DockerBox`es on one daemon, stale-state
cleanup, the boxes' parent cgroups, and the languages of the judge image.

Boxes, their uids (`uid_base + N`), containers (label `<name>/<N>`), parent cgroups
(`/<name>-docker/box<N>`) and scratch mounts (`<root_dir>/box<N>/scratch`) belong to one
supervisor at a time, guarded by lock files; whatever a crashed predecessor left there is
removed at start.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import docker

from sandbox.backend import DEFAULT_SCRATCH_BYTES
from sandbox.cgroups import CGROUP_ROOT, V1_CONTROLLERS, V2_CONTROLLERS, CgroupLayout
from sandbox.docker.box import LABEL, DockerBox, DockerBoxSpec, DockerFault, remove_containers
from sandbox.docker.daemon import DEFAULT_PATHS
from sandbox.docker.images import DEFAULT_RECIPE
from sandbox.host import is_root, lock_dir, remove_boxes, take_lock
from sandbox.languages import LANGUAGES
from sandbox.model import SandboxError
from sandbox.pool import BoxPool

logger = logging.getLogger(__name__)

DEFAULT_ROOT = Path("/var/lib/codearena-sandbox-docker")


class DockerSandbox(BoxPool[DockerBox]):
    """Create with `DockerSandbox.start()`, take boxes with `with sandbox.box() as box:`."""

    def __init__(self, client: docker.DockerClient, image: str, root: Path, name: str) -> None:
        super().__init__()
        self.client = client
        self.image = image
        self.root = root
        self.name = name
        self.cgroup_name = f"{name}-docker"  # beside a namespace sandbox of the same name
        self.layout: CgroupLayout | None = None
        self._languages: list[str] = []
        self._locks: list[int] = []

    @classmethod
    def start(
        cls,
        boxes: int | None = None,
        root_dir: Path = DEFAULT_ROOT,
        *,
        name: str = "codearena",
        uid_base: int = 62001,
        scratch_bytes: int = DEFAULT_SCRATCH_BYTES,
        use_cgroups: bool = True,
        docker_host: str | None = None,
        image: str | None = None,
    ) -> DockerSandbox:
        """Connect to the daemon (`docker_host`, else $DOCKER_HOST, else the private one),
        check the judge image, clean up after a crashed predecessor, open `boxes` boxes.

        `name` must differ between sandboxes sharing a daemon or a host. Raises SandboxError
        when it cannot start."""
        if not is_root():
            raise SandboxError("the docker backend needs root (scratch tmpfs mounts, cgroups)")
        client = _connect(docker_host)
        root = Path(root_dir)
        root.mkdir(parents=True, exist_ok=True)
        sandbox = cls(client, image or DEFAULT_RECIPE.image, root.resolve(), name)
        try:
            sandbox._lock()
            sandbox._prepare(use_cgroups)
            sandbox._open_boxes(boxes or os.cpu_count() or 1, uid_base, scratch_bytes)
        except DockerFault as exc:
            sandbox.close()
            raise SandboxError(f"docker sandbox: {exc}") from exc
        except BaseException:
            sandbox.close()
            raise
        return sandbox

    @property
    def degraded(self) -> bool:
        """True without CPU accounting: the time limit is then enforced on wall time only."""
        return self.layout is None

    def available_languages(self) -> list[str]:
        """Languages whose toolchain is in the judge image."""
        return list(self._languages)

    def close(self) -> None:
        """Remove every container, scratch mount, directory and cgroup of this sandbox."""
        if self._closed:
            return
        self._closed = True
        try:
            self._clean_stale(remove_bases=True)
        finally:
            self.client.close()
            for fd in self._locks:
                os.close(fd)

    def _lock(self) -> None:
        """One supervisor per root and per name (the name picks containers and cgroups)."""
        for path in (self.root / ".lock", lock_dir() / f"codearena-docker-sandbox-{self.name}.lock"):
            self._locks.append(take_lock(path))

    def _prepare(self, use_cgroups: bool) -> None:
        try:
            self.client.images.get(self.image)
        except docker.errors.ImageNotFound:
            raise SandboxError(f"no image {self.image}: build it with `make images`") from None
        self.layout = _parent_layout(self.client, self.cgroup_name) if use_cgroups else None
        self._clean_stale()
        if self.layout:
            self.layout.prepare()
        parent = f"/{self.cgroup_name}" if self.layout else None
        self._languages = _languages_in_image(self.client, self.image, parent, f"{self.name}/probe")
        if self.degraded:
            logger.warning("docker sandbox: DEGRADED mode: no CPU accounting, wall-clock limits only")

    def _open_boxes(self, count: int, uid_base: int, scratch_bytes: int) -> None:
        for index in range(count):
            cgroup = self.layout.box(index) if self.layout else None
            parent = f"/{self.cgroup_name}/box{index}" if self.layout else None
            spec = DockerBoxSpec(index, self.root / f"box{index}", uid_base + index, cgroup, parent)
            box = DockerBox(self.client, self.image, spec, f"{self.name}/{index}")
            self.boxes.append(box)
            box.open(scratch_bytes)
            self._free.put(box)

    def _clean_stale(self, remove_bases: bool = False) -> None:
        remove_containers(self.client, f"{self.name}/")
        if self.layout:
            self.layout.remove(remove_bases)
            _remove_other_controllers(self.cgroup_name, remove_bases)
        remove_boxes(self.root)


def _connect(docker_host: str | None) -> docker.DockerClient:
    host = docker_host or os.environ.get("DOCKER_HOST") or DEFAULT_PATHS.host
    try:
        client = docker.DockerClient(base_url=host, max_pool_size=64)
        client.ping()
    except (*DockerFault, OSError) as exc:
        raise SandboxError(f"no docker daemon at {host}: {exc}") from exc
    return client


def _parent_layout(client: docker.DockerClient, name: str) -> CgroupLayout | None:
    """Where the boxes' parent cgroups go, when the daemon's cgroups are ours to read."""
    info = client.info()
    if info.get("CgroupDriver") != "cgroupfs":
        logger.warning("docker sandbox: cgroup driver %s is not cgroupfs", info.get("CgroupDriver"))
        return None
    if str(info.get("CgroupVersion", "1")) == "1":
        if all((CGROUP_ROOT / c / "cgroup.procs").exists() for c in V1_CONTROLLERS):
            return CgroupLayout(1, tuple(CGROUP_ROOT / c / name for c in V1_CONTROLLERS))
        return None
    controllers = CGROUP_ROOT / "cgroup.controllers"
    if controllers.exists() and set(V2_CONTROLLERS) <= set(controllers.read_text().split()):
        return CgroupLayout(2, (CGROUP_ROOT / name,))
    return None


def _remove_other_controllers(cgroup_name: str, remove_top: bool) -> None:
    """runc makes the --cgroup-parent directories in every v1 hierarchy (blkio, cpuset,
    devices…), not only in the three the layout manages: remove those (empty) ones too."""
    for top in CGROUP_ROOT.glob(f"*/{cgroup_name}"):
        if top.parent.is_symlink():  # cpu,cpuacct aliases
            continue
        boxes = sorted((d for d in top.rglob("*") if d.is_dir()), key=lambda d: -len(d.parts))
        for directory in [*boxes, top] if remove_top else boxes:
            try:
                directory.rmdir()
            except FileNotFoundError:
                pass
            except OSError as exc:
                logger.warning("docker sandbox: cannot remove cgroup %s: %s", directory, exc)


def _languages_in_image(client: docker.DockerClient, image: str, parent: str | None, label: str) -> list[str]:
    """Languages whose required tools are executable in the image (asks one container)."""
    paths = sorted({path for language in LANGUAGES.values() for path in language.requires})
    script = 'for f; do [ -x "$f" ] && echo "$f"; done; true'
    output = client.containers.run(
        image,
        ["/bin/sh", "-c", script, "sh", *paths],
        user="65534:65534",
        network_mode="none",
        read_only=True,
        cap_drop=["ALL"],
        cgroup_parent=parent,
        labels={LABEL: label},
        remove=True,
    )
    present = set(output.decode().split())
    return [name for name, language in LANGUAGES.items() if set(language.requires) <= present]
