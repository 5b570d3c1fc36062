"""What the SLA sweep does to one ticket: warn when a target is nearly used up, escalate when it is missed.
Pure decisions on a freshly read ticket; chalicelib/services/sla.py finds the tickets and saves the results.

Each warning and each breach is marked on the ticket's SLA in the same write as its event, so a ticket is
warned and escalated once per target however often the sweep runs or overlaps with itself.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from chalicelib.domain.automation import SYSTEM
from chalicelib.domain.handovers import HandoverKind, handover_event
from chalicelib.domain.sla import Checkpoint, SlaPolicy, Target
from chalicelib.domain.tickets import Actor, EventType, Priority, Ticket, TicketEvent, Visibility, new_id

ORDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]
BREACH_REASON = "sla_breached"


def raised(priority: Priority) -> Priority:
    return ORDER[min(ORDER.index(priority) + 1, len(ORDER) - 1)]


def checked(ticket: Ticket, at: datetime, *, policy: SlaPolicy, supervisors: tuple[str, ...],
            supervisor: Actor | None = None) -> tuple[Ticket, list[TicketEvent]]:
    """The ticket after acting on every SLA checkpoint it passed, and the events saying so (none: nothing due).
    `supervisor`: the agent a breach reassigns the ticket to, when the policy says so."""
    if ticket.sla is None:
        return ticket, []
    after, events = ticket, []
    for target, checkpoint in ticket.sla.reached(at):
        context = {"target": target.value, "due_at": _due(ticket, target), "department": ticket.department,
                   "supervisors": list(supervisors)}
        after = replace(after, sla=after.sla.marked(target, checkpoint))
        if checkpoint == Checkpoint.WARNING:
            events.append(_event(ticket, EventType.SLA_WARNING, at, {**context, "share": ticket.sla.warn_share}))
            continue
        escalated, escalation, follow_ups = _escalated(after, at, policy, supervisor)
        after = escalated
        events.append(_event(ticket, EventType.SLA_BREACHED, at, {**context, "escalation": escalation}))
        events.extend(follow_ups)
    if not events:
        return ticket, []
    return replace(after, version=ticket.version + 1), events


def _escalated(ticket: Ticket, at: datetime, policy: SlaPolicy,
               supervisor: Actor | None) -> tuple[Ticket, dict, list[TicketEvent]]:
    escalation, events, after = {"priority": None, "assignee": None}, [], ticket
    if policy.raise_priority and ticket.effective_priority != Priority.URGENT:
        higher = raised(ticket.effective_priority)
        escalation["priority"] = {"from": ticket.effective_priority.value, "to": higher.value}
        events.append(_event(ticket, EventType.PRIORITY_CHANGED, at, {
            "from": ticket.effective_priority.value, "to": higher.value, "customer": ticket.priority.value,
            "reason": BREACH_REASON}))
        # Only the priority, never the SLA targets (unlike an agent's change, services/workflow.change_priority):
        # the breach is a consequence of the promise made, not a new judgement of the ticket, so the promise and
        # the clock it is measured by stay as they were (a shorter target would breach the other one at once).
        after = replace(after, agent_priority=higher)
    if policy.reassign_to_supervisor and supervisor and (not ticket.assignee or ticket.assignee.id != supervisor.id):
        moved = replace(after, assignee=supervisor)
        escalation["assignee"] = {"from": ticket.assignee.id if ticket.assignee else None, "to": supervisor.id}
        events.append(handover_event(after, moved, actor=SYSTEM, at=at, kind=HandoverKind.ASSIGN,
                                     reason=BREACH_REASON))
        after = moved
    return after, escalation, events


def _due(ticket: Ticket, target: Target) -> str | None:
    due = ticket.sla.due_at(target)
    return due.isoformat() if due else None


def _event(ticket: Ticket, kind: EventType, at: datetime, data: dict) -> TicketEvent:
    return TicketEvent(id=new_id(), ticket_number=ticket.number, type=kind, occurred_at=at, actor=SYSTEM,
                       visibility=Visibility.INTERNAL, data=data)
