"""JSON shapes of what the services return (docs/api.md)."""
from __future__ import annotations

from chalicelib.domain.tickets import Message, Ticket
from chalicelib.services.tickets import TicketView


def _time(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def message(m: Message) -> dict:
    return {"id": m.id, "visibility": m.visibility.value,
            "author": {"kind": m.author.kind.value, "name": m.author.name}, "text": m.text,
            "created_at": _time(m.created_at),
            "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size}
                            for a in m.attachments]}


def ticket_summary(t: Ticket, *, with_email: bool = True) -> dict:
    customer = {"name": t.customer.name}
    if with_email:
        customer["email"] = t.customer.email
    return {"number": t.number, "subject": t.subject, "status": t.status.value, "priority": t.priority.value,
            "department": t.department, "category": t.category, "language": t.language.value,
            "customer": customer, "created_at": _time(t.created_at), "last_activity_at": _time(t.last_activity_at),
            "version": t.version}


def ticket_view(view: TicketView, *, for_agent: bool) -> dict:
    return {**ticket_summary(view.ticket, with_email=for_agent), "messages": [message(m) for m in view.messages]}
