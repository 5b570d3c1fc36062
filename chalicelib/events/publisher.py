"""Outbox relay: new timeline events on the table's stream -> the ticket-events SNS topic.

The table write is the commit point; a failed publish fails only its record (ReportBatchItemFailures)
and the stream retries it, so no event is lost. Consumers deduplicate by event_id.
"""
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from chalicelib import bootstrap
from chalicelib.adapters.outbox import event_document
from chalicelib.observability import logger


def handle(event) -> dict:
    return process_partial_response(event=event.to_dict(), record_handler=_publish,
                                    processor=BatchProcessor(event_type=EventType.DynamoDBStreams),
                                    context=event.context)


def _publish(record) -> None:
    document = event_document(record.raw_event)
    if document is None:
        return
    bootstrap.event_bus().publish(document)
    logger.info("event published", extra={"event_id": document["event_id"], "type": document["type"]})
