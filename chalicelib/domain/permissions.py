"""Who may do what with a ticket. The organisation decides: an agent's roles towards a ticket come from the
ticket's department (supervisors, work groups) and the ticket itself (its group, its assignee); each role
grants a set of actions. Pure data and functions, table-tested in tests/unit/test_permissions.py."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.catalog import Department
from chalicelib.domain.tickets import TRANSITIONS, Actor, Status, Ticket, TicketEvent
from chalicelib.errors import Forbidden


class Action(StrEnum):
    VIEW = "view"
    REPLY = "reply"
    NOTE = "note"
    STATUS = "status"
    PRIORITY = "priority"
    TAKE = "take"
    ASSIGN = "assign"
    TRANSFER = "transfer"


# Archiving is the archive job's (it writes the transcript first); no one sets a ticket back to new.
AGENT_SETTABLE = frozenset(Status) - {Status.NEW, Status.ARCHIVED}


def allowed_statuses(ticket: Ticket) -> list[Status]:
    """The statuses an agent may move the ticket to now, in the order of the Status enum."""
    return [s for s in Status if s in TRANSITIONS[ticket.status] and s in AGENT_SETTABLE]


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"                # of the ticket's department
    GROUP_MEMBER = "group_member"            # works in the ticket's group
    ASSIGNEE = "assignee"                    # the ticket is on their desk
    DEPARTMENT_MEMBER = "department_member"  # works in some group of the ticket's department


_WORK = frozenset({Action.VIEW, Action.REPLY, Action.NOTE, Action.STATUS, Action.PRIORITY})
GRANTS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.SUPERVISOR: frozenset(Action),
    Role.GROUP_MEMBER: _WORK | {Action.TAKE, Action.TRANSFER},
    # Still in the hands of whoever has it, even if they since left the group: they can at least pass it on.
    Role.ASSIGNEE: _WORK | {Action.TRANSFER},
    Role.DEPARTMENT_MEMBER: _WORK,
}


@dataclass(frozen=True)
class Staff:
    """A signed-in agent: who they are (Cognito username as id, display name) and whether they administer."""
    actor: Actor
    admin: bool = False

    @property
    def id(self) -> str:
        return self.actor.id


def works_in(staff: Staff, department: Department) -> bool:
    return bool(department.groups_of(staff.id))


def supervises(staff: Staff, department: Department) -> bool:
    return staff.id in department.supervisors


def roles(staff: Staff, ticket: Ticket, department: Department | None) -> set[Role]:
    """Every role the agent has towards the ticket; `department` is the ticket's (None if it was removed)."""
    found = {Role.ADMIN} if staff.admin else set()
    if ticket.assignee is not None and ticket.assignee.id == staff.id:
        found.add(Role.ASSIGNEE)
    if department is None:
        return found
    if supervises(staff, department):
        found.add(Role.SUPERVISOR)
    if works_in(staff, department):
        found.add(Role.DEPARTMENT_MEMBER)
    group = department.group(ticket.group)
    if group is not None and staff.id in group.members:
        found.add(Role.GROUP_MEMBER)
    return found


def allowed_actions(staff: Staff, ticket: Ticket, department: Department | None) -> frozenset[Action]:
    return frozenset().union(*(GRANTS[role] for role in roles(staff, ticket, department)))


def require(staff: Staff, action: Action, ticket: Ticket, department: Department | None) -> None:
    if action not in allowed_actions(staff, ticket, department):
        raise Forbidden(f"you may not {action} ticket {ticket.number}")


def may_see_department(staff: Staff, department: Department) -> bool:
    """Its queue and its groups' hand-over trails: admins, its supervisors and the people working in it."""
    return staff.admin or supervises(staff, department) or works_in(staff, department)


def may_see_trail_of(staff: Staff, agent: str, departments: list[Department]) -> bool:
    """An agent's hand-over trail: their own, or for an admin or a supervisor of a department they work in.
    A supervisor then sees only the hand-overs of departments they supervise (visible_handovers)."""
    return (staff.admin or agent == staff.id
            or any(supervises(staff, d) and d.groups_of(agent) for d in departments))


def handover_departments(event: TicketEvent) -> set[str]:
    """The departments a hand-over touches: where the ticket was and where it went."""
    return {side["department"] for side in (event.data.get("from") or {}, event.data.get("to") or {})
            if side.get("department")}


def visible_handovers(staff: Staff, events: list[TicketEvent], departments: list[Department],
                      *, own_trail: bool = False) -> list[TicketEvent]:
    """The hand-overs of a trail the agent may read: all for an admin or for their own trail; otherwise only
    those touching a department they supervise, so an agent's trail read by a supervisor of one department
    names no ticket of another."""
    if staff.admin or own_trail:
        return list(events)
    mine = {d.id for d in departments if supervises(staff, d)}
    return [e for e in events if handover_departments(e) & mine]
