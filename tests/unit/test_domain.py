"""Pure domain rules: transitions, attachments, links, mail, event documents."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import attachments as rules
from chalicelib.domain import links, mail
from chalicelib.domain.events import from_document, to_document
from chalicelib.domain.tickets import (
    TRANSITIONS, Actor, Attachment, AuthorKind, Customer, Language, Message, Priority, Status, Ticket,
    Visibility, clean_subject, message_event,
)
from chalicelib.errors import Conflict, Invalid

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
WINDOW = timedelta(days=7)
LIMITS = rules.Limits(max_file_bytes=10 * 2**20, max_message_bytes=25 * 2**20, max_files=10)


def a_ticket(status=Status.NEW) -> Ticket:
    return Ticket(number=1001, subject="چاپگر کار نمی‌کند", department="support", category="billing",
                  priority=Priority.NORMAL, language=Language.FA, customer=Customer("مریم", "maryam@example.com"),
                  status=status, created_at=NOW, last_activity_at=NOW, link_salt="ab" * 16, link_hash="x")


# The whole table, row by row: what each status may become (anything not listed is refused).
EXPECTED = {
    Status.NEW: "open awaiting_customer needs_info on_hold resolved closed",
    Status.OPEN: "awaiting_customer needs_info on_hold resolved closed",
    Status.AWAITING_CUSTOMER: "open needs_info on_hold resolved closed",
    Status.NEEDS_INFO: "open awaiting_customer on_hold resolved closed",
    Status.ON_HOLD: "open awaiting_customer resolved closed",
    Status.RESOLVED: "open closed",
    Status.CLOSED: "open archived",
    Status.ARCHIVED: "",
}


@pytest.mark.parametrize("start", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_transition_table(start, target):
    assert (target in TRANSITIONS[start]) is (target.value in EXPECTED[start].split())


def test_every_status_has_a_row_in_the_transition_table():
    assert set(TRANSITIONS) == set(Status) == set(EXPECTED)


@pytest.mark.parametrize("start,after", [
    (Status.NEW, Status.NEW), (Status.OPEN, Status.OPEN), (Status.ON_HOLD, Status.ON_HOLD),
    (Status.AWAITING_CUSTOMER, Status.OPEN), (Status.NEEDS_INFO, Status.OPEN), (Status.RESOLVED, Status.OPEN),
    (Status.CLOSED, Status.OPEN),
])
def test_a_customer_reply_puts_waiting_tickets_back_in_front_of_an_agent(start, after):
    assert a_ticket(start).after_customer_message(NOW, WINDOW).status == after


def test_an_archived_ticket_takes_no_reply():
    with pytest.raises(Conflict):
        a_ticket(Status.ARCHIVED).after_customer_message(NOW, WINDOW)


def test_agent_reply_waits_for_the_customer_and_customer_reply_reopens():
    waiting = a_ticket(Status.OPEN).after_agent_reply(NOW)
    assert waiting.status == Status.AWAITING_CUSTOMER
    assert waiting.after_customer_message(NOW, WINDOW).status == Status.OPEN


def test_agent_cannot_reply_on_a_closed_ticket_without_reopening():
    with pytest.raises(Conflict):
        a_ticket(Status.CLOSED).after_agent_reply(NOW)


def test_status_change_is_recorded_once_and_no_change_records_nothing():
    before = a_ticket(Status.OPEN)
    after = before.after_agent_reply(NOW)
    actor = Actor(AuthorKind.AGENT, "a1", "agent")
    [event] = after.status_events(before, actor, NOW)
    assert event.data == {"from": "open", "to": "awaiting_customer"} and event.visibility == Visibility.INTERNAL
    assert before.status_events(before, actor, NOW) == []


@pytest.mark.parametrize("email", ["", "no-at-sign", "a@b", "two@@example.com", "sp ace@example.com"])
def test_bad_customer_email_is_refused_with_its_field(email):
    with pytest.raises(Invalid) as refused:
        Customer.parse("Dana", email)
    assert set(refused.value.fields) == {"customer.email"}


def test_subject_is_one_line_and_bounded():
    assert clean_subject("  hello\r\nBcc: x@y.z ") == "hello Bcc: x@y.z"
    with pytest.raises(Invalid):
        clean_subject("x" * 201)


@pytest.mark.parametrize("raw,clean", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\رسید.pdf", "رسید.pdf"),
    ("קבלה.pdf", "קבלה.pdf"),
    ("می\u200cخواهم.png", "می\u200cخواهم.png"),  # ZWNJ is part of a Persian word, not a control to drop
    ("bad\x00name\x1f.txt", "badname.txt"),
    ("...", "file"),
    ('a<b>c:"d|e?.pdf', "a_b_c__d_e_.pdf"),
])
def test_filenames_are_sanitized_but_stay_readable(raw, clean):
    assert rules.sanitize_filename(raw) == clean


def test_long_filename_keeps_its_extension():
    name = rules.sanitize_filename("ف" * 300 + ".pdf")
    assert len(name) == rules.FILENAME_MAX and name.endswith(".pdf")


@pytest.mark.parametrize("content_type,head,ok", [
    ("application/pdf", b"%PDF-1.7 ...", True),
    ("application/pdf", b"<html><script>", False),
    ("image/png", b"\x89PNG\r\n\x1a\n....", True),
    ("image/png", b"\xff\xd8\xff\xe0", False),
    ("image/jpeg", b"\xff\xd8\xff\xe0", True),
    ("image/webp", b"RIFF\0\0\0\0WEBPVP8 ", True),
    ("image/webp", b"RIFF\0\0\0\0WAVEfmt ", False),
    ("text/plain", "سلام دنیا".encode(), True),
    ("text/plain", "سلام".encode()[:-1], True),  # sample cut inside a character
    ("text/plain", b"MZ\x90\x00\x03", False),
])
def test_stored_bytes_must_match_the_declared_type(content_type, head, ok):
    assert rules.matches_type(content_type, head) is ok


def test_declared_upload_limits():
    assert rules.check_declared("file", "a.pdf", "application/pdf", 2 * 2**20, LIMITS) == "a.pdf"
    for args, field, code in [
        (("a.exe", "application/x-msdownload", 10), "file.content_type", "not_allowed"),
        (("a.pdf", "application/pdf", LIMITS.max_file_bytes + 1), "file.size", "too_large"),
        (("a.pdf", "application/pdf", 0), "file.size", "invalid"),
        (("  ", "application/pdf", 10), "file.filename", "required"),
    ]:
        with pytest.raises(Invalid) as refused:
            rules.check_declared("file", *args, LIMITS)
        assert refused.value.fields == {field: code}


def test_message_total_and_count_limits():
    rules.check_message_total([10 * 2**20, 10 * 2**20, 5 * 2**20], LIMITS)
    with pytest.raises(Invalid, match="too_large"):
        rules.check_message_total([10 * 2**20, 10 * 2**20, 5 * 2**20 + 1], LIMITS)
    with pytest.raises(Invalid, match="too_many"):
        rules.check_message_total([1] * 11, LIMITS)


def test_link_key_is_long_derived_and_only_its_hash_matches():
    key = links.derive_key(b"secret", 1001, "salt")
    assert len(key) >= 43  # 256 bits, base64url
    assert links.derive_key(b"secret", 1001, "salt") == key
    assert links.derive_key(b"secret", 1002, "salt") != key
    assert links.derive_key(b"other", 1001, "salt") != key
    stored = links.hash_key(key)
    assert stored != key and links.key_matches(key, stored) and not links.key_matches(key[:-1], stored)
    assert links.ticket_link("https://help.example/customer/", 1001, key).endswith(f"/customer/#/t/1001/{key}")


@pytest.mark.parametrize("language,direction,word", [
    (Language.FA, "rtl", "دریافت"), (Language.HE, "rtl", "קיבלנו"), (Language.EN, "ltr", "received")])
def test_received_mail_in_each_language(language, direction, word):
    content = mail.render("received", language, to="c@example.com", link="https://x/#/t/1/k", number=1001,
                          subject="<b>subject</b>", name="Name")
    assert word in content.subject and "1001" in content.subject
    assert f'dir="{direction}"' in content.html and "https://x/#/t/1/k" in content.text
    assert "<b>subject</b>" not in content.html  # user text is escaped in HTML


def test_reply_mail_quotes_the_reply_escaped():
    content = mail.render("agent_replied", Language.HE, to="c@example.com", link="https://x", number=7,
                          subject="s", name="n", agent="Avi", quote="<script>x</script>")
    assert "<script>" not in content.html and "&lt;script&gt;" in content.html
    assert "<script>x</script>" in content.text


def test_event_document_round_trip_keeps_message_and_attachments():
    ticket = a_ticket()
    attachment = Attachment(id="a1", filename="رسید.pdf", content_type="application/pdf", size=5, key="attachments/a1")
    message = Message(id="m1", visibility=Visibility.PUBLIC, author=Actor(AuthorKind.CUSTOMER, "c", "مریم"),
                      text="سلام", created_at=NOW, attachments=(attachment,))
    event = message_event(ticket, message)
    doc = to_document(event, ticket)
    assert doc["ticket"]["customer"]["email"] == "maryam@example.com" and "link_hash" not in doc["ticket"]
    assert from_document(doc) == event
