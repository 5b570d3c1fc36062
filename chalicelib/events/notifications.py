"""The notifications queue: customer mail for public ticket events, sent once per event.

A mail SES does not take fails its record: SQS retries it, and after MAX_RECEIVES deliveries parks it in the
dead-letter queue (alarmed in infra/). On that last try the ticket's timeline also says, once, that the mail
could not be sent, so agents see it where they work.
"""
from chalicelib import bootstrap
from chalicelib.events.queue import process_once
from chalicelib.observability import logger, metrics
from chalicelib.services.notifications import mail_undeliverable, notify_customer
from chalicelib.services.ports import DeliveryFailed
from chalicelib.settings import get_settings

MAX_RECEIVES = 5  # infra/resources.yaml NotificationsQueue's RedrivePolicy maxReceiveCount (a test compares them)


def handle(event) -> dict:
    return process_once(event, consumer="notifications", key_path="event_id", work=_send,
                        on_last_failure=_undeliverable, max_receives=MAX_RECEIVES)


def _undeliverable(item: dict, error: Exception) -> None:
    from aws_lambda_powertools.metrics import MetricUnit

    if not isinstance(error, DeliveryFailed):
        return
    written = mail_undeliverable(item, tickets=bootstrap.tickets(), clock=bootstrap.clock(), error=str(error))
    metrics.add_metric(name="CustomerMailUndeliverable", unit=MetricUnit.Count, value=1)
    logger.error("customer mail not sent after every try; to the dead-letter queue",
                 extra={"event_id": item.get("event_id"), "ticket": item.get("ticket_number"),
                        "timeline_written": written})


def _send(item: dict) -> bool:
    from aws_lambda_powertools.metrics import MetricUnit

    sent = notify_customer(item, mailer=bootstrap.mailer(), secrets=bootstrap.secrets(),
                           site_url=get_settings().customer_site_url, mailbox=get_settings().mail_from)
    if sent:
        metrics.add_metric(name="CustomerMailSent", unit=MetricUnit.Count, value=1)
    logger.info("event handled", extra={"event_id": item["event_id"], "mail_sent": sent})
    return sent
