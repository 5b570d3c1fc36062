"""Mail to the customer for the events that concern them. Runs behind the notifications queue.

The event document carries the ticket snapshot (chalicelib/domain/events.py), so sending reads nothing back;
only a mail that failed every try reads the ticket, to say so on its timeline (`mail_undeliverable`).
Idempotency (one mail per event even when SQS delivers twice) is the caller's: see events/notifications.py.
"""
from __future__ import annotations

from dataclasses import replace

from chalicelib.domain import links, mail
from chalicelib.domain.automation import NO_REPLY, SYSTEM
from chalicelib.domain.imports import is_imported
from chalicelib.domain.inbound import THREAD, our_message_id, reply_address
from chalicelib.domain.ratings import Rating
from chalicelib.domain.events import OPEN_TICKETS_MAIL
from chalicelib.domain.tickets import AuthorKind, EventType, Language, TicketEvent, Visibility, new_id
from chalicelib.services.ports import Clock, Mailer, SecretSource, TicketRepository, VersionConflict
from chalicelib.services.retry import retry_on_stale


def mail_for_event(doc: dict, *, secrets: SecretSource, site_url: str) -> mail.MailContent | None:
    """The customer mail an event calls for, or None (none for imported history: domain/imports.py)."""
    template = mail_kind(doc)
    if template is None or is_imported(doc):
        return None
    ticket = doc["ticket"]
    number = ticket["number"]
    extra = {}
    if template == "agent_replied":
        extra = {"agent": doc["message"]["author"]["name"], "quote": doc["message"]["text"],
                 "rating_links": _rating_links(secrets, site_url, number, doc["message"]["id"])}
    key = links.derive_key(secrets.link_secret(), number, ticket["link_salt"])
    return mail.render(template, Language(ticket["language"]), to=ticket["customer"]["email"],
                       link=links.ticket_link(site_url, number, key), number=number, subject=ticket["subject"],
                       name=ticket["customer"]["name"], **extra)


def _closed_for_silence(doc: dict) -> bool:
    return (doc["type"] == EventType.STATUS_CHANGED and doc["actor"]["kind"] == AuthorKind.SYSTEM
            and doc["data"].get("reason") == NO_REPLY)


def _rating_links(secrets: SecretSource, site_url: str, number: int, message_id: str) -> dict[str, str]:
    signature = links.rating_signature(secrets.link_secret(), number, message_id)
    return {r.value: links.rating_link(site_url, number, message_id, signature, r.value) for r in Rating}


def notify_customer(doc: dict, *, mailer: Mailer, secrets: SecretSource, site_url: str, mailbox: str) -> bool:
    """Send the mail for one event; True if one was sent. Replies go to the ticket's signed address at
    `mailbox` (the help desk's own), where mail intake threads them to the ticket. An address's open-tickets
    list (services/tickets.py OPEN_TICKETS_MAIL) belongs to no ticket and goes out on its own thread."""
    if doc["type"] == OPEN_TICKETS_MAIL:
        customer = doc["customer"]
        content = mail.open_tickets_mail(Language(customer["language"]), to=customer["email"], site_url=site_url,
                                         open_tickets=doc["open_tickets"])
        mailer.send(content, message_id=f"open-tickets-{doc['event_id']}", thread_id="")
        return True
    content = mail_for_event(doc, secrets=secrets, site_url=site_url)
    if content is None:
        return False
    content = replace(content, reply_to=reply_address(mailbox, doc["ticket_number"], secrets.link_secret()))
    # Stable ids let mail clients thread every mail of a ticket together; signed, so that only a real answer
    # to one of them threads into the ticket (domain/inbound.py `ticket_of_references`).
    number, secret = doc["ticket_number"], secrets.link_secret()
    mailer.send(content, message_id=our_message_id(secret, number, doc["event_id"]),
                thread_id=our_message_id(secret, number, THREAD))
    return True


UNDELIVERABLE_ERROR_MAX = 300


def mail_undeliverable(doc: dict, *, tickets: TicketRepository, clock: Clock, error: str) -> bool:
    """The customer mail of event `doc` was not taken on any try: the ticket's timeline says so in an internal,
    system event (data: the event whose mail failed, which mail, the provider's answer). Written once per event,
    however often this runs (a redelivery finds it in the timeline); a ticket that is gone gets nothing.
    True if it was written now."""
    number = int(doc["ticket_number"])
    def attempt(_) -> bool:
        before = tickets.get(number)
        if before is None or any(e.type == EventType.MAIL_UNDELIVERABLE and e.data.get("event") == doc["event_id"]
                                 for e in tickets.timeline(number)):
            return False
        event = TicketEvent(id=new_id(), ticket_number=number, type=EventType.MAIL_UNDELIVERABLE,
                            occurred_at=clock.now(), actor=SYSTEM, visibility=Visibility.INTERNAL,
                            data={"event": doc["event_id"], "mail": mail_kind(doc) or "",
                                  "to": doc["ticket"]["customer"]["email"], "error": error[:UNDELIVERABLE_ERROR_MAX]})
        tickets.save(before, replace(before, version=before.version + 1), [event])
        return True

    return retry_on_stale(attempt, exhausted=lambda: VersionConflict(f"ticket {number} kept changing"))


def mail_kind(doc: dict) -> str | None:
    """Which customer mail an event calls for (received[_unconfirmed], agent_replied, reminder, closed_no_reply),
    or None."""
    if doc["visibility"] != Visibility.PUBLIC or "ticket" not in doc:  # an address's list belongs to no ticket
        return None
    if doc["type"] == EventType.TICKET_CREATED:  # an unconfirmed one asks the customer to open the link
        return "received" if doc["ticket"].get("confirmed", True) else "received_unconfirmed"
    if doc["type"] == EventType.MESSAGE_ADDED and doc["message"]["author"]["kind"] == AuthorKind.AGENT:
        return "agent_replied"
    if doc["type"] == EventType.REMINDED:
        return "reminder"
    return "closed_no_reply" if _closed_for_silence(doc) else None
