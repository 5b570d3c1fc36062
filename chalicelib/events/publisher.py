"""Outbox relay: new timeline events on the table's stream -> the ticket-events SNS topic; new article events
(domain/kb_events.py) -> the KB publication FIFO queue only (adapters/kb_feed.py), never the ticket topic.

The table write is the commit point; a failed publish fails only its record (ReportBatchItemFailures)
and the stream retries it, so no event is lost. Consumers deduplicate by event_id.
"""
from chalicelib import bootstrap
from chalicelib.observability import logger


def handle(event) -> dict:
    # Imported here, not at module level: every function shares app.py and the API need not pay for it.
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    return process_partial_response(event=event.to_dict(), record_handler=_publish,
                                    processor=BatchProcessor(event_type=EventType.DynamoDBStreams),
                                    context=event.context)


def _publish(record) -> None:
    from chalicelib.adapters.outbox import article_event_document, event_document

    article_event = article_event_document(record.raw_event)
    if article_event is not None:
        bootstrap.article_feed().send(article_event)
        logger.info("article event queued", extra={"event_id": article_event["event_id"],
                                                   "type": article_event["type"]})
        return
    document = event_document(record.raw_event)
    if document is None:
        return
    bootstrap.event_bus().publish(document)
    bootstrap.search_feed().send(document)  # the FIFO index queue (SNS cannot feed FIFO queues): docs/search.md
    logger.info("event published", extra={"event_id": document["event_id"], "type": document["type"]})
