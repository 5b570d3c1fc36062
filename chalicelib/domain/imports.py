"""Tickets imported from another help desk: the JSON-lines record (docs/import.md), checked field by field,
and its replay into a ticket and timeline as if it had lived here. Pure Python.

The replay walks the conversation with the record's own times through the same ticket rules as live
tickets (Ticket.after_customer_message, after_agent_reply, moved_to, the SLA clocks), then catches up what
the scheduled jobs would have done by `now` (SLA warnings and breaches, the reminder, the close for
silence) at the moments they would have done it. Every event it makes carries `imported: true` in its
data: consumers that mail or text people skip those (nobody is told today about last year's ticket), and
the catch-up never escalates (a past breach is history, not an emergency).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from enum import StrEnum

from chalicelib.domain.automation import SYSTEM
from chalicelib.domain.catalog import Department, check_placement
from chalicelib.domain.handovers import HandoverKind, handover_event
from chalicelib.domain.policies import Policies
from chalicelib.domain.sla import Checkpoint, SlaPolicy
from chalicelib.domain.tickets import (
    TICKET_CHANNELS, Actor, Attachment, AuthorKind, Customer, EventType, Language, Message, Priority, Status, Ticket,
    TicketEvent, TimerStage, Visibility, clean_subject, clean_text, message_event, new_id, parse_enum,
)
from chalicelib.errors import FieldProblems, Invalid

IMPORTED = "imported"  # the key in an event's data that marks it as imported (consumers check it)
SOURCE_MAX = 40
EXTERNAL_ID_MAX = 200
MAX_ATTACHMENTS_PER_MESSAGE = 10
# A customer may write on an imported ticket whenever the record says they did (the live reply window
# is about new mail, not history).
_ANY_TIME = timedelta(days=365 * 100)


class MessageKind(StrEnum):
    CUSTOMER = "customer"  # public, from the customer
    REPLY = "reply"        # public, from an agent
    NOTE = "note"          # internal, from an agent


@dataclass(frozen=True)
class AttachmentRef:
    """A file of an imported message: a local path or an http(s) URL, fetched and checked on import."""
    ref: str
    filename: str
    content_type: str | None = None


@dataclass(frozen=True)
class ImportedMessage:
    kind: MessageKind
    author_name: str
    author_email: str  # the agent's id for replies and notes; ignored for customer messages
    text: str
    created_at: datetime
    attachments: tuple[AttachmentRef, ...] = ()


@dataclass(frozen=True)
class ImportRecord:
    source: str
    external_id: str
    subject: str
    department: str
    category: str
    priority: Priority
    language: Language
    status: Status
    customer: Customer
    created_at: datetime
    messages: tuple[ImportedMessage, ...]
    closed_at: datetime | None = None
    assignee: Actor | None = None
    channel: str = "import"  # how the ticket reached the old desk (web | mail) if the record says; else import

    @property
    def claim_key(self) -> str:
        return claim_key(self.source, self.external_id)


def claim_key(source: str, external_id: str) -> str:
    """What makes an imported ticket unique: its source desk and its id there."""
    return f"{source}#{external_id}"


def attachment_id(source: str, external_id: str, message: int, index: int) -> str:
    """The same file of the same record gets the same id (and stored key) on every attempt: a retried
    import overwrites its files instead of leaving copies behind."""
    return hashlib.sha256(f"{source}#{external_id}#{message}#{index}".encode()).hexdigest()[:32]


# ---------------------------------------------------------------- parsing, every bad field at once

def parse_time(value, path: str) -> datetime:
    """ISO 8601; a time without a zone is taken as UTC. Always returned in UTC."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid.field(path, "required" if value in (None, "") else "invalid")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise Invalid.field(path, "invalid") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _text(doc: dict, key: str, path: str, *, required: bool = True, max_len: int | None = None) -> str:
    value = doc.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid.field(path, "required")
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise Invalid.field(path, "invalid")
    value = str(value).strip()
    if max_len and len(value) > max_len:
        raise Invalid.field(path, "too_long")
    return value


def parse_record(doc, *, departments: list[Department], now: datetime) -> ImportRecord:
    """One line of the import file. Raises Invalid naming every bad field (`messages.2.created_at`...)."""
    if not isinstance(doc, dict):
        raise Invalid.field("record", "invalid")
    problems = FieldProblems()
    checked = problems.check

    source = checked(_text, doc, "source", "source", max_len=SOURCE_MAX)
    external_id = checked(_text, doc, "external_id", "external_id", max_len=EXTERNAL_ID_MAX)
    subject = checked(clean_subject, doc.get("subject") if isinstance(doc.get("subject"), str) else "")
    priority = checked(parse_enum, Priority, doc.get("priority", "normal"), "priority")
    language = checked(parse_enum, Language, doc.get("language", "en"), "language")
    status = checked(parse_enum, Status, doc.get("status"), "status")
    channel = checked(_channel, doc.get("channel"))
    department, category = doc.get("department"), doc.get("category")
    checked(check_placement, departments, department, category)
    customer_doc = doc.get("customer") if isinstance(doc.get("customer"), dict) else {}
    customer = checked(Customer.parse, str(customer_doc.get("name") or ""), str(customer_doc.get("email") or ""),
                       customer_doc.get("phone") or None, language.value if language else "en")
    created_at = checked(parse_time, doc.get("created_at"), "created_at")
    closed_at = checked(parse_time, doc["closed_at"], "closed_at") if doc.get("closed_at") else None
    assignee = None
    if doc.get("assignee"):
        assignee_doc = doc["assignee"] if isinstance(doc["assignee"], dict) else {}
        email = checked(_text, assignee_doc, "email", "assignee.email")
        name = checked(_text, assignee_doc, "name", "assignee.name", required=False) or email
        if email:
            assignee = Actor(kind=AuthorKind.AGENT, id=email.casefold(), name=name)

    messages = []
    raw_messages = doc.get("messages")
    if not isinstance(raw_messages, list) or not raw_messages:
        problems["messages"] = "required"
        raw_messages = []
    for index, raw in enumerate(raw_messages):
        message = checked(_message, raw, f"messages.{index}", customer)
        if message:
            messages.append((index, message))

    for path, moment in (("created_at", created_at), ("closed_at", closed_at)):
        if moment and moment > now:
            problems.setdefault(path, "in_future")
    for index, message in messages:
        if created_at and message.created_at < created_at:
            problems.setdefault(f"messages.{index}.created_at", "before_created_at")
        if message.created_at > now:
            problems.setdefault(f"messages.{index}.created_at", "in_future")
    problems.raise_any()
    if status == Status.ARCHIVED:  # archived there is closed here; the archive job files it away
        status = Status.CLOSED
    # Messages in time order; equal times keep the file's order (sorted() is stable).
    ordered = tuple(sorted((m for _, m in messages), key=lambda m: m.created_at))
    if status == Status.CLOSED and closed_at is None:
        closed_at = ordered[-1].created_at
    if closed_at and closed_at < ordered[-1].created_at:
        closed_at = ordered[-1].created_at if status in (Status.CLOSED, Status.RESOLVED) else closed_at
    return ImportRecord(source=source, external_id=external_id, subject=subject, department=department,
                        category=category, priority=priority, language=language, status=status, customer=customer,
                        created_at=created_at, messages=ordered, closed_at=closed_at, assignee=assignee,
                        channel=channel)


def _channel(value) -> str:
    """The record's optional `channel` (web | mail | import); missing or empty: import."""
    if value is None or value == "":
        return "import"
    if not isinstance(value, str) or value.strip().casefold() not in TICKET_CHANNELS:
        raise Invalid.field("channel", "invalid")
    return value.strip().casefold()


def _message(raw, path: str, customer: Customer | None) -> ImportedMessage:
    if not isinstance(raw, dict):
        raise Invalid.field(path, "invalid")
    problems = FieldProblems()
    checked = problems.check

    kind = checked(parse_enum, MessageKind, raw.get("kind"), f"{path}.kind")
    text = checked(clean_text, raw.get("text") if isinstance(raw.get("text"), str) else "", f"{path}.text")
    created_at = checked(parse_time, raw.get("created_at"), f"{path}.created_at")
    author = raw.get("author") if isinstance(raw.get("author"), dict) else {}
    author_email, author_name = "", ""
    if kind in (MessageKind.REPLY, MessageKind.NOTE):
        author_email = (checked(_text, author, "email", f"{path}.author.email") or "").casefold()
        author_name = checked(_text, author, "name", f"{path}.author.name", required=False) or author_email
    elif customer is not None:
        author_email, author_name = customer.key, customer.name
    attachments = []
    raw_attachments = raw.get("attachments") or []
    if not isinstance(raw_attachments, list):
        problems[f"{path}.attachments"] = "invalid"
        raw_attachments = []
    if len(raw_attachments) > MAX_ATTACHMENTS_PER_MESSAGE:
        problems[f"{path}.attachments"] = "too_many"
    for index, item in enumerate(raw_attachments):
        ref = item.get("url") or item.get("path") if isinstance(item, dict) else None
        if not isinstance(ref, str) or not ref.strip():
            problems[f"{path}.attachments.{index}"] = "required"
            continue
        if item.get("url") and not ref.startswith(("http://", "https://")):
            problems[f"{path}.attachments.{index}.url"] = "invalid"
            continue
        filename = item.get("filename") or ref.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or "file"
        attachments.append(AttachmentRef(ref=ref.strip(), filename=str(filename),
                                         content_type=item.get("content_type") or None))
    problems.raise_any()
    return ImportedMessage(kind=kind, author_name=author_name, author_email=author_email, text=text,
                           created_at=created_at, attachments=tuple(attachments))


# ---------------------------------------------------------------- replay

def _imported(events: list[TicketEvent], **extra) -> list[TicketEvent]:
    mark = {IMPORTED: True, **extra}
    return [replace(e, data={**e.data, **mark}) for e in events]


def is_imported(document: dict) -> bool:
    """Is this event document (domain/events.py) one an import wrote? Then nobody is mailed or texted."""
    return bool((document.get("data") or {}).get(IMPORTED))


def replay(record: ImportRecord, *, number: int, link_salt: str, link_hash: str, sla_policy: SlaPolicy,
           policies: Policies, departments: list[Department], now: datetime,
           files: dict[int, tuple[Attachment, ...]] | None = None,
           texts: dict[int, str] | None = None) -> tuple[Ticket, list[TicketEvent]]:
    """The ticket as it stands after its history, and every event of that history, in time order.
    `files`: the stored attachments per message index (of record.messages); `texts`: a message's text when it
    differs from the record's (a note of files that could not be imported)."""
    files, texts = files or {}, texts or {}
    customer_actor = Actor(kind=AuthorKind.CUSTOMER, id=record.customer.key, name=record.customer.name)
    start = record.created_at
    sla = sla_policy.sla_for(record.department, record.priority.value, start, customer=record.customer.email)
    # Imported tickets are confirmed (Ticket.confirmed defaults to True): the old desk knew its customers.
    ticket = Ticket(number=number, subject=record.subject, department=record.department, category=record.category,
                    priority=record.priority, language=record.language, customer=record.customer,
                    status=Status.NEW, created_at=start, last_activity_at=start, link_salt=link_salt,
                    link_hash=link_hash, sla=sla, channel=record.channel)
    events = [TicketEvent(id=new_id(), ticket_number=number, type=EventType.TICKET_CREATED, occurred_at=start,
                          actor=customer_actor, visibility=Visibility.PUBLIC,
                          data={"source": record.source, "external_id": record.external_id})]
    if record.assignee:
        department = next(d for d in departments if d.id == record.department)
        group = next((g for g in department.groups if record.assignee.id in g.members), None)
        placed = replace(ticket, assignee=record.assignee, group=group.id if group else "")
        events.append(handover_event(ticket, placed, actor=SYSTEM, at=start, kind=HandoverKind.ASSIGN,
                                     reason="imported"))
        ticket = placed

    for index, m in enumerate(record.messages):
        ticket, caught_up = _sla_until(ticket, m.created_at)
        events += caught_up
        author = (customer_actor if m.kind == MessageKind.CUSTOMER
                  else Actor(kind=AuthorKind.AGENT, id=m.author_email, name=m.author_name))
        message = Message(id=new_id(), visibility=Visibility.INTERNAL if m.kind == MessageKind.NOTE
                          else Visibility.PUBLIC, author=author, text=texts.get(index, m.text),
                          created_at=m.created_at, attachments=files.get(index, ()))
        before = ticket
        if m.kind == MessageKind.CUSTOMER:
            ticket = ticket.after_customer_message(m.created_at, _ANY_TIME)
        elif m.kind == MessageKind.REPLY:
            if not ticket.can_move_to(Status.AWAITING_CUSTOMER):
                ticket = ticket.moved_to(Status.OPEN, m.created_at)
            ticket = ticket.after_agent_reply(m.created_at)
        events += [message_event(ticket, message), *ticket.status_events(before, author, m.created_at)]

    last = record.messages[-1].created_at
    final_at = record.closed_at if record.status in (Status.CLOSED, Status.RESOLVED) and record.closed_at else last
    ticket, caught_up = _sla_until(ticket, final_at)
    events += caught_up
    if record.status != ticket.status and not (record.status == Status.NEW):
        before = ticket
        actor = record.assignee or SYSTEM
        if not ticket.can_move_to(record.status):
            ticket = ticket.moved_to(Status.OPEN, final_at)
        ticket = ticket.moved_to(record.status, final_at)
        events += ticket.status_events(before, actor, final_at)
    ticket, caught_up = _timers_until(ticket, now, policies)
    events += caught_up
    ticket, caught_up = _sla_until(ticket, now)
    events += caught_up
    ticket = replace(ticket, version=1)
    return ticket, _imported(events)


def _sla_until(ticket: Ticket, at: datetime) -> tuple[Ticket, list[TicketEvent]]:
    """The SLA checkpoints the sweep would have acted on before `at`, marked on the ticket and recorded at
    the moment they were reached, without the escalation (no reassignment, no raised priority: history)."""
    if ticket.sla is None:
        return ticket, []
    events = []
    for target, checkpoint in ticket.sla.reached(at):
        moment = ticket.sla.checkpoint_at(target, checkpoint) or at
        kind = EventType.SLA_BREACHED if checkpoint == Checkpoint.BREACH else EventType.SLA_WARNING
        data = {"target": target.value, "due_at": _iso(ticket.sla.due_at(target)), "department": ticket.department,
                "supervisors": [], "historical": True}
        if checkpoint == Checkpoint.BREACH:
            data["escalation"] = {"priority": None, "assignee": None}
        events.append(TicketEvent(id=new_id(), ticket_number=ticket.number, type=kind, occurred_at=moment,
                                  actor=SYSTEM, visibility=Visibility.INTERNAL, data=data))
        ticket = replace(ticket, sla=ticket.sla.marked(target, checkpoint))
    return ticket, events


def _timers_until(ticket: Ticket, now: datetime, policies: Policies) -> tuple[Ticket, list[TicketEvent]]:
    """The reminder and the close for silence the jobs would have made by now, at their own moments."""
    from chalicelib.domain import automation

    events: list[TicketEvent] = []
    timer = ticket.timer
    if timer and timer.stage == TimerStage.REMIND and timer.since + policies.reminder_after < now:
        ticket, made = automation.reminded(ticket, timer.since + policies.reminder_after)
        events += made
    timer = ticket.timer
    if timer and timer.stage in (TimerStage.REMIND, TimerStage.CLOSE) and timer.since + policies.auto_close_after < now:
        at = timer.since + policies.auto_close_after
        ticket, caught_up = _sla_until(ticket, at)
        events += caught_up
        ticket, made = automation.closed_for_silence(ticket, at)
        events += made
    return ticket, events


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def with_refused_files(text: str, refused: list[tuple[str, str]], language: Language) -> str:
    """The message's text followed by one line per file that could not be imported (name and reason)."""
    notes = [NOT_IMPORTED[language].format(name=name, reason=reason) for name, reason in refused]
    return "\n\n".join([text, "\n".join(notes)]) if notes else text


NOT_IMPORTED = {
    Language.EN: "[Not imported: {name} ({reason})]",
    Language.FA: "[وارد نشد: {name} ({reason})]",
    Language.HE: "[לא יובא: {name} ({reason})]",
}
