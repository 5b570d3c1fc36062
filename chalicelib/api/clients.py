"""Who is calling, as far as the network tells: for per-network abuse limits on public endpoints."""
from __future__ import annotations

from chalicelib.domain.client_network import network_of


def client_network(request) -> str:
    """The caller's network (IPv4 /24, IPv6 /64) from API Gateway's request context: `identity.sourceIp`
    is the address API Gateway saw the connection from, not a header the client can write (X-Forwarded-For
    is never read). The API is called directly, not through CloudFront, so it is the client's own address."""
    context = getattr(request, "context", None) or {}
    return network_of((context.get("identity") or {}).get("sourceIp"))
