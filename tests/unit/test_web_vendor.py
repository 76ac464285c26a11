"""web/vendor/codemirror/, the editor's bundle: what `make web` builds from package-lock.json,
and within the size budget README states ("The editor")."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "web" / "vendor" / "codemirror"
KIB = 1024
# The budget (README): what the problem page loads before any mode, what one mode adds, and all.
CORE_BUDGET_BYTES = 400 * KIB
MODE_BUDGET_BYTES = 300 * KIB
TOTAL_BUDGET_BYTES = 1100 * KIB
STATIC_IMPORT = re.compile(r'(?:from|import)\s*"(\./[^"]+\.js)"')
DYNAMIC_IMPORT = re.compile(r'import\("(\./[^"]+\.js)"\)')
BUILD_TIMEOUT_S = 120


def static_closure(module: Path) -> set[Path]:
    """The module and every module it imports statically, transitively."""
    seen: set[Path] = set()
    todo = [module.resolve()]
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            todo += [(path.parent / name).resolve() for name in STATIC_IMPORT.findall(path.read_text())]
    return seen


def size(paths: set[Path]) -> int:
    return sum(path.stat().st_size for path in paths)


def test_the_editor_core_and_each_mode_keep_to_the_budget() -> None:
    entry = VENDOR / "codemirror.js"
    core = static_closure(entry)
    assert len(core) > 1 and size(core) <= CORE_BUDGET_BYTES, size(core)
    modes = set(DYNAMIC_IMPORT.findall(entry.read_text()))
    assert len(modes) >= 15, modes  # the lang-* packages and the legacy modes, a chunk each
    for name in modes:
        extra = static_closure(VENDOR / name) - core
        assert 0 < size(extra) <= MODE_BUDGET_BYTES, (name, size(extra))
    scripts = set(VENDOR.rglob("*.js"))
    loaded = core | {module for name in modes for module in static_closure(VENDOR / name)}
    assert scripts == loaded, "a chunk nobody loads"
    assert size(scripts) <= TOTAL_BUDGET_BYTES, size(scripts)


def test_the_committed_bundle_is_what_make_web_builds() -> None:
    node = shutil.which("node")
    assert node, "node is missing: apt-get install nodejs (`make test` installs it)"
    assert (ROOT / "node_modules" / "esbuild").is_dir(), "node_modules/ is missing: `make web` (npm ci) first"
    result = subprocess.run(
        [node, "tools/codemirror/build.mjs", "--check"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, result.stderr
