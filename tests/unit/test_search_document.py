"""The search document of a ticket (pure): what agents and customers can find it by, and what a customer never
can (internal notes and internal attachments live in their own field)."""
from datetime import datetime, timezone

import pytest

from chalicelib.domain.catalog import Category, Department
from chalicelib.domain.tickets import (
    Actor, Attachment, AuthorKind, Customer, EventType, Language, Message, Priority, Status, Ticket, TicketEvent,
    Visibility,
)
from chalicelib.errors import Invalid
from chalicelib.views.search.document import NO_DUE, build
from chalicelib.views.search.query import Sort, parse_request

AT = datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)
AGENT = Actor(AuthorKind.AGENT, "sara@example.com", "Sara")
CUSTOMER = Actor(AuthorKind.CUSTOMER, "c", "مریم")


def attachment(name: str, visibility=Visibility.PUBLIC) -> Attachment:
    return Attachment(id=name, filename=name, content_type="application/pdf", size=1, key=f"k/{name}",
                      visibility=visibility)


def event(n: int, text: str, visibility: Visibility, author: Actor, attachments=()) -> TicketEvent:
    message = Message(id=f"m{n}", visibility=visibility, author=author, text=text, created_at=AT,
                      attachments=tuple(attachments))
    return TicketEvent(id=f"e{n}", ticket_number=1001, type=EventType.MESSAGE_ADDED, occurred_at=AT, actor=author,
                       visibility=visibility, message=message)


def ticket(**changes) -> Ticket:
    values = dict(number=1001, subject="چاپگر روشن نمی‌شود", department="support", category="hardware",
                  priority=Priority.HIGH, language=Language.FA,
                  customer=Customer(name="مریم", email="Maryam@Example.com", phone="+989121234567"),
                  status=Status.OPEN, created_at=AT, last_activity_at=AT, link_salt="s", link_hash="h",
                  assignee=AGENT, confirmed=False)
    values.update(changes)
    return Ticket(**values)


SUPPORT = Department(id="support", names={"en": "Support", "fa": "پشتیبانی"},
                     categories=(Category(id="hardware", names={"en": "Hardware", "fa": "سخت‌افزار"}),
                                 Category(id="billing", names={"en": "Billing"})))


def test_public_and_internal_texts_and_files_are_kept_apart():
    timeline = [event(1, "سلام، چاپگر خاموش است", Visibility.PUBLIC, CUSTOMER, [attachment("عکس.png")]),
                event(2, "vip, check the contract", Visibility.INTERNAL, AGENT, [attachment("contract.pdf",
                                                                                            Visibility.INTERNAL)]),
                event(3, "لطفاً دوباره امتحان کنید", Visibility.PUBLIC, AGENT)]
    doc = build(ticket(), timeline, SUPPORT)
    assert doc.public == ("سلام، چاپگر خاموش است", "لطفاً دوباره امتحان کنید")
    assert doc.internal == ("vip, check the contract", "contract.pdf")
    assert doc.files == ("عکس.png",) and doc.has_attachment
    assert set(doc.labels) == {"Support", "پشتیبانی", "Hardware", "سخت‌افزار"}  # not the other category's names


def test_filters_sorts_and_the_shard_come_from_the_ticket():
    doc = build(ticket(), [], None)
    assert (doc.shard, doc.status, doc.priority, doc.assignee, doc.assignee_name) == (
        "2026-11", "open", "high", "sara@example.com", "Sara")
    assert doc.customer == "maryam@example.com" and doc.customer_phone == "+989121234567"
    assert doc.unconfirmed and not doc.has_attachment and doc.sla_due == NO_DUE and doc.labels == ()
    assert doc.created == int(AT.timestamp())
    assert build(ticket(assignee=None), [], None).assignee == ""


def test_the_query_string_is_read_with_every_bad_parameter_named_at_once():
    request = parse_request({"q": "x", "status": "open,closed", "assignee": "me", "sort": "sla",
                             "created_from": "2026-11-01", "created_to": "2026-11-30", "has_attachment": "true"},
                            me="sara@example.com")
    assert request.filters.status == {"open", "closed"} and request.filters.assignee == "sara@example.com"
    assert request.sort == Sort.SLA and request.filters.has_attachment is True
    low, high = request.filters.created
    assert high - low == 30 * 86400 - 1 + 0  # from the first day's start to the last day's end
    assert parse_request({"assignee": "unassigned"}).filters.assignee == ""
    with pytest.raises(Invalid) as caught:
        parse_request({"status": "asleep", "priority": "now", "sort": "x", "created_from": "2026-12-02",
                       "created_to": "2026-12-01", "limit": "1000"})
    assert caught.value.fields == {"status": "invalid", "priority": "invalid", "sort": "invalid",
                                   "created_to": "before_from", "limit": "invalid"}
