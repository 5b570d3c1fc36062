"""Canned answers: keep them (each scope edited by whom domain/canned.may_edit says), offer those in an agent's
scopes for a ticket, fill one in for a ticket, and send a reply with it, applying its actions through the same
workflow use cases as the portal's buttons (with their permissions). Usage is counted per answer, atomically,
when a reply is sent with it."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, replace

from chalicelib.domain.canned import (
    CannedAnswer, Filled, Scope, ScopeKind, fill, matches, may_edit, may_use, parse_answer, parse_scope, scopes_of,
)
from chalicelib.domain.catalog import Department
from chalicelib.domain.permissions import Action, Staff, allowed_statuses, require
from chalicelib.domain.tickets import Message, Ticket, new_id
from chalicelib.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from chalicelib.services import tickets as ticket_service
from chalicelib.services import workflow
from chalicelib.services.ports import CatalogRepository, TicketDesk, TicketRepository

OFFERED = 20  # answers the type-ahead shows at most


class StaleAnswer(Conflict):
    """Someone saved the answer since this editor read it."""

    def __init__(self):
        super().__init__("the answer was changed since you opened it", fields={"version": "stale"})


class CannedAnswers(ABC):
    """Port: where canned answers are kept. Each scope's answers are read with one query."""

    @abstractmethod
    def in_scope(self, scope: Scope) -> list[CannedAnswer]: ...

    @abstractmethod
    def get(self, answer_id: str) -> CannedAnswer | None: ...

    @abstractmethod
    def create(self, answer: CannedAnswer) -> None: ...

    @abstractmethod
    def replace(self, before: CannedAnswer, after: CannedAnswer) -> None:
        """Save `after` if the stored answer is still at `before.version` (else StaleAnswer); moves it between
        scopes when they differ."""

    @abstractmethod
    def delete(self, answer: CannedAnswer) -> None:
        """Delete it if it is still at `answer.version` (else StaleAnswer)."""

    @abstractmethod
    def count_use(self, answer: CannedAnswer) -> None:
        """One more use, atomically (concurrent replies each count)."""


def _departments(catalog: CatalogRepository) -> dict[str, Department]:
    return {d.id: d for d in catalog.departments()}


def _usable(answers: CannedAnswers, answer_id: str, staff: Staff, departments: dict[str, Department]) -> CannedAnswer:
    answer = answers.get(answer_id)
    if answer is None or not may_use(staff, answer.scope, departments):
        raise NotFound("no such canned answer")  # another's personal answer is not even there
    return answer


def _editable(answers: CannedAnswers, answer_id: str, staff: Staff,
              departments: dict[str, Department]) -> CannedAnswer:
    answer = _usable(answers, answer_id, staff, departments) if not staff.admin else answers.get(answer_id)
    if answer is None:
        raise NotFound("no such canned answer")
    if not may_edit(staff, answer.scope, departments):
        raise Forbidden("you may not edit the answers of this scope")
    return answer


# ---------------------------------------------------------------- managing

def create(*, answers: CannedAnswers, catalog: CatalogRepository, staff: Staff, body: dict) -> CannedAnswer:
    departments = _departments(catalog)
    answer = parse_answer(body, staff=staff, departments=departments, answer_id=new_id())
    if not may_edit(staff, answer.scope, departments):
        raise Forbidden("you may not add answers to this scope")
    answers.create(answer)
    return answer


def update(*, answers: CannedAnswers, catalog: CatalogRepository, staff: Staff, answer_id: str, body: dict,
           version: int) -> CannedAnswer:
    departments = _departments(catalog)
    before = _editable(answers, answer_id, staff, departments)
    after = parse_answer(body, staff=staff, departments=departments, answer_id=answer_id, previous=before)
    if not may_edit(staff, after.scope, departments):
        raise Forbidden("you may not move answers to this scope")
    if before.version != version:
        raise StaleAnswer()
    after = _next_version(after, before)
    answers.replace(before, after)
    return after


def _next_version(after: CannedAnswer, before: CannedAnswer) -> CannedAnswer:
    return replace(after, version=before.version + 1, uses=before.uses)


def delete(*, answers: CannedAnswers, catalog: CatalogRepository, staff: Staff, answer_id: str,
           version: int) -> None:
    """Only the version the editor saw: an answer someone just changed is not deleted unseen."""
    answer = _editable(answers, answer_id, staff, _departments(catalog))
    if answer.version != version:
        raise StaleAnswer()
    answers.delete(answer)


def get(*, answers: CannedAnswers, catalog: CatalogRepository, staff: Staff, answer_id: str) -> CannedAnswer:
    departments = _departments(catalog)
    answer = answers.get(answer_id)
    if answer is None or not (may_use(staff, answer.scope, departments) or may_edit(staff, answer.scope, departments)):
        raise NotFound("no such canned answer")
    return answer


@dataclass(frozen=True)
class Offered:
    answer: CannedAnswer
    editable: bool


def offered(*, answers: CannedAnswers, catalog: CatalogRepository, tickets: TicketRepository, staff: Staff,
            query: str = "", ticket: int | None = None, scope: dict | None = None) -> list[Offered]:
    """The answers of the agent's scopes (or of one named scope they may use or edit) matching `query`, those in
    the ticket's language first. With a ticket, its department's and group's answers are offered too when the
    agent may use them; the agent must be allowed to see the ticket."""
    departments = _departments(catalog)
    found_ticket: Ticket | None = None
    if ticket is not None:
        found_ticket = workflow.ticket_for(tickets=tickets, catalog=catalog, number=ticket, staff=staff,
                                           action=Action.VIEW)
    if scope:
        if scope.get("kind") == ScopeKind.PERSONAL and scope.get("agent") and scope["agent"] != staff.id:
            named = Scope(ScopeKind.PERSONAL, agent=scope["agent"])  # an admin looking at another's answers
        else:
            named = parse_scope(scope, staff, departments)
        if not (may_use(staff, named, departments) or may_edit(staff, named, departments)):
            raise Forbidden("you may not see the answers of this scope")
        scopes = [named]
    else:
        scopes = scopes_of(staff, departments, found_ticket)
    pool = [a for s in scopes for a in answers.in_scope(s)]
    found = matches(pool, query, found_ticket.language if found_ticket else None)
    if not scope:
        found = found[:OFFERED]
    return [Offered(a, may_edit(staff, a.scope, departments)) for a in found]


# ---------------------------------------------------------------- using one

def ticket_page(site_url: str, number: int) -> str:
    """`{{ticket.link}}`: the ticket's page on the customer site, where the customer signs in with their address.
    Never the private link: its key is a credential that only the customer's own mail carries."""
    return f"{site_url.rstrip('/')}/#/tickets/{number}"


def render(*, answers: CannedAnswers, catalog: CatalogRepository, tickets: TicketRepository, staff: Staff,
           answer_id: str, ticket: int, site_url: str) -> tuple[CannedAnswer, Filled]:
    departments = _departments(catalog)
    found = workflow.ticket_for(tickets=tickets, catalog=catalog, number=ticket, staff=staff, action=Action.REPLY)
    answer = _usable(answers, answer_id, staff, departments)
    return answer, fill(answer, ticket=found, staff=staff, department=departments.get(found.department),
                        link=ticket_page(site_url, found.number))


@dataclass(frozen=True)
class Applied:
    message: Message
    ticket: Ticket
    not_applied: tuple[str, ...] = ()  # actions someone else's change got in the way of, after the reply was sent


def _check_actions(answer: CannedAnswer, ticket: Ticket, staff: Staff, departments: dict[str, Department],
                   at) -> None:
    """Every action may be done by this agent on this ticket, or nothing is written (checked before the reply)."""
    department = departments.get(ticket.department)
    actions = answer.actions
    if actions.priority:
        require(staff, Action.PRIORITY, ticket, department)
    if actions.status:
        require(staff, Action.STATUS, ticket, department)
        replied = ticket.after_agent_reply(at)
        if actions.status != replied.status and actions.status not in allowed_statuses(replied):
            raise Conflict(f"a {replied.status} ticket cannot become {actions.status}",
                           fields={"actions.status": "not_allowed"})
    if actions.transfer:
        require(staff, Action.TRANSFER, ticket, department)
        target = departments.get(actions.transfer.department)
        if target is None or target.group(actions.transfer.group) is None:
            raise Invalid.field("actions.transfer.group", "unknown")


def reply_with(desk: TicketDesk, *, answers: CannedAnswers, staff: Staff, answer_id: str, number: int,
               text: str, version: int, attachments: list[str] | None = None) -> Applied:
    """Send the reply (as the agent edited it) and apply the answer's actions: priority, then status, then the
    transfer (last, since it may take the ticket out of the agent's hands), each through the workflow use case
    the portal's button calls, named with the version the previous step left. Every permission and the status
    move are checked before anything is written; the use is counted once the reply is saved."""
    tickets, catalog, clock = desk.tickets, desk.catalog, desk.clock
    departments = _departments(catalog)
    ticket = workflow.ticket_for(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.REPLY)
    answer = _usable(answers, answer_id, staff, departments)
    _check_actions(answer, ticket, staff, departments, clock.now())
    message = ticket_service.agent_reply(tickets=tickets, files=desk.files, clock=clock, limits=desk.limits,
                                         number=number,
                                         agent=staff.actor, text=text, attachments=attachments or [],
                                         version=version, ticket=ticket)
    answers.count_use(answer)
    actions = answer.actions
    steps = [
        ("priority", actions.priority, lambda version: workflow.change_priority(
            desk, number=number, staff=staff,
            priority=actions.priority.value, version=version)),
        ("status", actions.status, lambda version: workflow.change_status(
            desk, number=number, staff=staff,
            status=actions.status.value, version=version)),
        ("transfer", actions.transfer, lambda version: workflow.transfer(
            desk, number=number, staff=staff,
            department=actions.transfer.department, group=actions.transfer.group, reason=answer.title,
            version=version)),
    ]
    current = workflow.load(tickets, number)
    not_applied: list[str] = []
    for name, wanted, step in steps:
        if not wanted:
            continue
        try:
            current = step(current.version)
        except DomainError:
            # Another agent changed the ticket between the reply and this step (or the change is no longer
            # allowed): the reply is sent, so this is not a failure of the request; the agent is told which
            # action did not happen rather than having someone else's change overwritten unseen.
            not_applied.append(name)
            current = workflow.load(tickets, number)
    return Applied(message=message, ticket=current, not_applied=tuple(not_applied))
