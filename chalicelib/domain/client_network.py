"""The client network a request came from, for limits that a stranger must not dodge by changing one
address: an IPv4 address counts as its /24, an IPv6 address as its /64 (what one household, office or
provider customer usually holds). Pure Python: the API hands in the request context's `identity.sourceIp`.
"""
from __future__ import annotations

import ipaddress

UNKNOWN = "unknown"  # no usable source address: all such requests share one network (and its allowance)


def network_of(ip: str | None) -> str:
    """'203.0.113.77' -> '203.0.113.0/24'; '2001:db8:1:2:3::4' -> '2001:db8:1:2::/64'. An IPv4 address
    mapped into IPv6 counts as the IPv4 one; anything unreadable is UNKNOWN."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return UNKNOWN
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
