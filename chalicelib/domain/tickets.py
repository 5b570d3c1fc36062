"""The ticket and its timeline. Pure Python: no AWS, no web framework.

A ticket is a small mutable header (status, priority, who, when) plus an append-only timeline of
events. Every change appends events; the events double as the outbox (see docs/architecture.md).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain import identity
from chalicelib.domain.sla import Sla, Target
from chalicelib.domain.text import has_unsafe_characters
from chalicelib.errors import Conflict, Invalid


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    AWAITING_CUSTOMER = "awaiting_customer"
    NEEDS_INFO = "needs_info"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"
    ARCHIVED = "archived"


_WORKING = {Status.OPEN, Status.AWAITING_CUSTOMER, Status.NEEDS_INFO, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED}
# Allowed transitions are data: services ask the ticket, tests walk the table.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset(_WORKING),
    Status.OPEN: frozenset(_WORKING - {Status.OPEN}),
    Status.AWAITING_CUSTOMER: frozenset(_WORKING - {Status.AWAITING_CUSTOMER}),
    Status.NEEDS_INFO: frozenset(_WORKING - {Status.NEEDS_INFO}),
    Status.ON_HOLD: frozenset(_WORKING - {Status.ON_HOLD, Status.NEEDS_INFO}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN, Status.ARCHIVED}),
    Status.ARCHIVED: frozenset(),
}
ACTIVE_STATUSES = frozenset(set(Status) - {Status.CLOSED, Status.ARCHIVED})
# The ball is in the customer's court: their reply puts the ticket back in front of an agent, and their
# silence eventually closes it (see Ticket.timer).
WAITING_ON_CUSTOMER = frozenset({Status.AWAITING_CUSTOMER, Status.NEEDS_INFO, Status.RESOLVED})
REOPENED_BY_CUSTOMER = WAITING_ON_CUSTOMER | {Status.CLOSED}
# SLA clocks run only while the ticket waits on the team; these statuses meet the resolution target.
SLA_RUNNING = frozenset({Status.NEW, Status.OPEN})
# How a ticket reached the desk (reports filter by it): the web form, a mail, or an import from another desk.
TICKET_CHANNELS = ("web", "mail", "import")
RESOLUTION_MET = frozenset({Status.RESOLVED, Status.CLOSED, Status.ARCHIVED})


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Language(StrEnum):
    FA = "fa"
    HE = "he"
    EN = "en"

    @property
    def is_rtl(self) -> bool:
        return self in (Language.FA, Language.HE)


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class AuthorKind(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class EventType(StrEnum):
    TICKET_CREATED = "ticket.created"
    MESSAGE_ADDED = "ticket.message_added"
    STATUS_CHANGED = "ticket.status_changed"
    PRIORITY_CHANGED = "ticket.priority_changed"
    ASSIGNED = "ticket.assigned"  # any hand-over: automatic, taken, assigned by a supervisor, transferred
    RATED = "ticket.rated"
    REMINDED = "ticket.reminder_sent"
    ARCHIVED = "ticket.archived"
    SLA_WARNING = "ticket.sla_warning"    # a target is near (default 80 % of it used)
    SLA_BREACHED = "ticket.sla_breached"  # a target was missed: escalated
    SMS_UPDATES_CHANGED = "ticket.sms_updates_changed"  # the customer turned texts on agent replies on or off
    MAIL_UNDELIVERABLE = "ticket.mail_undeliverable"  # a mail to the customer failed every try (internal)
    CONFIRMED = "ticket.confirmed"  # the customer proved the address of a ticket filed without sign-in
    TIME_LOGGED = "ticket.time_logged"  # an agent entered time worked on the ticket (internal)
    TIME_SPENT = "ticket.time_spent"    # one closed interval of an agent's presence on the ticket (internal)


class TimerStage(StrEnum):
    """The next automatic step a ticket waits for; the scheduled jobs find tickets by it."""
    REMIND = "remind"    # waiting on the customer, not yet reminded
    CLOSE = "close"      # waiting on the customer, reminded
    ARCHIVE = "archive"  # closed


@dataclass(frozen=True)
class Timer:
    stage: TimerStage
    since: datetime  # when the clock of that stage started


SUBJECT_MAX = 200
TEXT_MAX = 20_000
NAME_MAX = 120
EMAIL_MAX = identity.EMAIL_MAX
SMS_NEEDS_PHONE = {"customer.phone": "required_for_sms"}  # texts on agent replies asked for without a mobile number


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Actor:
    kind: AuthorKind
    id: str
    name: str


@dataclass(frozen=True)
class Customer:
    name: str
    email: str
    phone: str | None = None  # E.164, when the customer gave a mobile number

    @classmethod
    def parse(cls, name: str, email: str, phone: str | None = None, language: str = "en") -> Customer:
        """Every bad part reported at once (`customer.name|email|phone`)."""
        name = name.strip()
        problems: dict[str, str] = {}
        if not name or len(name) > NAME_MAX:
            problems["customer.name"] = "required" if not name else "too_long"
        try:  # stored as written (cleaned), compared by Customer.key
            email = identity.parse_email(email, "customer.email").display
        except Invalid as exc:
            problems.update(exc.fields)
        if phone is not None and phone.strip():
            from chalicelib.domain.phones import parse_phone
            try:
                phone = parse_phone(phone, "customer.phone", language=language)
            except Invalid as exc:
                problems.update(exc.fields)
        else:
            phone = None
        if problems:
            raise Invalid("; ".join(f"{path}: {code}" for path, code in problems.items()), fields=problems)
        return cls(name=name, email=email, phone=phone)

    @property
    def key(self) -> str:
        """How a customer is found again: the address in its canonical form (domain/identity.py)."""
        return identity.canonical(self.email)

    @property
    def limit_key(self) -> str:
        """Whose open-ticket limit a ticket counts against: the canonical address with +tags folded."""
        return identity.limit_key(self.email)


@dataclass(frozen=True)
class Attachment:
    id: str
    filename: str
    content_type: str
    size: int
    key: str
    visibility: Visibility = Visibility.PUBLIC


@dataclass(frozen=True)
class Message:
    id: str
    visibility: Visibility
    author: Actor
    text: str
    created_at: datetime
    attachments: tuple[Attachment, ...] = ()


def clean_text(text: str, path: str = "text") -> str:
    """Long text as typed: tabs and line breaks allowed, other control characters, bidirectional controls and
    lone surrogates refused (text from mail is passed through text.without_unsafe_characters first)."""
    if has_unsafe_characters(text, multiline=True):
        raise Invalid.field(path, "invalid_character")
    text = text.strip()
    if not text:
        raise Invalid.field(path, "required")
    if len(text) > TEXT_MAX:
        raise Invalid.field(path, "too_long")
    return text


def clean_subject(subject: str) -> str:
    """One line: line breaks and tabs become spaces (subjects end up in mail headers), other control
    characters, bidirectional controls and lone surrogates are refused."""
    if has_unsafe_characters(subject, multiline=True):
        raise Invalid.field("subject", "invalid_character")
    subject = " ".join(subject.split())
    if not subject:
        raise Invalid.field("subject", "required")
    if len(subject) > SUBJECT_MAX:
        raise Invalid.field("subject", "too_long")
    return subject


@dataclass(frozen=True)
class TicketEvent:
    """One entry of the append-only timeline, and one message on the outbox."""

    id: str
    ticket_number: int
    type: EventType
    occurred_at: datetime
    actor: Actor
    visibility: Visibility
    message: Message | None = None
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Ticket:
    number: int
    subject: str
    department: str
    category: str
    priority: Priority
    language: Language
    customer: Customer
    status: Status
    created_at: datetime
    last_activity_at: datetime
    link_salt: str
    link_hash: str
    version: int = 1
    group: str = ""                      # work group inside the department; "" until routed
    assignee: Actor | None = None        # the agent whose desk it is on
    agent_priority: Priority | None = None  # an agent's judgement; the customer's `priority` is kept beside it
    last_public_at: datetime | None = None  # last public message (either side); None means created_at
    reminded_at: datetime | None = None  # reminder sent in the current wait for the customer
    closed_at: datetime | None = None
    follows: int | None = None           # the earlier ticket this one continues (after its reply window)
    sla: Sla | None = None               # service-level clocks; None for tickets opened without a policy
    sms_updates: bool = False            # the customer wants an SMS when an agent replies (needs customer.phone)
    sender_verified: bool = True         # False: opened by a mail whose sender SES did not prove (or spam)
    # Filed without proof of the address (no sign-in), until the customer opens the private link from the
    # mail or signs in with a code. Until then it counts against the unconfirmed allowance (per address and
    # per `client_network`, the network it was filed from), not against the customer's open-ticket limit.
    confirmed: bool = True
    client_network: str | None = None
    agent_replies: int = 0               # public agent replies so far (reports: replies until solved, first contact)
    channel: str = "web"                 # one of TICKET_CHANNELS, fixed when the ticket is opened or imported

    @property
    def holds_unconfirmed_place(self) -> bool:
        """Does it take one of the unconfirmed allowance's places (an active ticket not yet confirmed)?"""
        return self.is_active and not self.confirmed

    @property
    def holds_open_place(self) -> bool:
        """Does it count against the customer's open-ticket limit (an active, confirmed ticket)?"""
        return self.is_active and self.confirmed

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def effective_priority(self) -> Priority:
        return self.agent_priority or self.priority

    @property
    def public_clock(self) -> datetime:
        return self.last_public_at or self.created_at

    @property
    def timer(self) -> Timer | None:
        """The automatic step this ticket waits for. Its clock is the last public message, never 'last
        updated': notes, assignments and system changes must not keep a silent ticket alive."""
        if self.status in WAITING_ON_CUSTOMER:
            return Timer(TimerStage.CLOSE if self.reminded_at else TimerStage.REMIND, self.public_clock)
        if self.status == Status.CLOSED and self.closed_at:
            return Timer(TimerStage.ARCHIVE, self.closed_at)
        return None

    def with_sms_updates(self, enabled: bool) -> Ticket:
        """The customer's choice of a text when an agent replies. Texts go to the mobile number given with the
        ticket, so without one they cannot be turned on (turning them off always works)."""
        if enabled and self.customer.phone is None:
            raise Conflict("this ticket has no mobile number to text", fields=dict(SMS_NEEDS_PHONE))
        return replace(self, sms_updates=enabled)

    def confirmation_event(self, actor: Actor, at: datetime, how: str) -> TicketEvent:
        """The one timeline entry recording that the address was proven (`how`: "link" or "sign_in")."""
        return TicketEvent(id=new_id(), ticket_number=self.number, type=EventType.CONFIRMED, occurred_at=at,
                           actor=actor, visibility=Visibility.INTERNAL, data={"how": how})

    def can_move_to(self, to: Status) -> bool:
        return to == self.status or to in TRANSITIONS[self.status]

    def moved_to(self, to: Status, at: datetime) -> Ticket:
        if to == self.status:
            return replace(self, last_activity_at=at)
        if to not in TRANSITIONS[self.status]:
            raise Conflict(f"a {self.status} ticket cannot become {to}")
        closed_at = at if to == Status.CLOSED else (self.closed_at if to == Status.ARCHIVED else None)
        return replace(self, status=to, last_activity_at=at, closed_at=closed_at, sla=self._sla_after(to, at))

    def _sla_after(self, to: Status, at: datetime, *, replied: bool = False) -> Sla | None:
        if self.sla is None:
            return None
        resolved = to in RESOLUTION_MET
        met = ({Target.FIRST_RESPONSE} if replied else set()) | ({Target.RESOLUTION} if resolved else set())
        return self.sla.following(running=to in SLA_RUNNING, at=at, met=met,
                                  reopened=set() if resolved else {Target.RESOLUTION})

    def within_reply_window(self, at: datetime, window: timedelta) -> bool:
        """May the customer still write on this ticket (and rate its replies)?"""
        if self.status == Status.ARCHIVED:
            return False
        return self.status != Status.CLOSED or self.closed_at is None or at - self.closed_at <= window

    def after_customer_message(self, at: datetime, reply_window: timedelta) -> Ticket:
        if not self.within_reply_window(at, reply_window):
            raise ReplyWindowClosed(self.number)
        public = replace(self, last_public_at=at, reminded_at=None)
        if self.status in REOPENED_BY_CUSTOMER:
            return public.moved_to(Status.OPEN, at)
        return replace(public, last_activity_at=at)  # new, open and on-hold tickets keep their status

    def after_agent_reply(self, at: datetime) -> Ticket:
        replied = replace(self, last_public_at=at, reminded_at=None, agent_replies=self.agent_replies + 1,
                          sla=self._sla_after(Status.AWAITING_CUSTOMER, at, replied=True))
        return replied.moved_to(Status.AWAITING_CUSTOMER, at)

    def status_events(self, before: Ticket, actor: Actor, at: datetime) -> list[TicketEvent]:
        """The timeline entry recording a status change between `before` and self, if any."""
        if before.status == self.status:
            return []
        return [TicketEvent(id=new_id(), ticket_number=self.number, type=EventType.STATUS_CHANGED,
                            occurred_at=at, actor=actor, visibility=Visibility.INTERNAL,
                            data={"from": before.status.value, "to": self.status.value})]


class ReplyWindowClosed(Conflict):
    """The customer wrote on a ticket closed longer ago than the reply window: offer a new, linked ticket."""

    def __init__(self, number: int):
        super().__init__("this ticket was closed too long ago; open a new ticket that refers to it",
                         fields={"ticket": "reply_window_closed"})
        self.number = number


class StaleTicket(Conflict):
    """An agent acted on a version of the ticket that someone else has since changed. Carries the fresh
    ticket so the agent sees what changed and can decide again."""

    def __init__(self, fresh: Ticket):
        super().__init__(f"ticket {fresh.number} was changed by someone else; look again before acting",
                         fields={"version": "stale"})
        self.ticket = fresh


def message_event(ticket: Ticket, message: Message) -> TicketEvent:
    return TicketEvent(id=new_id(), ticket_number=ticket.number, type=EventType.MESSAGE_ADDED,
                       occurred_at=message.created_at, actor=message.author,
                       visibility=message.visibility, message=message)


def parse_enum(enum: type[StrEnum], value, path: str):
    try:
        return enum(value)
    except ValueError:
        raise Invalid.field(path, "invalid") from None
