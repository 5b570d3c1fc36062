"""Reading inbound mail: real-world shaped messages (tests/fixtures/mail), charsets, loops, threading clues."""
from email.message import EmailMessage
from pathlib import Path

import pytest

from chalicelib.domain import inbound, links
from chalicelib.domain.tickets import Language
from local.inbound import ses_received

MAIL = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
SECRET = b"test-secret-of-enough-length-for-hmac"
MAILBOX = "helpdesk@example.com"


EVENT = "0123456789abcdef0123456789abcdef"  # the event whose mail a fixture answers


def fixture(name: str, number: int = 1001, secret: bytes = SECRET, *, fail: tuple[str, ...] = (),
            dmarc_record: bool = True, stamped: bool = True) -> bytes:
    """A fixture with its placeholders filled (the ticket it answers, that ticket's reply signature and our signed
    Message-IDs), received the way SES stores it: its verdicts on top, all PASS but those in `fail`
    (local/inbound.py `ses_received`, what `python -m local.inbound` stamps). `stamped=False`: the file as is."""
    raw = (MAIL / name).read_bytes()
    raw = raw.replace(b"__TICKET__", str(number).encode()).replace(
        b"__SIG__", links.reply_signature(secret, number).encode()).replace(
        b"__MSGID__", inbound.our_message_id(secret, number, EVENT).encode()).replace(
        b"__THREAD__", inbound.our_message_id(secret, number, inbound.THREAD).encode())
    return ses_received(raw, fail=fail, dmarc_record=dmarc_record) if stamped else raw


def test_multipart_mail_gives_its_plain_text_sender_and_attachment():
    mail = inbound.parse(fixture("new_multipart_en.eml"))
    assert mail.sender == "Dana@Example.org" and mail.sender_name == "Dana Levi"
    assert mail.subject == "Printer on floor 3 prints blank pages"
    assert mail.message_id == "5f1c2a3b-9d4e-4f00-8a11-2b3c4d5e6f70@example.org"
    assert mail.visible_text == "Hello,\n\nSince this morning the printer on floor 3 prints blank pages.\n" \
                                "The test page is attached."
    [pdf] = mail.parts
    assert (pdf.filename, pdf.content_type, pdf.inline) == ("test page.pdf", "application/pdf", False)
    assert pdf.data.startswith(b"%PDF-")
    assert mail.automated is None


def test_html_only_mail_in_persian_becomes_text_without_styles():
    mail = inbound.parse(fixture("html_only_fa.eml"))
    assert mail.subject == "کسر دوباره از کارت"
    assert mail.sender_name == "مریم احمدی"
    assert "صورتحساب ماه آبان دو بار از کارت من کسر شده است" in mail.text
    assert "margin" not in mail.text and "<p>" not in mail.text
    assert inbound.guess_language(mail.text) == Language.FA


def test_persian_gmail_reply_loses_the_quoted_history_and_keeps_our_references():
    mail = inbound.parse(fixture("reply_fa_quoted.eml", number=1042))
    assert mail.visible_text == "باشه، الان دوباره امتحان کردم و درست شد. ممنون از راهنمایی."
    assert "> سلام" in mail.text  # the full original stays (and the raw mail is kept)
    assert inbound.ticket_of_references(mail.references, "example.com", SECRET) == 1042


def test_hebrew_in_iso_8859_8_i_decodes_body_and_rfc2047_headers():
    mail = inbound.parse(fixture("reply_he_iso8859_8_i.eml", number=1007))
    assert mail.subject == "תשובה: הנתב לא עובד"
    assert mail.sender_name == "יוסי כהן"
    assert mail.visible_text == "תודה, עכשיו זה עובד.\nאני צריך גם חשבונית מס."
    assert inbound.guess_language(mail.text) == Language.HE
    assert inbound.ticket_of_reply_address(mail.recipients, MAILBOX, SECRET) == 1007


@pytest.mark.parametrize("name, subject, language", [
    ("new_windows_1256.eml", "رمز عبور", Language.FA),
    ("new_windows_1255.eml", "האתר לא נטען", Language.HE),
])
def test_windows_codepages_decode(name, subject, language):
    mail = inbound.parse(fixture(name))
    assert mail.subject == subject
    assert inbound.guess_language(mail.text) == language


def test_inline_image_is_a_part_marked_inline():
    mail = inbound.parse(fixture("inline_image.eml"))
    [image] = mail.parts
    assert image.inline and image.content_type == "image/png" and image.data.startswith(b"\x89PNG")
    assert mail.visible_text == "This is what I see after logging in:"


@pytest.mark.parametrize("name, reason", [
    ("auto_reply.eml", "auto_submitted"),
    ("bounce.eml", "bounce"),
    ("mailing_list.eml", "mailing_list"),
])
def test_machine_written_mail_is_recognised(name, reason):
    assert inbound.parse(fixture(name)).automated == reason


@pytest.mark.parametrize("headers, reason", [
    ({"Precedence": "bulk"}, "precedence"),
    ({"Precedence": "junk"}, "precedence"),
    ({"Return-Path": "<>"}, "null_sender"),
    ({"X-Autoreply": "yes"}, "auto_reply"),
    ({"Auto-Submitted": "auto-generated"}, "auto_submitted"),
    ({"Auto-Submitted": "no"}, None),
])
def test_loop_headers(headers, reason):
    message = EmailMessage()
    message["From"] = "someone@example.org"
    message["Subject"] = "hi"
    for name, value in headers.items():
        message[name] = value
    message.set_content("text")
    assert inbound.parse(message.as_bytes()).automated == reason


def test_mail_from_a_daemon_or_without_sender_is_automated():
    message = EmailMessage()
    message["From"] = "postmaster@example.org"
    message.set_content("x")
    assert inbound.parse(message.as_bytes()).automated == "null_sender"
    del message["From"]
    assert inbound.parse(message.as_bytes()).automated == "null_sender"


@pytest.mark.parametrize("raw", [b"", b"   \r\n", b"\x00\x01\x02 binary junk without headers"])
def test_bytes_that_are_no_mail_are_unreadable(raw):
    with pytest.raises(inbound.UnreadableMail):
        inbound.parse(raw)


def test_reply_address_round_trips_and_survives_case_changes():
    address = inbound.reply_address(MAILBOX, 1234, SECRET)
    assert address.startswith("helpdesk+t1234.") and address.endswith("@example.com")
    assert inbound.ticket_of_reply_address((address,), MAILBOX, SECRET) == 1234
    assert inbound.ticket_of_reply_address((address.upper(),), MAILBOX, SECRET) == 1234


@pytest.mark.parametrize("recipient", [
    "helpdesk+t1235.{sig}@example.com",       # the signature of another ticket
    "helpdesk+t1234.0000000000000000@example.com",  # a guessed signature
    "other+t1234.{sig}@example.com",          # not our mailbox
    "helpdesk+t1234.{sig}@evil.example",      # not our domain
    "helpdesk@example.com",
])
def test_forged_or_foreign_reply_addresses_name_no_ticket(recipient):
    address = recipient.format(sig=links.reply_signature(SECRET, 1234))
    assert inbound.ticket_of_reply_address((address,), MAILBOX, SECRET) is None


def test_only_our_own_signed_message_ids_thread():
    ours = inbound.our_message_id(SECRET, 7, EVENT)
    assert ours.startswith(f"ticket-7-{EVENT}.")
    assert inbound.ticket_of_references((f"{ours}@example.com",), "example.com", SECRET) == 7
    assert inbound.ticket_of_references((f"{ours.upper()}@EXAMPLE.COM",), "example.com", SECRET) == 7
    root = inbound.our_message_id(SECRET, 7, inbound.THREAD)
    assert inbound.ticket_of_references(("x@gmail.com", f"{root}@example.com"), "example.com", SECRET) == 7
    # The newest reference that is ours wins; foreign ones around it change nothing.
    other = inbound.our_message_id(SECRET, 9, EVENT)
    assert inbound.ticket_of_references((f"{ours}@example.com", f"{other}@example.com", "y@x"), "example.com",
                                        SECRET) == 9


@pytest.mark.parametrize("reference", [
    "ticket-7@example.com",                                     # the id without its random part (finding 2)
    f"ticket-7-{EVENT}@example.com",                            # the old unsigned form
    f"ticket-7-{EVENT}.{'0' * 32}@example.com",                 # a made-up signature
    "ticket-7-thread.{sig8}@example.com",                       # a signature of ticket 8 on ticket 7
    "ticket-7-{event2}.{sig7}@example.com",                     # a signature of another mail of the ticket
    "{ours}@evil.example",                                      # our id at someone else's domain
    "{ours_other_secret}@example.com",                          # signed with another secret
    "ticket-7-nothex@example.com",
])
def test_forged_or_guessed_message_ids_name_no_ticket(reference):
    reference = reference.format(
        sig8=links.message_signature(SECRET, 8, inbound.THREAD), sig7=links.message_signature(SECRET, 7, EVENT),
        event2="f" * 32, ours=inbound.our_message_id(SECRET, 7, EVENT),
        ours_other_secret=inbound.our_message_id(b"another-desks-secret", 7, EVENT))
    assert inbound.ticket_of_references((reference,), "example.com", SECRET) is None


@pytest.mark.parametrize("text, visible", [
    ("Thanks!\n\nOn Mon, 23 Nov 2026 at 10:15, Helpdesk <helpdesk@example.com> wrote:\n> old", "Thanks!"),
    ("Thanks!\n\nOn Mon, 23 Nov 2026 at 10:15, Helpdesk <\nhelpdesk@example.com> wrote:\n> old", "Thanks!"),
    ("Fine now.\n\n-----Original Message-----\nFrom: Helpdesk\nSent: Monday", "Fine now."),
    ("Fine now.\n\nFrom: Helpdesk <helpdesk@example.com>\nSent: Monday, 23 November 2026\nTo: me", "Fine now."),
    ("درست شد.\n\nاز: Helpdesk\nارسال شده: دوشنبه\nموضوع: تیکت", "درست شد."),
    ("עובד.\n\nמאת: Helpdesk\nנשלח: יום שני\nנושא: פנייה", "עובד."),
    ("\u202bمریم نوشت:\u202c\n> قبلی", "\u202bمریم نوشت:\u202c\n> قبلی"),  # nothing of their own: keep all
    ("ok\nSent from my iPhone", "ok"),
    ("باشه\nارسال شده از iPhone من", "باشه"),
    ("בסדר\nנשלח מה-iPhone שלי", "בסדר"),
    ("שלום\nכפי שהטכנאי כתב", "שלום\nכפי שהטכנאי כתב"),  # no colon: the customer's own sentence
    ("سلام\nهمان‌طور که نوشت", "سلام\nهمان‌طور که نوشت"),
    ("Line one\n> quoted in between\nLine two", "Line one\nLine two"),
    ("From: the start of my own sentence", "From: the start of my own sentence"),
])
def test_strip_quoted(text, visible):
    assert inbound.strip_quoted(text) == visible


def test_language_guess_by_script():
    assert inbound.guess_language("Hello there") == Language.EN
    assert inbound.guess_language("سلام، کمک لازم دارم") == Language.FA
    assert inbound.guess_language("مرحبا") == Language.FA  # Arabic script: the nearest language we serve
    assert inbound.guess_language("שלום, error 500 in שלב 2") == Language.HE


def test_answers_to_refused_mail_are_named_by_the_stored_mail_and_not_answered_again():
    assert inbound.refusal_id("inbound/a") == inbound.refusal_id("inbound/a") != inbound.refusal_id("inbound/b")
    assert inbound.part_id("inbound/a", 0) == inbound.part_id("inbound/a", 0) != inbound.part_id("inbound/a", 1)
    person = inbound.parse(fixture("new_multipart_en.eml"))
    assert inbound.answerable(person, "example.com")

    def answering(reference: str) -> bytes:
        return fixture("new_multipart_en.eml").replace(
            b"Message-ID:", f"In-Reply-To: <{reference}>\r\nMessage-ID:".encode(), 1)

    ours = f"{inbound.refusal_id('inbound/a')}@example.com"
    assert not inbound.answerable(inbound.parse(answering(ours)), "example.com")
    assert inbound.answerable(inbound.parse(answering(ours)), "other.example")  # someone else's id
    assert inbound.answerable(inbound.parse(answering("ticket-1001@example.com")), "example.com")


@pytest.mark.parametrize("name", ["auto_reply.eml", "bounce.eml", "mailing_list.eml"])
def test_machines_and_broken_addresses_are_never_answered(name):
    assert not inbound.answerable(inbound.parse(fixture(name)), "example.com")
    broken = fixture("new_multipart_en.eml").replace(b"<Dana@Example.org>", b"<dana at example>")
    assert not inbound.answerable(inbound.parse(broken), "example.com")


def _mail(sender: str = "dana@example.org", subject: str = "Printer", **headers) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = MAILBOX
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("I am away until Sunday.")
    raw = message.as_bytes()
    assert inbound.parse(raw).subject == " ".join(subject.split())  # the header survived the round trip
    return raw


@pytest.mark.parametrize("sender, subject, headers, reason", [
    # Machines that say so only in one header, one subject or one address (issue 11): no ticket, no answer.
    ("dana@example.org", "Re: Printer", {"X_Auto_Response_Suppress": "All"}, "auto_response_suppress"),
    ("dana@example.org", "Re: Printer", {"X_Auto_Response_Suppress": "DR, OOF, AutoReply"}, "auto_response_suppress"),
    ("dana@example.org", "Re: Printer", {"X_Autoreply": "yes"}, "auto_reply"),
    ("dana@example.org", "Re: Printer", {"X_Autorespond": "yes"}, "auto_reply"),
    ("dana@example.org", "Automatic reply: Re: Printer", {}, "auto_reply_subject"),
    ("dana@example.org", "AUTOMATIC REPLY: Printer", {}, "auto_reply_subject"),
    ("dana@example.org", "Out of Office: Printer", {}, "auto_reply_subject"),
    ("dana@example.org", "Out of office", {}, "auto_reply_subject"),
    ("dana@example.org", "Out of Office AutoReply: Printer", {}, "auto_reply_subject"),
    ("maryam@example.ir", "پاسخ خودکار: پرینتر", {}, "auto_reply_subject"),          # Outlook, Persian
    ("maryam@example.ir", "\u200fپاسخ خودکار: پرینتر", {}, "auto_reply_subject"),     # behind an RLM
    ("maryam@example.ir", "خارج از دفتر", {}, "auto_reply_subject"),
    ("yossi@example.co.il", "תשובה אוטומטית: מדפסת", {}, "auto_reply_subject"),      # Outlook, Hebrew
    ("yossi@example.co.il", "מחוץ למשרד", {}, "auto_reply_subject"),
    ("dana@example.org", "Printer", {"Return_Path": "<>"}, "null_sender"),
    ("mailer@example.org", "Printer", {}, "null_sender"),
    ("MAILER-DAEMON@example.org", "Undelivered Mail Returned to Sender", {}, "null_sender"),
    ("postmaster@example.org", "Delivery Status Notification", {}, "null_sender"),
    # ... and people writing about those things are still people.
    ("dana@example.org", "My out of office reply does not turn off", {}, None),
    ("dana@example.org", "Re: automatic replies in Outlook", {}, None),
    ("maryam@example.ir", "پاسخ خودکار ایمیل من کار نمی‌کند", {}, None),
    ("yossi@example.co.il", "איך מפעילים תשובה אוטומטית?", {}, None),
    ("mailer.jones@example.org", "Printer", {}, None),
    ("dana@mailer.example.org", "Printer", {}, None),
    ("dana@example.org", "Printer", {"Return_Path": "<dana@example.org>"}, None),
])
def test_machine_mail_table(sender, subject, headers, reason):
    assert inbound.parse(_mail(sender, subject, **headers)).automated == reason
