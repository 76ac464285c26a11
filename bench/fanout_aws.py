"""Fan-out in AWS: posts per second of one `codearena fanout` process through an @connections
endpoint, against the endpoint's raw capacity measured in the same run.

The endpoint (a process of its own, asyncio on loopback) answers POST /@connections/{id} the
way API Gateway's management API does, after a realistic delay (--delay-ms): 200 for the
viewers it knows, 410 GoneException for anyone else. The fan-out is a real `codearena fanout
--endpoint … --concurrency C` process with --connections viewers subscribed to one contest
(and 1 % more that are gone), sent --events `leaderboard` events at once. The raw capacity is
a minimal client posting the same number of the same bodies, unsigned, over C kept-alive
connections. Turns alternate, --rounds of each.

    .venv/bin/python bench/fanout_aws.py [--connections 5000] [--events 4] [--rounds 2]
                                         [--concurrency 128] [--delay-ms 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

# The checkout, not bench/ (where bench/sandbox.py would shadow the sandbox package).
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import report, scratch_core  # noqa: E402
from codearena import keys  # noqa: E402
from codearena.config import Settings  # noqa: E402
from codearena.core import Core  # noqa: E402
from codearena.delivery import DEFAULT_CONCURRENCY  # noqa: E402
from codearena.fanout_leases import SHARDS  # noqa: E402
from codearena.realtime import Connections  # noqa: E402

TOPIC = "contest:1"
GONE_SHARE = 0.01  # of the viewers, registered but gone (410): posted to once, then dropped
DRAIN_SECONDS = 120.0  # the most a round may take before the bench gives up
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the endpoint (runs as `fanout_aws.py --serve`) -----------------------------------------
class Endpoint(asyncio.Protocol):
    """HTTP/1.1 keep-alive, one request at a time per connection; counts per viewer."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end]
            length = _content_length(head)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self._route(head.split(b" ", 2)[1])

    def _route(self, path: bytes) -> None:
        if path == b"/stats":
            self._write(200, json.dumps(_stats(self.state)).encode())
        elif path == b"/reset":
            _reset(self.state)
            self._write(200, b"{}")
        else:
            viewer = path.rsplit(b"/", 1)[-1]
            delay_s = self.state["delay_s"]
            asyncio.get_running_loop().call_later(delay_s, self._answer_post, viewer)

    def _answer_post(self, viewer: bytes) -> None:
        state = self.state
        index = state["known"].get(viewer)
        state["last_answer_at"] = time.monotonic()
        if index is None:
            state["gone"] += 1
            self._write(410, b'{"message": null}', b"x-amzn-ErrorType: GoneException\r\n")
        else:
            state["counts"][index] += 1
            self._write(200, b"")

    def _write(self, status: int, body: bytes, extra: bytes = b"") -> None:
        if self.transport is not None and not self.transport.is_closing():
            head = b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n%s\r\n" % (status, len(body), extra)
            self.transport.write(head + body)


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def _reset(state: dict[str, Any]) -> None:
    state.update(counts=[0] * len(state["known"]), gone=0, last_answer_at=0.0)


def _stats(state: dict[str, Any]) -> dict[str, Any]:
    counts = state["counts"]
    fields = ("gone", "last_answer_at")
    return {"posts": sum(counts), "min": min(counts), "max": max(counts)} | {k: state[k] for k in fields}


def serve(connections: int, delay_ms: float) -> None:
    state: dict[str, Any] = {
        "known": {viewer(n).encode(): n for n in range(connections)},
        "delay_s": delay_ms / 1000,
    }
    _reset(state)

    async def run() -> None:
        server = await asyncio.get_running_loop().create_server(
            lambda: Endpoint(state), "127.0.0.1", 0, backlog=4096
        )
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    asyncio.run(run())


def viewer(n: int) -> str:
    return f"v{n:06d}"


# --- the raw client --------------------------------------------------------------------------
async def hammer(port: int, bodies: list[bytes], concurrency: int) -> float:
    """Post every body (a prebuilt request) over `concurrency` connections; seconds taken."""
    pending = iter(bodies)
    opened = [await asyncio.open_connection("127.0.0.1", port) for _ in range(concurrency)]
    started = time.monotonic()

    async def work(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for request in pending:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(_content_length(head))
        writer.close()

    await asyncio.gather(*(work(reader, writer) for reader, writer in opened))
    return time.monotonic() - started


def raw_rate(port: int, body: bytes, args: argparse.Namespace) -> float:
    requests = [
        b"POST /@connections/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n%s"
        % (viewer(n).encode(), len(body), body)
        for n in range(args.connections)
    ]
    seconds = asyncio.run(hammer(port, requests * args.events, args.concurrency))
    return args.connections * args.events / seconds


# --- the fan-out -------------------------------------------------------------------------------
@dataclass
class Round:
    posts_per_s: float
    cpu_us_per_post: float
    each_once: bool
    gone_posted: int


def register(core: Core, args: argparse.Namespace) -> int:
    """The viewers, and the gone ones again (the last round dropped them); how many are gone."""
    registry = Connections(core.redis)
    gone = [f"gone-{n}" for n in range(max(1, int(args.connections * GONE_SHARE)))]
    for connection_id in [viewer(n) for n in range(args.connections)] + gone:
        if registry.get(connection_id) is None:
            registry.add(connection_id, None)
            registry.subscribe(connection_id, TOPIC)
    return len(gone)


def fanout_round(core: Core, base: str, fanout: subprocess.Popen[bytes], args: argparse.Namespace) -> Round:
    gone = register(core, args)
    httpx.post(base + "/reset")
    cpu_before = cpu_seconds(fanout.pid)
    started = time.monotonic()
    for n in range(args.events):
        publish(core, n)
    expected = args.connections * args.events
    stats = wait_for(base, lambda s: s["posts"] >= expected and s["gone"] >= gone)
    seconds = stats["last_answer_at"] - started
    cpu_us = (cpu_seconds(fanout.pid) - cpu_before) / (expected + gone) * 1e6
    each_once = stats["min"] == stats["max"] == args.events
    return Round(expected / seconds, cpu_us, each_once, stats["gone"])


def publish(core: Core, version: int) -> dict[str, Any]:
    """A `leaderboard` event as the leader coalesces it: 20 changed rows (about 4 KB)."""
    cell = {"attempts": 1, "pending": 0, "solved": True, "time_minutes": 30, "score": 1}
    rows = [
        {"rank": r, "user_id": r, "username": f"team-{r}", "solved": 5, "score": 5, "penalty": 100 + r}
        | {"problems": dict.fromkeys("ABCDE", cell)}
        for r in range(1, 21)
    ]
    return core.events.publish(TOPIC, "leaderboard", contest_id=1, version=version, rows=rows)


def wait_for(base: str, done: Any) -> dict[str, Any]:
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        stats: dict[str, Any] = httpx.get(base + "/stats").json()
        if done(stats):
            time.sleep(0.3)  # anything doubled would arrive by now
            return dict(httpx.get(base + "/stats").json())
        time.sleep(0.02)
    raise RuntimeError(f"the fan-out did not deliver in {DRAIN_SECONDS} s: {stats}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def start_fanout(settings: Settings, base: str, concurrency: int) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        CODEARENA_JWT_SECRET=settings.jwt_secret,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
    )
    argv = [
        sys.executable,
        "-m",
        "codearena_cli",
        "fanout",
        "--endpoint",
        base,
        "--concurrency",
        str(concurrency),
    ]
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    print(f"codearena fanout pid {process.pid} posting to {base}", file=sys.stderr)
    return process


def wait_until_leading(core: Core, fanout: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        owners = {core.redis.get(keys.fanout_shard(n)) for n in range(SHARDS)}
        if len(owners) == 1 and None not in owners:
            return
        if fanout.poll() is not None:
            raise RuntimeError("codearena fanout exited")
        time.sleep(0.1)
    raise RuntimeError("codearena fanout never held every shard")


# --- the run ---------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=5000)
    parser.add_argument("--events", type=int, default=4, help="events per fan-out round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--delay-ms", type=float, default=20.0, help="the endpoint's answer time")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.connections, args.delay_ms)
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    endpoint, port = start_endpoint(args)
    try:
        with scratch_core() as core:
            measure(core, f"http://127.0.0.1:{port}", port, args)
    finally:
        endpoint.terminate()
        endpoint.wait()


def start_endpoint(args: argparse.Namespace) -> tuple[subprocess.Popen[str], int]:
    argv = [
        sys.executable,
        __file__,
        "--serve",
        "--connections",
        str(args.connections),
        "--delay-ms",
        str(args.delay_ms),
    ]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, int(process.stdout.readline())


def measure(core: Core, base: str, port: int, args: argparse.Namespace) -> None:
    register(core, args)
    fanout = start_fanout(core.settings, base, args.concurrency)
    try:
        wait_until_leading(core, fanout)
        body = json.dumps(publish(core, -1)).encode()  # also the warm-up: connections opened
        wait_for(base, lambda s: s["posts"] >= args.connections)
        raw, fan = [], []
        for _ in range(args.rounds):
            raw.append(raw_rate(port, body, args))
            fan.append(fanout_round(core, base, fanout, args))
    finally:
        fanout.terminate()
        fanout.wait(timeout=20)
    summarize(args, raw, fan)


def summarize(args: argparse.Namespace, raw: list[float], fan: list[Round]) -> None:
    ratios = [r.posts_per_s / capacity for r, capacity in zip(fan, raw, strict=True)]
    posts, capacity, ratio = (statistics.median(v) for v in ([r.posts_per_s for r in fan], raw, ratios))
    cpu_us = statistics.median(r.cpu_us_per_post for r in fan)
    each_once = all(r.each_once for r in fan)
    gone_once = all(r.gone_posted == max(1, int(args.connections * GONE_SHARE)) for r in fan)
    turns = ", ".join(f"{r.posts_per_s:.0f} against {c:.0f}" for r, c in zip(fan, raw, strict=True))
    print(f"{args.connections} viewers, {args.events} events a round, {args.concurrency} posts in flight")
    print(f"answers after {args.delay_ms:g} ms; posts/s a round: {turns}")
    print(f"raw capacity {capacity:.0f} posts/s; the fan-out spends {cpu_us:.0f} µs of CPU a post")
    print(f"every viewer got every event once: {each_once}; each gone viewer was posted to once: {gone_once}")
    print(f"fanout_aws: {posts:.0f} posts/s, {ratio:.2f} of raw (goal ≥ 2000 posts/s and ≥ 0.8)")
    report(
        "fanout_aws",
        connections=args.connections,
        events=args.events,
        rounds=args.rounds,
        concurrency=args.concurrency,
        delay_ms=args.delay_ms,
        posts_per_s=round(posts),
        raw_posts_per_s=round(capacity),
        ratio=round(ratio, 3),
        ratio_rounds=[round(r, 3) for r in ratios],
        cpu_us_per_post=round(cpu_us, 1),
        each_event_once=each_once,
        gone_posted_once=gone_once,
    )


if __name__ == "__main__":
    main()
