"""The local gateway's settings, read once from the environment, and API Gateway's limits."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from codearena.config import ConfigError

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's REST payload limit (10 MB)
MAX_WS_MESSAGE_BYTES = 128 * 1024  # API Gateway's WebSocket message limit (128 KB)


@dataclass(frozen=True)
class GatewayConfig:
    """`trusted_proxy_hops`: how many proxies in front of the gateway append to
    X-Forwarded-For (0: the header is ignored). `connections_secret`: the AWS secret access
    key that @connections requests must be signed with (empty: the API is not served)."""

    trusted_proxy_hops: int = 0
    connections_secret: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GatewayConfig:
        env = os.environ if env is None else env
        return cls(
            trusted_proxy_hops=_hops(env.get("CODEARENA_TRUSTED_PROXY_HOPS", "0")),
            connections_secret=env.get("CODEARENA_CONNECTIONS_SECRET", ""),
        )


def _hops(raw: str) -> int:
    raw = raw.strip() or "0"
    if not (raw.isascii() and raw.isdecimal() and int(raw) <= 10):
        raise ConfigError(f"CODEARENA_TRUSTED_PROXY_HOPS must be a number from 0 to 10, not {raw!r}")
    return int(raw)
