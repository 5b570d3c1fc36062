"""The notifications queue: customer mail for public ticket events, sent once per event."""
import json
from datetime import timedelta

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

from chalicelib import bootstrap
from chalicelib.adapters.idempotency import persistence_layer
from chalicelib.observability import logger, metrics
from chalicelib.services.notifications import notify_customer
from chalicelib.settings import get_settings

ONCE = IdempotencyConfig(event_key_jmespath="event_id", expires_after_seconds=int(timedelta(days=7).total_seconds()))


def handle(event) -> dict:
    ONCE.register_lambda_context(event.context)
    return process_partial_response(event=event.to_dict(), record_handler=_notify,
                                    processor=BatchProcessor(event_type=EventType.SQS), context=event.context)


def _notify(record) -> None:
    # A body that is not an event fails this record only: retried, then parked in the DLQ for a person.
    document = json.loads(record.body)
    idempotent_function(data_keyword_argument="document", persistence_store=persistence_layer(),
                        config=ONCE)(_send_once)(document=document)


def _send_once(document: dict) -> bool:
    sent = notify_customer(document, mailer=bootstrap.mailer(), secrets=bootstrap.secrets(),
                           site_url=get_settings().customer_site_url)
    if sent:
        metrics.add_metric(name="CustomerMailSent", unit=MetricUnit.Count, value=1)
    logger.info("event handled", extra={"event_id": document["event_id"], "mail_sent": sent})
    return sent
