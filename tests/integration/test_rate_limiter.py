"""The abuse-limit counter in DynamoDB (moto) keeps the fake's promises: fixed windows, exactly `limit`
requests under a parallel burst, limits and keys apart, and items that DynamoDB's TTL removes."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.rate_limits import RateLimit
from chalicelib.domain.tickets import new_id
from tests.fakes import InMemoryRateLimiter

NOW = datetime(2026, 11, 23, 9, 3, tzinfo=timezone.utc)


@pytest.fixture(params=["dynamodb", "memory"])
def limiter(request):
    if request.param == "memory":
        return InMemoryRateLimiter()
    request.getfixturevalue("aws_stack")
    from chalicelib import bootstrap
    return bootstrap.rate_limiter()


def a_limit(limit=5, minutes=10) -> RateLimit:
    return RateLimit(f"test_{new_id()[:8]}", limit, timedelta(minutes=minutes))


def test_twenty_parallel_requests_get_exactly_the_limit(limiter):
    limit = a_limit(5)
    with ThreadPoolExecutor(max_workers=20) as pool:
        taken = list(pool.map(lambda _: limiter.take(limit, "203.0.113.0/24", NOW), range(20)))
    assert taken.count(True) == 5


def test_the_next_window_starts_again_and_keys_and_limits_are_apart(limiter):
    limit, other = a_limit(2), a_limit(2)
    assert [limiter.take(limit, "net-a", NOW) for _ in range(3)] == [True, True, False]
    assert limiter.take(limit, "net-b", NOW) and limiter.take(other, "net-a", NOW)
    assert not limiter.take(limit, "net-a", NOW + timedelta(minutes=6, seconds=59))  # 09:09:59, same window
    assert limiter.take(limit, "net-a", NOW + timedelta(minutes=7))                  # 09:10:00, the next one


def test_a_counter_item_carries_the_tables_ttl(aws_stack):
    from chalicelib import bootstrap
    from chalicelib.adapters.rate_limits import RateItem, rate_pk
    limit = a_limit(3)
    assert bootstrap.rate_limiter().take(limit, "net-a", NOW)
    item = RateItem.get(rate_pk(limit, "net-a"), str(limit.window_of(NOW)))
    window_end = (limit.window_of(NOW) + 1) * limit.seconds
    assert item.count == 1 and item.expires_at == window_end + limit.seconds
