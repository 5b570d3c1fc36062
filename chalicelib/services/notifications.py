"""Mail to the customer for the events that concern them. Runs behind the notifications queue.

The event document carries the ticket snapshot (chalicelib/domain/events.py), so nothing is read back.
Idempotency (one mail per event even when SQS delivers twice) is the caller's: see events/notifications.py.
"""
from __future__ import annotations

from dataclasses import replace

from chalicelib.domain import links, mail
from chalicelib.domain.automation import NO_REPLY
from chalicelib.domain.inbound import reply_address
from chalicelib.domain.ratings import Rating
from chalicelib.domain.tickets import AuthorKind, EventType, Language, Visibility
from chalicelib.domain.events import OPEN_TICKETS_MAIL
from chalicelib.services.ports import Mailer, SecretSource


def mail_for_event(doc: dict, *, secrets: SecretSource, site_url: str) -> mail.MailContent | None:
    """The customer mail a ticket event calls for, or None."""
    if doc["visibility"] != Visibility.PUBLIC or "ticket" not in doc:
        return None
    ticket = doc["ticket"]
    number = ticket["number"]
    if doc["type"] == EventType.TICKET_CREATED:
        template, extra = ("received" if ticket.get("confirmed", True) else "received_unconfirmed"), {}
    elif doc["type"] == EventType.MESSAGE_ADDED and doc["message"]["author"]["kind"] == AuthorKind.AGENT:
        template = "agent_replied"
        extra = {"agent": doc["message"]["author"]["name"], "quote": doc["message"]["text"],
                 "rating_links": _rating_links(secrets, site_url, number, doc["message"]["id"])}
    elif doc["type"] == EventType.REMINDED:
        template, extra = "reminder", {}
    elif _closed_for_silence(doc):
        template, extra = "closed_no_reply", {}
    else:
        return None
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
    # Stable ids let mail clients thread every mail of a ticket together.
    mailer.send(content, message_id=f"ticket-{doc['ticket_number']}-{doc['event_id']}",
                thread_id=f"ticket-{doc['ticket_number']}")
    return True
