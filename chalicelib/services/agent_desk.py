"""A ticket as an agent works on it: the whole view (timeline, the customer's other tickets, what may happen
next), replies and notes, attachments and who else has it open. Each checks first that this agent may do
that with this ticket (domain/permissions.py); the ticket use cases underneath do the rest."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.attachments import Limits
from chalicelib.domain.permissions import Action, Staff, allowed_statuses
from chalicelib.domain.presence import PRESENT_FOR, Presence, PresenceState, reported
from chalicelib.domain.ratings import CurrentRating, current_ratings
from chalicelib.domain.tickets import Message, Status, Ticket, TicketEvent, parse_enum
from chalicelib.services import tickets as ticket_service
from chalicelib.services.ports import CatalogRepository, Clock, FileStore, PresenceBoard, TicketRepository
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


def view(*, tickets: TicketRepository, catalog: CatalogRepository, number: int, staff: Staff) -> AgentTicketView:
    ticket = ticket_for(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.VIEW)
    timeline = tickets.timeline(number)
    others = [t for t in tickets.of_customer(email=ticket.customer.email) if t.number != number]
    return AgentTicketView(ticket=ticket, timeline=timeline, customer_tickets=others[:CUSTOMER_TICKETS_SHOWN],
                           allowed_statuses=allowed_statuses(ticket), ratings=current_ratings(timeline))


def reply(*, tickets: TicketRepository, catalog: CatalogRepository, files: FileStore, clock: Clock, limits: Limits,
          number: int, staff: Staff, text: str, attachments: list[str], version: int | None = None) -> Message:
    ticket = ticket_for(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.REPLY)
    return ticket_service.agent_reply(tickets=tickets, files=files, clock=clock, limits=limits, number=number,
                                      agent=staff.actor, text=text, attachments=attachments, version=version,
                                      ticket=ticket)


def note(*, tickets: TicketRepository, catalog: CatalogRepository, clock: Clock, number: int, staff: Staff,
         text: str, version: int | None = None) -> Message:
    ticket = ticket_for(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.NOTE)
    return ticket_service.add_note(tickets=tickets, clock=clock, number=number, agent=staff.actor, text=text,
                                   version=version, ticket=ticket)


def attachment(*, tickets: TicketRepository, catalog: CatalogRepository, files: FileStore, number: int,
               staff: Staff, attachment_id: str) -> tuple[str, int]:
    ticket_for(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.VIEW)
    return ticket_service.attachment_for_agent(tickets=tickets, files=files, number=number,
                                               attachment_id=attachment_id)


def report_presence(*, tickets: TicketRepository, catalog: CatalogRepository, board: PresenceBoard, clock: Clock,
                    number: int, staff: Staff, state: str) -> list[Presence]:
    """Record that this agent has the ticket open (viewing or replying); answer who else has."""
    state_value = parse_enum(PresenceState, state, "state")
    ticket_for(tickets=tickets, catalog=catalog, number=number, staff=staff, action=Action.VIEW)
    now = clock.now()
    present = board.present(number, now - PRESENT_FOR)
    mine = next((p for p in present if p.agent.id == staff.id), None)
    board.touch(number, reported(mine, staff.actor, state_value, now))
    return [p for p in present if p.agent.id != staff.id]
