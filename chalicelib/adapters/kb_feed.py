"""The KB publication queue (FIFO): the outbox relay hands it every article event (events/publisher.py).

A FIFO queue fed by the relay, like search's index queue, rather than an SQS queue subscribed to the ticket topic:
- one message group: one consumer invocation at a time, in commit order, so the sitemap (one file) and the article
  index (one lease-guarded segment set) are never written by two consumers at once, and two publications in a row
  end in the newest;
- article events stay off the ticket topic, whose subscribers read only the ticket event contract.
The deduplication id is the event id: the stream's retries of a record are dropped within SQS's 5-minute window,
and any later duplicate only re-renders an article from the table (idempotent).
"""
from __future__ import annotations

import json

from chalicelib.adapters.aws import client

GROUP = "kb-publish"


class SqsArticleFeed:
    def __init__(self, queue_url: str):
        self.queue_url = queue_url

    def send(self, document: dict) -> None:
        if not self.queue_url:  # not configured: no static pages or article index (unit tests)
            return
        client("sqs").send_message(QueueUrl=self.queue_url, MessageGroupId=GROUP,
                                   MessageDeduplicationId=document["event_id"][:128], MessageBody=json.dumps(document))
