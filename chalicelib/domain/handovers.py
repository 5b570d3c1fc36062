"""Hand-overs: every time a ticket lands somewhere (routing, taken, assigned, transferred) the timeline gets an
ASSIGNED event saying from where to where, who did it, when and why. The repository files the same event
under every agent and group involved, which is the trail supervisors read."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from chalicelib.domain.tickets import Actor, EventType, Ticket, TicketEvent, Visibility, new_id


class HandoverKind(StrEnum):
    AUTO = "auto"          # routing and the group's strategy, when the ticket was opened
    TAKE = "take"          # an agent took it
    ASSIGN = "assign"      # a supervisor gave it to someone in its group
    TRANSFER = "transfer"  # moved to another group or department (maybe to a named agent)


def place(ticket: Ticket) -> dict:
    return {"department": ticket.department, "group": ticket.group or None,
            "agent": ticket.assignee.id if ticket.assignee else None}


def handover_event(before: Ticket, after: Ticket, *, actor: Actor, at: datetime, kind: HandoverKind,
                   reason: str = "") -> TicketEvent:
    return TicketEvent(id=new_id(), ticket_number=after.number, type=EventType.ASSIGNED, occurred_at=at,
                       actor=actor, visibility=Visibility.INTERNAL,
                       data={"from": place(before), "to": place(after), "reason": reason, "kind": kind.value})
