"""The event contract: the one shape of the documents the outbox publishes on the ticket topic (issue 14,
GUIDE §7). Every consumer (mail and SMS, the search index, reports, alerts) reads only what this contract
names: not the table's items, not the writer's classes. A change to the shape that a consumer could notice is
a new `schema_version`, published beside the old one until every consumer reads it.

Two kinds of document travel on the topic:
- ticket events (`domain/events.py` `to_document`): one per timeline entry, with a snapshot of the ticket;
- an address's open tickets (`customer.open_tickets`, services/tickets.py), which belongs to no ticket.

A third kind never travels on the ticket topic: article events (`article.*`, domain/kb_events.py), which the
outbox relay sends only to the knowledge base's publication queue (ARTICLE_EVENT below, its own schema_version).

`tests/unit/test_event_contract.py` checks documents of every event type, produced by the real services,
against these schemas, and documents that break them. Version 1 is the first: documents written before
`schema_version` existed (none are kept past the stream's 24 hours) are read as version 1.
"""
from __future__ import annotations

from chalicelib.domain import kb_events
from chalicelib.domain.events import OPEN_TICKETS_MAIL, SCHEMA_VERSION
from chalicelib.domain.tickets import (TICKET_CHANNELS, AuthorKind, EventType, Language, Priority, Status,
                                       Visibility)

SUPPORTED_VERSIONS = frozenset({1})


def version_of(document: dict) -> int:
    """The contract version a document was written to (1 when it predates the field)."""
    return int(document.get("schema_version", 1))


def readable(document: dict) -> bool:
    """Whether a consumer of this code can read `document` (an unknown version is left alone, not guessed)."""
    return version_of(document) in SUPPORTED_VERSIONS


# ------------------------------------------------------------------------------------------- JSON Schema

def _enum(values) -> dict:
    return {"type": "string", "enum": sorted(v.value for v in values)}


def _object(properties: dict, required: tuple[str, ...] | None = None, *, closed: bool = True) -> dict:
    schema = {"type": "object", "properties": properties,
              "required": list(properties if required is None else required)}
    if closed:
        schema["additionalProperties"] = False
    return schema


_STRING = {"type": "string"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_TIME = {"type": "string", "format": "date-time"}
_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
_ID = {"type": "string", "minLength": 1}
_NUMBER = {"type": "integer", "minimum": 1}
_ACTOR = _object({"kind": _enum(AuthorKind), "id": _STRING, "name": _STRING})
_ATTACHMENT = _object({"id": _ID, "filename": _STRING, "content_type": _STRING, "size": {"type": "integer", "minimum": 0},
                       "key": _STRING, "visibility": _enum(Visibility)})
_PLACE = _object({"department": _STRING, "group": _TEXT_OR_NULL, "agent": _TEXT_OR_NULL})
_CHANGE = lambda values: _object({"from": values, "to": values})  # noqa: E731

TICKET_SNAPSHOT = _object({
    "number": _NUMBER, "subject": _STRING, "status": _enum(Status), "priority": _enum(Priority),
    "department": _STRING, "group": _STRING, "assignee": {"oneOf": [_ACTOR, {"type": "null"}]},
    "language": _enum(Language),
    "customer": _object({"name": _STRING, "email": _STRING, "phone": _TEXT_OR_NULL}),
    "link_salt": _STRING, "sms_updates": {"type": "boolean"}, "confirmed": {"type": "boolean"},
})
# Added for reports (issue 16) within version 1: optional, since documents written before them lack them.
_SLA_TARGET_SUMMARY = _object({"spent_s": {"type": "number", "minimum": 0}, "breached": {"type": "boolean"},
                               "met_at": _TIME_OR_NULL})
TICKET_SNAPSHOT["properties"].update({
    "category": _STRING, "created_at": _TIME, "agent_replies": {"type": "integer", "minimum": 0},
    "sla": {"oneOf": [{"type": "null"}, _object({"first_response": _SLA_TARGET_SUMMARY,
                                                 "resolution": _SLA_TARGET_SUMMARY,
                                                 "tier": _TEXT_OR_NULL}, ("tier",))]},
    "channel": {"type": "string", "enum": list(TICKET_CHANNELS)},  # how the ticket came; missing = web
})

MESSAGE = _object({"id": _ID, "visibility": _enum(Visibility), "author": _ACTOR, "text": _STRING,
                   "created_at": _TIME, "attachments": {"type": "array", "items": _ATTACHMENT}})

_SLA_CONTEXT = {"target": {"type": "string", "enum": ["first_response", "resolution"]}, "due_at": _TIME_OR_NULL,
                "department": _STRING, "supervisors": {"type": "array", "items": _STRING},
                "historical": {"const": True}}  # historical: reached before an import, no escalation made

_IMPORTED = {"imported": {"const": True}}  # on every event an import wrote: nobody is mailed or texted for it


def _data(properties: dict, required: tuple[str, ...] | None = None) -> dict:
    return _object({**properties, **_IMPORTED}, tuple(properties) if required is None else required)


# What `data` holds for each event type (an empty object where the type needs nothing beyond the event).
DATA = {
    EventType.TICKET_CREATED: _data({"source": _STRING, "external_id": _STRING,  # source, external_id: imported
                                     "channel": {"type": "string", "enum": ["web", "mail"]}}, ()),
    EventType.MESSAGE_ADDED: _data({}),
    EventType.STATUS_CHANGED: _data({"from": _enum(Status), "to": _enum(Status),
                                     "reason": {"type": "string", "enum": ["no_reply"]}}, ("from", "to")),
    EventType.PRIORITY_CHANGED: _data({"from": _enum(Priority), "to": _enum(Priority), "customer": _enum(Priority),
                                       "reason": _STRING}, ("from", "to", "customer")),
    EventType.ASSIGNED: _data({"from": _PLACE, "to": _PLACE, "reason": _STRING,
                               "kind": {"type": "string", "enum": ["auto", "take", "assign", "transfer"]}}),
    EventType.RATED: _data({"message_id": _ID, "rating": _STRING, "comment": _STRING,
                            "agent": _object({"id": _STRING, "name": _STRING}),
                            "change": {"type": "string", "enum": ["comment"]}, "previous": _STRING},
                           ("message_id", "rating", "comment", "agent")),
    EventType.REMINDED: _data({}),
    EventType.ARCHIVED: _data({"transcript": _STRING}),
    EventType.SLA_WARNING: _data({**_SLA_CONTEXT, "share": {"type": "number"}},
                                 ("target", "due_at", "department", "supervisors")),
    EventType.SLA_BREACHED: _data({**_SLA_CONTEXT, "escalation": _object({
        "priority": {"oneOf": [_CHANGE(_enum(Priority)), {"type": "null"}]},
        "assignee": {"oneOf": [_CHANGE(_TEXT_OR_NULL), {"type": "null"}]}})},
        ("target", "due_at", "department", "supervisors", "escalation")),
    EventType.SMS_UPDATES_CHANGED: _data({"enabled": {"type": "boolean"}}),
    EventType.MAIL_UNDELIVERABLE: _data({"event": _ID, "mail": _STRING, "to": _STRING, "error": _STRING}),
    EventType.CONFIRMED: _data({"how": {"type": "string", "enum": ["link", "sign_in"]}}),
    # Agent time (reports): an entry the agent typed, and one closed interval of the portal's presence.
    EventType.TIME_LOGGED: _data({"minutes": {"type": "integer", "minimum": 1}, "note": _STRING}, ("minutes", "note")),
    EventType.TIME_SPENT: _data({"from": _TIME, "to": _TIME, "seconds": {"type": "integer", "minimum": 1}},
                                ("from", "to", "seconds")),
}

TICKET_EVENT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "ticket event, schema_version 1",
    **_object({
        "schema_version": {"const": SCHEMA_VERSION}, "event_id": _ID, "type": _enum(EventType),
        "ticket_number": _NUMBER, "occurred_at": _TIME, "actor": _ACTOR, "visibility": _enum(Visibility),
        "data": {"type": "object"}, "ticket": TICKET_SNAPSHOT, "message": MESSAGE,
    }, ("schema_version", "event_id", "type", "ticket_number", "occurred_at", "actor", "visibility", "data",
        "ticket")),
    "allOf": [
        *({"if": {"properties": {"type": {"const": kind.value}}},
           "then": {"properties": {"data": schema}}} for kind, schema in DATA.items()),
        # a message event carries its message; no other event does
        {"if": {"properties": {"type": {"const": EventType.MESSAGE_ADDED.value}}},
         "then": {"required": ["message"]}, "else": {"not": {"required": ["message"]}}},
    ],
}

OPEN_TICKETS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "an address's open tickets, schema_version 1",
    **_object({
        "schema_version": {"const": SCHEMA_VERSION}, "event_id": _ID, "type": {"const": OPEN_TICKETS_MAIL},
        "occurred_at": _TIME, "actor": _ACTOR, "visibility": {"const": Visibility.PUBLIC.value},
        "data": _object({}),
        "customer": _object({"email": _STRING, "language": _enum(Language)}),
        "open_tickets": {"type": "array", "items": _object({
            "number": _NUMBER, "subject": _STRING, "status": _enum(Status), "confirmed": {"type": "boolean"}})},
    }),
}


_ADDRESS = _object({"lang": _enum(Language), "slug": _ID})
ARTICLE_EVENT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "article event, schema_version 1",
    **_object({
        "schema_version": {"const": kb_events.SCHEMA_VERSION}, "event_id": _ID,
        "type": {"type": "string", "enum": sorted(kb_events.TYPES.values())},
        "article_id": _ID, "lang": {"oneOf": [_enum(Language), {"type": "null"}]}, "version": _NUMBER,
        "occurred_at": _TIME, "actor": _object({"kind": {"const": "agent"}, "id": _STRING}),
        "previous": {"type": "array", "items": _ADDRESS},
    }),
}


def schema_for(document: dict) -> dict:
    """The schema a published document must match."""
    if kb_events.is_article_event(document):
        return ARTICLE_EVENT
    return OPEN_TICKETS if document.get("type") == OPEN_TICKETS_MAIL else TICKET_EVENT


def problems(document: dict) -> list[str]:
    """Where `document` breaks the contract ("path: message"), none when it keeps it. For tests and for a
    consumer that wants to refuse a malformed document loudly (jsonschema is imported only here)."""
    from jsonschema import Draft202012Validator, FormatChecker

    validator = Draft202012Validator(schema_for(document), format_checker=FormatChecker())
    return sorted(f"{'/'.join(str(p) for p in e.absolute_path) or '(document)'}: {e.message}"
                  for e in validator.iter_errors(document))
