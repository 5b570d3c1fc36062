"""The notifications queue: customer mail for public ticket events, sent once per event."""
import json

from chalicelib import bootstrap
from chalicelib.observability import logger, metrics
from chalicelib.services.notifications import notify_customer
from chalicelib.settings import get_settings

ONCE_FOR_SECONDS = 7 * 24 * 3600  # longer than any redelivery: SQS keeps a message 4 days by default


def handle(event) -> dict:
    # Imported here, not at module level: every function shares app.py and the API need not pay for it.
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

    from chalicelib.adapters.idempotency import persistence_layer

    once = IdempotencyConfig(event_key_jmespath="event_id", expires_after_seconds=ONCE_FOR_SECONDS)
    once.register_lambda_context(event.context)  # an in-progress record expires with the invocation
    send_once = idempotent_function(data_keyword_argument="document", persistence_store=persistence_layer(),
                                    config=once)(_send)

    def notify(record) -> None:
        # A body that is not an event fails this record only: retried, then parked in the DLQ for a person.
        send_once(document=json.loads(record.body))

    return process_partial_response(event=event.to_dict(), record_handler=notify,
                                    processor=BatchProcessor(event_type=EventType.SQS), context=event.context)


def _send(document: dict) -> bool:
    from aws_lambda_powertools.metrics import MetricUnit

    sent = notify_customer(document, mailer=bootstrap.mailer(), secrets=bootstrap.secrets(),
                           site_url=get_settings().customer_site_url)
    if sent:
        metrics.add_metric(name="CustomerMailSent", unit=MetricUnit.Count, value=1)
    logger.info("event handled", extra={"event_id": document["event_id"], "mail_sent": sent})
    return sent
