"""The alerts queue: SMS and the mail beyond the customer's usual mail, each sent once per (event,
channel, recipient). A record whose delivery failed fails alone; on redelivery the alerts already sent
are skipped by their idempotency records and only the missing ones go out."""
from chalicelib import bootstrap
from chalicelib.domain.alerts import Alert, Channel
from chalicelib.domain.tickets import Language
from chalicelib.events.queue import process_once
from chalicelib.observability import logger, metrics
from chalicelib.services.alerts import alerts_for_event, deliver


def handle(event) -> dict:
    return process_once(event, consumer="alerts", key_path="id", work=_deliver, items=_planned)


def _planned(document: dict) -> list[dict]:
    """One item per alert the event calls for, keyed (event, channel, recipient): on redelivery only the
    alerts not yet sent go out."""
    planned = alerts_for_event(document, bootstrap.alert_desk(), now=bootstrap.clock().now())
    return [{"id": f"{document['event_id']}/{each.key}", "alert": _alert_document(each), "document": document}
            for each in planned]


def _alert_document(alert: Alert) -> dict:
    return {"channel": alert.channel.value, "recipient": alert.recipient, "address": alert.address,
            "template": alert.template, "language": alert.language.value}


def _deliver(item: dict) -> bool:
    from aws_lambda_powertools.metrics import MetricUnit

    a = item["alert"]
    alert = Alert(Channel(a["channel"]), a["recipient"], a["address"], a["template"], Language(a["language"]))
    sent = deliver(alert, item["document"], bootstrap.alert_desk(), now=bootstrap.clock().now())
    if sent:
        metrics.add_metric(name="AlertSms" if alert.channel == Channel.SMS else "AlertMail",
                           unit=MetricUnit.Count, value=1)
    # Recipients stay out of the logs (addresses, phone numbers): the event and the template say enough.
    logger.info("alert handled", extra={"event_id": item["document"]["event_id"], "channel": alert.channel.value,
                                        "template": alert.template, "sent": sent})
    return sent
