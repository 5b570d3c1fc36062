"""Ticket use cases against in-memory ports."""
import pytest

from chalicelib.domain.attachments import Limits
from chalicelib.domain.sign_in import CustomerAccess
from chalicelib.domain.tickets import Actor, AuthorKind, EventType, Status, Visibility
from chalicelib.errors import Conflict, Invalid, NotFound
from chalicelib.services import tickets as service
from chalicelib.services import uploads
from chalicelib.services.retry import SAVE_ATTEMPTS
from tests.fakes import desk_of
from tests.fakes import open_ticket as fake_open_ticket
from tests.fakes import PDF, PNG, FakeAgents, FakeFiles, FakeSecrets, FixedClock, InMemoryCatalog, InMemoryTickets

LIMITS = Limits(max_file_bytes=1000, max_message_bytes=1500, max_files=3)
AGENT = Actor(kind=AuthorKind.AGENT, id="sub-1", name="agent.fa@example.com")


@pytest.fixture
def ports():
    return {"tickets": InMemoryTickets(), "catalog": InMemoryCatalog(), "agents": FakeAgents(), "files": FakeFiles(),
            "secrets": FakeSecrets(), "clock": FixedClock(), "limits": LIMITS}


def form(**overrides):
    values = {"subject": "چاپگر کار نمی‌کند", "department": "support", "category": "billing",
              "priority": "high", "text": "سلام، چاپگر دفتر روشن نمی‌شود.", "language": "fa",
              "customer_name": "مریم", "customer_email": "maryam@example.com", "attachments": []}
    return {**values, **overrides}


def open_ticket(ports, **overrides):
    return fake_open_ticket(**ports, site_url="https://help.example/customer/", **form(**overrides))


def reply_as_customer(ports, opened, text="ممنون", attachments=()):
    return service.customer_reply(desk_of(ports), number=opened.number,
                                  access=CustomerAccess(key=opened.access_key), text=text,
                                  attachments=list(attachments))


def reply_as_agent(ports, number, text="بررسی کردیم", attachments=()):
    return service.agent_reply(tickets=ports["tickets"], files=ports["files"], clock=ports["clock"], limits=LIMITS,
                               number=number, agent=AGENT, text=text, attachments=list(attachments))


def test_opening_a_ticket_numbers_it_and_records_ticket_and_first_message(ports):
    ports["files"].put_upload("a" * 32, "application/pdf", PDF, "رسید.pdf")
    opened = open_ticket(ports, attachments=["a" * 32])

    assert opened.number == 1001 and opened.link.endswith(f"#/t/1001/{opened.access_key}")
    ticket = ports["tickets"].get(1001)
    assert ticket.status == Status.NEW and ticket.link_hash != opened.access_key
    created, first, placed = ports["tickets"].timeline(1001)  # one transaction: the ticket is never unplaced
    assert created.type == EventType.TICKET_CREATED and first.type == EventType.MESSAGE_ADDED
    assert placed.type == EventType.ASSIGNED and ticket.group == "desk" and ticket.assignee is not None
    [attachment] = first.message.attachments
    assert attachment.filename == "رسید.pdf" and attachment.key.startswith("attachments/")
    assert attachment.key in ports["files"].objects  # kept out of the expiring uploads/ area


@pytest.mark.parametrize("overrides,field,code", [
    ({"subject": "   "}, "subject", "required"),
    ({"text": ""}, "text", "required"),
    ({"priority": "asap"}, "priority", "invalid"),
    ({"language": "de"}, "language", "invalid"),
    ({"customer_email": "not-an-email"}, "customer.email", "invalid"),
    ({"department": "sales"}, "department", "unknown"),
    ({"category": "hardware"}, "category", "unknown"),
    ({"attachments": ["f" * 32]}, "attachments.0", "not_uploaded"),
    ({"attachments": ["../../etc"]}, "attachments.0", "not_uploaded"),
])
def test_bad_input_is_refused_by_field_and_nothing_is_written(ports, overrides, field, code):
    with pytest.raises(Invalid) as refused:
        open_ticket(ports, **overrides)
    assert refused.value.fields == {field: code}
    assert ports["tickets"].tickets == {} and ports["tickets"].counter == 1000


def test_an_upload_whose_bytes_are_not_its_type_is_refused_and_nothing_kept(ports):
    ports["files"].put_upload("a" * 32, "application/pdf", PDF)
    ports["files"].put_upload("b" * 32, "image/png", b"<svg onload=alert(1)>")
    with pytest.raises(Invalid) as refused:
        open_ticket(ports, attachments=["a" * 32, "b" * 32])
    assert refused.value.fields == {"attachments.1": "type_mismatch"}
    assert not [k for k in ports["files"].objects if k.startswith("attachments/")]


def test_attachments_over_the_message_total_are_refused(ports):
    ports["files"].put_upload("a" * 32, "application/pdf", PDF + b"0" * 800)
    ports["files"].put_upload("b" * 32, "image/png", PNG + b"0" * 800)
    with pytest.raises(Invalid) as refused:
        open_ticket(ports, attachments=["a" * 32, "b" * 32])
    assert refused.value.fields == {"attachments": "too_large"}


def test_an_oversized_upload_is_refused_even_if_s3_accepted_it(ports):
    ports["files"].put_upload("a" * 32, "application/pdf", PDF + b"0" * 2000)
    with pytest.raises(Invalid) as refused:
        open_ticket(ports, attachments=["a" * 32])
    assert refused.value.fields == {"attachments.0": "too_large"}


def test_start_upload_presigns_with_the_limit_and_a_clean_name(ports):
    grant = uploads.start_upload(ports["files"], LIMITS, filename="../رسید.pdf", content_type="application/pdf",
                                 size=500)
    [presigned] = ports["files"].presigned
    assert presigned == {"key": f"uploads/{grant.upload_id}", "content_type": "application/pdf",
                         "max_bytes": 1000, "filename": "رسید.pdf"}
    assert len(grant.upload_id) == 32


def test_customer_sees_public_messages_only(ports):
    opened = open_ticket(ports)
    service.add_note(tickets=ports["tickets"], clock=ports["clock"], number=opened.number, agent=AGENT,
                     text="internal: VIP customer")
    reply_as_agent(ports, opened.number)

    customer_view = service.view_as_customer(desk_of(ports), number=opened.number, access=CustomerAccess(key=opened.access_key))
    assert [m.visibility for m in customer_view.messages] == [Visibility.PUBLIC, Visibility.PUBLIC]
    assert all("VIP" not in m.text for m in customer_view.messages)
    everything = [e.message for e in ports["tickets"].timeline(opened.number) if e.message]
    assert [m.visibility for m in everything] == [Visibility.PUBLIC, Visibility.INTERNAL, Visibility.PUBLIC]


def test_a_key_opens_only_its_own_ticket(ports):
    first = open_ticket(ports)
    second = open_ticket(ports, customer_email="other@example.com")
    for number, key in [(second.number, first.access_key), (first.number, ""), (first.number, "x" * 43),
                        (9999, first.access_key)]:
        with pytest.raises(NotFound):
            service.view_as_customer(desk_of(ports), number=number, access=CustomerAccess(key=key))


def test_reply_round_trip_moves_status_and_records_it(ports):
    opened = open_ticket(ports)
    reply_as_agent(ports, opened.number)
    assert ports["tickets"].get(opened.number).status == Status.AWAITING_CUSTOMER
    ports["clock"].advance(hours=1)
    reply_as_customer(ports, opened)
    ticket = ports["tickets"].get(opened.number)
    assert ticket.status == Status.OPEN and ticket.last_activity_at == ports["clock"].now()
    changes = [e.data for e in ports["tickets"].timeline(opened.number) if e.type == EventType.STATUS_CHANGED]
    assert changes == [{"from": "new", "to": "awaiting_customer"}, {"from": "awaiting_customer", "to": "open"}]


def test_an_internal_note_changes_neither_status_nor_last_activity(ports):
    opened = open_ticket(ports)
    before = ports["tickets"].get(opened.number)
    ports["clock"].advance(days=2)
    service.add_note(tickets=ports["tickets"], clock=ports["clock"], number=opened.number, agent=AGENT, text="n")
    after = ports["tickets"].get(opened.number)
    assert (after.status, after.last_activity_at) == (before.status, before.last_activity_at)


def test_a_reply_that_loses_a_race_is_retried_on_the_fresh_ticket(ports):
    opened = open_ticket(ports)
    ports["tickets"].fail_next_saves = 2
    reply_as_agent(ports, opened.number)
    messages = [e.message for e in ports["tickets"].timeline(opened.number) if e.message]
    assert len(messages) == 2  # one reply, not one per attempt


def test_a_reply_that_keeps_losing_gives_a_clear_conflict(ports):
    opened = open_ticket(ports)
    written = len(ports["tickets"].timeline(opened.number))
    ports["tickets"].fail_next_saves = SAVE_ATTEMPTS
    with pytest.raises(Conflict):
        reply_as_agent(ports, opened.number)
    assert len(ports["tickets"].timeline(opened.number)) == written


def test_customer_downloads_only_public_attachments_of_their_ticket(ports):
    ports["files"].put_upload("a" * 32, "image/png", PNG)
    opened = open_ticket(ports, attachments=["a" * 32])
    other = open_ticket(ports, customer_email="other@example.com")
    [attachment] = ports["tickets"].timeline(opened.number)[1].message.attachments
    url, _ = service.attachment_for_customer(desk_of(ports), number=opened.number,
                                             access=CustomerAccess(key=opened.access_key),
                                             attachment_id=attachment.id)
    assert attachment.key in url
    with pytest.raises(NotFound):
        service.attachment_for_customer(desk_of(ports), number=other.number,
                                        access=CustomerAccess(key=other.access_key), attachment_id=attachment.id)
