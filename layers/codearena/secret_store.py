"""Secrets Manager values, each read once per process.

A Lambda container serves many requests and a judge host runs for hours: both read their
secrets when they start and keep them (a rotated secret reaches new containers and restarted
hosts). boto3 is imported here only, and only when a secret is asked for: Lambda's runtime and
the judge hosts' `[host]` extras provide it, the core's dependencies do not.
"""

from __future__ import annotations

import threading
from typing import Any

# Seconds, not botocore's 60 s connect timeout: a function with no route to Secrets Manager
# (no VPC endpoint, no NAT) must fail well before API Gateway's 29 s limit, saying why.
CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 10
ATTEMPTS = 3


class SecretUnavailable(Exception):
    """A secret could not be read; the message says why and never holds the secret."""


class SecretStore:
    """SecretString values by ARN, fetched on first use from the ARN's own region (a judge
    host has no AWS_REGION); thread-safe."""

    def __init__(self, session: Any = None) -> None:
        self._session = session  # a boto3 Session; the default one when None
        self._values: dict[str, str] = {}
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, arn: str) -> str:
        with self._lock:
            if arn not in self._values:
                self._values[arn] = self._fetch(arn)
            return self._values[arn]

    def _fetch(self, arn: str) -> str:
        client = self._client(region_of(arn))
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            reply = client.get_secret_value(SecretId=arn)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise SecretUnavailable(f"{error.get('Code')}: {error.get('Message')}") from exc
        except BotoCoreError as exc:  # no credentials, no route, a timeout
            raise SecretUnavailable(str(exc)) from exc
        if not isinstance(reply.get("SecretString"), str):
            raise SecretUnavailable("it holds binary data, not a SecretString")
        return str(reply["SecretString"])

    def _client(self, region: str) -> Any:
        if region not in self._clients:
            try:
                import boto3
                from botocore.config import Config
            except ImportError as exc:
                raise SecretUnavailable("boto3 is not installed (pip install 'codearena[host]')") from exc
            config = Config(
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                read_timeout=READ_TIMEOUT_SECONDS,
                retries={"max_attempts": ATTEMPTS, "mode": "standard"},
            )
            session = self._session or boto3.session.Session()
            self._clients[region] = session.client("secretsmanager", region_name=region, config=config)
        return self._clients[region]


def region_of(arn: str) -> str:
    """arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME → REGION."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "secretsmanager" or not parts[3]:
        raise SecretUnavailable(
            "it is not a secret's ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)"
        )
    return parts[3]
