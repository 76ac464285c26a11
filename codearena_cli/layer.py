"""The core's Lambda layer (build/layer): what the functions import at run time, nothing more.

python/ holds the `codearena` package (the CLI and the dev servers are another package,
`codearena_cli`, which the layer never ships), plus the dependencies pyproject.toml pins, as
wheels for Lambda's platform; sql/ sits beside python/, where `codearena.db.sql_dir()` finds
it when the layer is unpacked in /opt (the Migrate function applies it). A build is skipped when
its inputs have not changed since the last one (build/.stamps).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable
from pathlib import Path

LAYER_BUILD = "build/layer"  # the core layer's content: python/ and sql/
STAMPS = "build/.stamps"  # the digest of each artifact's inputs when it was last built
# What is copied from layers/codearena but never runs: bytecode of this machine's Python (the
# shipped-functions test imports every module of the layer with only the layer on the path).
LAYER_EXCLUDES = frozenset({"__pycache__"})
# python3.11 runs on Amazon Linux 2 (glibc 2.26): any manylinux wheel up to 2.26, whatever the host.
_MANYLINUX = ["manylinux2014_x86_64", *(f"manylinux_2_{minor}_x86_64" for minor in range(17, 27))]
LAMBDA_WHEELS = (
    *(f"--platform={platform}" for platform in _MANYLINUX),
    "--implementation=cp",
    "--python-version=3.11",
    "--only-binary=:all:",
)


def build_core_layer(root: Path) -> Path:
    """Build build/layer (needs PyPI) unless its inputs are unchanged; returns the directory.
    One build at a time (a lock file beside it): a second process waits, then finds it current,
    instead of replacing the layer under the first one's readers."""
    target = root / LAYER_BUILD
    digest = inputs_digest(root, layer_inputs(root))
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".layer.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_dir() and read_stamp(root, "layer") == digest:
            return target
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".layer-") as tmp:
            staged = Path(tmp) / "layer"
            _fill(root, staged)
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staged, target)  # never a half-built layer at build/layer
        write_stamp(root, "layer", digest)
    return target


def _fill(root: Path, staged: Path) -> None:
    site = staged / "python"
    requirements = runtime_requirements(root)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run([*pip, "--target", str(site), *LAMBDA_WHEELS, *requirements], cwd=root)
    check_pinned(site, requirements)
    shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts: nothing runs them in Lambda
    shutil.copytree(root / "layers" / "codearena", site / "codearena", ignore=_outside_layer)
    shutil.copytree(root / "sql", staged / "sql")


def _outside_layer(directory: str, names: list[str]) -> set[str]:
    return {name for name in names if name in LAYER_EXCLUDES or name.endswith(".pyc")}


def runtime_requirements(root: Path) -> list[str]:
    """pyproject.toml's [project].dependencies: the one place versions are pinned."""
    with (root / "pyproject.toml").open("rb") as handle:
        return list(tomllib.load(handle)["project"]["dependencies"])


def check_pinned(site: Path, requirements: list[str]) -> None:
    """Refuse a layer holding a distribution pyproject.toml does not pin (a transitive
    dependency resolved to whatever PyPI had that day)."""
    pinned = {_normalized(line.split("==")[0]) for line in requirements if "==" in line}
    installed = {_normalized(path.name.split("-")[0]): path.name for path in site.glob("*.dist-info")}
    loose = sorted(name.removesuffix(".dist-info") for key, name in installed.items() if key not in pinned)
    if loose:
        raise RuntimeError(
            f"the layer would ship dependencies pyproject.toml does not pin: {', '.join(loose)}"
            " (pin them in [project].dependencies)"
        )


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def layer_inputs(root: Path) -> list[Path]:
    """What the layer is built from: the core, its pins, the SQL, and this module (its recipe)."""
    recipe = root / "codearena_cli" / "layer.py"
    return [root / "pyproject.toml", root / "layers" / "codearena", root / "sql", recipe]


def inputs_digest(root: Path, inputs: Iterable[Path]) -> str:
    """SHA-256 over the files under `inputs` (paths and contents, bytecode left out)."""
    digest = hashlib.sha256()
    for top in inputs:
        files = sorted(top.rglob("*")) if top.is_dir() else [top]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_stamp(root: Path, name: str) -> str:
    path = root / STAMPS / name
    return path.read_text() if path.exists() else ""


def write_stamp(root: Path, name: str, digest: str) -> None:
    path = root / STAMPS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(digest)


def _run(argv: list[str], cwd: Path) -> None:
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv[:3])} … failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )
