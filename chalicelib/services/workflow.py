"""Where tickets go and who works on them: routing and automatic assignment of new tickets, the agents'
lifecycle actions (status, priority, take, assign, transfer), queues and hand-over trails.

Every edit names the version the agent saw. Edits do not commute (two agents transferring the same
ticket at once mean different things), so a stale one is refused with the fresh ticket (StaleTicket),
never retried behind the agent's back; the repository's versioned save closes the race between the check
and the write.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from chalicelib.domain.catalog import Department, Group
from chalicelib.domain.handovers import HandoverKind, handover_event, place
from chalicelib.domain.permissions import (
    Action, Staff, allowed_statuses, may_see_department, may_see_trail_of, require, supervises,
    visible_handovers,
)
from chalicelib.domain.routing import RoutingRule, Strategy, fewest_open, route
from chalicelib.domain.tickets import (
    Actor, AuthorKind, EventType, Priority, StaleTicket, Status, Ticket, TicketEvent, Visibility, clean_text, new_id,
    parse_enum,
)
from chalicelib.errors import Conflict, Forbidden, Invalid, NotFound
from chalicelib.services.ports import (
    AgentDirectory, CatalogRepository, Clock, TicketDesk, TicketRepository, TurnClaim, VersionConflict,
)

ROUTING = Actor(kind=AuthorKind.SYSTEM, id="routing", name="Routing")
HANDOVER_PAGE = 100

Change = Callable[[Ticket, dict[str, Department]], tuple[Ticket, list[TicketEvent]]]


# ---------------------------------------------------------------- new tickets

def place_new_ticket(ticket: Ticket, *, catalog: CatalogRepository, tickets: TicketRepository,
                     agents: AgentDirectory, clock: Clock,
                     claim_turn: bool = False) -> tuple[Ticket, list[TicketEvent], TurnClaim | None]:
    """The ticket routed to its group and given to an agent by the group's strategy, with the ASSIGNED event
    recording it; unchanged (and no event) when its department has no groups and no rule applies.
    Nothing is written here: the caller creates ticket and events in one transaction. With `claim_turn`, a
    round-robin turn this container can name without a read is not taken here but returned as a TurnClaim
    for that transaction (which fails with TurnTaken if another request took it first)."""
    departments = {d.id: d for d in catalog.departments()}
    destination = _destination(ticket, departments, catalog.rules())
    if destination is None:
        return ticket, [], None
    department, group, reason = destination
    assignee, claim = _pick(department, group, catalog=catalog, tickets=tickets, claim_turn=claim_turn)
    placed = replace(ticket, department=department.id, group=group.id, assignee=_agent(assignee, agents))
    return placed, [handover_event(ticket, placed, actor=ROUTING, at=clock.now(), kind=HandoverKind.AUTO,
                                   reason=reason)], claim


def _destination(ticket: Ticket, departments: dict[str, Department],
                 rules: list[RoutingRule]) -> tuple[Department, Group, str] | None:
    # A rule whose group has since been removed is skipped rather than sending tickets nowhere.
    usable = [r for r in rules if r.department in departments and departments[r.department].group(r.group)]
    if found := route(usable, ticket.category, ticket.subject):
        department = departments[found.department]
        return department, department.group(found.group), "rule"
    department = departments.get(ticket.department)
    if department is None or not department.groups:
        return None
    return department, department.groups[0], "default"


def _pick(department: Department, group: Group, *, catalog: CatalogRepository, tickets: TicketRepository,
          claim_turn: bool = False) -> tuple[str | None, TurnClaim | None]:
    """The member whose turn it is (round robin, fair across containers: each turn is taken once, atomically)
    or who has the fewest active tickets; None for a group without members. The turn is the one after the
    last this container saw, claimed in the caller's transaction (claim_turn), or taken now with next_turn."""
    members = sorted(group.members)
    if not members:
        return None, None
    if group.strategy == Strategy.ROUND_ROBIN:
        known = catalog.last_turn(department.id, group.id) if claim_turn else None
        if known is not None:
            claim = TurnClaim(department.id, group.id, known + 1)
            return members[(claim.taken - 1) % len(members)], claim
        return members[(catalog.next_turn(department.id, group.id) - 1) % len(members)], None
    return fewest_open(members, {member: tickets.count_assigned(member) for member in members}), None


def _agent(agent_id: str | None, agents: AgentDirectory) -> Actor | None:
    if agent_id is None:
        return None
    return Actor(kind=AuthorKind.AGENT, id=agent_id, name=agents.display_name(agent_id))


# ---------------------------------------------------------------- reading with permission

def load(tickets: TicketRepository, number: int) -> Ticket:
    ticket = tickets.get(number)
    if ticket is None:
        raise NotFound("no such ticket")
    return ticket


def ticket_for(*, tickets: TicketRepository, catalog: CatalogRepository, number: int, staff: Staff,
               action: Action) -> Ticket:
    """The ticket, if this agent may do `action` with it (Forbidden otherwise)."""
    ticket = load(tickets, number)
    require(staff, action, ticket, _departments(catalog).get(ticket.department))
    return ticket


def _departments(catalog: CatalogRepository) -> dict[str, Department]:
    return {d.id: d for d in catalog.departments()}


def _department(catalog: CatalogRepository, department_id: str) -> Department:
    department = _departments(catalog).get(department_id)
    if department is None:
        raise NotFound("no such department")
    return department


# ---------------------------------------------------------------- edits

def _edit(*, tickets: TicketRepository, catalog: CatalogRepository, number: int, staff: Staff, action: Action,
          version: int, change: Change) -> Ticket:
    ticket = load(tickets, number)
    departments = _departments(catalog)
    require(staff, action, ticket, departments.get(ticket.department))  # before anything is revealed
    if ticket.version != version:
        raise StaleTicket(ticket)
    after, events = change(ticket, departments)
    if not events:
        return ticket  # already so: nothing to write
    after = replace(after, version=ticket.version + 1)
    try:
        tickets.save(ticket, after, events)
    except VersionConflict:
        raise StaleTicket(load(tickets, number)) from None
    return after


def change_status(desk: TicketDesk, *, number: int, staff: Staff, status: str, version: int) -> Ticket:
    tickets, catalog, clock = desk.tickets, desk.catalog, desk.clock
    target = parse_enum(Status, status, "status")

    def change(ticket: Ticket, _) -> tuple[Ticket, list[TicketEvent]]:
        if target == ticket.status:
            return ticket, []
        if target not in allowed_statuses(ticket):
            raise Conflict(f"a {ticket.status} ticket cannot become {target}", fields={"status": "not_allowed"})
        now = clock.now()
        after = ticket.moved_to(target, now)
        return after, after.status_events(ticket, staff.actor, now)

    return _edit(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.STATUS,
                 version=version, change=change)


def change_priority(desk: TicketDesk, *, number: int, staff: Staff, priority: str, version: int) -> Ticket:
    """The agents' judgement of the priority; what the customer chose is kept beside it. The SLA follows the
    judgement: both targets become what the current policy promises for the new priority in the ticket's
    department and the customer tier it was opened under, with the time already spent (domain/sla.py,
    SlaPolicy.retargeted and Sla.retargeted: breaches stay, warnings are cleared only when the new target leaves
    room before its warning share again)."""
    tickets, catalog, clock = desk.tickets, desk.catalog, desk.clock
    target = parse_enum(Priority, priority, "priority")

    def change(ticket: Ticket, _) -> tuple[Ticket, list[TicketEvent]]:
        if target == ticket.effective_priority:
            return ticket, []
        now = clock.now()
        event = TicketEvent(id=new_id(), ticket_number=ticket.number, type=EventType.PRIORITY_CHANGED,
                            occurred_at=now, actor=staff.actor, visibility=Visibility.INTERNAL,
                            data={"from": ticket.effective_priority.value, "to": target.value,
                                  "customer": ticket.priority.value})
        sla = (catalog.sla_policy().retargeted(ticket.sla, ticket.department, target.value, now)
               if ticket.sla else None)
        return replace(ticket, agent_priority=target, last_activity_at=now, sla=sla), [event]

    return _edit(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.PRIORITY,
                 version=version, change=change)


def _handed_over(ticket: Ticket, after: Ticket, *, staff: Staff, clock: Clock, kind: HandoverKind,
                 reason: str = "") -> tuple[Ticket, list[TicketEvent]]:
    if place(after) == place(ticket):
        return ticket, []
    now = clock.now()
    return replace(after, last_activity_at=now), [handover_event(ticket, after, actor=staff.actor, at=now, kind=kind,
                                                                 reason=reason)]


def take(desk: TicketDesk, *, number: int, staff: Staff, version: int) -> Ticket:
    tickets, catalog, clock = desk.tickets, desk.catalog, desk.clock

    def change(ticket: Ticket, _) -> tuple[Ticket, list[TicketEvent]]:
        return _handed_over(ticket, replace(ticket, assignee=staff.actor), staff=staff, clock=clock,
                            kind=HandoverKind.TAKE)

    return _edit(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.TAKE,
                 version=version, change=change)


def assign(desk: TicketDesk, *, number: int, staff: Staff, agent: str, version: int, reason: str = "") -> Ticket:
    """A supervisor (or admin) gives the ticket to a member of its group."""
    tickets, catalog, agents, clock = desk.tickets, desk.catalog, desk.agents, desk.clock
    reason = reason.strip()

    def change(ticket: Ticket, departments: dict[str, Department]) -> tuple[Ticket, list[TicketEvent]]:
        department = departments.get(ticket.department)
        group = department.group(ticket.group) if department else None
        if group is None or agent not in group.members:
            raise Invalid.field("agent", "not_member")
        return _handed_over(ticket, replace(ticket, assignee=_agent(agent, agents)), staff=staff, clock=clock,
                            kind=HandoverKind.ASSIGN, reason=reason)

    return _edit(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.ASSIGN,
                 version=version, change=change)


def transfer(desk: TicketDesk, *, number: int, staff: Staff, department: str, group: str, reason: str, version: int,
             agent: str | None = None, category: str | None = None) -> Ticket:
    """To another group (of this or another department), to a named member of it, or else to whoever the
    group's strategy picks. The ticket takes a category of the target department: the one chosen, else the one
    it has when the target has it too, else the target's first (default) one. The reason is required: the next
    person needs to know why it came to them.
    Moved to another department, the ticket is held to that department's SLA targets for its priority (its
    customer tier's, where the tier sets them), with the time already spent (as for a priority change)."""
    tickets, catalog, agents, clock = desk.tickets, desk.catalog, desk.agents, desk.clock
    reason = clean_text(reason, "reason")

    def change(ticket: Ticket, departments: dict[str, Department]) -> tuple[Ticket, list[TicketEvent]]:
        target = departments.get(department)
        if target is None:
            raise Invalid.field("department", "unknown")
        target_group = target.group(group)
        if target_group is None:
            raise Invalid.field("group", "unknown")
        if agent and agent not in target_group.members:
            raise Invalid.field("agent", "not_member")
        arriving_category = target.category_on_arrival(ticket.category, category)
        assignee = agent or _pick(target, target_group, catalog=catalog, tickets=tickets)[0]
        moved = replace(ticket, department=target.id, group=target_group.id, category=arriving_category,
                        assignee=_agent(assignee, agents))
        if ticket.sla and target.id != ticket.department:
            moved = replace(moved, sla=catalog.sla_policy().retargeted(
                ticket.sla, target.id, ticket.effective_priority.value, clock.now()))
        return _handed_over(ticket, moved, staff=staff, clock=clock, kind=HandoverKind.TRANSFER, reason=reason)

    return _edit(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.TRANSFER,
                 version=version, change=change)


# ---------------------------------------------------------------- queues, desks, trails

def queue(desk: TicketDesk, *, staff: Staff, department: str, group: str | None = None) -> list[Ticket]:
    """Active tickets of a department (optionally of one of its groups), earliest SLA due time first."""
    views, catalog = desk.views, desk.catalog
    found = _department(catalog, department)
    if not may_see_department(staff, found):
        raise Forbidden(f"you do not work in {department}")
    if group and found.group(group) is None:
        raise Invalid.field("group", "unknown")
    return by_due_time([t for t in views.queue(department) if not group or t.group == group])


def queue_everywhere(desk: TicketDesk, *, staff: Staff) -> list[Ticket]:
    """One queue across every department whose queue the agent may see (admins: all), earliest SLA due time
    first: one query of the department index per such department, never a scan."""
    views, catalog = desk.views, desk.catalog
    departments = [d for d in sorted(catalog.departments(), key=lambda d: d.id) if may_see_department(staff, d)]
    return by_due_time([t for d in departments for t in views.queue(d.id)])


def mine(desk: TicketDesk, *, staff: Staff) -> list[Ticket]:
    return by_due_time(desk.views.assigned_to(staff.id))


def by_due_time(found: list[Ticket]) -> list[Ticket]:
    """Earliest SLA due time first; tickets whose clocks are paused or met follow, oldest first."""
    def due(ticket: Ticket):
        earliest = ticket.sla.earliest_due if ticket.sla else None
        return (earliest is None, earliest or ticket.created_at, ticket.created_at, ticket.number)
    return sorted(found, key=due)


@dataclass(frozen=True)
class Profile:
    supervises: list[str]                # department ids
    member_of: list[tuple[str, str]]     # (department id, group id)


def profile(*, catalog: CatalogRepository, staff: Staff) -> Profile:
    departments = sorted(catalog.departments(), key=lambda d: d.id)
    return Profile(supervises=[d.id for d in departments if supervises(staff, d)],
                   member_of=[(d.id, g.id) for d in departments for g in d.groups_of(staff.id)])


def handovers(desk: TicketDesk, *, staff: Staff, agent: str | None = None, department: str | None = None,
              group: str | None = None, ticket: int | None = None) -> list[TicketEvent]:
    """The trail of one ticket, one work group or one agent, newest first. Each form shows only what the agent
    may see: a ticket's trail to those who may open the ticket, a group's to those who may see its department,
    an agent's to themselves and admins whole, and to a supervisor only where it touches a department they
    supervise (issue 11, finding 3)."""
    tickets, views, catalog = desk.tickets, desk.views, desk.catalog
    if ticket is not None:
        ticket_for(tickets=tickets, catalog=catalog, number=ticket, staff=staff, action=Action.VIEW)
        return [e for e in reversed(tickets.timeline(ticket)) if e.type == EventType.ASSIGNED]
    if department or group:
        if not (department and group):
            raise Invalid.field("group" if department else "department", "required")
        if not may_see_department(staff, _department(catalog, department)):
            raise Forbidden(f"you do not work in {department}")
        return views.handovers(group=(department, group), limit=HANDOVER_PAGE)
    if agent:
        departments = catalog.departments()
        if not may_see_trail_of(staff, agent, departments):
            raise Forbidden("only supervisors see another agent's trail")
        return visible_handovers(staff, views.handovers(agent=agent, limit=HANDOVER_PAGE), departments,
                                 own_trail=agent == staff.id)
    raise Invalid("name an agent, a department and group, or a ticket", fields={"agent": "required"})
