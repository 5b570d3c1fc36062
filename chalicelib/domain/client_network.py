"""Which client network a request came from, for per-network abuse limits. Pure Python (ipaddress).

One home or office usually shows as one IPv4 address, or several of a /24 behind carrier NAT, and an IPv6
customer gets a whole /64 (often more) to use as they like: counting per /24 and per /64 keeps a client from
escaping a limit by hopping addresses, at the price of neighbours on one network sharing it.
"""
from __future__ import annotations

import ipaddress

IPV4_PREFIX = 24
IPV6_PREFIX = 64
UNKNOWN = "unknown"  # no usable address (never on API Gateway): such requests share one network


def network_of(ip: str | None) -> str:
    """'203.0.113.77' -> '203.0.113.0/24'; '2001:db8:1:2:3::4' -> '2001:db8:1:2::/64'; an IPv4-mapped IPv6
    address counts as its IPv4 network; anything unreadable -> 'unknown'."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return UNKNOWN
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
