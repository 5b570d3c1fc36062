"""One contract for the ticket repository, run against DynamoDB (moto) and the in-memory fake the unit
tests use, so the fake cannot drift from the real thing."""
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.tickets import (
    Actor, Attachment, AuthorKind, Customer, EventType, Language, Message, Priority, Status, Ticket, TicketEvent,
    TimerStage, Visibility, message_event, new_id,
)
from chalicelib.services.ports import OpenLimitReached, TicketViews, VersionConflict
from tests.fakes import InMemoryTickets

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["dynamodb", "memory"])
def repo(request):
    if request.param == "memory":
        return InMemoryTickets()
    request.getfixturevalue("aws_stack")
    from chalicelib import bootstrap
    return bootstrap.tickets()


@pytest.fixture
def views(repo):
    """The lists read beside the repository (TicketViews): the in-memory store serves both sides."""
    if isinstance(repo, TicketViews):
        return repo
    from chalicelib import bootstrap
    return bootstrap.ticket_views()


AGENT = Actor(AuthorKind.AGENT, "agent.he", "Dana")


def new_ticket(repo, department=None, at=T0, email="noa@example.com", phone=None, open_limit=None,
               status=Status.NEW, **fields) -> Ticket:
    number = repo.next_number()
    ticket = Ticket(number=number, subject="קבלה", department=department or f"dept-{new_id()[:6]}",
                    category="billing", priority=Priority.LOW, language=Language.HE,
                    customer=Customer("Noa", email, phone), status=status, created_at=at,
                    last_activity_at=at, link_salt="s", link_hash="h", **fields)
    author = Actor(AuthorKind.CUSTOMER, "noa@example.com", "Noa")
    attachment = Attachment(id=new_id(), filename="קבלה.pdf", content_type="application/pdf", size=9,
                            key="attachments/x")
    first = Message(id=new_id(), visibility=Visibility.PUBLIC, author=author, text="שלום", created_at=at,
                    attachments=(attachment,))
    created = TicketEvent(id=new_id(), ticket_number=number, type=EventType.TICKET_CREATED, occurred_at=at,
                          actor=author, visibility=Visibility.PUBLIC)
    repo.create(ticket, [created, message_event(ticket, first)], [attachment], open_limit=open_limit)
    return ticket


def changed(repo, ticket, events=(), **fields) -> Ticket:
    after = replace(ticket, version=ticket.version + 1, **fields)
    repo.save(ticket, after, list(events))
    return after


def a_customer() -> str:
    return f"c-{new_id()[:8]}@example.com"


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
    fresh = changed(repo, ticket, [message_event(ticket, note)])
    stale = replace(ticket, status=Status.CLOSED, version=2)  # also read version 1
    with pytest.raises(VersionConflict):
        repo.save(ticket, stale, [message_event(stale, note)])
    assert fresh.version == 2
    assert repo.get(ticket.number).status == Status.NEW and len(repo.timeline(ticket.number)) == 3


def test_ticket_numbers_are_unique_under_concurrency(repo):
    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(lambda _: repo.next_number(), range(40)))
    assert len(set(numbers)) == 40


def test_queue_lists_active_tickets_oldest_first_and_drops_closed_ones(repo, views):
    department = f"dept-{new_id()[:6]}"
    older = new_ticket(repo, department, at=T0)
    newer = new_ticket(repo, department, at=T0 + timedelta(minutes=5))
    assert [t.number for t in views.queue(department)] == [older.number, newer.number]
    changed(repo, older, status=Status.CLOSED, closed_at=T0)
    assert [t.number for t in views.queue(department)] == [newer.number]


def test_an_agents_desk_holds_their_active_tickets_only(repo, views):
    agent = f"agent-{new_id()[:6]}"
    mine = new_ticket(repo, assignee=replace(AGENT, id=agent))
    done = new_ticket(repo, assignee=replace(AGENT, id=agent))
    new_ticket(repo)  # nobody's
    changed(repo, done, status=Status.CLOSED, closed_at=T0)
    assert [t.number for t in views.assigned_to(agent)] == [mine.number]
    assert repo.count_assigned(agent) == 1 and repo.count_assigned("nobody") == 0
    assert repo.get(mine.number).assignee == replace(AGENT, id=agent)


def test_a_customers_tickets_are_found_by_address_or_mobile_newest_first(repo, views):
    email = a_customer()
    first = new_ticket(repo, email=email)
    phone = f"+98912{new_id()[:7].translate(str.maketrans('abcdef', '123456'))}"
    second = new_ticket(repo, email=email.upper(), phone=phone, at=T0 + timedelta(hours=1))
    changed(repo, first, status=Status.CLOSED, closed_at=T0)
    assert [t.number for t in views.of_customer(email=email)] == [second.number, first.number]
    assert [t.number for t in views.of_customer(phone=phone)] == [second.number]
    assert views.of_customer(email=a_customer()) == []


def test_the_open_ticket_limit_counts_active_tickets_and_frees_a_slot_on_close(repo, views):
    email = a_customer()
    first = new_ticket(repo, email=email, open_limit=2)
    new_ticket(repo, email=email, open_limit=2)
    with pytest.raises(OpenLimitReached):
        new_ticket(repo, email=email, open_limit=2)
    assert len(views.of_customer(email=email)) == 2  # nothing of the refused ticket was written
    closed = changed(repo, first, status=Status.CLOSED, closed_at=T0)
    new_ticket(repo, email=email, open_limit=2)
    changed(repo, closed, status=Status.OPEN, closed_at=None)  # a reopened ticket counts again
    with pytest.raises(OpenLimitReached):
        new_ticket(repo, email=email, open_limit=3)


def test_the_open_ticket_limit_holds_under_parallel_submissions(repo, views):
    email = a_customer()

    def submit(_):
        try:
            return new_ticket(repo, email=email, open_limit=5).number
        except OpenLimitReached:
            return None

    with ThreadPoolExecutor(max_workers=20) as pool:
        accepted = [n for n in pool.map(submit, range(20)) if n]
    assert len(accepted) == 5
    assert sorted(t.number for t in views.of_customer(email=email)) == sorted(accepted)


def test_due_finds_only_tickets_whose_clock_started_before_the_cutoff(repo):
    silent = new_ticket(repo, status=Status.AWAITING_CUSTOMER, last_public_at=T0 - timedelta(days=6))
    recent = new_ticket(repo, status=Status.AWAITING_CUSTOMER, last_public_at=T0 - timedelta(days=1))
    reminded = new_ticket(repo, status=Status.AWAITING_CUSTOMER, last_public_at=T0 - timedelta(days=8),
                          reminded_at=T0 - timedelta(days=3))
    closed = new_ticket(repo, status=Status.CLOSED, closed_at=T0 - timedelta(days=40))
    cutoff = T0 - timedelta(days=5)
    assert silent.number in repo.due(TimerStage.REMIND, cutoff, 1000)
    assert recent.number not in repo.due(TimerStage.REMIND, cutoff, 1000)
    assert reminded.number in repo.due(TimerStage.CLOSE, cutoff, 1000)
    assert reminded.number not in repo.due(TimerStage.REMIND, cutoff, 1000)
    assert closed.number in repo.due(TimerStage.ARCHIVE, T0 - timedelta(days=30), 1000)
    changed(repo, closed, status=Status.ARCHIVED)
    assert closed.number not in repo.due(TimerStage.ARCHIVE, T0, 1000)


def test_hand_overs_are_kept_per_agent_and_per_group(repo, views):
    department, to_agent = f"dept-{new_id()[:6]}", f"agent-{new_id()[:6]}"
    ticket = new_ticket(repo, department)
    handover = TicketEvent(id=new_id(), ticket_number=ticket.number, type=EventType.ASSIGNED,
                           occurred_at=T0, actor=AGENT, visibility=Visibility.INTERNAL,
                           data={"from": {"department": department, "group": "desk", "agent": None},
                                 "to": {"department": department, "group": "experts", "agent": to_agent},
                                 "reason": "needs an expert", "kind": "transfer"})
    changed(repo, ticket, [handover], group="experts", assignee=replace(AGENT, id=to_agent))
    [by_agent] = views.handovers(agent=to_agent)
    assert by_agent.id == handover.id and by_agent.data["reason"] == "needs an expert"
    assert [e.id for e in views.handovers(group=(department, "desk"))] == [handover.id]
    assert [e.id for e in views.handovers(group=(department, "experts"))] == [handover.id]
    assert views.handovers(agent="somebody-else") == []


def test_the_customers_choice_of_texts_reads_back_and_is_off_by_default(repo):
    ticket = new_ticket(repo, phone="+989121234567", sms_updates=True)
    assert repo.get(ticket.number).sms_updates is True
    off = changed(repo, ticket, sms_updates=False)
    assert repo.get(ticket.number) == off and off.sms_updates is False
    assert repo.get(new_ticket(repo).number).sms_updates is False


def test_the_channel_a_ticket_came_by_reads_back_and_an_older_item_without_it_reads_as_web(repo):
    mailed = new_ticket(repo, channel="mail")
    assert repo.get(mailed.number).channel == "mail"
    assert repo.get(new_ticket(repo, channel="import").number).channel == "import"
    if isinstance(repo, InMemoryTickets):
        return
    from chalicelib.adapters.models import META, TicketItem, ticket_pk
    TicketItem.get(ticket_pk(mailed.number), META).update(actions=[TicketItem.channel.remove()])  # written before
    assert repo.get(mailed.number).channel == "web"
