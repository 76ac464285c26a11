"""Per-run cost of the sandbox: a raw process, the namespace sandbox, and docker.

For `python3 -c pass` and a C hello world it measures, in one run, the median wall time of
one run: raw (a plain subprocess), in the namespace sandbox (`Box.run` after one compile),
and in the docker backend (the same through a `DockerBox`). It prints the ratios
sandbox/raw and docker/sandbox against the goals (≤ 1.3 for Python; ≥ 10), then one JSON
line. Needs root (the sandbox) and docker.io; it starts the private dockerd when none
answers and stops it afterwards (unless another user still holds it: daemon.shared). Both
sandboxes, one after the other, use the root, cgroup name and uids of judge host instance
`--instance` (judge_host/instances.py), as bench/judge.py does.

    .venv/bin/python bench/sandbox.py [--runs 40] [--docker-runs 10] [--no-docker] [--instance N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from judge_host.instances import sandbox_options  # noqa: E402
from sandbox import Limits, Sandbox, Status  # noqa: E402

PYTHON = "/usr/bin/python3"  # Debian's, the one the sandbox runs
C_HELLO = '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n'
LIMITS = Limits(time_limit_ms=5000, memory_limit_kb=256 * 1024)
WARMUP = 2
GOAL_SANDBOX_OVER_RAW = 1.3
GOAL_DOCKER_OVER_SANDBOX = 10.0
CASES = {"python": ("python3 -c pass", "pass\n"), "c": ("C hello world", C_HELLO)}


def median_ms(action: Callable[[], object], runs: int) -> float:
    """Median wall time of `action` in milliseconds, after a short warm-up."""
    for _ in range(WARMUP):
        action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def raw(runs: int, scratch: Path) -> dict[str, float]:
    """Plain subprocesses, stdout to a file as in the sandbox."""
    binary = scratch / "hello"
    (scratch / "hello.c").write_text(C_HELLO)
    subprocess.run(["gcc", "-O2", "-o", str(binary), str(scratch / "hello.c")], check=True)
    with open(scratch / "out", "wb") as out:
        argvs = {"python": [PYTHON, "-c", "pass"], "c": [str(binary)]}
        return {
            case: median_ms(lambda argv=argv: subprocess.run(argv, stdout=out, check=True), runs)
            for case, argv in argvs.items()
        }


def in_boxes(sandbox: Any, runs: int) -> dict[str, float]:
    """`Box.run` after one compile, for each case."""
    timings = {}
    with sandbox.box() as box:
        for case, (_, source) in CASES.items():
            compiled = box.compile(case, source)
            assert compiled.ok, compiled.output
            timings[case] = median_ms(lambda box=box: _checked_run(box), runs)
    return timings


def _checked_run(box: Any) -> None:
    result = box.run(None, LIMITS)
    if result.status is not Status.OK:
        raise RuntimeError(f"the benchmark program failed: {result}")


@contextmanager
def namespace_sandbox(options: dict[str, Any]) -> Iterator[Sandbox]:
    sandbox = Sandbox.start(boxes=1, **options)
    try:
        yield sandbox
    finally:
        sandbox.close()


@contextmanager
def docker_sandbox(options: dict[str, Any]) -> Iterator[Any]:
    from sandbox.docker import daemon as docker_daemon
    from sandbox.docker.backend import DockerSandbox
    from sandbox.docker.images import ensure_image

    with docker_daemon.client() as client:
        ensure_image(client)
        root = Path(options["root_dir"])
        sandbox = DockerSandbox.start(
            1,
            root.with_name(root.name + "-docker"),
            name=options["name"],
            uid_base=options["uid_base"],
            docker_host=docker_daemon.DEFAULT_PATHS.host,
        )
        try:
            yield sandbox
        finally:
            sandbox.close()


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 2)


def report(timings: dict[str, dict[str, float]], runs: dict[str, int]) -> dict[str, Any]:
    cases: dict[str, Any] = {}
    for case in CASES:
        raw_ms, box_ms = timings["raw"][case], timings["sandbox"][case]
        docker_ms = timings.get("docker", {}).get(case)
        cases[case] = {
            "raw_ms": round(raw_ms, 2),
            "sandbox_ms": round(box_ms, 2),
            "docker_ms": None if docker_ms is None else round(docker_ms, 2),
            "sandbox_over_raw": ratio(box_ms, raw_ms),
            "docker_over_sandbox": ratio(docker_ms, box_ms),
        }
    python = cases["python"]
    docker_ratios = [c["docker_over_sandbox"] for c in cases.values()]
    goals = {
        "python_sandbox_over_raw_le_1.3": python["sandbox_over_raw"] <= GOAL_SANDBOX_OVER_RAW,
        "docker_over_sandbox_ge_10": None
        if None in docker_ratios
        else all(r >= GOAL_DOCKER_OVER_SANDBOX for r in docker_ratios),
    }
    return {"benchmark": "sandbox", "runs": runs, "cases": cases, "goals": goals}


def print_table(result: dict[str, Any]) -> None:
    for case, row in result["cases"].items():
        docker_ms = "n/a" if row["docker_ms"] is None else f"{row['docker_ms']:.1f} ms"
        print(
            f"{CASES[case][0]:<16} raw {row['raw_ms']:6.2f} ms   sandbox {row['sandbox_ms']:6.2f} ms   "
            f"docker {docker_ms:>9}   sandbox/raw {row['sandbox_over_raw']:5.2f}   "
            f"docker/sandbox {row['docker_over_sandbox'] or 'n/a'}"
        )
    python = result["cases"]["python"]
    met = result["goals"]
    print(
        f"goals: python sandbox/raw {python['sandbox_over_raw']} <= {GOAL_SANDBOX_OVER_RAW}: "
        f"{_verdict(met['python_sandbox_over_raw_le_1.3'])}; "
        f"docker/sandbox >= {GOAL_DOCKER_OVER_SANDBOX:g}: {_verdict(met['docker_over_sandbox_ge_10'])}"
    )


def _verdict(met: bool | None) -> str:
    return "not measured" if met is None else "met" if met else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="timed runs per case, raw and sandbox")
    parser.add_argument("--docker-runs", type=int, default=10, help="timed runs per case in docker")
    parser.add_argument("--no-docker", action="store_true", help="skip the docker backend")
    parser.add_argument("--instance", type=int, default=13, help="judge host instance (own sandbox)")
    args = parser.parse_args()
    timings: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="codearena-bench-") as scratch:
        timings["raw"] = raw(args.runs, Path(scratch))
    options = sandbox_options(args.instance)
    if not options:
        parser.error("--instance 0 is a judge host's default sandbox: take one of 1-13")
    with namespace_sandbox(options) as sandbox:
        timings["sandbox"] = in_boxes(sandbox, args.runs)
    if not args.no_docker:
        with docker_sandbox(options) as sandbox:
            timings["docker"] = in_boxes(sandbox, args.docker_runs)
    runs = {"raw": args.runs, "sandbox": args.runs, "docker": 0 if args.no_docker else args.docker_runs}
    result = report(timings, runs)
    print_table(result)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
