"""The notifications queue: customer mail for public ticket events, sent once per event."""
from chalicelib import bootstrap
from chalicelib.events.queue import process_once
from chalicelib.observability import logger, metrics
from chalicelib.services.notifications import notify_customer
from chalicelib.settings import get_settings


def handle(event) -> dict:
    return process_once(event, consumer="notifications", key_path="event_id", work=_send)


def _send(item: dict) -> bool:
    from aws_lambda_powertools.metrics import MetricUnit

    sent = notify_customer(item, mailer=bootstrap.mailer(), secrets=bootstrap.secrets(),
                           site_url=get_settings().customer_site_url, mailbox=get_settings().mail_from)
    if sent:
        metrics.add_metric(name="CustomerMailSent", unit=MetricUnit.Count, value=1)
    logger.info("event handled", extra={"event_id": item["event_id"], "mail_sent": sent})
    return sent
