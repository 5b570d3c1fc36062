"""The scheduled jobs against in-memory ports: who is reminded, closed and archived, when, and only once,
also when two runs overlap or the index lists tickets that have moved on."""
import json
from dataclasses import replace

import pytest

from chalicelib.domain.automation import SYSTEM, transcript_key
from chalicelib.domain.tickets import (
    Actor, Attachment, AuthorKind, Customer, EventType, Language, Message, Priority, Status, Ticket, TicketEvent,
    TimerStage, Visibility, message_event, new_id,
)
from chalicelib.services import automation
from tests.fakes import desk_of
from tests.fakes import FakeFiles, FixedClock, InMemoryCatalog, InMemoryTickets

AGENT = Actor(kind=AuthorKind.AGENT, id="agent.fa@example.com", name="سارا")


@pytest.fixture
def desk():
    return Desk()


class Desk:
    """A help desk with default policies (remind after 5 days, close after 7, archive 30 days after
    closing) whose conversations are written straight through the repository, as the services do."""

    def __init__(self, tickets=None, language=Language.FA):
        self.tickets, self.catalog, self.files = tickets or InMemoryTickets(), InMemoryCatalog(), FakeFiles()
        self.clock, self.language = FixedClock(), language

    def new_ticket(self, attachments=()) -> int:
        number, now = self.tickets.next_number(), self.clock.now()
        customer = Customer("مریم", f"c{number}@example.com")
        ticket = Ticket(number=number, subject="چاپگر کار نمی‌کند", department="support", category="billing",
                        priority=Priority.HIGH, language=self.language, customer=customer, status=Status.NEW,
                        created_at=now, last_activity_at=now, link_salt="salt", link_hash="hash")
        author = Actor(kind=AuthorKind.CUSTOMER, id=customer.key, name=customer.name)
        first = Message(id=new_id(), visibility=Visibility.PUBLIC, author=author, text="سلام", created_at=now,
                        attachments=tuple(attachments))
        created = TicketEvent(id=new_id(), ticket_number=number, type=EventType.TICKET_CREATED, occurred_at=now,
                              actor=author, visibility=Visibility.PUBLIC)
        self.tickets.create(ticket, [created, message_event(ticket, first)], list(attachments))
        return number

    def waiting_on_customer(self, attachments=()) -> int:
        """A ticket an agent answered just now: the customer's turn."""
        number = self.new_ticket(attachments)
        self.agent_replies(number, "لطفاً شمارهٔ سفارش را بفرستید")
        return number

    def agent_replies(self, number, text, agent=AGENT) -> Message:
        return self._write(number, agent, text, Visibility.PUBLIC, lambda t, at: t.after_agent_reply(at))

    def agent_notes(self, number, text) -> Message:
        return self._write(number, AGENT, text, Visibility.INTERNAL, lambda t, at: t)

    def customer_replies(self, number, text) -> Message:
        customer = self.tickets.get(number).customer
        author = Actor(kind=AuthorKind.CUSTOMER, id=customer.key, name=customer.name)
        window = self.catalog.policies().reply_window
        return self._write(number, author, text, Visibility.PUBLIC,
                           lambda t, at: t.after_customer_message(at, window))

    def _write(self, number, author, text, visibility, change) -> Message:
        before, now = self.tickets.get(number), self.clock.now()
        message = Message(id=new_id(), visibility=visibility, author=author, text=text, created_at=now)
        after = replace(change(before, now), version=before.version + 1)
        self.tickets.save(before, after, [message_event(after, message), *after.status_events(before, author, now)])
        return message

    def remind(self, **options):
        return automation.remind_silent(self.desk(), now=self.clock.now(), **options)

    def close(self, **options):
        return automation.close_silent(self.desk(), now=self.clock.now(), **options)

    def archive(self, **options):
        return automation.archive_closed(self.desk(), now=self.clock.now(), **options)

    def desk(self):
        return desk_of({"tickets": self.tickets, "catalog": self.catalog, "files": self.files, "clock": self.clock})

    def events(self, number, event_type):
        return [e for e in self.tickets.timeline(number) if e.type == event_type]

    def closed_by_silence(self, number):
        return [e for e in self.events(number, EventType.STATUS_CHANGED) if e.data.get("reason") == "no_reply"]


# --- reminders -----------------------------------------------------------------------------------------

def test_a_silent_customer_is_reminded_once_after_the_reminder_delay(desk):
    number = desk.waiting_on_customer()
    desk.clock.advance(days=4, hours=23)
    assert desk.remind().done == []

    desk.clock.advance(hours=2)
    assert desk.remind().done == [number]
    [reminder] = desk.events(number, EventType.REMINDED)
    assert reminder.actor == SYSTEM and reminder.visibility == Visibility.PUBLIC  # public: the customer gets mail
    ticket = desk.tickets.get(number)
    assert ticket.reminded_at == desk.clock.now() and ticket.status == Status.AWAITING_CUSTOMER
    assert ticket.timer.stage == TimerStage.CLOSE

    desk.clock.advance(hours=1)
    assert desk.remind().done == [] and len(desk.events(number, EventType.REMINDED)) == 1


def test_notes_and_other_internal_activity_do_not_keep_a_silent_ticket_alive(desk):
    number = desk.waiting_on_customer()
    desk.clock.advance(days=3)
    desk.agent_notes(number, "پیگیری شود")
    desk.clock.advance(days=2, minutes=1)
    assert desk.remind().done == [number]


def test_a_customer_reply_stops_the_clock_and_a_new_wait_gets_its_own_reminder(desk):
    number = desk.waiting_on_customer()
    desk.clock.advance(days=6)
    desk.remind()
    desk.customer_replies(number, "این هم شماره")
    desk.clock.advance(days=10)
    assert desk.close().done == [] and desk.remind().done == []  # open again: the agent's turn
    assert desk.tickets.get(number).status == Status.OPEN

    desk.agent_replies(number, "درست شد؟")
    desk.clock.advance(days=5, minutes=1)
    assert desk.remind().done == [number] and len(desk.events(number, EventType.REMINDED)) == 2


def test_tickets_waiting_on_an_agent_are_never_reminded_nor_closed(desk):
    number = desk.new_ticket()
    desk.clock.advance(days=60)
    assert desk.remind().done == desk.close().done == desk.archive().done == []
    assert desk.tickets.get(number).status == Status.NEW


# --- closing -------------------------------------------------------------------------------------------

def test_a_reminded_ticket_is_closed_once_after_the_close_delay_and_the_customer_is_told(desk):
    number = desk.waiting_on_customer()
    desk.clock.advance(days=5, minutes=1)
    desk.remind()
    desk.clock.advance(days=1, hours=23)
    assert desk.close().done == []

    desk.clock.advance(hours=1)
    assert desk.close().done == [number]
    ticket = desk.tickets.get(number)
    assert ticket.status == Status.CLOSED and ticket.closed_at == desk.clock.now()
    [closed] = desk.closed_by_silence(number)
    assert closed.actor.kind == AuthorKind.SYSTEM and closed.visibility == Visibility.PUBLIC
    assert closed.data == {"from": "awaiting_customer", "to": "closed", "reason": "no_reply"}

    assert desk.close().done == [] and len(desk.closed_by_silence(number)) == 1


def test_a_ticket_never_reminded_is_closed_too_once_silent_past_the_close_delay(desk):
    number = desk.waiting_on_customer()
    desk.clock.advance(days=7, minutes=1)  # e.g. the job was down, or the reminder delay changed
    assert desk.close().done == [number] and desk.events(number, EventType.REMINDED) == []


def test_the_delays_are_the_admins_policies(desk):
    from chalicelib.domain.policies import Policies
    desk.catalog.save_policies(Policies(reminder_after_days=1, auto_close_after_days=2))
    number = desk.waiting_on_customer()
    desk.clock.advance(days=1, minutes=1)
    assert desk.remind().done == [number]
    desk.clock.advance(days=1)
    assert desk.close().done == [number]


def test_a_customer_can_still_reopen_a_ticket_closed_for_silence_within_the_reply_window(desk):
    number = desk.waiting_on_customer()
    desk.clock.advance(days=8)
    desk.close()
    desk.clock.advance(days=6)
    desk.customer_replies(number, "هنوز مشکل دارم")
    assert desk.tickets.get(number).status == Status.OPEN


# --- archiving -----------------------------------------------------------------------------------------

def test_a_closed_ticket_is_archived_with_its_transcript_after_the_archive_delay(desk):
    invoice = Attachment(id=new_id(), filename="فاکتور.pdf", content_type="application/pdf", size=9,
                         key="attachments/invoice")
    number = desk.waiting_on_customer(attachments=[invoice])
    desk.clock.advance(days=8)
    desk.close()
    desk.clock.advance(days=29, hours=23)
    assert desk.archive().done == []

    desk.clock.advance(hours=2)
    assert desk.archive().done == [number]
    ticket = desk.tickets.get(number)
    assert ticket.status == Status.ARCHIVED and ticket.timer is None
    [archived] = desk.events(number, EventType.ARCHIVED)
    key = transcript_key(number)
    assert archived.visibility == Visibility.INTERNAL and archived.data == {"transcript": key}

    content_type, body, _ = desk.files.objects[key]
    transcript = json.loads(body)
    assert content_type.startswith("application/json")
    assert transcript["ticket"]["number"] == number and transcript["ticket"]["customer"]["name"] == "مریم"
    assert [e["type"] for e in transcript["timeline"]] == [
        "ticket.created", "ticket.message_added", "ticket.message_added", "ticket.status_changed",
        "ticket.status_changed"]
    assert transcript["attachments"] == ["attachments/invoice"]  # where it is: the transcript names it
    assert "link_salt" not in body.decode()


def test_a_reopened_ticket_is_not_archived(desk):
    number = desk.waiting_on_customer()
    desk.clock.advance(days=8)
    desk.close()
    closed = desk.tickets.get(number)
    desk.tickets.save(closed, replace(closed.moved_to(Status.OPEN, desk.clock.now()), version=closed.version + 1), [])
    desk.clock.advance(days=40)
    assert desk.archive().done == [] and desk.tickets.get(number).status == Status.OPEN


# --- overlapping runs, stale index, paging, time budget ------------------------------------------------

class RaceOnFirstSave(InMemoryTickets):
    """Another run (or a person) saves the ticket between this run's read and its write."""

    def __init__(self):
        super().__init__()
        self.other_run = None

    def save(self, before, after, events, attachments=()):
        if self.other_run:
            other, self.other_run = self.other_run, None
            other()
        super().save(before, after, events, attachments)


class RecordingFiles(FakeFiles):
    def __init__(self):
        super().__init__()
        self.documents: list[tuple[str, bytes]] = []

    def put_document(self, key, body, content_type):
        self.documents.append((key, body))
        super().put_document(key, body, content_type)


@pytest.mark.parametrize("job,days,event_of", [
    ("remind", 6, lambda desk, n: desk.events(n, EventType.REMINDED)),
    ("close", 8, lambda desk, n: desk.closed_by_silence(n)),
    ("archive", 40, lambda desk, n: desk.events(n, EventType.ARCHIVED)),
])
def test_two_interleaved_runs_change_each_ticket_once(job, days, event_of):
    desk = Desk(RaceOnFirstSave())
    desk.files = RecordingFiles()
    numbers = [desk.waiting_on_customer(), desk.waiting_on_customer()]
    if job == "archive":
        desk.clock.advance(days=8)
        desk.close()
        desk.files.documents.clear()
    desk.clock.advance(days=days)
    # The other run starts and finishes between this run's read of the first ticket and its write.
    other_results = []
    desk.tickets.other_run = lambda: other_results.append(getattr(desk, job)())

    result = getattr(desk, job)()

    [other] = other_results
    assert other.done == numbers and result.done == []
    assert result.skipped == numbers  # lost the race on the first, found the second no longer due
    for number in numbers:
        assert len(event_of(desk, number)) == 1
    if job == "archive":  # both runs wrote the first transcript: the same document
        first_key = transcript_key(numbers[0])
        written = [body for key, body in desk.files.documents if key == first_key]
        assert len(written) == 2 and written[0] == written[1]


def test_running_every_job_twice_changes_nothing_more(desk):
    numbers = [desk.waiting_on_customer() for _ in range(3)]
    desk.clock.advance(days=6)
    for run in (desk.remind, desk.remind):
        run()
    desk.clock.advance(days=2)
    for run in (desk.close, desk.remind, desk.close):
        run()
    desk.clock.advance(days=31)
    desk.archive()
    desk.archive()
    for number in numbers:
        types = [e.type for e in desk.tickets.timeline(number)]
        assert types.count(EventType.REMINDED) == 1 and types.count(EventType.ARCHIVED) == 1
        assert len(desk.closed_by_silence(number)) == 1


class LaggingIndex(InMemoryTickets):
    """An eventually consistent index: still lists tickets whose change it has not caught up with."""

    def __init__(self):
        super().__init__()
        self.listed: list[int] = []

    def due(self, stage, started_before, limit):
        return self.listed[:limit]


def test_a_ticket_listed_by_a_lagging_index_is_decided_again_on_a_fresh_read():
    desk = Desk(LaggingIndex())
    number = desk.waiting_on_customer()
    desk.clock.advance(days=6)
    desk.remind()  # nothing listed yet: the index lags
    desk.tickets.listed = [number]
    assert desk.remind().done == [number]
    assert desk.remind().skipped == [number]  # still listed, but already reminded
    assert len(desk.events(number, EventType.REMINDED)) == 1


def test_a_full_batch_of_tickets_that_cannot_be_changed_ends_the_run():
    desk = Desk(LaggingIndex())
    desk.tickets.listed = [desk.waiting_on_customer() for _ in range(automation.BATCH)]
    desk.clock.advance(days=1)  # none is due in fact
    result = desk.remind()
    assert result.done == [] and len(result.skipped) == automation.BATCH


def test_due_tickets_are_taken_in_batches_until_none_is_left(desk):
    numbers = [desk.waiting_on_customer() for _ in range(automation.BATCH * 2 + 5)]
    desk.clock.advance(days=6)
    assert sorted(desk.remind().done) == numbers


def test_a_run_out_of_time_stops_and_the_next_run_goes_on(desk):
    numbers = [desk.waiting_on_customer() for _ in range(5)]
    desk.clock.advance(days=6)
    budget = iter([True, True, False])
    assert desk.remind(has_time=lambda: next(budget)).done == numbers[:2]
    assert desk.remind().done == numbers[2:]
