"""Per-network abuse limits count a client's network, not its one address (issue 11: 100 sign-in requests
from one client were all accepted): IPv4 /24, IPv6 /64; and fixed windows that say when to retry."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.client_network import network_of
from chalicelib.domain.rate_limits import RateLimit


@pytest.mark.parametrize("ip,network", [
    ("203.0.113.77", "203.0.113.0/24"),
    ("203.0.113.1", "203.0.113.0/24"),
    (" 198.51.100.255 ", "198.51.100.0/24"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:DB8:1:2::ffff", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.9", "203.0.113.0/24"),  # IPv4-mapped: the same client as its IPv4 address
    ("127.0.0.1", "127.0.0.0/24"),
])
def test_a_client_counts_as_its_network(ip, network):
    assert network_of(ip) == network


def test_neighbouring_networks_are_apart():
    assert network_of("203.0.113.9") != network_of("203.0.114.9")
    assert network_of("2001:db8:1:2::1") != network_of("2001:db8:1:3::1")


@pytest.mark.parametrize("ip", [None, "", "not-an-ip", "203.0.113", "203.0.113.0/24", "X-Forwarded-For: 1.2.3.4"])
def test_no_usable_address_is_one_shared_unknown_network(ip):
    assert network_of(ip) == "unknown"


def test_a_fixed_window_tells_how_long_until_it_ends():
    limit = RateLimit("x", 20, timedelta(minutes=10))
    start = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    assert limit.window_of(start) == limit.window_of(start + timedelta(minutes=9, seconds=59))
    assert limit.window_of(start + timedelta(minutes=10)) == limit.window_of(start) + 1
    assert limit.retry_after(start) == 600 and limit.retry_after(start + timedelta(minutes=9, seconds=59)) == 1
    refused = limit.reached(start + timedelta(minutes=4), "too many")
    assert refused.code == "limit_reached" and refused.details == {"rate_limit": "x", "retry_after": 360}
