"""Judging throughput (issue 4): end-to-end judged submissions per second — intake, queue,
judge host, scoring, PostgreSQL and Redis — against the same programs run straight through
the same sandbox (compile once, 20 tests, check each output) in the same run.
Goal: the pipeline keeps ≥ 0.8 of the raw sandbox throughput.

Run: .venv/bin/python bench/judge.py [--submissions N] [--tests N] [--boxes N] [--instance N]
(needs root and bubblewrap, like a judge host).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

# The checkout, not bench/ (where bench/sandbox.py would shadow the sandbox package).
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import report, scratch_core  # noqa: E402
from codearena import contests, submissions, users  # noqa: E402
from codearena.auth import Principal  # noqa: E402
from codearena.core import Core  # noqa: E402
from codearena.models import Role  # noqa: E402
from judge_host.daemon import HostConfig, JudgeHost  # noqa: E402
from judge_host.instances import sandbox_options  # noqa: E402
from sandbox import Limits, Sandbox, Status, check_output  # noqa: E402

SOURCE = "a, b = map(int, input().split())\nprint(a + b)\n"


def problem_tests(count: int) -> list[dict[str, str]]:
    return [{"input": f"{n} {n * 7}\n", "answer": f"{n * 8}\n"} for n in range(count)]


def raw(sandbox: Sandbox, count: int, tests: list[dict[str, str]], boxes: int) -> float:
    """Seconds to compile and run `count` submissions straight through the sandbox."""
    limits = Limits(time_limit_ms=2000, memory_limit_kb=262144)
    cases = [(t["input"].encode(), t["answer"].encode()) for t in tests]

    def one(_: int) -> None:
        with sandbox.box() as box:
            assert box.compile("python", SOURCE).ok
            for stdin, answer in cases:
                result = box.run(stdin, limits)
                assert result.status is Status.OK and check_output(answer, result.stdout_path)

    started = time.perf_counter()
    with ThreadPoolExecutor(boxes) as pool:
        list(pool.map(one, range(count)))
    return time.perf_counter() - started


def setup(core: Core, tests: list[dict[str, str]]) -> tuple[int, int, Principal]:
    now = core.clock()
    contest = contests.create_contest(
        core,
        {
            "title": "Bench",
            "start_at": (now - timedelta(minutes=5)).isoformat(),
            "end_at": (now + timedelta(hours=1)).isoformat(),
        },
    )
    problem = contests.create_problem(
        core, {"title": "A+B", "time_limit_ms": 2000, "memory_limit_kb": 262144, "tests": tests}
    )
    contests.attach_problem(core, contest["id"], {"problem_id": problem["id"], "label": "A"})
    name = f"bencher{contest['id']}"
    user = users.create_user(core, name, "bencher-password")
    return contest["id"], problem["id"], Principal(user["id"], name, Role.CONTESTANT)


def pipeline(core: Core, sandbox: Sandbox, count: int, boxes: int, tests: list[dict[str, str]]) -> float:
    """Seconds from the first submission to the last stored verdict, through a judge host."""
    cid, pid, principal = setup(core, tests)
    host = JudgeHost(core, sandbox, "bench-host", HostConfig(lease_seconds=60, sweep_seconds=3600))
    runner = threading.Thread(target=host.run, args=(boxes,))
    runner.start()
    time.sleep(1.0)  # the host is up and waiting, as in production
    started = time.perf_counter()
    body = {"problem_id": pid, "language": "python", "source": SOURCE}
    for _ in range(count):
        submissions.submit(core, principal, cid, body)
    while _judged(core, cid) < count:
        time.sleep(0.02)
    took = time.perf_counter() - started
    host.stop()
    runner.join()
    assert _verdicts(core, cid) == {"AC": count}
    return took


def _judged(core: Core, contest_id: int) -> int:
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT count(*) AS n FROM submissions WHERE contest_id = %s AND status = 'judged'", (contest_id,)
        )
        return int(cur.fetchone()["n"])


def _verdicts(core: Core, contest_id: int) -> dict[str, int]:
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT r.verdict, count(*) AS n FROM submission_results r JOIN submissions s"
            " ON s.id = r.submission_id WHERE s.contest_id = %s GROUP BY 1",
            (contest_id,),
        )
        return {row["verdict"]: row["n"] for row in cur.fetchall()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--tests", type=int, default=20)
    parser.add_argument("--boxes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5, help="raw and pipeline runs, alternated")
    parser.add_argument("--instance", type=int, default=13, help="judge host instance (own sandbox)")
    args = parser.parse_args()
    tests = problem_tests(args.tests)
    per_round = max(args.submissions // args.rounds, 1)
    ratios, raw_s, piped_s = [], 0.0, 0.0
    sandbox = Sandbox.start(boxes=args.boxes, **sandbox_options(args.instance))
    try:
        with scratch_core() as core:
            core.settings = replace(
                core.settings, submit_rate_per_minute=10**6, max_pending_submissions=10**6
            )
            raw(sandbox, 2, tests, args.boxes)  # warm-up: page cache, interpreter
            for _ in range(args.rounds):  # short alternating rounds: others' load hits both alike
                one_raw = raw(sandbox, per_round, tests, args.boxes)
                one_piped = pipeline(core, sandbox, per_round, args.boxes, tests)
                ratios.append(one_raw / one_piped)
                raw_s, piped_s = raw_s + one_raw, piped_s + one_piped
    finally:
        sandbox.close()
    count = per_round * args.rounds
    raw_rate, pipe_rate = count / raw_s, count / piped_s
    ratio = statistics.median(ratios)  # per round: pipeline throughput / raw throughput
    print(
        f"{count} Python submissions x {args.tests} tests, {args.boxes} boxes, {args.rounds} rounds:"
        f" raw sandbox {raw_rate:.2f} submissions/s, judged end to end {pipe_rate:.2f} submissions/s"
        f" -> pipeline/raw = {ratio:.2f} (median of the rounds' ratios; goal >= 0.8)"
    )
    report(
        "judge",
        submissions=count,
        tests=args.tests,
        boxes=args.boxes,
        raw_per_s=round(raw_rate, 3),
        pipeline_per_s=round(pipe_rate, 3),
        ratio=round(ratio, 3),
        round_ratios=[round(r, 3) for r in ratios],
    )


if __name__ == "__main__":
    main()
