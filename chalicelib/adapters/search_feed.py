"""The FIFO index queue: the outbox relay tells the one indexer which ticket changed.

SNS standard topics cannot deliver to FIFO queues, so the relay sends here itself, beside its SNS publish.
One message group keeps a single indexer invocation at a time (docs/search.md); the deduplication id is the
event id, so the stream's retries of a record are dropped by SQS within its 5-minute window, and any later
duplicate only re-indexes a ticket (the indexer reads the ticket itself: idempotent).
"""
from __future__ import annotations

import json

from chalicelib.adapters.aws import client

GROUP = "search-index"


class SqsSearchFeed:
    def __init__(self, queue_url: str):
        self.queue_url = queue_url

    def send(self, document: dict) -> None:
        number = document.get("ticket_number")
        if not self.queue_url or number is None:  # not configured, or an outbox document of no ticket
            return
        client("sqs").send_message(
            QueueUrl=self.queue_url, MessageGroupId=GROUP, MessageDeduplicationId=document["event_id"][:128],
            MessageBody=json.dumps({"ticket_number": int(number), "event_id": document["event_id"],
                                    "type": document.get("type")}))
