"""DynamoDB repositories (PynamoDB). Every read is a GetItem or a Query on a key: nothing scans."""
from __future__ import annotations

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.models import (
    ATTACHMENT_PREFIX, EVENT_PREFIX, META, AttachmentItem, CounterItem, DepartmentItem, EventItem, TicketItem,
    ticket_pk, use_table,
)
from chalicelib.domain.catalog import Category, Department
from chalicelib.domain.events import attachment_document, attachment_from_document, from_document, to_document
from chalicelib.domain.tickets import (
    Attachment, Customer, Language, Priority, Status, Ticket, TicketEvent,
)
from chalicelib.services.ports import CatalogRepository, TicketRepository, VersionConflict


def ticket_item(ticket: Ticket) -> TicketItem:
    created = ticket.created_at.isoformat()
    item = TicketItem(
        pk=ticket_pk(ticket.number), sk=META, number=ticket.number, subject=ticket.subject,
        department=ticket.department, category=ticket.category, priority=ticket.priority.value,
        language=ticket.language.value, customer_name=ticket.customer.name, customer_email=ticket.customer.email,
        status=ticket.status.value, created_at=ticket.created_at, last_activity_at=ticket.last_activity_at,
        link_salt=ticket.link_salt, link_hash=ticket.link_hash, version=ticket.version,
        customer_pk=f"CUST#{ticket.customer.key}", customer_sk=f"{created}#{ticket.number:010d}",
    )
    if ticket.is_active:  # sparse index: a closed ticket leaves every queue by losing these keys
        item.queue_pk = f"DEPT#{ticket.department}"
        item.queue_sk = f"{created}#{ticket.number:010d}"
    return item


def _ticket(item: TicketItem) -> Ticket:
    return Ticket(
        number=int(item.number), subject=item.subject, department=item.department, category=item.category,
        priority=Priority(item.priority), language=Language(item.language),
        customer=Customer(name=item.customer_name, email=item.customer_email), status=Status(item.status),
        created_at=item.created_at, last_activity_at=item.last_activity_at, link_salt=item.link_salt,
        link_hash=item.link_hash, version=int(item.version),
    )


def event_items(ticket: Ticket, events: list[TicketEvent]) -> list[EventItem]:
    # Time orders the timeline; the index keeps one write's events in the order given; the event id keeps
    # two writes at the same instant apart.
    return [EventItem(pk=ticket_pk(ticket.number), sk=f"{EVENT_PREFIX}{e.occurred_at.isoformat()}#{i:02d}#{e.id}",
                      doc=to_document(e, ticket)) for i, e in enumerate(events)]


def attachment_items(number: int, attachments: list[Attachment]) -> list[AttachmentItem]:
    return [AttachmentItem(pk=ticket_pk(number), sk=f"{ATTACHMENT_PREFIX}{a.id}", doc=attachment_document(a))
            for a in attachments]


class DynamoTicketRepository(TicketRepository):
    def __init__(self, table_name: str):
        use_table(table_name)
        self._connection: Connection | None = None

    def _transaction(self) -> TransactWrite:
        if self._connection is None:
            self._connection = Connection(region=TicketItem.Meta.region)
        return TransactWrite(connection=self._connection)

    def next_number(self) -> int:
        counter = CounterItem(pk="COUNTER", sk="ticket")
        # ADD on a missing item starts from 0: no seeding needed, and concurrent callers never share a number.
        counter.update(actions=[CounterItem.value.add(1)])
        return int(counter.value) + 1000

    def create(self, ticket: Ticket, events: list[TicketEvent], attachments: list[Attachment]) -> None:
        with self._transaction() as tx:
            tx.save(ticket_item(ticket), condition=TicketItem.pk.does_not_exist())
            for item in [*event_items(ticket, events), *attachment_items(ticket.number, attachments)]:
                tx.save(item, condition=EventItem.pk.does_not_exist())

    def save(self, ticket: Ticket, events: list[TicketEvent], attachments: list[Attachment]) -> None:
        try:
            with self._transaction() as tx:
                tx.save(ticket_item(ticket), condition=TicketItem.version == ticket.version - 1)
                for item in [*event_items(ticket, events), *attachment_items(ticket.number, attachments)]:
                    tx.save(item, condition=EventItem.pk.does_not_exist())
        except TransactWriteError as exc:
            if exc.cause_response_code == "TransactionCanceledException":
                raise VersionConflict(ticket.number) from exc
            raise

    def get(self, number: int) -> Ticket | None:
        try:
            return _ticket(TicketItem.get(ticket_pk(number), META, consistent_read=True))
        except TicketItem.DoesNotExist:
            return None

    def timeline(self, number: int) -> list[TicketEvent]:
        items = EventItem.query(ticket_pk(number), EventItem.sk.startswith(EVENT_PREFIX), consistent_read=True)
        return [from_document(item.doc) for item in items]

    def attachment(self, number: int, attachment_id: str) -> Attachment | None:
        try:
            item = AttachmentItem.get(ticket_pk(number), f"{ATTACHMENT_PREFIX}{attachment_id}")
        except AttachmentItem.DoesNotExist:
            return None
        return attachment_from_document(item.doc)

    def queue(self, department: str) -> list[Ticket]:
        return [_ticket(item) for item in TicketItem.queue_index.query(f"DEPT#{department}")]


class DynamoCatalogRepository(CatalogRepository):
    def __init__(self, table_name: str):
        use_table(table_name)

    def departments(self) -> list[Department]:
        return [Department(id=d["id"], names=d["names"],
                           categories=tuple(Category(id=c["id"], names=c["names"]) for c in d["categories"]))
                for d in (item.doc for item in DepartmentItem.query("CATALOG", DepartmentItem.sk.startswith("DEPT#")))]

    def save(self, department: Department) -> None:
        DepartmentItem(pk="CATALOG", sk=f"DEPT#{department.id}", doc={
            "id": department.id, "names": department.names,
            "categories": [{"id": c.id, "names": c.names} for c in department.categories],
        }).save()
