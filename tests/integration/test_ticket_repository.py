"""One contract for the ticket repository, run against DynamoDB (moto) and the in-memory fake the unit
tests use, so the fake cannot drift from the real thing."""
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.tickets import (
    Actor, Attachment, AuthorKind, Customer, EventType, Language, Message, Priority, Status, Ticket, TicketEvent,
    Visibility, message_event, new_id,
)
from chalicelib.services.ports import VersionConflict
from tests.fakes import InMemoryTickets

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["dynamodb", "memory"])
def repo(request):
    if request.param == "memory":
        return InMemoryTickets()
    request.getfixturevalue("aws_stack")
    from chalicelib import bootstrap
    return bootstrap.tickets()


def new_ticket(repo, department=None, at=T0) -> Ticket:
    number = repo.next_number()
    ticket = Ticket(number=number, subject="קבלה", department=department or f"dept-{new_id()[:6]}",
                    category="billing", priority=Priority.LOW, language=Language.HE,
                    customer=Customer("Noa", "noa@example.com"), status=Status.NEW, created_at=at,
                    last_activity_at=at, link_salt="s", link_hash="h")
    author = Actor(AuthorKind.CUSTOMER, "noa@example.com", "Noa")
    attachment = Attachment(id=new_id(), filename="קבלה.pdf", content_type="application/pdf", size=9,
                            key="attachments/x")
    first = Message(id=new_id(), visibility=Visibility.PUBLIC, author=author, text="שלום", created_at=at,
                    attachments=(attachment,))
    created = TicketEvent(id=new_id(), ticket_number=number, type=EventType.TICKET_CREATED, occurred_at=at,
                          actor=author, visibility=Visibility.PUBLIC)
    repo.create(ticket, [created, message_event(ticket, first)], [attachment])
    return ticket


def test_created_ticket_reads_back_with_timeline_and_attachment(repo):
    ticket = new_ticket(repo)
    assert repo.get(ticket.number) == ticket
    created, first = repo.timeline(ticket.number)
    assert created.type == EventType.TICKET_CREATED and first.message.text == "שלום"
    attachment = first.message.attachments[0]
    assert repo.attachment(ticket.number, attachment.id) == attachment
    assert repo.attachment(ticket.number, "missing") is None
    assert repo.get(10 ** 9) is None


def test_saving_from_a_stale_version_is_a_conflict_and_writes_nothing(repo):
    ticket = new_ticket(repo)
    agent = Actor(AuthorKind.AGENT, "a", "agent")
    note = Message(id=new_id(), visibility=Visibility.INTERNAL, author=agent, text="n", created_at=T0)
    fresh = replace(ticket, version=2)
    repo.save(fresh, [message_event(fresh, note)], [])
    stale = replace(ticket, status=Status.CLOSED, version=2)  # also read version 1
    with pytest.raises(VersionConflict):
        repo.save(stale, [message_event(stale, note)], [])
    assert repo.get(ticket.number).status == Status.NEW and len(repo.timeline(ticket.number)) == 3


def test_ticket_numbers_are_unique_under_concurrency(repo):
    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(lambda _: repo.next_number(), range(40)))
    assert len(set(numbers)) == 40


def test_queue_lists_active_tickets_oldest_first_and_drops_closed_ones(repo):
    department = f"dept-{new_id()[:6]}"
    older = new_ticket(repo, department, at=T0)
    newer = new_ticket(repo, department, at=T0 + timedelta(minutes=5))
    assert [t.number for t in repo.queue(department)] == [older.number, newer.number]
    closed = replace(older, status=Status.CLOSED, version=2)
    repo.save(closed, [], [])
    assert [t.number for t in repo.queue(department)] == [newer.number]
