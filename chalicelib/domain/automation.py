"""What the scheduled jobs do to one ticket: remind a silent customer, close a silent ticket, archive a
closed one. Pure decisions; chalicelib/services/automation.py finds the tickets and saves the results.

Every step is decided on a freshly read ticket from its timer (Ticket.timer), whose clock is the last
public message: the index the jobs query may lag, and a ticket may have moved on since it was listed.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from chalicelib.domain.events import to_document
from chalicelib.domain.tickets import (
    Actor, AuthorKind, EventType, Status, Ticket, TicketEvent, TimerStage, Visibility, new_id,
)

SYSTEM = Actor(kind=AuthorKind.SYSTEM, id="system", name="system")
NO_REPLY = "no_reply"  # the reason recorded when silence closed a ticket (the mail worker keys on it)


def is_due(ticket: Ticket, stages: set[TimerStage], started_before: datetime) -> bool:
    timer = ticket.timer
    return timer is not None and timer.stage in stages and timer.since < started_before


def reminded(ticket: Ticket, at: datetime) -> tuple[Ticket, list[TicketEvent]]:
    """The customer is reminded once per wait: reminded_at moves the ticket to the CLOSE stage."""
    after = replace(ticket, reminded_at=at, version=ticket.version + 1)
    event = TicketEvent(id=new_id(), ticket_number=ticket.number, type=EventType.REMINDED, occurred_at=at,
                        actor=SYSTEM, visibility=Visibility.PUBLIC)
    return after, [event]


def closed_for_silence(ticket: Ticket, at: datetime) -> tuple[Ticket, list[TicketEvent]]:
    after = replace(ticket.moved_to(Status.CLOSED, at), version=ticket.version + 1)
    # Public: the customer is told (and that a reply within the reply window reopens the ticket).
    event = TicketEvent(id=new_id(), ticket_number=ticket.number, type=EventType.STATUS_CHANGED, occurred_at=at,
                        actor=SYSTEM, visibility=Visibility.PUBLIC,
                        data={"from": ticket.status.value, "to": Status.CLOSED.value, "reason": NO_REPLY})
    return after, [event]


def archived(ticket: Ticket, at: datetime, transcript_key: str) -> tuple[Ticket, list[TicketEvent]]:
    after = replace(ticket.moved_to(Status.ARCHIVED, at), version=ticket.version + 1)
    event = TicketEvent(id=new_id(), ticket_number=ticket.number, type=EventType.ARCHIVED, occurred_at=at,
                        actor=SYSTEM, visibility=Visibility.INTERNAL, data={"transcript": transcript_key})
    return after, [event]


def transcript_key(number: int) -> str:
    return f"transcripts/{number}.json"


def transcript(ticket: Ticket, timeline: list[TicketEvent]) -> dict:
    """The whole conversation as one JSON document. It depends only on the closed ticket and its timeline,
    so writing it again (a re-run, two overlapping runs) writes the same document."""
    events = [{k: v for k, v in to_document(e, ticket).items() if k != "ticket"} for e in timeline]
    attachments = sorted({a["key"] for e in events for a in (e.get("message") or {}).get("attachments", [])})
    return {"ticket": _header(ticket), "timeline": events, "attachments": attachments}


def _header(t: Ticket) -> dict:
    assignee = {"id": t.assignee.id, "name": t.assignee.name} if t.assignee else None
    return {"number": t.number, "subject": t.subject, "department": t.department, "category": t.category,
            "group": t.group, "language": t.language.value, "customer_priority": t.priority.value,
            "agent_priority": t.agent_priority.value if t.agent_priority else None,
            "customer": {"name": t.customer.name, "email": t.customer.email, "phone": t.customer.phone},
            "assignee": assignee, "created_at": t.created_at.isoformat(),
            "closed_at": t.closed_at.isoformat() if t.closed_at else None, "follows": t.follows}
