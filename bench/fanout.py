"""Fan-out under load: N WebSocket clients on one contest while verdicts land.

Starts a real local gateway (with its fan-out) on loopback, then lands verdicts the way a
judge host does (commit, then publish) and measures, per client, the delay from each
verdict's commit to the first `leaderboard` message that shows it. The baseline is the
same delay for a single client, measured in the same run.

    .venv/bin/python bench/fanout.py [--clients 5000] [--verdicts 300] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import re
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import WebSocketURI, parse_uri

# The checkout, not bench/ (where bench/sandbox.py would shadow the sandbox package).
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import scratch_core, start_gateway  # noqa: E402
from codearena import contests, judgements, standings  # noqa: E402
from codearena.core import Core  # noqa: E402
from codearena.fanout import LONGEST_INTERVAL_SECONDS  # noqa: E402
from codearena.judgements import CaseOutcome, Judgement  # noqa: E402
from codearena.models import Verdict  # noqa: E402

DRAIN_SECONDS = 15.0  # how long clients may take to receive the final board
_VERSION = re.compile(r'"version": (\d+)')
_USERNAME = re.compile(r'"username": "([^"]+)"')


@dataclass
class Client:
    delays: list[float] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    messages: int = 0
    last_version: int = 0
    window: float = 1.0


@dataclass
class World:
    core: Core
    contest_id: int
    test_id: int
    submissions: dict[str, int]  # username → submission id
    committed: dict[str, float] = field(default_factory=dict)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--verdicts", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--baseline-verdicts", type=int, default=40)
    parser.add_argument("--processes", type=int, default=2, help="client processes (the swarm's own CPU)")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # 2 sockets per client on loopback
    with scratch_core() as core:
        world = seed(core, args.verdicts + args.baseline_verdicts)
        gateway, base = start_gateway(core.settings)
        try:
            names = sorted(world.submissions)
            baseline = swarm_phase(world, base, [1], names[: args.baseline_verdicts], 2.0)
            shares = [
                args.clients // args.processes + (i < args.clients % args.processes)
                for i in range(args.processes)
            ]
            loaded = swarm_phase(world, base, shares, names[args.baseline_verdicts :], args.seconds)
            report(args, baseline, loaded, world)
        finally:
            gateway.terminate()
            gateway.wait(10)


def seed(core: Core, users: int) -> World:
    now = core.clock()
    contest = contests.create_contest(
        core,
        {
            "title": "Fan-out",
            "start_at": (now - timedelta(minutes=5)).isoformat(),
            "end_at": (now + timedelta(hours=1)).isoformat(),
        },
    )
    problem = contests.create_problem(
        core,
        {
            "title": "P",
            "time_limit_ms": 1000,
            "memory_limit_kb": 65536,
            "tests": [{"input": "", "answer": "1"}],
        },
    )
    contests.attach_problem(core, contest["id"], {"problem_id": problem["id"], "label": "A"})
    with core.db.transaction() as cur:
        cur.execute("SELECT id FROM test_cases WHERE problem_id = %s", (problem["id"],))
        test_id = cur.fetchone()["id"]
        submissions = {}
        for n in range(users):
            # Bench users never log in: a placeholder hash saves 300 argon2 runs.
            cur.execute(
                "INSERT INTO users (username, password_hash) VALUES (%s, 'x') RETURNING id", (f"u{n:05}",)
            )
            user_id = cur.fetchone()["id"]
            cur.execute(
                "INSERT INTO submissions (contest_id, problem_id, user_id, language, source)"
                " VALUES (%s, %s, %s, 'python', 'print(1)') RETURNING id",
                (contest["id"], problem["id"], user_id),
            )
            submissions[f"u{n:05}"] = cur.fetchone()["id"]
    return World(core, contest["id"], test_id, submissions)


def swarm_phase(world: World, base: str, shares: list[int], names: list[str], seconds: float) -> list[Client]:
    """Clients in their own processes (so landing verdicts does not share their GIL)."""
    context = multiprocessing.get_context("spawn")
    pipes, workers = [], []
    for count in shares:
        mine, theirs = context.Pipe()
        worker = context.Process(target=swarm, args=(theirs, base, world.contest_id, count), daemon=True)
        worker.start()
        pipes.append(mine)
        workers.append(worker)
    for pipe in pipes:
        assert pipe.recv() == "ready"
    started = time.time()
    land(world, names, seconds)
    time.sleep(LONGEST_INTERVAL_SECONDS + 0.5)  # the last coalescing interval and its delivery
    final = world.core.events.live_version(f"contest:{world.contest_id}")
    for pipe in pipes:
        pipe.send((world.committed, final))
    for pipe in pipes:
        assert pipe.recv() == "caught up or gave up"
    window = time.time() - started
    clients: list[Client] = []
    for pipe in pipes:
        pipe.send("report")
    for pipe, worker in zip(pipes, workers, strict=True):
        for messages, last_version, delays in pipe.recv():
            clients.append(
                Client(delays=delays, seen=set(), messages=messages, last_version=last_version, window=window)
            )
        worker.join(30)
    return clients


def swarm(pipe: Any, base: str, contest_id: int, count: int) -> None:
    """A worker process: `count` clients until told to stop, then their delays."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    asyncio.run(_swarm(pipe, base, contest_id, count))


async def _swarm(pipe: Any, base: str, contest_id: int, count: int) -> None:
    clients = [Client() for _ in range(count)]
    subscribers = await connect_all(base, f"contest:{contest_id}", clients)
    pipe.send("ready")
    committed, final = await asyncio.to_thread(pipe.recv)
    deadline = time.monotonic() + DRAIN_SECONDS
    while any(c.last_version < final for c in clients) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    pipe.send("caught up or gave up")
    await asyncio.to_thread(pipe.recv)
    for subscriber in subscribers:
        subscriber.close()
    pipe.send(
        [
            (
                s.client.messages,
                s.client.last_version,
                [t - committed[name] for name, t in s.arrivals.items() if name in committed],
            )
            for s in subscribers
        ]
    )


async def connect_all(base: str, topic: str, clients: list[Client]) -> list[Subscriber]:
    uri = parse_uri(base.replace("http://", "ws://") + "/ws")
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(100)

    async def one(client: Client) -> Subscriber:
        async with gate:
            _, subscriber = await loop.create_connection(
                lambda: Subscriber(uri, topic, client), uri.host, uri.port
            )
            await asyncio.wait_for(subscriber.subscribed, 60)
            return subscriber

    return list(await asyncio.gather(*(one(client) for client in clients)))


class Subscriber(asyncio.Protocol):
    """One client: websockets' sans-I/O protocol on a bare transport, so that a message
    costs the swarm a frame parse and a call, not a task wake-up, a future and a queue
    (the swarm shares two cores with the server it measures)."""

    def __init__(self, uri: WebSocketURI, topic: str, client: Client) -> None:
        self.ws = ClientProtocol(uri, max_size=None)
        self.topic = topic
        self.client = client
        self.arrivals: dict[str, float] = {}  # username → when its row first arrived
        self.subscribed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.ws.send_request(self.ws.connect())
        self._write()

    def data_received(self, data: bytes) -> None:
        arrived = time.time()
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                self._on_handshake()
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                assert event.fin, "the gateway sends each message in one frame"
                self._on_text(event.data.decode(), arrived)
        self._write()  # pongs, the closing handshake

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.subscribed.done():
            self.subscribed.set_exception(exc or ConnectionError("closed before subscribing"))

    def close(self) -> None:
        self.ws.send_close()
        self._write()
        if self.transport is not None:
            self.transport.close()

    def _on_handshake(self) -> None:
        if self.ws.handshake_exc is not None:
            self.subscribed.set_exception(self.ws.handshake_exc)
            return
        self.ws.send_text(json.dumps({"action": "subscribe", "topic": self.topic}).encode())

    def _on_text(self, raw: str, arrived: float) -> None:
        if not self.subscribed.done():
            reply = json.loads(raw)
            assert reply["type"] == "subscribed", reply
            self.subscribed.set_result(None)
        elif '"type": "leaderboard"' in raw:
            # Count `leaderboard` messages and note when each contestant's row first arrived.
            # Pattern matching instead of json.loads: only the version and the usernames matter.
            self.client.messages += 1
            version = _VERSION.search(raw)
            self.client.last_version = max(self.client.last_version, int(version.group(1)) if version else 0)
            for name in _USERNAME.findall(raw):
                self.arrivals.setdefault(name, arrived)

    def _write(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.writelines(self.ws.data_to_send())


def land(world: World, names: list[str], seconds: float) -> None:
    """Judge-host path: commit each verdict, then publish, spread evenly over `seconds`."""
    start = time.monotonic()
    for index, name in enumerate(names):
        time.sleep(max(0.0, start + seconds * index / len(names) - time.monotonic()))
        judgement = Judgement(
            world.submissions[name],
            Verdict.AC,
            1.0,
            [CaseOutcome(world.test_id, 1, Verdict.AC, 10, 1000)],
            judge_host="bench",
        )
        update = judgements.record(world.core, judgement)
        world.committed[name] = time.time()
        if update is not None:
            standings.publish(world.core, update)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def report(args: argparse.Namespace, baseline: list[Client], loaded: list[Client], world: World) -> None:
    base_delays = [d for c in baseline for d in c.delays]
    delays = [d for c in loaded for d in c.delays]
    final = world.core.events.live_version(f"contest:{world.contest_id}")
    rates = [c.messages / c.window for c in loaded]
    missing = sum(1 for c in loaded if c.last_version < final)
    unseen = sum(args.verdicts - len(c.delays) for c in loaded)
    base_p50, base_p99 = statistics.median(base_delays) * 1000, percentile(base_delays, 0.99) * 1000
    p50, p99 = statistics.median(delays) * 1000, percentile(delays, 0.99) * 1000
    print(
        f"baseline (1 client, {args.baseline_verdicts} verdicts): "
        f"median {base_p50:.0f} ms, p99 {base_p99:.0f} ms"
    )
    print(
        f"{args.clients} clients, {args.verdicts} verdicts over {args.seconds:g} s: "
        f"median {p50:.0f} ms, p99 {p99:.0f} ms"
    )
    print(
        f"messages per client: median {statistics.median([c.messages for c in loaded]):.0f}, "
        f"max rate {max(rates):.2f}/s; clients without the final board: {missing}; rows never seen: {unseen}"
    )
    print(f"ratio p99/baseline p99: {p99 / base_p99:.2f} (goal < 4)")
    print(
        json.dumps(
            {
                "clients": args.clients,
                "verdicts": args.verdicts,
                "baseline_p99_ms": round(base_p99, 1),
                "p50_ms": round(p50, 1),
                "p99_ms": round(p99, 1),
                "p99_ratio": round(p99 / base_p99, 2),
                "max_messages_per_client_per_s": round(max(rates), 2),
                "clients_missing_final": missing,
                "rows_never_seen": unseen,
            }
        )
    )


if __name__ == "__main__":
    main()
