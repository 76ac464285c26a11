"""Leaderboard reads and rebuilds (issue 4).

1. "Top 100 + my rank" with 100,000 contestants: the Redis board (ZSET + rows hash, as the
   API reads it) against the same question in SQL on the same rows (ORDER BY … LIMIT 100 with
   ranks, plus a count of better rows for my rank). Goal: Redis ≥ 50× faster (median). The
   two take turns over ten rounds, next to a bare PING: the round trip no Redis query beats.
2. `codearena leaderboard rebuild` of 1,000,000 leaderboard events: events per second, against
   a plain read of the same events from PostgreSQL.

Run: .venv/bin/python bench/leaderboard.py [--contestants N] [--events N] [--repeat N]
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The checkout, not bench/ (where bench/sandbox.py would shadow the sandbox package).
sys.path[0] = str(Path(__file__).resolve().parents[1])

from redis.connection import parse_url  # noqa: E402

from bench.common import report, scratch_core  # noqa: E402
from codearena import keys, standings  # noqa: E402
from codearena.core import Core  # noqa: E402

# Absolute ICPC-like rows made in the database; rank_key packed as codearena.scoring does.
_EVENTS = """
INSERT INTO leaderboard_events (contest_id, user_id, jury_row, public_row)
SELECT %(contest)s, u.id, r.row, r.row FROM generate_series(1::bigint, %(events)s::bigint) AS g(n)
JOIN users u ON u.id = %(first_user)s + (g.n %% %(users)s)
CROSS JOIN LATERAL (
    SELECT (4 + g.n %% 7) AS solved, (g.n * 7919) %% 3000 AS penalty, (g.n * 31) %% 300 AS minute
) AS s
CROSS JOIN LATERAL (SELECT jsonb_build_object(
    'user_id', u.id, 'username', u.username, 'solved', s.solved, 'score', s.solved,
    'penalty', s.penalty, 'tiebreak_minute', s.minute,
    'rank_key', ((-s.solved * 10000000 + s.penalty) * 100000 + s.minute)::float8,
    'problems', jsonb_build_object(
        'A', jsonb_build_object('attempts', 1, 'pending', 0, 'solved', true,
                                'time_minutes', s.minute, 'score', 1),
        'B', jsonb_build_object('attempts', 3, 'pending', 1, 'solved', false,
                                'time_minutes', null, 'score', 0))
) AS row) AS r
"""


def populate(core: Core, contestants: int, events: int) -> int:
    with core.db.transaction() as cur:
        cur.execute(
            "INSERT INTO contests (title, start_at, end_at) VALUES ('Bench', now() - interval '1 hour',"
            " now() + interval '1 hour') RETURNING id"
        )
        contest = cur.fetchone()["id"]
        cur.execute(
            "INSERT INTO users (username, password_hash) SELECT 'u' || lpad(n::text, 7, '0'), 'x'"
            " FROM generate_series(1, %s) AS n RETURNING id",
            (contestants,),
        )
        first_user = min(row["id"] for row in cur.fetchall())
        cur.execute(
            _EVENTS, {"contest": contest, "events": events, "first_user": first_user, "users": contestants}
        )
        # The SQL baseline's table: each contestant's latest row, indexed on the rank key.
        cur.execute(
            "CREATE TABLE sql_board AS SELECT DISTINCT ON (user_id) user_id,"
            " jury_row->>'username' AS username, (jury_row->>'rank_key')::float8 AS rank_key,"
            " jury_row AS row FROM leaderboard_events"
            " WHERE contest_id = %s ORDER BY user_id, id DESC",
            (contest,),
        )
        cur.execute("CREATE INDEX ON sql_board (rank_key, username) INCLUDE (user_id)")
        cur.execute("CREATE UNIQUE INDEX ON sql_board (username)")
    _vacuum(core)
    return int(contest)


def _vacuum(core: Core) -> None:
    """Analyzed and vacuumed, so the baseline gets index-only scans: its best case."""
    import psycopg2

    conn = psycopg2.connect(core.settings.database_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE sql_board")
            cur.execute("VACUUM ANALYZE leaderboard_events")
    finally:
        conn.close()


def sql_top_and_me(core: Core, me: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT row, rank() OVER (ORDER BY rank_key) AS rank FROM"
            " (SELECT row, rank_key, username FROM sql_board ORDER BY rank_key, username LIMIT 100) AS top"
            " ORDER BY rank_key, username"
        )
        top = [dict(r["row"], rank=r["rank"]) for r in cur.fetchall()]
        cur.execute(
            "SELECT b.row, 1 + (SELECT count(*) FROM sql_board o WHERE o.rank_key < b.rank_key) AS rank"
            " FROM sql_board b WHERE b.username = %s",
            (me,),
        )
        mine = cur.fetchone()
    return top, dict(mine["row"], rank=mine["rank"])


def sql_ranking(core: Core, me: str) -> tuple[list[tuple[str, float]], int]:
    """One statement, one round trip, as the Redis side: the top 100 and a count for my rank."""
    with core.db.transaction() as cur:
        cur.execute(
            "(SELECT username, rank_key, 0::bigint AS rank FROM sql_board ORDER BY rank_key, username"
            " LIMIT 100) UNION ALL (SELECT NULL, NULL, 1 + count(*) FROM sql_board"
            " WHERE rank_key < (SELECT rank_key FROM sql_board WHERE username = %s))",
            (me,),
        )
        *top, mine = cur.fetchall()
    return [(r["username"], r["rank_key"]) for r in top], int(mine["rank"])


def redis_ranking(core: Core, contest: int, me: str) -> tuple[list[tuple[str, float]], int | None]:
    return core.boards.top_and_rank(contest, "public", 100, me)


def redis_top_and_me(core: Core, contest: int, me: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """What GET …/leaderboard reads from Redis (boards.page): one call for page and row."""
    shown = core.boards.view(contest, "public", 0, 100, me)
    assert shown is not None and shown["me"] is not None
    return shown["rows"], shown["me"]


def bench_reads(core: Core, contest: int, contestants: int, repeat: int, rounds: int = 10) -> dict[str, Any]:
    """Medians of both questions on both stores, for the same random contestants, and of a bare
    PING. The queries take turns in `rounds` rounds: on these VMs a round trip between processes
    on one core and on two differs by 2x and the scheduler switches between them, so each side
    is timed across the same stretches of time. Also each round's rank ratio."""
    rng = random.Random(7)
    names = [f"u{rng.randint(1, contestants):07d}" for _ in range(repeat)]
    assert _same(sql_top_and_me(core, names[0]), redis_top_and_me(core, contest, names[0]))
    assert sql_ranking(core, names[0]) == redis_ranking(core, contest, names[0])
    with _raw_socket(core.settings.redis_url) as sock:
        timed: dict[str, Callable[[str], Any]] = {
            "sql_rank": lambda me: sql_ranking(core, me),
            "redis_rank": lambda me: redis_ranking(core, contest, me),
            "sql_rows": lambda me: sql_top_and_me(core, me),
            "redis_rows": lambda me: redis_top_and_me(core, contest, me),
            "ping": lambda me: _ping(sock),
        }
        times: dict[str, list[float]] = {name: [] for name in timed}
        round_ratios = []
        for turn in range(rounds):
            who = names[turn::rounds]
            for name, query in timed.items():
                query(who[0])  # warm-up
                for me in who:
                    started = time.perf_counter()
                    query(me)
                    times[name].append(time.perf_counter() - started)
            recent = {name: statistics.median(spent[-len(who) :]) for name, spent in times.items()}
            round_ratios.append(recent["sql_rank"] / recent["redis_rank"])
    result: dict[str, Any] = {name: statistics.median(spent) * 1000 for name, spent in times.items()}
    result["round_ratios"] = round_ratios
    return result


def _raw_socket(url: str) -> socket.socket:
    """A bare socket to the benchmark's Redis: the round trip no client library can beat."""
    where = parse_url(url)
    if "path" in where:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(where["path"])
    else:
        sock = socket.create_connection((where["host"], where["port"]))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _ping(sock: socket.socket) -> None:
    sock.sendall(b"PING\r\n")
    if sock.recv(64) != b"+PONG\r\n":
        raise RuntimeError("Redis did not answer PONG")


def _same(
    a: tuple[list[dict[str, Any]], dict[str, Any]], b: tuple[list[dict[str, Any]], dict[str, Any]]
) -> bool:
    """Both answers agree on who is where (the check that keeps the comparison honest)."""

    def key(row: dict[str, Any]) -> tuple[str, int]:
        return row["username"], int(row["rank"])

    return [key(r) for r in a[0]] == [key(r) for r in b[0]] and key(a[1]) == key(b[1])


def bench_rebuild(core: Core, contest: int, events: int) -> dict[str, float]:
    started = time.perf_counter()
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT id, user_id, jury_row, public_row FROM leaderboard_events WHERE contest_id = %s",
            (contest,),
        )
        assert len(cur.fetchall()) == events
    raw = time.perf_counter() - started
    core.redis.delete(*core.redis.keys(f"{keys.PREFIX}lb:{contest}:*") or ["none"])
    started = time.perf_counter()
    standings.rebuild(core, contest)
    took = time.perf_counter() - started
    return {"rebuild_s": took, "raw_read_s": raw, "events_per_s": events / took, "ratio": raw / took}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contestants", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=200_000, help="the issue's size: 1000000 (~3 min)")
    parser.add_argument("--repeat", type=int, default=200, help="timed queries per side")
    args = parser.parse_args()
    with scratch_core() as core:
        started = time.perf_counter()
        contest = populate(core, args.contestants, args.events)
        took = time.perf_counter() - started
        print(f"populated {args.contestants:,} contestants, {args.events:,} events in {took:.1f} s")
        rebuild = bench_rebuild(core, contest, args.events)
        print(
            f"rebuild: {args.events:,} events in {rebuild['rebuild_s']:.2f} s"
            f" = {rebuild['events_per_s']:,.0f} events/s (a plain SQL read of the same events:"
            f" {rebuild['raw_read_s']:.2f} s; ratio {rebuild['ratio']:.2f}x)"
        )
        reads = bench_reads(core, contest, args.contestants, args.repeat)
        rank_ratio = reads["sql_rank"] / reads["redis_rank"]
        rows_ratio = reads["sql_rows"] / reads["redis_rows"]
        low, _, high = statistics.quantiles(reads["round_ratios"], n=4)
        print(
            f"top 100 + my rank, {args.contestants:,} contestants (median of {args.repeat}):"
            f" Redis ZSET {reads['redis_rank']:.3f} ms, SQL ORDER BY/LIMIT + rank count"
            f" {reads['sql_rank']:.3f} ms -> Redis is {rank_ratio:.1f}x faster (goal >= 50x);"
            f" the middle half of {len(reads['round_ratios'])} rounds {low:.1f}x to {high:.1f}x"
        )
        print(
            f"round-trip floor: a bare PING on a raw socket {reads['ping'] * 1000:.0f} us,"
            f" so no Redis query can be more than {reads['sql_rank'] / reads['ping']:.0f}x faster"
            f" than this SQL here; top 100 + my rank costs {reads['redis_rank'] / reads['ping']:.2f} PINGs"
        )
        print(
            f"the same with every row's JSON (the HTTP answer): Redis {reads['redis_rows']:.3f} ms,"
            f" SQL {reads['sql_rows']:.3f} ms -> {rows_ratio:.1f}x"
        )
        report(
            "leaderboard",
            contestants=args.contestants,
            events=args.events,
            redis_rank_ms=round(reads["redis_rank"], 4),
            sql_rank_ms=round(reads["sql_rank"], 4),
            rank_ratio=round(rank_ratio, 2),
            rank_ratio_rounds=[round(ratio, 1) for ratio in reads["round_ratios"]],
            ping_ms=round(reads["ping"], 4),
            sql_rank_vs_ping=round(reads["sql_rank"] / reads["ping"], 2),
            redis_rows_ms=round(reads["redis_rows"], 4),
            sql_rows_ms=round(reads["sql_rows"], 4),
            rows_ratio=round(rows_ratio, 2),
            rebuild_events_per_s=round(rebuild["events_per_s"]),
            rebuild_vs_raw_read=round(rebuild["ratio"], 3),
        )


if __name__ == "__main__":
    main()
