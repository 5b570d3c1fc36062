"""Abuse-limit counters in the helpdesk table: RATE#<limit>#<key> / <window>, one item per key and fixed
window. Each request is one UpdateItem that adds 1 under the condition that the count is below the limit,
so parallel requests never get past it; the item carries the table's TTL attribute and is deleted by
DynamoDB one window after its own ended.
"""
from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.models import Model

from chalicelib.adapters.models import _Meta, use_table
from chalicelib.domain.rate_limits import RateLimit
from chalicelib.services.ports import RateLimiter


class RateItem(Model):
    """Requests of one key in one window of one limit."""
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    count = NumberAttribute(default=0)
    expires_at = NumberAttribute()  # epoch seconds: the table's TTL attribute


def rate_pk(limit: RateLimit, key: str) -> str:
    return f"RATE#{limit.name}#{key}"


class DynamoRateLimiter(RateLimiter):
    def __init__(self, table_name: str):
        use_table(table_name)

    def take(self, limit: RateLimit, key: str, at: datetime) -> bool:
        window = limit.window_of(at)
        expires = (window + 2) * limit.seconds  # kept one window longer than needed
        item = RateItem(rate_pk(limit, key), str(window))
        try:
            item.update(actions=[RateItem.count.add(1), RateItem.expires_at.set(expires)],
                        condition=RateItem.count.does_not_exist() | (RateItem.count < limit.limit))
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True
