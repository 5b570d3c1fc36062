"""The JSON document of a timeline event: what the table stores and what the outbox publishes.

Each document carries a small snapshot of its ticket so that consumers (mail, SMS, index) can act
without reading the table back.
"""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.tickets import (
    Actor, Attachment, AuthorKind, EventType, Message, Ticket, TicketEvent, Visibility,
)


# An outbox document that belongs to no ticket: an address's open tickets, mailed to it (services/tickets.py).
OPEN_TICKETS_MAIL = "customer.open_tickets"
# The version of the event contract every published document is written to (domain/event_contract.py).
SCHEMA_VERSION = 1


def _actor(actor: Actor) -> dict:
    return {"kind": actor.kind.value, "id": actor.id, "name": actor.name}


def attachment_document(a: Attachment) -> dict:
    return {"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size,
            "key": a.key, "visibility": a.visibility.value}


def attachment_from_document(d: dict) -> Attachment:
    return Attachment(id=d["id"], filename=d["filename"], content_type=d["content_type"], size=int(d["size"]),
                      key=d["key"], visibility=Visibility(d.get("visibility", "public")))


def to_document(event: TicketEvent, ticket: Ticket) -> dict:
    doc = {
        "schema_version": SCHEMA_VERSION,
        "event_id": event.id,
        "type": event.type.value,
        "ticket_number": event.ticket_number,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": _actor(event.actor),
        "visibility": event.visibility.value,
        "data": event.data,
        "ticket": {
            "number": ticket.number, "subject": ticket.subject, "status": ticket.status.value,
            "priority": ticket.effective_priority.value, "department": ticket.department, "group": ticket.group,
            "assignee": _actor(ticket.assignee) if ticket.assignee else None, "language": ticket.language.value,
            "customer": {"name": ticket.customer.name, "email": ticket.customer.email, "phone": ticket.customer.phone},
            "link_salt": ticket.link_salt, "sms_updates": ticket.sms_updates, "confirmed": ticket.confirmed,
            # What the reports' aggregator needs to place and time the event without reading the table.
            "category": ticket.category, "created_at": ticket.created_at.isoformat(),
            "agent_replies": ticket.agent_replies, "sla": _sla_summary(ticket), "channel": ticket.channel,
        },
    }
    if event.message:
        m = event.message
        doc["message"] = {"id": m.id, "visibility": m.visibility.value, "author": _actor(m.author), "text": m.text,
                          "created_at": m.created_at.isoformat(),
                          "attachments": [attachment_document(a) for a in m.attachments]}
    return doc


def _sla_summary(ticket: Ticket) -> dict | None:
    """Per SLA target: business seconds spent so far (final once met: its clock stops), whether it was breached,
    when it was met; and the customer tier. None for a ticket without SLA."""
    if ticket.sla is None:
        return None
    summary = {target.value: {"spent_s": state.clock.spent.total_seconds(), "breached": state.breached,
                              "met_at": state.met_at.isoformat() if state.met_at else None}
               for target, state in ticket.sla.targets.items()}
    return {**summary, "tier": ticket.sla.tier}


def _actor_from(d: dict) -> Actor:
    return Actor(kind=AuthorKind(d["kind"]), id=d["id"], name=d["name"])


def from_document(doc: dict) -> TicketEvent:
    message = None
    if m := doc.get("message"):
        message = Message(id=m["id"], visibility=Visibility(m["visibility"]), author=_actor_from(m["author"]),
                          text=m["text"], created_at=datetime.fromisoformat(m["created_at"]),
                          attachments=tuple(attachment_from_document(a) for a in m["attachments"]))
    return TicketEvent(id=doc["event_id"], ticket_number=int(doc["ticket_number"]), type=EventType(doc["type"]),
                       occurred_at=datetime.fromisoformat(doc["occurred_at"]), actor=_actor_from(doc["actor"]),
                       visibility=Visibility(doc["visibility"]), message=message, data=doc.get("data") or {})
