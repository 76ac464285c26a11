"""The web app's pure logic (web/js/logic/) passes its tests in tests/web/, run by Node.js's own
runner (`node --test`). Run from here so that `make test`, and so CI, fails with node's report
when one of them fails, and counts them among the tests that ran."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOGIC = ROOT / "web" / "js" / "logic"
WEB_TESTS = ROOT / "tests" / "web"
NODE_TIMEOUT_S = 120


def test_each_logic_module_has_its_tests() -> None:
    modules = {path.stem for path in LOGIC.glob("*.js")}
    tested = {path.name.removesuffix(".test.js") for path in WEB_TESTS.glob("*.test.js")}
    assert modules, f"no modules in {LOGIC}"
    assert modules == tested, "each web/js/logic/NAME.js has its tests in tests/web/NAME.test.js"


def test_the_web_apps_logic_passes_its_node_tests() -> None:
    node = shutil.which("node")
    assert node, "node is missing: apt-get install nodejs (`make test` installs it)"
    files = [str(path.relative_to(ROOT)) for path in sorted(WEB_TESTS.glob("*.test.js"))]
    result = subprocess.run(
        [node, "--test", *files],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_S,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, f"node --test failed:\n{report}"
    passed = re.search(r"^# pass (\d+)$", result.stdout, re.MULTILINE)
    assert passed and int(passed[1]) > 0, f"node --test ran no test:\n{report}"
