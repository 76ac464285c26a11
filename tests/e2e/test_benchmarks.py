"""Every benchmark runs from a clean checkout, small: its own correctness checks pass and it
prints its JSON line. The figures at this size are not the goals' (bench/README.md)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from codearena_cli.devservers import Services

ROOT = Path(__file__).resolve().parents[2]


def run_script(name: str, *args: str, env: dict[str, str] | None = None) -> str:
    """bench/NAME.py's output; it must succeed."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / f"{name}.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def run_bench(services: Services, name: str, *args: str) -> dict[str, Any]:
    env = dict(os.environ, DATABASE_URL=services.database_url, REDIS_URL=services.redis_url)
    last = json.loads(run_script(name, *args, env=env).strip().splitlines()[-1])
    assert isinstance(last, dict)
    return last


def test_leaderboard_bench_agrees_with_sql_and_reports(services: Services) -> None:
    # The bench asserts itself that Redis and SQL answer the same ranking before timing.
    size = ("--contestants", "2000", "--events", "4000", "--repeat", "20")
    figures = run_bench(services, "leaderboard", *size)
    assert figures["contestants"] == 2000 and figures["events"] == 4000
    assert len(figures["rank_ratio_rounds"]) == 10
    for field in ("redis_rank_ms", "sql_rank_ms", "ping_ms", "redis_rows_ms", "rebuild_events_per_s"):
        assert figures[field] > 0, field


def test_judge_bench_judges_every_submission(services: Services) -> None:
    figures = run_bench(services, "judge", "--submissions", "2", "--tests", "3", "--rounds", "1")
    assert figures["pipeline_per_s"] > 0 and figures["raw_per_s"] > 0
    assert len(figures["round_ratios"]) == 1


def test_fanout_bench_delivers_the_final_board_to_every_client(services: Services) -> None:
    figures = run_bench(
        services,
        "fanout",
        *("--clients", "40", "--verdicts", "10", "--seconds", "2", "--baseline-verdicts", "5"),
        *("--processes", "1"),
    )
    assert figures["clients"] == 40
    assert figures["clients_missing_final"] == 0 and figures["rows_never_seen"] == 0


def test_fanout_aws_bench_posts_every_event_to_every_viewer_once(services: Services) -> None:
    size = ("--connections", "200", "--events", "2", "--rounds", "1", "--concurrency", "16")
    figures = run_bench(services, "fanout_aws", *size)
    assert figures["connections"] == 200 and figures["concurrency"] == 16
    assert figures["each_event_once"] and figures["gone_posted_once"]
    assert figures["posts_per_s"] > 0 and figures["raw_posts_per_s"] > 0 and len(figures["ratio_rounds"]) == 1


def test_sandbox_bench_times_every_backend(services: Services) -> None:
    figures = run_bench(services, "sandbox", "--runs", "3", "--first-runs", "2", "--docker-runs", "2")
    assert set(figures["cases"]) == {"python", "c"}
    for case in figures["cases"].values():
        assert case["raw_ms"] > 0 and case["sandbox_ms"] > 0 and case["docker_ms"] > 0
        assert case["first_run_ms"] > 0 and case["sandbox_over_raw"] > 0
    assert figures["isolate"] == "no isolate binary on PATH: not measured"  # none on these machines


def test_login_bench_logs_in_through_the_gateway(services: Services) -> None:
    figures = run_bench(
        services, "login", "--users", "10", "--clients", "2", "--seconds", "0.5", "--rounds", "1"
    )
    assert figures["argon2"] == "m=19 MiB, t=2, p=1"
    assert figures["logins_per_s"] > 0 and figures["bare_per_s"] > figures["logins_per_s"]
    assert figures["verify_ms"] > 0 and len(figures["login_to_bare_ratio_rounds"]) == 1


def test_autoscale_bench_judges_every_submission_for_fewer_instance_hours() -> None:
    # No services: a simulation on the contest data beside the checkout (shared/data/clics).
    output = run_script("autoscale", "--contestants", "500", "--seed", "3")
    *_, json_line, last = output.strip().splitlines()
    found = re.fullmatch(r"autoscale: p95 wait (\d+\.\d) s, instance-hours (\d+\.\d\d) of fixed", last)
    assert found, last
    day = json.loads(json_line)["days"]["500"]
    scaled, fixed = day["autoscaled"], day["fixed"]
    assert day["submissions"] > 1000 and scaled["judged"] == fixed["judged"] == day["submissions"]
    assert scaled["instance_hours"] < fixed["instance_hours"]
    assert float(found[1]) == scaled["p95_wait_s"]
    assert float(found[2]) == round(scaled["instance_hours"] / fixed["instance_hours"], 2)
    assert f"judged: {day['submissions']:,} autoscaled, {day['submissions']:,} fixed" in output


def test_similarity_bench_ranks_copies_above_independent_solutions() -> None:
    # No services: the labelled set in bench/similarity_set; Dolos needs `make bench-dolos`.
    output = run_script("similarity", "--tools", "codearena,copydetect", "--timing-size", "30")
    figures = json.loads(output.strip().splitlines()[-1])
    ours, peer = figures["tools"]["codearena"], figures["tools"]["copydetect"]
    assert figures["programs"] == 27 * 7  # 3 problems × 3 authors × 3 languages, 6 copies of each
    assert ours["k"] == peer["k"] == 27 * 21  # the pairs within each original's family of seven
    assert ours["auc"] >= max(0.95, peer["auc"])
    assert ours["timing_seconds"] > 0 and peer["timing_seconds"] > 0
