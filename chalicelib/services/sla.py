"""The SLA sweep: warn before a target is missed, escalate when it is.

Like the auto-close jobs (services/automation.py) it lists only the tickets whose next SLA checkpoint has
passed (the sparse `sla` index), re-reads each one consistently, decides on the fresh ticket
(chalicelib/domain/escalation.py) and saves with its version: a lost race is skipped and decided again by
the next run, and a checkpoint acted on leaves the index, so nothing is warned or escalated twice.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.domain.escalation import checked
from chalicelib.domain.sla import Checkpoint, SlaPolicy
from chalicelib.domain.tickets import Actor, AuthorKind, Ticket
from chalicelib.services.automation import BATCH, JobResult, listed_in_batches
from chalicelib.services.ports import AgentDirectory, TicketDesk, TicketRepository, VersionConflict


def _unbounded() -> bool:
    return True


def sweep(desk: TicketDesk, *, now: datetime, has_time: Callable[[], bool] = _unbounded) -> JobResult:
    tickets, catalog, agents = desk.tickets, desk.catalog, desk.agents
    policy = catalog.sla_policy()
    supervisors = {d.id: tuple(d.supervisors) for d in catalog.departments()}
    result = JobResult()
    for number in listed_in_batches(lambda: tickets.sla_due(now, BATCH)):
        if not has_time():
            break
        changed = _check(tickets, agents, number, now, policy, supervisors)
        (result.done if changed else result.skipped).append(number)
    return result


def _check(tickets: TicketRepository, agents: AgentDirectory, number: int, now: datetime, policy: SlaPolicy,
           supervisors: dict[str, tuple[str, ...]]) -> bool:
    ticket = tickets.get(number)
    if ticket is None:
        return False
    of_department = supervisors.get(ticket.department, ())
    after, events = checked(ticket, now, policy=policy, supervisors=of_department,
                            supervisor=_supervisor(ticket, now, of_department, policy, agents))
    if not events:
        return False
    try:
        tickets.save(ticket, after, events)
    except VersionConflict:
        return False
    return True


def _supervisor(ticket: Ticket, now: datetime, supervisors: tuple[str, ...], policy: SlaPolicy,
                agents: AgentDirectory) -> Actor | None:
    """The department's first supervisor, looked up only when a breach of this ticket reassigns it now."""
    if not policy.reassign_to_supervisor or not supervisors or ticket.sla is None:
        return None
    if all(checkpoint != Checkpoint.BREACH for _, checkpoint in ticket.sla.reached(now)):
        return None
    return Actor(kind=AuthorKind.AGENT, id=supervisors[0], name=agents.display_name(supervisors[0]))
