"""Ticket use cases: open, follow, reply, note. Ports come in as arguments (see chalicelib/bootstrap.py)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Callable, Sequence

from chalicelib.domain import links
from chalicelib.domain.attachments import Limits
from chalicelib.domain.catalog import check_placement
from chalicelib.domain.events import OPEN_TICKETS_MAIL, SCHEMA_VERSION
from chalicelib.domain.ratings import CurrentRating, current_ratings
from chalicelib.domain.sign_in import Channel, CustomerAccess, Identity, email_identity
from chalicelib.domain.tickets import (
    SMS_NEEDS_PHONE, Actor, Attachment, AuthorKind, Customer, EventType, Language, Message, Priority,
    ReplyWindowClosed, Status, Ticket, TicketEvent, StaleTicket, Visibility, clean_subject, clean_text, message_event,
    new_id, parse_enum,
)
from chalicelib.errors import FieldProblems, Invalid, LimitReached, NotFound
from chalicelib.services import uploads
from chalicelib.services.customers import reply_window_open
from chalicelib.services.ratings import rating_signatures
from chalicelib.services.retry import retry_on_stale
from chalicelib.services.ports import (
    CatalogRepository, Clock, FileStore, OpenLimitReached, TicketDesk, TicketRepository, TicketViews, TurnTaken,
)
from chalicelib.services.workflow import place_new_ticket

OPEN_TICKETS_MAIL_EVERY = timedelta(hours=1)  # at most one such mail per address in this time


@dataclass(frozen=True)
class OpenedTicket:
    number: int
    access_key: str  # only for whoever proved the address (see `confirmed`); otherwise it travels by mail only
    link: str
    confirmed: bool = True


@dataclass(frozen=True)
class TicketView:
    ticket: Ticket
    messages: list[Message]
    ratings: dict[str, CurrentRating] = field(default_factory=dict)  # the customer's, by reply id


@dataclass(frozen=True)
class NewTicket:
    """What opening a ticket is asked: the form's fields (as typed: open_ticket checks them), and who asks."""
    subject: str
    department: str
    category: str
    priority: str
    text: str
    language: str
    customer_name: str
    customer_email: str
    customer_phone: str | None = None
    attachments: Sequence[str] = ()  # upload ids
    follows: int | None = None
    follows_proof: CustomerAccess = CustomerAccess()
    stored_attachments: tuple[Attachment, ...] = ()
    sms_updates: bool = False
    sender_verified: bool = True
    confirmed: bool = False
    session: Identity | None = None
    client_network: str | None = None
    channel: str = "web"  # web | mail: reports count tickets by channel


def open_ticket(desk: TicketDesk, new: NewTicket) -> OpenedTicket:
    """`follows`: an earlier ticket this one continues, which `follows_proof` (its key, or the session of
    its customer) must open. `stored_attachments`: files already checked and stored (those of a mail).
    `sms_updates`: the customer wants an SMS when an agent replies, at the mobile number they give.
    `sender_verified`: False for a mail whose sender the receiving service did not prove (agents see a flag).

    The ticket is confirmed at once if the caller proved the address: `confirmed` (the caller vouches: an
    authenticated mail, an import), a `session` signed in with that address, or the key of the followed
    ticket when that ticket has the same address. Otherwise it is unconfirmed
    until the customer opens the private link from the mail or signs in (`confirm`); it then takes a place
    of the desk's `unconfirmed` allowance of its address and of its `client_network`, never one of the customer's
    open-ticket limit, and the caller must not be shown its key (OpenedTicket.confirmed is False).

    At a limit: LimitReached. Only a caller who proved the address learns the open tickets (details
    `open_tickets`); anyone else learns nothing about them, and the address is mailed its list instead
    (at most once per OPEN_TICKETS_MAIL_EVERY)."""
    tickets, catalog, clock, files, limits = desk.tickets, desk.catalog, desk.clock, desk.files, desk.limits
    department, category, customer_phone, follows, follows_proof, confirmed, session = (
        new.department, new.category, new.customer_phone, new.follows, new.follows_proof, new.confirmed,
        new.session)
    # Everything the customer typed is checked before anything is stored or numbered, every bad field at once.
    problems = FieldProblems()
    checked = problems.check

    subject = checked(clean_subject, new.subject)
    text = checked(clean_text, new.text)
    priority_value = checked(parse_enum, Priority, new.priority, "priority")
    language_value = checked(parse_enum, Language, new.language, "language")
    customer = checked(Customer.parse, new.customer_name, new.customer_email, customer_phone,
                       language_value.value if language_value else "en")
    checked(check_placement, catalog.departments(), department, category)
    if new.sms_updates and not (customer_phone or "").strip():
        problems.update(SMS_NEEDS_PHONE)
    problems.raise_any()
    followed = _check_followed(tickets, follows, follows_proof) if follows is not None else None
    accepted = uploads.accept_uploads(files, limits, list(new.attachments)) + list(new.stored_attachments)

    now = clock.now()
    number = tickets.next_number()
    salt = links.new_salt()
    key = links.derive_key(desk.secrets.link_secret(), number, salt)
    sla = catalog.sla_policy().sla_for(department, priority_value.value, now, customer=customer.email)
    proven = (confirmed or (session is not None and session.channel == Channel.EMAIL
                            and session.address == customer.key)
              # the private key of an earlier ticket of this very address reached only the address
              or (followed is not None and followed.customer.key == customer.key
                  and follows_proof.proves_address(followed) is not None))
    unplaced = Ticket(number=number, subject=subject, department=department, category=category,
                      priority=priority_value, language=language_value, customer=customer, status=Status.NEW,
                      created_at=now, last_activity_at=now, link_salt=salt, link_hash=links.hash_key(key),
                      follows=follows, sla=sla, sms_updates=new.sms_updates, sender_verified=new.sender_verified,
                      confirmed=proven, client_network=None if proven else new.client_network, channel=new.channel)
    author = Actor(kind=AuthorKind.CUSTOMER, id=customer.key, name=customer.name)
    first = Message(id=new_id(), visibility=Visibility.PUBLIC, author=author, text=text, created_at=now,
                    attachments=tuple(accepted))
    created = TicketEvent(id=new_id(), ticket_number=number, type=EventType.TICKET_CREATED, occurred_at=now,
                          actor=author, visibility=Visibility.PUBLIC, data={"channel": new.channel})  # web or mail
    policies = catalog.policies()
    # First the round-robin turn after the last this container saw, taken in the ticket's own transaction (no
    # call of its own); if another request took it meanwhile, the next turn taken atomically before writing.
    for claim_turn in (True, False):
        ticket, placement, claim = place_new_ticket(unplaced, catalog=catalog, tickets=tickets, agents=desk.agents,
                                                    clock=clock, claim_turn=claim_turn)
        try:
            tickets.create(ticket, [created, message_event(ticket, first), *placement], accepted,
                           open_limit=policies.max_open_tickets, unconfirmed=desk.unconfirmed,
                           turn=claim)
        except TurnTaken:
            continue
        except OpenLimitReached as refused:
            if proven:
                raise _open_limit_reached(desk.views, customer, policies.max_open_tickets) from None
            raise _unconfirmed_limit_reached(desk, customer, language_value, refused.which) from None
        if claim is not None:
            catalog.saw_turn(claim.department, claim.group, claim.taken)
        break
    return OpenedTicket(number=number, access_key=key, link=links.ticket_link(desk.site_url, number, key),
                        confirmed=proven)


def _unconfirmed_limit_reached(desk: TicketDesk, customer: Customer, language: Language, which: str) -> LimitReached:
    """The refusal for a caller who proved nothing: it names no ticket. At the address's allowance the
    address gets a mail with its open tickets (rate-limited); the answer is the same whether or not this
    call queued it, and whatever the address holds."""
    if which == "network":
        return LimitReached("too many requests from your network wait for confirmation; sign in to file one",
                            fields={"client": "network_limit"})
    now = desk.clock.now()
    still_open = [{"number": t.number, "subject": t.subject, "status": t.status.value, "confirmed": t.confirmed}
                  for t in desk.views.of_customer(email=customer.email) if t.is_active]
    document = {"event_id": new_id(), "type": OPEN_TICKETS_MAIL, "schema_version": SCHEMA_VERSION,
                "occurred_at": now.isoformat(),
                "actor": {"kind": AuthorKind.SYSTEM.value, "id": "system", "name": "Helpdesk"},
                "visibility": Visibility.PUBLIC.value, "data": {},
                "customer": {"email": customer.email, "language": language.value}, "open_tickets": still_open}
    desk.tickets.queue_open_tickets_mail(customer.limit_key, document, at=now, every=OPEN_TICKETS_MAIL_EVERY)
    return LimitReached("too many requests with this address wait for confirmation; a mail with the address's "
                        "open requests is on its way to it", fields={"customer.email": "unconfirmed_limit"},
                        details={"open_tickets_mailed": True})


def confirm(*, tickets: TicketRepository, clock: Clock, number: int, how: str) -> Ticket | None:
    """Mark a ticket filed without sign-in as filed by its address's owner (`how`: "link" or "sign_in"),
    once: one CONFIRMED event however many requests race. Its place moves from the unconfirmed allowance to
    the customer's open count in the same write, even when that count is at the limit already: the limit
    decides whether a new ticket may be filed, and the address is proven now (see docs/api.md)."""
    def attempt(_) -> Ticket | None:  # on a fresh read: someone confirmed it (nothing to do) or changed something else
        before = tickets.get(number)
        if before is None or before.confirmed:
            return before
        after = replace(before, confirmed=True, version=before.version + 1)
        actor = Actor(kind=AuthorKind.CUSTOMER, id=before.customer.key, name=before.customer.name)
        tickets.save(before, after, [after.confirmation_event(actor, clock.now(), how)])
        return after

    return retry_on_stale(attempt)


def _open_limit_reached(views: TicketViews, customer: Customer, limit: int) -> LimitReached:
    """Name the tickets that are still open, so the customer can follow one of them instead."""
    still_open = [{"number": t.number, "subject": t.subject, "status": t.status.value}
                  for t in views.of_customer(email=customer.email) if t.is_active]
    return LimitReached(f"you already have {limit} open tickets; reply on one of them or wait until one is closed",
                        fields={"customer.email": "open_limit"}, details={"limit": limit, "open_tickets": still_open})


def _check_followed(tickets: TicketRepository, number: int, proof: CustomerAccess) -> Ticket:
    followed = tickets.get(number)
    # Someone else's ticket and a missing one look the same here too.
    if followed is None or not proof.opens(followed):
        raise Invalid.field("follows.number", "unknown")
    return followed


def _ticket_for_customer(tickets: TicketRepository, number: int, access: CustomerAccess) -> Ticket:
    ticket = tickets.get(number)
    # A wrong key, or another customer's session, looks exactly like a missing ticket: no oracle for numbers.
    if ticket is None or not access.opens(ticket):
        raise NotFound("no such ticket")
    return ticket


def _ticket(tickets: TicketRepository, number: int) -> Ticket:
    ticket = tickets.get(number)
    if ticket is None:
        raise NotFound("no such ticket")
    return ticket


def _messages(timeline: list[TicketEvent], *, include_internal: bool) -> list[Message]:
    if include_internal:
        return [e.message for e in timeline if e.message]
    # Customers see public messages with their public files (not, say, the original of a mail, kept for agents).
    return [replace(e.message, attachments=tuple(a for a in e.message.attachments if a.visibility == Visibility.PUBLIC))
            for e in timeline if e.message and e.message.visibility == Visibility.PUBLIC]


def view_as_customer(desk: TicketDesk, *, number: int, access: CustomerAccess) -> TicketView:
    """The ticket as its customer sees it. Opening an unconfirmed ticket with its private link (or with a
    session of its address) confirms it."""
    tickets, clock = desk.tickets, desk.clock
    ticket = _ticket_for_customer(tickets, number, access)
    if not ticket.confirmed and (how := access.proves_address(ticket)):
        ticket = confirm(tickets=tickets, clock=clock, number=number, how=how) or ticket
    timeline = tickets.timeline(number)
    return TicketView(ticket, _messages(timeline, include_internal=False), current_ratings(timeline))


@dataclass(frozen=True)
class CustomerPage:
    view: TicketView
    rating_signatures: dict[str, str]  # what rates each agent reply shown, by reply id
    reply_window_open: bool            # may the customer still write (else a new ticket follows this one)


def customer_page(desk: TicketDesk, *, number: int, access: CustomerAccess) -> CustomerPage:
    """The customer's page of a ticket: the ticket as they see it (view_as_customer), and what they may do."""
    view = view_as_customer(desk, number=number, access=access)
    return CustomerPage(view, rating_signatures(desk.secrets, number, view.messages),
                        reply_window_open(catalog=desk.catalog, clock=desk.clock, ticket=view.ticket))


def _append(tickets: TicketRepository, clock: Clock, ticket: Ticket, reload: Callable[[], Ticket],
            message: Callable[[Ticket], Message], change: Callable[[Ticket, Message], Ticket],
            attachments: list[Attachment], expected_version: int | None = None) -> Message:
    """Append a message to the freshest ticket. Appends commute, so a lost race is simply retried on a re-read,
    unless the writer named the version it saw (the portal does): then any change since is StaleTicket."""
    def attempt(n: int) -> Message:
        before = ticket if n == 0 else reload()
        if expected_version is not None and before.version != expected_version:
            raise StaleTicket(before)
        new_message = message(before)
        after = replace(change(before, new_message), version=before.version + 1)
        events = [message_event(after, new_message), *after.status_events(before, new_message.author, clock.now())]
        tickets.save(before, after, events, attachments)
        return new_message

    return retry_on_stale(attempt)


def customer_reply(desk: TicketDesk, *, number: int, access: CustomerAccess, text: str,
                   attachments: list[str]) -> Message:
    tickets, catalog, files, clock, limits = desk.tickets, desk.catalog, desk.files, desk.clock, desk.limits
    text = clean_text(text)
    ticket = _ticket_for_customer(tickets, number, access)
    window = catalog.policies().reply_window
    if not ticket.within_reply_window(clock.now(), window):  # before any upload is kept
        raise ReplyWindowClosed(number)
    accepted = uploads.accept_uploads(files, limits, attachments)
    return _customer_message(tickets, clock, ticket, access, window, text, accepted)


def customer_mail_reply(*, tickets: TicketRepository, catalog: CatalogRepository, clock: Clock, number: int,
                        sender: str, text: str, attachments: list[Attachment]) -> Message:
    """A reply that came by mail and names ticket `number` (by our reply address or Message-ID). Only the
    ticket's own customer may write on it: anyone else gets NotFound, exactly like a wrong key."""
    text = clean_text(text)
    access = CustomerAccess(identity=email_identity(sender))
    ticket = _ticket_for_customer(tickets, number, access)
    window = catalog.policies().reply_window
    if not ticket.within_reply_window(clock.now(), window):
        raise ReplyWindowClosed(number)
    return _customer_message(tickets, clock, ticket, access, window, text, attachments)


def _customer_message(tickets: TicketRepository, clock: Clock, ticket: Ticket, access: CustomerAccess,
                      window: timedelta, text: str, accepted: list[Attachment]) -> Message:
    def message(ticket: Ticket) -> Message:
        author = Actor(kind=AuthorKind.CUSTOMER, id=ticket.customer.key, name=ticket.customer.name)
        return Message(id=new_id(), visibility=Visibility.PUBLIC, author=author, text=text, created_at=clock.now(),
                       attachments=tuple(accepted))

    return _append(tickets, clock, ticket, lambda: _ticket_for_customer(tickets, ticket.number, access), message,
                   lambda t, m: t.after_customer_message(m.created_at, window), accepted)


def set_sms_updates(desk: TicketDesk, *, number: int, access: CustomerAccess, enabled: bool) -> Ticket:
    """The customer turns texts on agent replies on or off (their opt-in and opt-out). Without a mobile number
    on the ticket they cannot be turned on (Conflict, `customer.phone: required_for_sms`). The timeline records
    the choice as an internal event: it is no message, so neither the ticket's last activity nor its public
    clock (reminders, auto-close) moves, and no mail goes out. Already so: nothing is written."""
    tickets, clock = desk.tickets, desk.clock
    def attempt(_) -> Ticket:  # a choice commutes with whatever changed meanwhile: decided on the fresh ticket
        before = _ticket_for_customer(tickets, number, access)
        if before.sms_updates == enabled:
            return before
        after = replace(before.with_sms_updates(enabled), version=before.version + 1)
        actor = Actor(kind=AuthorKind.CUSTOMER, id=before.customer.key, name=before.customer.name)
        event = TicketEvent(id=new_id(), ticket_number=number, type=EventType.SMS_UPDATES_CHANGED,
                            occurred_at=clock.now(), actor=actor, visibility=Visibility.INTERNAL,
                            data={"enabled": enabled})
        tickets.save(before, after, [event])
        return after

    return retry_on_stale(attempt)


def agent_reply(*, tickets: TicketRepository, files: FileStore, clock: Clock, limits: Limits, number: int,
                agent: Actor, text: str, attachments: list[str], version: int | None = None,
                ticket: Ticket | None = None) -> Message:
    """`ticket`: the ticket as the caller just read it (saves a read; a stale copy is retried as any lost race)."""
    text = clean_text(text)
    ticket = ticket or _ticket(tickets, number)
    accepted = uploads.accept_uploads(files, limits, attachments)

    def message(_: Ticket) -> Message:
        return Message(id=new_id(), visibility=Visibility.PUBLIC, author=agent, text=text, created_at=clock.now(),
                       attachments=tuple(accepted))

    return _append(tickets, clock, ticket, lambda: _ticket(tickets, number), message,
                   lambda t, m: t.after_agent_reply(m.created_at), accepted, expected_version=version)


def add_note(*, tickets: TicketRepository, clock: Clock, number: int, agent: Actor, text: str,
             version: int | None = None, ticket: Ticket | None = None) -> Message:
    text = clean_text(text)

    def message(_: Ticket) -> Message:
        return Message(id=new_id(), visibility=Visibility.INTERNAL, author=agent, text=text, created_at=clock.now())

    # A note changes nothing the customer sees, not even the ticket's last activity.
    ticket = ticket or _ticket(tickets, number)
    return _append(tickets, clock, ticket, lambda: _ticket(tickets, number), message, lambda t, _: t, [],
                   expected_version=version)


def attachment_for_customer(desk: TicketDesk, *, number: int, access: CustomerAccess,
                            attachment_id: str) -> tuple[str, int]:
    tickets, files = desk.tickets, desk.files
    _ticket_for_customer(tickets, number, access)
    attachment = tickets.attachment(number, attachment_id)
    if attachment is None or attachment.visibility != Visibility.PUBLIC:
        raise NotFound("no such attachment")
    return uploads.download_url(files, attachment)


def attachment_for_agent(*, tickets: TicketRepository, files: FileStore, number: int,
                         attachment_id: str) -> tuple[str, int]:
    attachment = tickets.attachment(number, attachment_id)
    if attachment is None:
        raise NotFound("no such attachment")
    return uploads.download_url(files, attachment)
