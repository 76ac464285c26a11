"""Logins per second through the local gateway, with the production argon2id parameters.

A contest's start is thousands of logins within a minute. This starts a real gateway on
loopback, creates contestants, and has concurrent clients log in (each login: argon2id
verify, one PostgreSQL read, the throttle's Redis script, a signed token) in turns with a
bare route (`GET /languages`: one Redis read) over the same gateway and clients, so the
ratio shows what a login costs beyond the HTTP path itself. It also times one argon2id
verify in this process, which bounds logins per core.

    .venv/bin/python bench/login.py [--users 400] [--clients 16] [--seconds 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

# The checkout, not bench/ (where bench/sandbox.py would shadow the sandbox package).
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import report, scratch_core, start_gateway  # noqa: E402
from codearena import auth  # noqa: E402
from codearena.core import Core  # noqa: E402

PASSWORD = "bench-login-passphrase"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument("--seconds", type=float, default=3.0, help="per phase and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    hash_ms = verify_ms()
    with scratch_core() as core:
        names = seed(core, args.users)
        gateway, base = start_gateway(core.settings)
        try:
            rounds = [one_round(base, names, args.clients, args.seconds) for _ in range(args.rounds)]
        finally:
            gateway.terminate()
            gateway.wait(10)
    summarize(args, rounds, hash_ms)


def verify_ms(samples: int = 5) -> float:
    """One argon2id verify with the production parameters, in this process (median)."""
    stored = auth.hash_password(PASSWORD)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        assert auth.verify_password(stored, PASSWORD)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def seed(core: Core, count: int) -> list[str]:
    """`count` contestants sharing one hash (hashing each would time the set-up, not logins)."""
    stored = auth.hash_password(PASSWORD)
    names = [f"racer{n:05}" for n in range(count)]
    with core.db.transaction() as cur:
        cur.executemany(
            "INSERT INTO users (username, password_hash) VALUES (%s, %s)", [(name, stored) for name in names]
        )
    return names


def one_round(base: str, names: list[str], clients: int, seconds: float) -> dict[str, float]:
    """Requests per second of the bare route, then of logins, with the same clients."""
    bare = hammer(base, clients, seconds, lambda http, n: http.get("/languages"))
    cursor = iter(range(10**9))

    def log_in(http: httpx.Client, n: int) -> httpx.Response:
        name = names[next(cursor) % len(names)]
        return http.post("/auth/login", json={"username": name, "password": PASSWORD})

    logins = hammer(base, clients, seconds, log_in)
    print(f"round: bare {bare:,.0f}/s, logins {logins:,.1f}/s", file=sys.stderr, flush=True)
    return {"bare_per_s": bare, "logins_per_s": logins}


def hammer(
    base: str, clients: int, seconds: float, request: Callable[[httpx.Client, int], httpx.Response]
) -> float:
    """Successful requests per second from `clients` threads for `seconds`; any failure aborts."""
    done = [0] * clients
    failures: list[str] = []
    stop = time.monotonic() + seconds

    def client(slot: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            while time.monotonic() < stop and not failures:
                answer = request(http, slot)
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")
                done[slot] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(slot,)) for slot in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"a request failed: {failures[0]}")
    return sum(done) / (time.monotonic() - started)


def summarize(args: argparse.Namespace, rounds: list[dict[str, float]], hash_ms: float) -> None:
    logins = statistics.median(r["logins_per_s"] for r in rounds)
    bare = statistics.median(r["bare_per_s"] for r in rounds)
    ratios = [r["logins_per_s"] / r["bare_per_s"] for r in rounds]
    params = f"m={auth.ARGON2_MEMORY_KIB // 1024} MiB, t={auth.ARGON2_TIME_COST}, p={auth.ARGON2_PARALLELISM}"
    print(f"argon2id ({params}): {hash_ms:.1f} ms per verify in one thread")
    print(
        f"logins through the gateway, {args.clients} clients (median of {len(rounds)} rounds):"
        f" {logins:,.1f}/s = {logins * 60:,.0f} a minute; bare route {bare:,.0f}/s;"
        f" a login costs {bare / logins:,.1f} bare requests"
    )
    report(
        "login",
        users=args.users,
        clients=args.clients,
        argon2=params,
        verify_ms=round(hash_ms, 2),
        logins_per_s=round(logins, 1),
        logins_per_minute=round(logins * 60),
        bare_per_s=round(bare, 1),
        login_to_bare_ratio_rounds=[round(ratio, 4) for ratio in ratios],
    )


if __name__ == "__main__":
    main()
