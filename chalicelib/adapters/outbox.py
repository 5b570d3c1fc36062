"""Reading the table's stream: which records are outbox events, and their documents."""
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
