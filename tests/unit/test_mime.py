"""Outgoing mail as bytes: both parts, UTF-8, RTL HTML, threading headers, no header injection."""
from dataclasses import replace
from email import message_from_bytes, policy

import pytest

from chalicelib.adapters.messaging import build_mime
from chalicelib.domain import mail
from chalicelib.domain.tickets import Language


def parsed(language=Language.FA, subject="چاپگر"):
    content = mail.render("agent_replied", language, to="maryam@example.com", link="https://help.example/#/t/1/k",
                          number=1001, subject=subject, name="مریم", agent="Ali", quote="سلام")
    raw = build_mime(content, sender="helpdesk@example.com", message_id="ticket-1001-e1", thread_id="ticket-1001",
                     domain="example.com").as_bytes()
    return message_from_bytes(raw, policy=policy.default)


def test_mail_has_text_and_rtl_html_parts_in_utf8():
    message = parsed()
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "سلام" in text and "https://help.example/#/t/1/k" in text
    assert 'dir="rtl"' in html and 'lang="fa"' in html
    assert message["Content-Language"] == "fa"


def test_mail_threads_by_ticket():
    message = parsed()
    assert message["Message-ID"] == "<ticket-1001-e1@example.com>"
    assert message["References"] == message["In-Reply-To"] == "<ticket-1001@example.com>"
    assert message["Auto-Submitted"] == "auto-generated"  # so other robots do not answer it


def test_reply_to_is_the_tickets_reply_address_when_given():
    content = mail.render("received", Language.EN, to="dana@example.org", link="https://help.example/#/t/1/k",
                          number=1001, subject="Printer", name="Dana")
    assert "Reply-To" not in build_mime(content, sender="helpdesk@example.com", message_id="m", thread_id="t",
                                        domain="example.com")
    content = replace(content, reply_to="helpdesk+t1001.0123456789abcdef@example.com")
    message = build_mime(content, sender="helpdesk@example.com", message_id="m", thread_id="t", domain="example.com")
    assert message["Reply-To"].addresses[0].addr_spec == "helpdesk+t1001.0123456789abcdef@example.com"


def test_a_subject_with_newlines_cannot_add_headers():
    # Subjects are made one line when the ticket is opened; the MIME layer refuses rather than obeys.
    with pytest.raises(ValueError):
        parsed(subject="چاپگر\r\nBcc: victim@example.com")


def test_english_mail_is_ltr():
    assert 'dir="ltr"' in parsed(Language.EN, "Printer").get_body(("html",)).get_content()


def test_an_answer_to_a_received_mail_threads_under_it_and_says_auto_replied():
    content = mail.refusal_answer(Language.HE, to="yossi@example.co.il", name="יוסי", subject="הנתב",
                                  site_url="https://help.example/customer/", reason="no_department",
                                  answers="reply-he-0001@example.co.il")
    raw = build_mime(content, sender="helpdesk@example.com", message_id="refused-0123", thread_id="",
                     domain="example.com").as_bytes()
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Auto-Submitted"] == "auto-replied"  # RFC 3834: robots must not answer it
    assert message["In-Reply-To"] == message["References"] == "<reply-he-0001@example.co.il>"
    assert message["Message-ID"] == "<refused-0123@example.com>"
    assert 'dir="rtl"' in message.get_body(("html",)).get_content()
    assert "שלום יוסי," in message.get_body(("plain",)).get_content()


def test_a_mail_with_no_thread_has_no_threading_headers():
    content = mail.render("received", Language.EN, to="dana@example.org", link="https://x", number=1, subject="s",
                          name="Dana")
    message = build_mime(content, sender="helpdesk@example.com", message_id="m", thread_id="", domain="example.com")
    assert "In-Reply-To" not in message and "References" not in message
    assert message["Auto-Submitted"] == "auto-generated"
