"""The search document of a ticket: what the index knows of it, built from the ticket as the table holds it.

Pure: the indexer reads the ticket and its timeline (never the event that woke it), so a redelivered or
late event rebuilds the same document, and the rebuild command builds it the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from chalicelib.domain.catalog import Department
from chalicelib.domain.tickets import Ticket, TicketEvent, Visibility

NO_DUE = 2**62  # sla_due of a ticket without a running SLA clock: sorts after every real due time


def epoch(moment: datetime | None) -> int:
    return int(moment.astimezone(timezone.utc).timestamp()) if moment else 0


def shard_of(created_at: datetime) -> str:
    """Shards are months of creation: a ticket never changes shard, and newest-first reads the newest shard first."""
    return created_at.astimezone(timezone.utc).strftime("%Y-%m")


@dataclass(frozen=True)
class SearchDocument:
    number: int
    shard: str
    # filters and sorts
    status: str
    priority: str
    department: str
    group: str
    assignee: str            # agent id, "" when unassigned
    customer: str            # the customer's key (canonical address)
    customer_phone: str      # E.164 or ""
    created: int             # epoch seconds
    updated: int
    sla_due: int             # epoch seconds of the earliest due target, NO_DUE without one
    has_attachment: bool
    unconfirmed: bool
    # searched texts, as written
    subject: str
    public: tuple[str, ...]  # public messages (customer's and agents' replies)
    internal: tuple[str, ...]  # internal notes, and names of internal attachments: agents only
    people: tuple[str, ...]  # customer name, address, phone
    files: tuple[str, ...]   # names of public attachments
    labels: tuple[str, ...]  # department and category names in every language
    # shown in a result row
    assignee_name: str
    customer_name: str


def build(ticket: Ticket, timeline: list[TicketEvent], department: Department | None) -> SearchDocument:
    public: list[str] = []
    internal: list[str] = []
    files: list[str] = []
    attached = False
    for event in timeline:
        message = event.message
        if message is None:
            continue
        is_public = message.visibility == Visibility.PUBLIC
        (public if is_public else internal).append(message.text)
        for a in message.attachments:
            attached = True
            (files if is_public and a.visibility == Visibility.PUBLIC else internal).append(a.filename)
    labels: list[str] = []
    if department is not None:
        labels.extend(department.names.values())
        for category in department.categories:
            if category.id == ticket.category:
                labels.extend(category.names.values())
    due = ticket.sla.earliest_due if ticket.sla else None
    customer = ticket.customer
    return SearchDocument(
        number=ticket.number, shard=shard_of(ticket.created_at),
        status=ticket.status.value, priority=ticket.effective_priority.value, department=ticket.department,
        group=ticket.group or "", assignee=ticket.assignee.id if ticket.assignee else "",
        customer=customer.key, customer_phone=customer.phone or "",
        created=epoch(ticket.created_at), updated=epoch(ticket.last_activity_at),
        sla_due=epoch(due) if due else NO_DUE,
        has_attachment=attached, unconfirmed=not ticket.confirmed,
        subject=ticket.subject, public=tuple(public), internal=tuple(internal),
        people=tuple(p for p in (customer.name, customer.email, customer.phone or "") if p),
        files=tuple(files), labels=tuple(dict.fromkeys(labels)),
        assignee_name=ticket.assignee.name if ticket.assignee else "", customer_name=customer.name)
