"""Who the local gateway says is calling (issue 11): the TCP peer, unless the configured
number of trusted proxies says otherwise; and the settings that configure it."""

from __future__ import annotations

import pytest

from codearena.config import ConfigError
from local_gateway.addresses import is_loopback, source_ip
from local_gateway.config import GatewayConfig


@pytest.mark.parametrize(
    "forwarded_for, hops, expected",
    [
        ([], 0, "192.0.2.10"),
        (["203.0.113.9"], 0, "192.0.2.10"),  # nobody is trusted: a forged header changes nothing
        (["203.0.113.9"], 1, "203.0.113.9"),
        (["198.51.100.1, 203.0.113.9"], 1, "203.0.113.9"),  # the client wrote the left one
        (["198.51.100.1, 203.0.113.9"], 2, "198.51.100.1"),
        (["198.51.100.1", "203.0.113.9"], 1, "203.0.113.9"),  # two header lines are one list
        (["203.0.113.9"], 2, "192.0.2.10"),  # fewer hops than proxies: not through them all
        (["not-an-address"], 1, "192.0.2.10"),
        ([" 2001:db8::1 "], 1, "2001:db8::1"),
        ([""], 1, "192.0.2.10"),
    ],
)
def test_source_ip(forwarded_for: list[str], hops: int, expected: str) -> None:
    assert source_ip("192.0.2.10", forwarded_for, hops) == expected


def test_source_ip_without_a_peer_is_empty() -> None:
    assert source_ip(None, ["203.0.113.9"], 0) == ""


@pytest.mark.parametrize(
    "address, loopback",
    [
        ("127.0.0.1", True),
        ("127.3.2.1", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("10.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("", False),
        ("localhost", False),
    ],
)
def test_is_loopback(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback


def test_config_from_env() -> None:
    assert GatewayConfig.from_env({}) == GatewayConfig(trusted_proxy_hops=0, connections_secret="")
    configured = GatewayConfig.from_env(
        {"CODEARENA_TRUSTED_PROXY_HOPS": "2", "CODEARENA_CONNECTIONS_SECRET": "s3cret"}
    )
    assert configured == GatewayConfig(trusted_proxy_hops=2, connections_secret="s3cret")
    assert GatewayConfig.from_env({"CODEARENA_TRUSTED_PROXY_HOPS": ""}).trusted_proxy_hops == 0


@pytest.mark.parametrize("hops", ["-1", "one", "11", "1.5", "١"])
def test_bad_hops_are_refused_at_start(hops: str) -> None:
    with pytest.raises(ConfigError, match="CODEARENA_TRUSTED_PROXY_HOPS"):
        GatewayConfig.from_env({"CODEARENA_TRUSTED_PROXY_HOPS": hops})
