"""Mail to the help desk: a customer's reply threaded to their ticket, or a new ticket.

Runs behind the inbound-mail queue (events/inbound.py). A mail joins a ticket only with proof that we
wrote to the sender about it (our signed reply address, or one of our Message-IDs in In-Reply-To /
References, signed: domain/inbound.py), only if the sender is that ticket's customer, and only if SES proved
the sender's address (its SPF/DKIM/DMARC verdicts, domain/mail_auth.py) and did not judge the mail spam;
anyone else's mail opens a ticket of its own and never lands in another person's conversation. A mail whose
sender is not proven opens a new ticket flagged `sender_verified=False`, whatever address or ids it names.
A ticket number in the subject is no proof. SES's virus verdict FAIL: the mail is copied under quarantine/
and nothing else happens. Machine mail and mail from the desk's own domain (or a subdomain) are ignored.

A person's mail that cannot become a ticket (open-ticket limit, no department, a text the form would refuse)
keeps nothing but the raw mail: the files it brought are deleted, and the sender gets one answer saying why,
in their language (domain/mail.py `refusal_answer`). Machines' mail is never answered. Acting on the same
stored mail again (the queue retries a failed send) writes the same file keys and sends the same Message-ID.
"""
from __future__ import annotations

import mimetypes
from dataclasses import dataclass, replace
from enum import StrEnum

from chalicelib.domain import inbound, mail as mail_texts
from chalicelib.domain import attachments as rules
from chalicelib.domain.attachments import Limits
from chalicelib.domain.catalog import Department
from chalicelib.domain.sign_in import CustomerAccess, email_identity
from chalicelib.domain.text import without_unsafe_characters
from chalicelib.domain.tickets import (
    NAME_MAX, SUBJECT_MAX, Attachment, Language, Priority, ReplyWindowClosed, Visibility, new_id,
)
from chalicelib.errors import Invalid, LimitReached, NotFound
from chalicelib.services import tickets as ticket_service
from chalicelib.services.ports import FileStore, Mailer, TicketDesk

ORIGINAL_NAME = "original.eml"


class Outcome(StrEnum):
    REPLIED = "replied"   # added to the sender's ticket
    CREATED = "created"   # a new ticket
    IGNORED = "ignored"   # written by a machine: no ticket, no reply (mail loops)
    QUARANTINED = "quarantined"  # SES's virus verdict FAIL: copied under quarantine/, no ticket, no reply
    REFUSED = "refused"   # a person's mail that cannot become a ticket (open limit, no address, no department)


@dataclass(frozen=True)
class Intake:
    outcome: Outcome
    number: int | None = None
    reason: str = ""
    answered: bool = False  # a refused mail's sender was told why


@dataclass(frozen=True)
class MailDesk:
    """How the help desk receives mail: its address (reply addresses and Message-IDs are built on it) and
    where new tickets go ("" = the first department, and its first category)."""
    mailbox: str
    site_url: str
    department: str = ""
    category: str = ""

    @property
    def domain(self) -> str:
        return self.mailbox.rpartition("@")[2].lower()


def receive(raw: bytes, key: str, ports: TicketDesk, *, desk: MailDesk, mailer: Mailer) -> Intake:
    """Act on one raw mail stored under `key` (kept there; agents can download it from the message).
    Raises inbound.UnreadableMail for bytes that are no mail, DeliveryFailed if a refusal's answer could
    not be sent (then nothing of the mail is kept but the raw mail: acting on it again is safe)."""
    tickets, catalog, files, secrets, clock, limits = (ports.tickets, ports.catalog, ports.files, ports.secrets,
                                                       ports.clock, ports.limits)
    mail = inbound.parse(raw)
    if mail.verdicts.infected:  # SES found a virus: kept apart for a person, nothing opened, nobody answered
        files.put_document(quarantine_key(key), raw, "message/rfc822")
        return Intake(Outcome.QUARANTINED, reason="virus")
    if mail.automated:
        return Intake(Outcome.IGNORED, reason=mail.automated)
    if _is_ours(mail.sender, desk):
        return Intake(Outcome.IGNORED, reason="own_mail")  # our own mail come back: answering it would loop
    # Proof that the From address is the sender's (SES's verdicts, domain/mail_auth.py; not spam). Without it
    # the mail joins no ticket, whatever it names: it opens a ticket of its own, flagged unverified.
    # (Tickets it opens are also unconfirmed while this is False: `confirmed=sender_authenticated`.)
    sender_authenticated = mail.sender_authenticated
    threaded = None
    if sender_authenticated:
        secret = secrets.link_secret()
        threaded = (inbound.ticket_of_reply_address(mail.recipients, desk.mailbox, secret)
                    or inbound.ticket_of_references(mail.references, desk.domain, secret))
    language = inbound.guess_language(f"{mail.subject}\n{mail.text}")
    kept, not_kept = store_parts(files, limits, mail.parts, key=key)
    original = Attachment(id=new_id(), filename=ORIGINAL_NAME, content_type="message/rfc822", size=len(raw),
                          key=key, visibility=Visibility.INTERNAL)
    # Mail is not refused for a stray control or bidi character (as a form is): they are removed.
    text = without_unsafe_characters(inbound.with_not_kept(mail.visible_text or mail.subject or "-", not_kept, language))
    attachments = [*kept, original]

    def refuse(reason: str, *, number: int | None = None, limit: LimitReached | None = None) -> Intake:
        files.delete_documents([a.key for a in kept])  # before the answer: a failed send leaves nothing either
        answered = _answer(mail, key, desk=desk, language=language, reason=reason, number=number, limit=limit,
                           mailer=mailer)
        return Intake(Outcome.REFUSED, number, reason, answered)

    follows = None
    if threaded is not None:
        try:
            ticket_service.customer_mail_reply(tickets=tickets, catalog=catalog, clock=clock, number=threaded,
                                               sender=mail.sender, text=text, attachments=attachments)
            return Intake(Outcome.REPLIED, threaded)
        except NotFound:
            pass  # not the sender's ticket (or none at all): their mail opens a ticket of their own
        except ReplyWindowClosed:
            follows = threaded  # closed too long ago: a new ticket that continues it
        except Invalid as exc:
            return refuse(_reason(exc), number=threaded)

    # A new ticket from the mail, by the web form's rules (validation, open-ticket limit, routing).
    placement = _placement(catalog.departments(), desk)
    if placement is None:
        return refuse("no_department")
    try:
        opened = ticket_service.open_ticket(replace(ports, site_url=desk.site_url), ticket_service.NewTicket(
            subject=_subject(mail), department=placement[0], category=placement[1], priority=Priority.NORMAL.value,
            text=text, language=language.value, customer_name=_name(mail), customer_email=mail.sender,
            follows=follows, follows_proof=CustomerAccess(identity=email_identity(mail.sender)),
            stored_attachments=tuple(attachments), sender_verified=sender_authenticated,
            confirmed=sender_authenticated, channel="mail"))  # an authenticated sender proved the address
    except LimitReached as exc:
        return refuse(_reason(exc), limit=exc)
    except Invalid as exc:
        return refuse(_reason(exc))
    return Intake(Outcome.CREATED, opened.number)


def _answer(mail: inbound.InboundMail, key: str, *, desk: MailDesk, language: Language, reason: str,
            number: int | None, limit: LimitReached | None, mailer: Mailer) -> bool:
    """Tell the sender, once, why their mail became no ticket. Only a person's mail gets here (machines' and
    our own were ignored before), but a mail that answers one of our refusals, or whose sender address is not
    one we could write to, gets no answer. The answer goes to the From address only: it names that
    customer's tickets, which a Reply-To or Return-Path chosen by whoever sent the mail must not learn."""
    if not inbound.answerable(mail, desk.domain):
        return False
    open_tickets = [(t["number"], t["subject"]) for t in limit.details.get("open_tickets", [])] if limit else []
    content = mail_texts.refusal_answer(
        language, to=mail.sender, name=_name(mail), subject=_subject(mail), site_url=desk.site_url, reason=reason,
        answers=mail.message_id, open_limit=limit.details.get("limit") if limit else None,
        open_tickets=open_tickets, number=number)
    mailer.send(content, message_id=inbound.refusal_id(key), thread_id="")
    return True


def _reason(error: Invalid | LimitReached) -> str:
    return ",".join(f"{path}:{code}" for path, code in error.fields.items()) or error.code


def store_parts(files: FileStore, limits: Limits, parts: tuple[inbound.MailPart, ...], *,
                key: str) -> tuple[list[Attachment], list[tuple[str, str]]]:
    """Keep each attachment and inline image that the form's rules would accept; name the others with the
    reason (a mail cannot be sent back for fixing like a form, so the rest of it still counts). Files are
    named after the mail's own `key` and their place in it, so storing the same mail again overwrites them."""
    kept: list[Attachment] = []
    not_kept: list[tuple[str, str]] = []
    total = 0
    for index, part in enumerate(parts):
        content_type = _content_type(part)
        try:
            rules.check_stored("part", content_type, len(part.data), part.data[:rules.SNIFF_BYTES], limits)
            if len(kept) >= limits.max_files:
                raise Invalid.field("part", "too_many")
            if total + len(part.data) > limits.max_message_bytes:
                raise Invalid.field("part", "too_large")
        except Invalid as exc:
            not_kept.append((part.filename, exc.fields["part"]))
            continue
        attachment_id = inbound.part_id(key, index)
        stored_key = f"attachments/{attachment_id}"
        files.put_document(stored_key, part.data, content_type)
        total += len(part.data)
        kept.append(Attachment(id=attachment_id, filename=part.filename, content_type=content_type,
                               size=len(part.data), key=stored_key))
    return kept, not_kept


def _content_type(part: inbound.MailPart) -> str:
    # Mail clients often label files application/octet-stream: then the name decides (and the bytes are sniffed).
    if part.content_type in rules.ALLOWED_TYPES:
        return part.content_type
    return mimetypes.guess_type(part.filename)[0] or part.content_type


QUARANTINE_PREFIX = "quarantine/"


def quarantine_key(key: str) -> str:
    """Where a mail with a virus is copied: outside inbound/ (nothing announces or links it there)."""
    return QUARANTINE_PREFIX + key.rpartition("/")[2]


def _is_ours(sender: str, desk: MailDesk) -> bool:
    """Mail from the desk's own domain or any subdomain of it (our mailbox, our senders, our systems)."""
    domain = sender.casefold().rpartition("@")[2].rstrip(".")
    return domain == desk.domain or domain.endswith("." + desk.domain)


def _placement(departments: list[Department], desk: MailDesk) -> tuple[str, str] | None:
    department = next((d for d in departments if d.id == desk.department), None) if desk.department else (
        departments[0] if departments else None)
    if department is None or not department.categories:
        return None
    category = desk.category if department.has_category(desk.category) else department.categories[0].id
    return department.id, category


def _subject(mail: inbound.InboundMail) -> str:
    first_line = next((line for line in mail.visible_text.splitlines() if line.strip()), "")
    subject = without_unsafe_characters(mail.subject, multiline=False).strip()
    return (subject or without_unsafe_characters(first_line, multiline=False).strip() or "(no subject)")[:SUBJECT_MAX]


def _name(mail: inbound.InboundMail) -> str:
    name = without_unsafe_characters(mail.sender_name, multiline=False).strip()
    return (name or mail.sender.partition("@")[0] or mail.sender)[:NAME_MAX]
