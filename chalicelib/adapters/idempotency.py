"""Powertools idempotency records in DynamoDB, so a redelivered message does its work once."""
from functools import lru_cache

from chalicelib.settings import get_settings


@lru_cache(maxsize=1)
def persistence_layer():
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table)
