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


# ---------------------------------------------------------------- long non-ASCII headers (issue 13)

from email.headerregistry import Address  # noqa: E402
from email.message import EmailMessage  # noqa: E402
from email.parser import BytesParser  # noqa: E402

from chalicelib.adapters.mime import OUTGOING, encoded_words  # noqa: E402

# Long subjects as customers write them: Persian with ZWNJ, Hebrew, Arabic, mixed with English and digits.
SUBJECTS = {
    "fa": "چاپگر طبقهٔ سوم کار نمی‌کند و از صبح فقط صفحه‌های سفید چاپ می‌کند؛ لطفاً هر چه زودتر بررسی کنید",
    "he": "המדפסת בקומה השלישית לא עובדת ומדפיסה רק דפים ריקים מהבוקר, בבקשה לבדוק בהקדם האפשרי",
    "ar": "الطابعة في الطابق الثالث لا تعمل وتطبع صفحات فارغة فقط منذ الصباح، يرجى الفحص بسرعة",
    "mixed": "Printer HP LaserJet 4000 در طبقهٔ 3 خطای 0x80070005 می‌دهد و המדפסת לא עובדת since 09:30",
}
# What may sit at a fold: a space, a ZWNJ, a run of spaces, a digit, a Latin letter, a Persian letter.
FILLERS = [" ", "\u200c", "  ", "7", "a", "ی", "ی\u200c"]


def _round_trip(message: EmailMessage) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(message.as_bytes())


def _subjects(text: str):
    """The subject with a filler pushed through every position near the first folds (0..90 characters of
    padding after the tag), so that a space, a ZWNJ, a digit... falls exactly at each fold in turn."""
    for padding in range(0, 91):
        for filler in FILLERS:
            yield f"[#1005] پاسخ تازه: {('ا' + filler) * (padding // 2)}{'ب' * (padding % 2)} {text}"


def _subject_bytes(subject: str, message_policy=OUTGOING) -> bytes:
    message = EmailMessage(policy=message_policy)
    message["Subject"] = subject
    return message.as_bytes()


@pytest.mark.parametrize("language", sorted(SUBJECTS))
def test_a_long_subject_comes_back_exactly_wherever_its_spaces_fall(language):
    lost = []
    for subject in _subjects(SUBJECTS[language]):
        raw = _subject_bytes(subject)
        if BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)["Subject"] != subject:
            lost.append(subject)
        lines = raw.decode("ascii").splitlines()  # 7-bit: all of it encoded
        assert all(len(line) <= 78 for line in lines)
        assert all(len(word) <= 75 for line in lines for word in line.split() if word.startswith("=?"))
    assert not lost, f"{len(lost)} subjects changed, e.g. {lost[0]!r}"


@pytest.mark.parametrize("language", sorted(SUBJECTS))
def test_the_mail_we_send_carries_the_long_subject_exactly(language):
    for subject in list(_subjects(SUBJECTS[language]))[::50]:
        content = mail.render("received", Language.FA, to="a@example.com", link="https://h/#/t/1/k",
                              number=1005, subject="x", name="n")
        message = build_mime(replace(content, subject=subject), sender="helpdesk@example.com", message_id="m",
                             thread_id="t", domain="example.com")
        assert _round_trip(message)["Subject"] == subject


def test_the_subject_tag_stays_plain_ascii_in_the_raw_mail():
    content = mail.render("agent_replied", Language.FA, to="a@example.com", link="https://h/#/t/1/k", number=1001,
                          subject=SUBJECTS["fa"], name="مریم", agent="Ali")
    message = build_mime(content, sender="helpdesk@example.com", message_id="m", thread_id="t", domain="example.com")
    raw = message.as_bytes()
    assert b"\nSubject: [#1001] =?utf-8?b?" in raw
    assert _round_trip(message)["Subject"] == f"[#1001] پاسخ تازه: {SUBJECTS['fa']}"


def test_pythons_own_folding_loses_spaces_which_is_why_we_fold_ourselves():
    # If this starts failing, Python's email package was fixed and adapters/mime.py could go.
    assert any(BytesParser(policy=policy.default).parsebytes(_subject_bytes(subject, policy.default),
                                                            headersonly=True)["Subject"] != subject
               for subject in _subjects(SUBJECTS["fa"]))


@pytest.mark.parametrize("subject", [
    "short", "Printer on floor 3 prints blank pages " * 4, "چاپگر", "", "  leading and trailing spaces  ",
    "tab\tinside", "looks encoded =?utf-8?b?2obYp9m+2q/YsQ==?= but is text", "=?utf-8?q?x?=",
    "ZWNJ at the end\u200c", "\u200cZWNJ first", "a" * 120, "ب" * 120, "[#1005]", "[#1005] ",
])
def test_any_subject_comes_back_exactly(subject):
    message = EmailMessage(policy=OUTGOING)
    message["Subject"] = subject
    message.set_content("x")
    assert _round_trip(message)["Subject"] == subject


def _names(text: str):
    words = text.split()
    for count in range(1, len(words) + 1):
        for filler in ("", "\u200cی", " 3"):
            yield " ".join(words[:count]) + filler


@pytest.mark.parametrize("language", sorted(SUBJECTS))
def test_display_names_come_back_exactly(language):
    for name in _names(SUBJECTS[language]):
        message = EmailMessage(policy=OUTGOING)
        message["From"] = Address(display_name=name, addr_spec="helpdesk@example.com")
        message["To"] = [Address(display_name=name, addr_spec="a@example.com"),
                         Address(display_name="Dana Levi", addr_spec="dana@example.org")]
        message.set_content("x")
        back = _round_trip(message)
        assert back["From"].addresses[0].display_name == name
        assert back["From"].addresses[0].addr_spec == "helpdesk@example.com"
        assert [(a.display_name, a.addr_spec) for a in back["To"].addresses] == [
            (name, "a@example.com"), ("Dana Levi", "dana@example.org")]


def test_encoded_words_never_split_a_letter_from_its_marks_or_zwnj():
    text = "می\u200cخواهم " * 30 + "شُکر" * 20
    words = encoded_words(text)
    decoded = [BytesParser(policy=policy.default).parsebytes(f"Subject: {w}\n\n".encode())["Subject"]
               for w in words]
    assert "".join(decoded) == text
    assert all(len(w) <= 75 for w in words)
    assert not any(part.startswith(("\u200c", "\u064f")) for part in decoded[1:])
