"""Outbox relay: new timeline events on the table's stream -> the ticket-events SNS topic.

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
    from chalicelib.adapters.outbox import event_document

    document = event_document(record.raw_event)
    if document is None:
        return
    bootstrap.event_bus().publish(document)
    bootstrap.search_feed().send(document)  # the FIFO index queue (SNS cannot feed FIFO queues): docs/search.md
    logger.info("event published", extra={"event_id": document["event_id"], "type": document["type"]})
