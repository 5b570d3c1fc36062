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
