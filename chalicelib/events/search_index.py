"""The indexer: the FIFO index queue's consumer (one message group, so one invocation at a time).

A batch names ticket numbers; their documents are rebuilt from the table and committed at once, under the
index lease. Any failure fails the whole batch, which SQS delivers again in order (re-indexing is idempotent).
"""
import json

from chalicelib import bootstrap
from chalicelib.observability import logger
from chalicelib.views.search import indexer


def numbers_of(event) -> list[int]:
    found = []
    for record in event.to_dict().get("Records", []):
        try:
            found.append(int(json.loads(record["body"])["ticket_number"]))
        except (KeyError, TypeError, ValueError):
            logger.warning("index message without a ticket number", extra={"id": record.get("messageId")})
    return found


def handle(event) -> dict:
    numbers = numbers_of(event)
    written = indexer.reindex(numbers, tickets=bootstrap.tickets(), catalog=bootstrap.catalog(),
                              index=bootstrap.search_index())
    logger.info("tickets indexed", extra={"tickets": sorted(set(numbers)), "written": written})
    return {"indexed": written}
