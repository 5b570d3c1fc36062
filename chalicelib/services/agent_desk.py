"""A ticket as an agent works on it: the whole view (timeline, the customer's other tickets, what may happen
next), replies and notes, attachments and who else has it open. Each checks first that this agent may do
that with this ticket (domain/permissions.py); the ticket use cases underneath do the rest."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.permissions import Action, Staff, allowed_statuses
from chalicelib.domain.presence import PRESENT_FOR, Presence, PresenceState, reported
from chalicelib.domain.ratings import CurrentRating, current_ratings
from chalicelib.domain.tickets import Message, Status, Ticket, TicketEvent, parse_enum
from chalicelib.services import tickets as ticket_service
from chalicelib.services.ports import (
    PresenceBoard, TicketDesk,
)
from chalicelib.services.workflow import ticket_for

CUSTOMER_TICKETS_SHOWN = 20


@dataclass(frozen=True)
class AgentTicketView:
    ticket: Ticket
    timeline: list[TicketEvent]        # oldest first, internal events included
    customer_tickets: list[Ticket]     # the customer's other tickets, newest first
    allowed_statuses: list[Status]     # what the agent may move it to now
    ratings: dict[str, CurrentRating]  # the customer's current rating of each rated reply

    @property
    def messages(self) -> list[Message]:
        return [e.message for e in self.timeline if e.message]


def view(desk: TicketDesk, *, number: int, staff: Staff) -> AgentTicketView:
    tickets, views, catalog = desk.tickets, desk.views, desk.catalog
    ticket = ticket_for(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.VIEW)
    timeline = tickets.timeline(number)
    others = [t for t in views.of_customer(email=ticket.customer.email) if t.number != number]
    return AgentTicketView(ticket=ticket, timeline=timeline, customer_tickets=others[:CUSTOMER_TICKETS_SHOWN],
                           allowed_statuses=allowed_statuses(ticket), ratings=current_ratings(timeline))


def reply(desk: TicketDesk, *, number: int, staff: Staff, text: str, attachments: list[str],
          version: int | None = None) -> Message:
    tickets, catalog, files, clock, limits = desk.tickets, desk.catalog, desk.files, desk.clock, desk.limits
    ticket = ticket_for(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.REPLY)
    return ticket_service.agent_reply(tickets=tickets, files=files, clock=clock, limits=limits, number=number,
                                      agent=staff.actor, text=text, attachments=attachments, version=version,
                                      ticket=ticket)


def note(desk: TicketDesk, *, number: int, staff: Staff, text: str, version: int | None = None) -> Message:
    tickets, catalog, clock = desk.tickets, desk.catalog, desk.clock
    ticket = ticket_for(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.NOTE)
    return ticket_service.add_note(tickets=tickets, clock=clock, number=number, agent=staff.actor, text=text,
                                   version=version, ticket=ticket)


def attachment(desk: TicketDesk, *, number: int, staff: Staff, attachment_id: str) -> tuple[str, int]:
    tickets, catalog, files = desk.tickets, desk.catalog, desk.files
    ticket_for(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.VIEW)
    return ticket_service.attachment_for_agent(tickets=tickets, files=files, number=number,
                                               attachment_id=attachment_id)


def report_presence(desk: TicketDesk, board: PresenceBoard, *, number: int, staff: Staff,
                    state: str) -> list[Presence]:
    """Record that this agent has the ticket open (viewing or replying) on the `board`; answer who else has."""
    state_value = parse_enum(PresenceState, state, "state")
    ticket_for(tickets=desk.tickets, catalog=desk.catalog, number=number, staff=staff, action=Action.VIEW)
    now = desk.clock.now()
    present = board.present(number, now - PRESENT_FOR)
    mine = next((p for p in present if p.agent.id == staff.id), None)
    board.touch(number, reported(mine, staff.actor, state_value, now))
    return [p for p in present if p.agent.id != staff.id]
