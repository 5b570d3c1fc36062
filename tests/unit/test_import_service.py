"""Importing tickets from another desk (services/imports.py, domain/imports.py) against in-memory ports."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.attachments import Limits
from chalicelib.domain.events import to_document
from chalicelib.domain.tickets import AuthorKind, EventType, Priority, Status, TimerStage, Visibility
from chalicelib.errors import Invalid
from chalicelib.services import automation, imports, sla
from chalicelib.services.alerts import alerts_for_event
from chalicelib.services.notifications import mail_for_event
from chalicelib.services.ports import AttachmentSource, FetchFailed
from tests.fakes import alert_desk
from tests.fakes import desk_of
from tests.fakes import (
    PDF, PNG, FakeAgents, FakeFiles, FakeSecrets, FixedClock, InMemoryCatalog, InMemoryTickets,
)

LIMITS = Limits(max_file_bytes=1000, max_message_bytes=1500, max_files=3)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
THREE_MONTHS_AGO = NOW - timedelta(days=90)


class Files(AttachmentSource):
    def __init__(self, files: dict[str, tuple[bytes, str | None]]):
        self.files = files

    def fetch(self, ref, max_bytes):
        if ref not in self.files:
            raise FetchFailed("not_found")
        data, content_type = self.files[ref]
        return data[:max_bytes + 1], content_type


@pytest.fixture
def ports():
    catalog = InMemoryCatalog()
    return {"tickets": InMemoryTickets(), "catalog": catalog, "files": FakeFiles(), "secrets": FakeSecrets(),
            "clock": FixedClock(NOW)}


def at(days: float, hours: float = 0) -> str:
    return (THREE_MONTHS_AGO + timedelta(days=days, hours=hours)).isoformat()


def record(**overrides) -> dict:
    values = {
        "source": "zendesk", "external_id": "4711", "subject": "چاپگر کار نمی‌کند", "status": "closed",
        "priority": "high", "department": "support", "category": "billing", "language": "fa",
        "created_at": at(0), "closed_at": at(2),
        "customer": {"name": "مریم", "email": "Maryam@example.com", "phone": "+989121234567"},
        "assignee": {"email": "agent.fa", "name": "سارا"},
        "messages": [
            {"kind": "customer", "text": "سلام، چاپگر روشن نمی‌شود.", "created_at": at(0)},
            {"kind": "note", "author": {"email": "agent.fa", "name": "سارا"}, "text": "@agent.he نگاه کن",
             "created_at": at(0, 1)},
            {"kind": "reply", "author": {"email": "agent.fa", "name": "سارا"}, "text": "کابل را عوض کنید.",
             "created_at": at(0, 2)},
            {"kind": "customer", "text": "درست شد، ممنون.", "created_at": at(1)},
        ],
    }
    return {**values, **overrides}


def run(ports, doc, source=None):
    return imports.import_ticket(doc, tickets=ports["tickets"], files=ports["files"], source=source or Files({}),
                                 secrets=ports["secrets"], clock=ports["clock"], limits=LIMITS,
                                 settings=imports.ImportSettings.read(ports["catalog"]))


def test_a_closed_ticket_keeps_its_history_with_the_times_it_had():
    ports = {"tickets": InMemoryTickets(), "catalog": InMemoryCatalog(), "files": FakeFiles(),
             "secrets": FakeSecrets(), "clock": FixedClock(NOW)}
    outcome = run(ports, record())
    assert outcome.result == imports.Result.IMPORTED
    ticket = ports["tickets"].get(outcome.number)
    assert ticket.status == Status.CLOSED and ticket.closed_at == THREE_MONTHS_AGO + timedelta(days=2)
    assert ticket.created_at == THREE_MONTHS_AGO and ticket.last_public_at == THREE_MONTHS_AGO + timedelta(days=1)
    assert ticket.customer.email == "Maryam@example.com" and ticket.customer.phone == "+989121234567"
    assert ticket.assignee.id == "agent.fa" and ticket.group == "desk" and ticket.version == 1
    timeline = ports["tickets"].timeline(outcome.number)
    messages = [e.message for e in timeline if e.message]
    assert [(m.author.kind, m.visibility, m.created_at) for m in messages] == [
        (AuthorKind.CUSTOMER, Visibility.PUBLIC, THREE_MONTHS_AGO),
        (AuthorKind.AGENT, Visibility.INTERNAL, THREE_MONTHS_AGO + timedelta(hours=1)),
        (AuthorKind.AGENT, Visibility.PUBLIC, THREE_MONTHS_AGO + timedelta(hours=2)),
        (AuthorKind.CUSTOMER, Visibility.PUBLIC, THREE_MONTHS_AGO + timedelta(days=1))]
    assert messages[2].author.name == "سارا"
    statuses = [(e.data["to"], e.occurred_at) for e in timeline if e.type == EventType.STATUS_CHANGED]
    assert statuses[-1] == ("closed", THREE_MONTHS_AGO + timedelta(days=2))
    assert all(e.data.get("imported") for e in timeline)
    assert timeline[0].type == EventType.TICKET_CREATED and timeline[0].data["external_id"] == "4711"
    # The first response came two hours in, within the high-priority target: no breach was recorded.
    assert not [e for e in timeline if e.type == EventType.SLA_BREACHED and e.data["target"] == "first_response"]


def test_a_ticket_closed_three_months_ago_is_not_reclosed_reminded_or_escalated_today(ports):
    number = run(ports, record()).number
    tickets, catalog = ports["tickets"], ports["catalog"]
    before = list(tickets.timeline(number))
    assert automation.remind_silent(desk_of({"tickets": tickets, "catalog": catalog}), now=NOW).done == []
    assert automation.close_silent(desk_of({"tickets": tickets, "catalog": catalog}), now=NOW).done == []
    assert sla.sweep(desk_of({"tickets": tickets, "catalog": catalog}), now=NOW).done == []
    assert tickets.timeline(number) == before
    assert tickets.get(number).timer.stage == TimerStage.ARCHIVE  # filed away by the archive job, as if it lived here


def test_a_silent_ticket_is_reminded_and_closed_in_the_past_when_it_would_have_been(ports):
    doc = record(status="awaiting_customer", closed_at=None, messages=record()["messages"][:3])
    number = run(ports, doc).number
    ticket = ports["tickets"].get(number)
    last_reply = THREE_MONTHS_AGO + timedelta(hours=2)
    policies = ports["catalog"].policies()
    assert ticket.status == Status.CLOSED
    assert ticket.reminded_at == last_reply + policies.reminder_after
    assert ticket.closed_at == last_reply + policies.auto_close_after
    timeline = ports["tickets"].timeline(number)
    reminded = [e for e in timeline if e.type == EventType.REMINDED]
    closed = [e for e in timeline if e.type == EventType.STATUS_CHANGED and e.data.get("reason") == "no_reply"]
    assert len(reminded) == 1 and len(closed) == 1 and all(e.data["imported"] for e in reminded + closed)
    assert automation.close_silent(desk_of(ports), now=NOW).done == []


def test_a_past_sla_breach_is_history_not_an_escalation(ports):
    # Opened three months ago, never answered, still open: both targets were missed back then.
    doc = record(status="open", closed_at=None, assignee=None, messages=record()["messages"][:1])
    number = run(ports, doc).number
    ticket = ports["tickets"].get(number)
    breaches = [e for e in ports["tickets"].timeline(number) if e.type == EventType.SLA_BREACHED]
    assert sorted(e.data["target"] for e in breaches) == ["first_response", "resolution"]
    assert all(e.occurred_at < NOW - timedelta(days=80) and e.data["historical"] for e in breaches)
    assert ticket.effective_priority == Priority.HIGH and ticket.agent_priority is None  # not raised
    assert ticket.assignee is None and ticket.status == Status.OPEN
    assert ticket.sla.next_checkpoint is None  # nothing left for the sweep
    assert sla.sweep(desk_of(ports, agents=FakeAgents()), now=NOW).done == []


def test_no_mail_or_sms_goes_out_for_any_imported_event(ports):
    doc = record(status="awaiting_customer", closed_at=None, priority="urgent", messages=record()["messages"][:3])
    number = run(ports, doc).number
    ticket = ports["tickets"].get(number)
    timeline = ports["tickets"].timeline(number)
    kinds = {e.type for e in timeline}
    assert {EventType.TICKET_CREATED, EventType.ASSIGNED, EventType.MESSAGE_ADDED, EventType.REMINDED,
            EventType.STATUS_CHANGED} <= kinds
    for event in timeline:
        doc = to_document(event, ticket)
        assert mail_for_event(doc, secrets=FakeSecrets(), site_url="https://help.example/") is None
        assert alerts_for_event(doc, alert_desk({"catalog": ports["catalog"]}), now=NOW) == []


def test_the_same_live_event_still_mails_the_customer(ports):
    """The check above can fail: without the `imported` mark the agent's reply mails the customer."""
    number = run(ports, record()).number
    ticket = ports["tickets"].get(number)
    reply = next(e for e in ports["tickets"].timeline(number) if e.message and e.message.author.kind == "agent"
                 and e.message.visibility == Visibility.PUBLIC)
    doc = to_document(reply, ticket)
    doc["data"].pop("imported")
    assert mail_for_event(doc, secrets=FakeSecrets(), site_url="https://help.example/") is not None


def test_a_rerun_skips_what_was_imported(ports):
    first = run(ports, record())
    again = run(ports, record(subject="another subject"))
    assert again.result == imports.Result.SKIPPED and again.number == first.number
    assert len(ports["tickets"].tickets) == 1
    other_source = run(ports, record(source="osticket"))
    assert other_source.result == imports.Result.IMPORTED and other_source.number != first.number


def test_a_bad_record_names_every_bad_field_and_writes_nothing(ports):
    doc = record(customer={"name": "", "email": "not-an-address"}, status="pending", department="nowhere",
                 messages=[{"kind": "reply", "text": " ", "created_at": "yesterday"},
                           {"kind": "customer", "text": "ok", "created_at": at(-1)},
                           {"kind": "customer", "text": "ok", "created_at": (NOW + timedelta(days=1)).isoformat()}])
    with pytest.raises(Invalid) as raised:
        run(ports, doc)
    assert raised.value.fields == {
        "customer.name": "required", "customer.email": "invalid", "status": "invalid", "department": "unknown",
        "messages.0.text": "required", "messages.0.created_at": "invalid", "messages.0.author.email": "required",
        "messages.1.created_at": "before_created_at", "messages.2.created_at": "in_future"}
    assert ports["tickets"].tickets == {} and ports["tickets"].counter == 1000


@pytest.mark.parametrize("doc, field", [
    ({"external_id": ""}, "external_id"), ({"source": None}, "source"), ({"messages": []}, "messages"),
    ({"created_at": "2026-02-30T10:00:00Z"}, "created_at"), ({"language": "de"}, "language"),
    ({"category": "quote"}, "category"), ({"priority": "asap"}, "priority"),
])
def test_each_required_field_is_checked(ports, doc, field):
    with pytest.raises(Invalid) as raised:
        run(ports, record(**doc))
    assert field in raised.value.fields


def test_files_are_checked_like_form_attachments_and_refused_ones_are_named_on_the_message(ports):
    files = Files({"/exports/invoice.pdf": (PDF, None), "https://x.example/a.png": (PNG, "image/png"),
                   "/exports/big.pdf": (PDF + b"0" * 2000, "application/pdf"),
                   "/exports/run.exe": (b"MZ\x90\x00", "application/octet-stream"),
                   "/exports/fake.png": (b"not a png at all", "image/png")})
    messages = record()["messages"]
    messages[0] = {**messages[0], "attachments": [
        {"path": "/exports/invoice.pdf"}, {"url": "https://x.example/a.png", "filename": "عکس.png"},
        {"path": "/exports/big.pdf"}, {"path": "/exports/run.exe"}, {"path": "/exports/fake.png"},
        {"path": "/exports/missing.pdf"}]}
    outcome = run(ports, record(messages=messages), source=files)
    first = next(e.message for e in ports["tickets"].timeline(outcome.number) if e.message)
    assert [(a.filename, a.content_type) for a in first.attachments] == [
        ("invoice.pdf", "application/pdf"), ("عکس.png", "image/png")]
    assert {(r.filename, r.reason) for r in outcome.refused_files} == {
        ("big.pdf", "too_large"), ("run.exe", "not_allowed"), ("fake.png", "type_mismatch"),
        ("missing.pdf", "not_found")}
    for name in ("big.pdf", "run.exe", "fake.png", "missing.pdf"):
        assert name in first.text
    assert first.text.startswith("سلام، چاپگر روشن نمی‌شود.") and "وارد نشد" in first.text
    stored = {a.key for a in first.attachments}
    assert stored == set(ports["files"].objects)
    assert ports["tickets"].attachment(outcome.number, first.attachments[0].id) == first.attachments[0]


def test_a_history_too_long_for_one_write_is_refused_whole_with_its_files_removed(ports):
    ports["tickets"].max_items = 6
    messages = record()["messages"]
    messages[0] = {**messages[0], "attachments": [{"path": "/exports/invoice.pdf"}]}
    with pytest.raises(Invalid) as raised:
        run(ports, record(messages=messages), source=Files({"/exports/invoice.pdf": (PDF, None)}))
    assert raised.value.fields == {"messages": "too_many"}
    assert ports["tickets"].tickets == {} and ports["files"].objects == {}


def test_a_ticket_resolved_there_long_ago_is_closed_for_silence_when_it_would_have_been_here(ports):
    number = run(ports, record(status="resolved", closed_at=at(3))).number
    ticket = ports["tickets"].get(number)
    last_public = THREE_MONTHS_AGO + timedelta(days=1)  # the customer's thanks: the live jobs' clock
    assert ticket.status == Status.CLOSED
    assert ticket.closed_at == last_public + ports["catalog"].policies().auto_close_after
    statuses = [e.data["to"] for e in ports["tickets"].timeline(number) if e.type == EventType.STATUS_CHANGED]
    assert statuses[-2:] == ["resolved", "closed"]


def test_a_recent_resolved_ticket_keeps_its_status_and_waits_for_the_live_jobs(ports):
    ports["clock"].current = THREE_MONTHS_AGO + timedelta(days=3, hours=1)
    number = run(ports, record(status="resolved", closed_at=at(3))).number
    ticket = ports["tickets"].get(number)
    assert ticket.status == Status.RESOLVED and ticket.reminded_at is None
    assert ticket.timer.stage == TimerStage.REMIND


def test_an_open_ticket_with_a_future_checkpoint_stays_in_the_sweep(ports):
    ports["clock"].current = THREE_MONTHS_AGO + timedelta(minutes=30)
    doc = record(status="open", closed_at=None, messages=record()["messages"][:1])
    number = run(ports, doc).number
    ticket = ports["tickets"].get(number)
    assert ticket.sla.next_checkpoint > ports["clock"].now()
    assert [e.type for e in ports["tickets"].timeline(number) if e.type.startswith("ticket.sla")] == []


@pytest.mark.parametrize("given, channel", [(None, "import"), ("", "import"), ("mail", "mail"), ("Web", "web")])
def test_an_imported_ticket_keeps_the_channel_the_record_names_or_else_import(ports, given, channel):
    doc = record() if given is None else record(channel=given)
    number = run(ports, doc).number
    assert ports["tickets"].get(number).channel == channel
    assert {to_document(e, ports["tickets"].get(number))["ticket"]["channel"]
            for e in ports["tickets"].timeline(number)} == {channel}


@pytest.mark.parametrize("given", ["fax", 3, ["mail"]])
def test_a_channel_the_desk_does_not_know_is_a_field_error(ports, given):
    with pytest.raises(Invalid) as raised:
        run(ports, record(channel=given))
    assert raised.value.fields == {"channel": "invalid"} and ports["tickets"].tickets == {}
