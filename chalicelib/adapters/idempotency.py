"""Powertools idempotency records in DynamoDB, so a redelivered message does its work once."""
from functools import lru_cache

from chalicelib.settings import get_settings


@lru_cache(maxsize=None)
def persistence_layer(consumer: str):
    """One layer per consumer: Powertools configures a layer once, for the first function it guards (key
    path included), so handlers sharing a process (the local runtime, tests) must not share a layer."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table)
