"""Reading the table's stream: which records are outbox events (ticket events, article events), and their documents."""
from __future__ import annotations

from chalicelib.adapters.models import EVENT_PREFIX, EventItem


def event_document(record: dict) -> dict | None:
    """The event document of a stream record, or None for records that are not new timeline events."""
    if record.get("eventName") != "INSERT":
        return None
    image = record.get("dynamodb", {}).get("NewImage") or {}
    if not image.get("sk", {}).get("S", "").startswith(EVENT_PREFIX):
        return None
    return EventItem.from_raw_data(image).doc


def article_event_document(record: dict) -> dict | None:
    """The article event (domain/kb_events.py) of a stream record, or None for any other record."""
    from chalicelib.adapters.kb import ARTICLE_EVENT_PREFIX, KbItem

    if record.get("eventName") != "INSERT":
        return None
    image = record.get("dynamodb", {}).get("NewImage") or {}
    if not (image.get("pk", {}).get("S", "").startswith("KB#")
            and image.get("sk", {}).get("S", "").startswith(ARTICLE_EVENT_PREFIX)):
        return None
    return KbItem.from_raw_data(image).doc
