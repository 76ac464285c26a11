"""Who is calling: the address API Gateway puts in `requestContext.identity.sourceIp`."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable


def source_ip(peer: str | None, forwarded_for: Iterable[str], trusted_hops: int) -> str:
    """The caller's address: the TCP peer, or, behind `trusted_hops` proxies that each append
    the address they received from to X-Forwarded-For, the entry `trusted_hops` from the
    right (the ones further left are whatever the client sent). A header with fewer entries,
    or an entry that is no address, leaves the peer: a forged header never wins."""
    if trusted_hops > 0:
        hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
        if len(hops) >= trusted_hops and (address := _address(hops[-trusted_hops])):
            return address
    return peer or ""


def is_loopback(address: str) -> bool:
    """127.0.0.0/8 or ::1, also written as an IPv4-mapped IPv6 address."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    mapped = parsed.ipv4_mapped if isinstance(parsed, ipaddress.IPv6Address) else None
    return (mapped or parsed).is_loopback


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
