"""Per-run cost of the sandbox: a raw process, the namespace sandbox, isolate, and docker.

For `python3 -c pass` and a C hello world it measures, in one run, the median wall time of
one run: raw (a plain subprocess), CodeArena's resident box (`Box.run` after one compile),
CodeArena's first run of a submission (`Box.run` right after its compile, which started the
box for it, as the judge compiles; and, for comparison, after a compile that did not),
isolate (`isolate --run`, when an `isolate` binary is on PATH; the output says so when not)
and the docker backend (a `DockerBox`). Raw and each sandbox are timed in turns, run by run,
so both see the same load. It prints the ratios against raw and the goals (resident
C ≤ 1.5 × raw, Python ≤ 1.1 × raw; a first run ≤ 15 ms over raw; docker ≥ 10 × the
sandbox), then one JSON line. Needs root (the sandbox) and docker.io; it starts the private
dockerd when none answers and stops it afterwards (unless another user still holds it:
daemon.shared). Both sandboxes use the root, cgroup name and uids of judge host instance
`--instance` (judge_host/instances.py), as bench/judge.py does.

    .venv/bin/python bench/sandbox.py [--runs 40] [--first-runs 10] [--docker-runs 10] [--no-docker]
        [--instance N]
"""

from __future__ import annotations

import argparse
import json
import shutil
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
GOAL_OVER_RAW = {"python": 1.1, "c": 1.5}  # the resident box against a raw process
GOAL_FIRST_RUN_OVER_RAW_MS = 15.0
GOAL_DOCKER_OVER_SANDBOX = 10.0
CASES = {"python": ("python3 -c pass", "pass\n"), "c": ("C hello world", C_HELLO)}
ISOLATE = "isolate"
ISOLATE_BOX_ID = 91  # far from the ids CMS-style setups use first


def timed_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def in_turns(actions: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median wall time (ms) of each action, timed in turns (one run of each per round, after
    a short warm-up) so that every action sees the same load."""
    for action in actions.values():
        for _ in range(WARMUP):
            action()
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            samples[name].append(timed_ms(action))
    return {name: statistics.median(values) for name, values in samples.items()}


class Raw:
    """Plain subprocesses, stdout to a file as in the sandbox."""

    def __init__(self, scratch: Path) -> None:
        self.binary = scratch / "hello"
        (scratch / "hello.c").write_text(C_HELLO)
        subprocess.run(["gcc", "-O2", "-o", str(self.binary), str(scratch / "hello.c")], check=True)
        self.out = open(scratch / "out", "wb")  # noqa: SIM115 (closed in close())
        self.argvs = {"python": [PYTHON, "-c", "pass"], "c": [str(self.binary)]}

    def action(self, case: str) -> Callable[[], object]:
        return lambda: subprocess.run(self.argvs[case], stdout=self.out, check=True)

    def close(self) -> None:
        self.out.close()


def resident_vs_raw(sandbox: Any, raw: Raw, runs: int) -> dict[str, dict[str, float]]:
    """Per case: `Box.run` after one compile, in turns with the raw process."""
    timings = {}
    with sandbox.box() as box:
        for case, (_, source) in CASES.items():
            compiled = box.compile(case, source)
            assert compiled.ok, compiled.output
            timings[case] = in_turns(
                {"raw": raw.action(case), "box": lambda box=box: _checked_run(box)}, runs
            )
    return timings


def first_run_vs_raw(sandbox: Sandbox, raw: Raw, runs: int) -> dict[str, dict[str, float]]:
    """Per case: the first `Box.run` after a compile (the compile itself untimed) told the
    run limits, as the judge compiles (the box starts meanwhile: "first"), and after one that
    is not ("cold": the box starts with the first run), in turns with the raw process."""
    timings: dict[str, dict[str, float]] = {}
    with sandbox.box() as box:
        for case, (_, source) in CASES.items():
            samples: dict[str, list[float]] = {"raw": [], "first": [], "cold": []}
            for _ in range(runs):
                assert box.compile(case, source, run_limits=LIMITS).ok
                samples["first"].append(timed_ms(lambda box=box: _checked_run(box)))
                samples["raw"].append(timed_ms(raw.action(case)))
                assert box.compile(case, source).ok
                samples["cold"].append(timed_ms(lambda box=box: _checked_run(box)))
            timings[case] = {name: statistics.median(values) for name, values in samples.items()}
    return timings


def _checked_run(box: Any) -> None:
    result = box.run(None, LIMITS)
    if result.status is not Status.OK:
        raise RuntimeError(f"the benchmark program failed: {result}")


def isolate_vs_raw(raw: Raw, runs: int) -> dict[str, dict[str, float]] | None:
    """Per case: `isolate --run` (its defaults: no cgroups), in turns with the raw process;
    None when no isolate binary is on PATH."""
    isolate = shutil.which(ISOLATE)
    if isolate is None:
        return None
    box_id = f"--box-id={ISOLATE_BOX_ID}"
    subprocess.run([isolate, box_id, "--cleanup"], capture_output=True)
    box_dir = Path(
        subprocess.run([isolate, box_id, "--init"], capture_output=True, text=True, check=True).stdout.strip()
    )
    try:
        shutil.copy(raw.binary, box_dir / "box" / "hello")
        argvs = {"python": [PYTHON, "-c", "pass"], "c": ["./hello"]}
        timings = {}
        for case, argv in argvs.items():

            def run(argv: list[str] = argv) -> None:
                subprocess.run(
                    [isolate, box_id, "--silent", "--run", "--", *argv], stdout=raw.out, check=True
                )

            timings[case] = in_turns({"raw": raw.action(case), "isolate": run}, runs)
        return timings
    finally:
        subprocess.run([isolate, box_id, "--cleanup"], capture_output=True)


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


def report(timings: dict[str, Any], runs: dict[str, int]) -> dict[str, Any]:
    cases: dict[str, Any] = {}
    for case in CASES:
        resident, first = timings["resident"][case], timings["first_run"][case]
        isolate = (timings.get("isolate") or {}).get(case)
        docker_ms = timings.get("docker", {}).get(case)
        cases[case] = {
            "raw_ms": round(resident["raw"], 3),
            "sandbox_ms": round(resident["box"], 3),
            "sandbox_over_raw": ratio(resident["box"], resident["raw"]),
            "first_run_ms": round(first["first"], 3),
            "first_run_raw_ms": round(first["raw"], 3),
            "first_run_over_raw_ms": round(first["first"] - first["raw"], 2),
            "first_run_over_raw": ratio(first["first"], first["raw"]),
            "first_run_cold_ms": round(first["cold"], 3),
            "first_run_cold_over_raw_ms": round(first["cold"] - first["raw"], 2),
            "isolate_ms": None if isolate is None else round(isolate["isolate"], 3),
            "isolate_over_raw": None if isolate is None else ratio(isolate["isolate"], isolate["raw"]),
            "docker_ms": None if docker_ms is None else round(docker_ms, 2),
            "docker_over_sandbox": ratio(docker_ms, resident["box"]),
        }
    docker_ratios = [c["docker_over_sandbox"] for c in cases.values()]
    goals: dict[str, bool | None] = {
        f"{case}_sandbox_over_raw_le_{goal}": cases[case]["sandbox_over_raw"] <= goal
        for case, goal in GOAL_OVER_RAW.items()
    }
    goals["first_run_over_raw_le_15_ms"] = all(
        c["first_run_over_raw_ms"] <= GOAL_FIRST_RUN_OVER_RAW_MS for c in cases.values()
    )
    goals["docker_over_sandbox_ge_10"] = (
        None if None in docker_ratios else all(r >= GOAL_DOCKER_OVER_SANDBOX for r in docker_ratios)
    )
    isolate_note = "measured" if timings.get("isolate") else "no isolate binary on PATH: not measured"
    return {"benchmark": "sandbox", "runs": runs, "cases": cases, "goals": goals, "isolate": isolate_note}


def print_table(result: dict[str, Any]) -> None:
    for case, row in result["cases"].items():
        isolate = (
            "n/a" if row["isolate_ms"] is None else f"{row['isolate_ms']:.2f} ms ({row['isolate_over_raw']}x)"
        )
        docker = "n/a" if row["docker_ms"] is None else f"{row['docker_ms']:.1f} ms"
        print(
            f"{CASES[case][0]:<16} raw {row['raw_ms']:6.2f} ms   resident {row['sandbox_ms']:6.2f} ms "
            f"({row['sandbox_over_raw']}x)   first run {row['first_run_ms']:6.2f} ms "
            f"(+{row['first_run_over_raw_ms']} ms, {row['first_run_over_raw']}x; "
            f"not started while compiling +{row['first_run_cold_over_raw_ms']} ms)   isolate {isolate}   "
            f"docker {docker} (docker/sandbox {row['docker_over_sandbox'] or 'n/a'})"
        )
    print(f"isolate: {result['isolate']}")
    goals = "; ".join(f"{name}: {_verdict(met)}" for name, met in result["goals"].items())
    print(f"goals: {goals}")


def _verdict(met: bool | None) -> str:
    return "not measured" if met is None else "met" if met else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="timed runs per case, raw and resident")
    parser.add_argument("--first-runs", type=int, default=10, help="compiles and first runs per case")
    parser.add_argument("--docker-runs", type=int, default=10, help="timed runs per case in docker")
    parser.add_argument("--no-docker", action="store_true", help="skip the docker backend")
    parser.add_argument("--instance", type=int, default=13, help="judge host instance (own sandbox)")
    args = parser.parse_args()
    timings: dict[str, Any] = {}
    options = sandbox_options(args.instance)
    if not options:
        parser.error("--instance 0 is a judge host's default sandbox: take one of 1-13")
    with tempfile.TemporaryDirectory(prefix="codearena-bench-") as scratch:
        raw = Raw(Path(scratch))
        try:
            with namespace_sandbox(options) as sandbox:
                timings["resident"] = resident_vs_raw(sandbox, raw, args.runs)
                timings["first_run"] = first_run_vs_raw(sandbox, raw, args.first_runs)
            timings["isolate"] = isolate_vs_raw(raw, args.runs)
        finally:
            raw.close()
    if not args.no_docker:
        with docker_sandbox(options) as sandbox:
            timings["docker"] = {
                case: row["box"] for case, row in resident_vs_raw(sandbox, _NoRaw(), args.docker_runs).items()
            }
    runs = {
        "raw": args.runs,
        "sandbox": args.runs,
        "first_run": args.first_runs,
        "docker": 0 if args.no_docker else args.docker_runs,
    }
    result = report(timings, runs)
    print_table(result)
    print(json.dumps(result))
    return 0


class _NoRaw(Raw):
    """In place of `Raw` where only the sandbox is timed (docker: raw is timed with the
    namespace sandbox)."""

    def __init__(self) -> None:
        pass

    def action(self, case: str) -> Callable[[], object]:
        return lambda: None


if __name__ == "__main__":
    sys.exit(main())
