"""The inbound-mail queue: S3 announces each raw mail SES stored under inbound/; each is acted on once.

A mail that cannot be read fails its record only (logged with the reason): SQS retries it, then parks it
in the dead-letter queue; the raw mail stays in the bucket either way. So does a refused mail whose answer
SES did not take: the retry acts on the mail again, which stores and opens nothing twice (services/intake.py).
"""
from urllib.parse import unquote_plus

from chalicelib import bootstrap
from chalicelib.events.queue import process_once
from chalicelib.observability import logger, metrics
from chalicelib.services import intake
from chalicelib.services.ports import DeliveryFailed
from chalicelib.settings import get_settings

INBOUND_PREFIX = "inbound/"


class MailNotFound(Exception):
    """S3 announced a mail that is not (or no longer) in the bucket."""


def handle(event) -> dict:
    # Keyed on the object: SES stores each received mail once, under its own key.
    return process_once(event, consumer="inbound", key_path="key", work=_receive,
                        items=lambda notification: [{"key": key} for key in announced_mails(notification)])


def announced_mails(notification: dict) -> list[str]:
    """Keys of the mails an S3 notification announces. S3's test event announces none, and nothing
    outside inbound/ is ever read as mail."""
    keys = [unquote_plus(r["s3"]["object"]["key"]) for r in notification.get("Records", [])
            if r.get("eventName", "").startswith("ObjectCreated")]
    return [key for key in keys if key.startswith(INBOUND_PREFIX)]


def _receive(item: dict) -> dict:
    from aws_lambda_powertools.metrics import MetricUnit

    key = item["key"]
    raw = bootstrap.files().read_document(key)
    if raw is None:
        raise MailNotFound(key)
    settings = get_settings()
    desk = intake.MailDesk(mailbox=settings.mail_from, site_url=settings.customer_site_url,
                           department=settings.inbound_department, category=settings.inbound_category)
    try:
        result = intake.receive(raw, key, bootstrap.ticket_desk(), desk=desk, mailer=bootstrap.mailer())
    except intake.inbound.UnreadableMail as exc:
        logger.error("inbound mail unreadable", extra={"key": key, "reason": exc.reason})
        raise
    except DeliveryFailed as exc:
        logger.warning("answer to a refused mail not sent; retried", extra={"key": key, "error": str(exc)})
        raise
    # InboundMailCreated / Replied / Ignored / Refused / Quarantined (SES's virus verdict FAIL: copied under
    # quarantine/ for a person; alarm on it in infra/).
    metrics.add_metric(name=f"InboundMail{result.outcome.value.title()}", unit=MetricUnit.Count, value=1)
    if result.outcome == intake.Outcome.QUARANTINED:
        logger.warning("inbound mail quarantined", extra={"key": key, "quarantined_as": intake.quarantine_key(key),
                                                          "reason": result.reason})
    logger.info("inbound mail handled", extra={"key": key, "outcome": result.outcome.value, "ticket": result.number,
                                               "reason": result.reason, "answered": result.answered})
    return {"outcome": result.outcome.value, "number": result.number, "reason": result.reason,
            "answered": result.answered}
