"""Delivering messages to WebSocket connections: one interface, three implementations.

`PooledDelivery` is the fan-out's in AWS (`codearena fanout`): one signed HTTPS POST per
connection to API Gateway's `@connections` API, many at a time over kept-alive connections.
`ApiGatewayDelivery` (boto3 `post_to_connection`) answers a single connection from inside the
Lambda functions, where boto3 is in the runtime and a post or two per request is all there is.
The local gateway implements the interface in-process (functions/local_gateway) and also
serves the `@connections` API itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

from codearena.keepalive import Connection, Endpoint, Pool
from codearena.sigv4 import Keys, Prepared, Signer, amz_date, payload_hash

log = logging.getLogger("codearena.delivery")

DEFAULT_CONCURRENCY = 128  # posts in flight per process (bench/fanout_aws.py: 0.95 of raw)
REQUEST_TIMEOUT_SECONDS = 10.0  # one post, answer included
RETRY_DELAY_SECONDS = 0.05  # before the one retry of a throttled (429) or failed (5xx) post
STALE = "stale connection"  # a kept-alive connection that failed: the post is tried once more
_REGION = re.compile(r"\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$")


class Delivery(Protocol):
    def send_many(self, connection_ids: list[str], data: bytes) -> list[str]:
        """Send `data` to each connection; returns the ids that are gone."""
        ...


class ApiGatewayDelivery:
    """post_to_connection for each id, `workers` at a time; GoneException means gone."""

    def __init__(self, endpoint_url: str, workers: int = 32, client: Any = None) -> None:
        if client is None:
            import boto3

            client = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint_url, region_name=_region())
        self._client = client
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="delivery")

    def send_many(self, connection_ids: list[str], data: bytes) -> list[str]:
        results = self._pool.map(lambda cid: self._send(cid, data), connection_ids)
        return [cid for cid, delivered in zip(connection_ids, results, strict=True) if not delivered]

    def _send(self, connection_id: str, data: bytes) -> bool:
        try:
            self._client.post_to_connection(ConnectionId=connection_id, Data=data)
            return True
        except self._client.exceptions.GoneException:
            return False
        except Exception:  # one connection failing must not stop the others
            log.warning("posting to %s failed", connection_id, exc_info=True)
            return True

    def close(self) -> None:
        self._pool.shutdown(wait=False)


class PooledDelivery:
    """POST /@connections/{id} for each id, `concurrency` at a time, each on a kept-alive
    HTTP/1.1 connection of a pool, signed with SigV4. An asyncio loop on a thread of its own
    drives the posts, so `send_many` stays a plain blocking call. 410 means gone; any other
    failure is logged (once per call) and does not stop the other posts."""

    def __init__(
        self,
        endpoint_url: str,
        concurrency: int = DEFAULT_CONCURRENCY,
        credentials: Any = None,
        region: str | None = None,
        timeout_seconds: float = REQUEST_TIMEOUT_SECONDS,
    ) -> None:
        self._endpoint = Endpoint.parse(endpoint_url)
        self._credentials = credentials or _default_credentials()
        self._signer = Signer(self._endpoint.host_header, region or _region(self._endpoint.host))
        self._pool = Pool(self._endpoint, concurrency, timeout_seconds)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="delivery", daemon=True)
        self._thread.start()

    def send_many(self, connection_ids: list[str], data: bytes) -> list[str]:
        if not connection_ids:
            return []
        frozen = self._credentials.get_frozen_credentials()  # may refresh: not on the loop
        keys = Keys(frozen.access_key, frozen.secret_key, frozen.token)
        # One time for the whole message: seconds at most, well within AWS's five minutes.
        batch = _Batch(data, self._signer.prepare(keys, payload_hash(data), amz_date()))
        asyncio.run_coroutine_threadsafe(self._post_all(batch, connection_ids), self._loop).result()
        if batch.failures:
            log.warning(
                "posting to %d of %d connections failed: %s",
                sum(batch.failures.values()),
                len(connection_ids),
                ", ".join(f"{reason} × {n}" for reason, n in batch.failures.most_common()),
            )
        return batch.gone

    async def _post_all(self, batch: _Batch, connection_ids: list[str]) -> None:
        pending = iter(connection_ids)  # shared: each worker takes the next id
        workers = min(self._pool.size, len(connection_ids))
        await asyncio.gather(*(self._work(batch, pending) for _ in range(workers)))

    async def _work(self, batch: _Batch, pending: Iterator[str]) -> None:
        async with self._pool.slots:
            connection = self._pool.take()
            try:
                for connection_id in pending:
                    connection = await self._post(connection, batch, connection_id)
            finally:
                self._pool.give_back(connection)

    async def _post(
        self, connection: Connection | None, batch: _Batch, connection_id: str
    ) -> Connection | None:
        """Post once (twice after a stale connection, a throttle or a 5xx); the connection to
        go on with, None when it was closed."""
        request = self._request(batch, connection_id)
        outcome, connection = await self._attempt(connection, request)
        if _retried(outcome):
            await asyncio.sleep(0 if outcome == STALE else RETRY_DELAY_SECONDS)
            outcome, connection = await self._attempt(connection, request)
        batch.record(connection_id, outcome)
        return connection

    def _request(self, batch: _Batch, connection_id: str) -> bytes:
        path = f"{self._endpoint.prefix}/@connections/{quote(connection_id, safe='-_.~')}"
        head = f"POST {path} HTTP/1.1\r\nHost: {self._endpoint.host_header}\r\n{batch.signing.headers(path)}"
        return f"{head}Content-Length: {len(batch.data)}\r\n\r\n".encode() + batch.data

    async def _attempt(self, connection: Connection | None, request: bytes) -> tuple[str, Connection | None]:
        reused = connection is not None
        try:
            connection = connection or await self._pool.open()
            status = await connection.exchange(request)
        except (OSError, EOFError, asyncio.LimitOverrunError, ValueError) as exc:
            if connection is not None:
                connection.close()
                if connection.late:
                    return "timeout", None
            # A kept-alive connection the server closed meanwhile is STALE: tried again.
            return (STALE if reused else type(exc).__name__), None
        if not connection.reusable:
            connection.close()
            return _outcome(status), None
        return _outcome(status), connection

    def close(self) -> None:
        if self._loop.is_closed():
            return
        asyncio.run_coroutine_threadsafe(self._pool.close(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()


@dataclass
class _Batch:
    """One message on its way to many connections, and what became of each post."""

    data: bytes
    signing: Prepared
    gone: list[str] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    def record(self, connection_id: str, outcome: str) -> None:
        if outcome == "gone":
            self.gone.append(connection_id)
        elif outcome != "ok":
            self.failures[outcome] += 1


def _outcome(status: int) -> str:
    if status == 410:
        return "gone"
    return "ok" if 200 <= status < 300 else f"HTTP {status}"


def _retried(outcome: str) -> bool:
    return outcome in (STALE, "HTTP 429") or outcome.startswith("HTTP 5")


def _default_credentials() -> Any:
    """The credentials boto3 would use (environment, profile, instance role: refreshed)."""
    import botocore.session

    credentials = botocore.session.get_session().get_credentials()
    if credentials is None:
        raise RuntimeError(
            "no AWS credentials to sign @connections calls with: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or run with an instance role"
        )
    return credentials


def _region(host: str = "") -> str:
    """The endpoint's own region (…execute-api.<region>.amazonaws.com), else the environment's."""
    found = _REGION.search(host)
    if found:
        return found.group(1)
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def stage_endpoint(domain_name: str, stage: str) -> str:
    """The management API endpoint of a WebSocket stage, as API Gateway names it."""
    return f"https://{domain_name}/{stage}"
