"""A ticket as an agent works on it: the whole view (timeline, the customer's other tickets, what may happen
next), replies and notes, attachments and who else has it open. Each checks first that this agent may do
that with this ticket (domain/permissions.py); the ticket use cases underneath do the rest."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.permissions import Action, Staff, allowed_statuses
from chalicelib.domain.presence import (
    FORGET_AFTER, IDLE_AFTER, PRESENT_FOR, Interval, Presence, PresenceState, beat, left,
)
from chalicelib.domain.ratings import CurrentRating, current_ratings
from chalicelib.domain.tickets import (
    EventType, Message, Status, Ticket, TicketEvent, Visibility, clean_text, new_id, parse_enum,
)
from chalicelib.errors import Invalid
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


LEFT = "left"  # the portal's last report when the agent leaves the ticket's page
TIME_ENTRY_MAX_MINUTES = 24 * 60
TIME_NOTE_MAX = 500


def report_presence(desk: TicketDesk, board: PresenceBoard, *, number: int, staff: Staff,
                    state: str) -> list[Presence]:
    """Record that this agent has the ticket open (viewing or replying) on the `board`, or has left it; answer
    who else has. A report after an idle gap, or leaving, closes the agent's time interval on the ticket: one
    internal `ticket.time_spent` event (domain/presence.py), written once however often it is closed."""
    state_value = None if state == LEFT else parse_enum(PresenceState, state, "state")
    ticket = ticket_for(tickets=desk.tickets, catalog=desk.catalog, number=number, staff=staff, action=Action.VIEW)
    now = desk.clock.now()
    known = board.present(number, now - FORGET_AFTER)  # my own record even after an idle gap
    mine = next((p for p in known if p.agent.id == staff.id), None)
    if state_value is None:
        closed = left(mine, now, number=number)
        if mine is not None:
            board.leave(number, mine)
    else:
        current, closed = beat(mine, staff.actor, state_value, now, number=number)
        board.touch(number, current)
    if closed is not None:
        desk.tickets.record(ticket, [time_spent_event(closed)])
    return [p for p in known if p.agent.id != staff.id and p.seen_at > now - PRESENT_FOR]


IDLE_BATCH = 100
IDLE_BATCHES = 20  # per run; what is left waits for the next run, oldest first


def close_idle_intervals(desk: TicketDesk, board: PresenceBoard, *, now: datetime,
                         has_time: Callable[[], bool] = lambda: True) -> list[int]:
    """The scheduled side of agent time: intervals whose agent went silent without leaving (the browser closed,
    the laptop slept) and never reported again on that ticket are closed at their last report, one
    `ticket.time_spent` event each, like a report after an idle gap would have. Reads the open records by index.
    Returns the tickets whose interval it closed."""
    closed: list[int] = []
    for _ in range(IDLE_BATCHES):
        batch = board.idle(now - IDLE_AFTER, IDLE_BATCH)
        for number, presence in batch:
            if not has_time():
                return closed
            interval, ticket = left(presence, now, number=number), desk.tickets.get(number)
            if interval is not None and ticket is not None:
                desk.tickets.record(ticket, [time_spent_event(interval)])  # the same event a later report writes
                closed.append(number)
            board.leave(number, presence)
        if len(batch) < IDLE_BATCH:
            break
    return closed


def time_spent_event(interval: Interval) -> TicketEvent:
    return TicketEvent(id=interval.event_id, ticket_number=interval.number, type=EventType.TIME_SPENT,
                       occurred_at=interval.end, actor=interval.agent, visibility=Visibility.INTERNAL,
                       data={"from": interval.start.isoformat(), "to": interval.end.isoformat(),
                             "seconds": interval.seconds})


def log_time(desk: TicketDesk, *, number: int, staff: Staff, minutes: int, note: str = "") -> TicketEvent:
    """An agent enters time worked on the ticket (a call, research away from the portal): an internal
    `ticket.time_logged` event on its timeline, counted in the reports as the agent's time. Whoever may add a
    note may log time; it changes nothing else (no new version: nobody's open page turns stale)."""
    ticket = ticket_for(tickets=desk.tickets, catalog=desk.catalog, number=number, staff=staff, action=Action.NOTE)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= TIME_ENTRY_MAX_MINUTES:
        raise Invalid.field("minutes", "invalid")
    note = clean_text(note, "note") if (note or "").strip() else ""
    if len(note) > TIME_NOTE_MAX:
        raise Invalid.field("note", "too_long")
    event = TicketEvent(id=new_id(), ticket_number=number, type=EventType.TIME_LOGGED, occurred_at=desk.clock.now(),
                        actor=staff.actor, visibility=Visibility.INTERNAL, data={"minutes": minutes, "note": note})
    desk.tickets.record(ticket, [event])
    return event
