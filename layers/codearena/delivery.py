"""Delivering messages to WebSocket connections: one interface, two implementations.

`ApiGatewayDelivery` posts through API Gateway's management API (boto3
`apigatewaymanagementapi`, in parallel); the local gateway implements the same interface
in-process (functions/local_gateway) and also serves the `@connections` API itself.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

log = logging.getLogger("codearena.delivery")


class Delivery(Protocol):
    def send_many(self, connection_ids: list[str], data: bytes) -> list[str]:
        """Send `data` to each connection; returns the ids that are gone."""
        ...


class ApiGatewayDelivery:
    """post_to_connection for each id, `workers` at a time; GoneException means gone."""

    def __init__(self, endpoint_url: str, workers: int = 32, client: Any = None) -> None:
        if client is None:
            import boto3

            region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
            client = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint_url, region_name=region)
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


def stage_endpoint(domain_name: str, stage: str) -> str:
    """The management API endpoint of a WebSocket stage, as API Gateway names it."""
    return f"https://{domain_name}/{stage}"
