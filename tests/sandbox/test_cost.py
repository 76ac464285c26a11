"""What a run costs on top of the program, timed in turns with the same program run raw (so
both see the same load). The bounds sit between what the sandbox measured before issue 16
and after, on a loaded 2-core machine: the fastest C hello world 1.2–1.3 ms over the fastest
raw one before, 0.7–0.8 ms after; a submission's first run 43–65 ms over raw before, 8–13 ms
after (18–25 ms on a machine loaded 7× its cores), and 1–7 ms once the compile starts the box
for it. Fastest runs, not medians: they move least with the load of other suites."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from sandbox import Box, Status
from sandbox.box import NamespaceBox
from tests.sandbox.conftest import LIMITS, compile_ok

C_HELLO = '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n'
RUNS = 40
ROUNDS = 5


def _ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _raw_hello(tmp_path: Path) -> Callable[[], object]:
    (tmp_path / "hello.c").write_text(C_HELLO)
    subprocess.run(["gcc", "-O2", "-o", str(tmp_path / "hello"), str(tmp_path / "hello.c")], check=True)
    return lambda: subprocess.run([str(tmp_path / "hello")], stdout=subprocess.DEVNULL, check=True)


def _run(box: Box) -> None:
    assert box.run(None, LIMITS).status is Status.OK


def test_a_c_run_costs_little_more_than_the_program(box: Box, tmp_path: Path) -> None:
    """Up to ROUNDS rounds of RUNS turns, until one was quiet enough to show the cost: under
    `make test`'s parallel workers a round can have no quiet moment (seen: 2.00 ms in the box
    against 0.96 ms raw); the code before issue 16 never gets under the bound in any round."""
    raw = _raw_hello(tmp_path)
    compile_ok(box, "c", C_HELLO)
    rounds = []
    for _ in range(ROUNDS):
        samples: dict[str, list[float]] = {"raw": [], "box": []}
        for _ in range(RUNS):
            samples["raw"].append(_ms(raw))
            samples["box"].append(_ms(lambda: _run(box)))
        raw_ms, box_ms = (min(samples[name]) for name in ("raw", "box"))
        rounds.append(f"{box_ms:.2f} ms in the box, {raw_ms:.2f} ms raw")
        if box_ms - raw_ms < 1.0:
            return
    raise AssertionError(f"a C hello world, each round: {rounds}")


def test_a_first_run_costs_little_more_than_the_next(box: Box, tmp_path: Path) -> None:
    raw = _raw_hello(tmp_path)
    over_ms = []
    for _ in range(5):
        compile_ok(box, "c", C_HELLO)
        over_ms.append(_ms(lambda: _run(box)) - _ms(raw))
    # The least of five: under make test's parallel workers single rounds cost 40-50 ms (seen in
    # CI: a median of 29 ms); a slower box start makes every round, and so the least, slower.
    assert min(over_ms) < 25, f"first runs over raw: {over_ms} ms"


def test_a_compile_told_the_run_limits_starts_the_box_for_them(box: NamespaceBox) -> None:
    """The resident bubblewrap and its init are up when the compile returns, and the runs use
    them: the same processes before and after, the same memory reported for the first run as
    for the next (its start was measured apart from the compile)."""
    assert box.spec.cgroup is not None
    assert box.compile("c", C_HELLO, run_limits=LIMITS).ok
    started = box.spec.cgroup.procs()
    assert len(started) == 3, started  # the keeper, the outer bubblewrap and the init
    first, second = box.run(None, LIMITS), box.run(None, LIMITS)
    assert first.status is second.status is Status.OK and first.stdout_path.read_bytes() == b"hello\n"
    assert box.spec.cgroup.procs() == started
    assert abs(first.memory_kb - second.memory_kb) < 512 and first.memory_kb < 4096, (first, second)


def test_a_first_run_after_such_a_compile_costs_as_much_as_the_next(box: Box, tmp_path: Path) -> None:
    """Measured 3–7 ms over raw under load, where a first run without it was 16–35 ms over."""
    raw = _raw_hello(tmp_path)
    over_ms = []
    for _ in range(5):
        assert box.compile("c", C_HELLO, run_limits=LIMITS).ok
        over_ms.append(_ms(lambda: _run(box)) - _ms(raw))
    # The least of five, as above: a single round under make test's workers can take 20 ms.
    assert min(over_ms) < 10, f"first runs over raw: {over_ms} ms"
