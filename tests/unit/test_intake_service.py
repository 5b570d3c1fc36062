"""Mail intake against in-memory ports: replies thread to the sender's own ticket only; strangers, machines
and broken files are handled without touching anyone else's conversation; a person's mail that becomes no ticket
gets one answer saying why and leaves no file behind."""
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from chalicelib.adapters.messaging import build_mime
from chalicelib.domain.attachments import Limits
from chalicelib.domain.catalog import Category
from chalicelib.domain.digits import local_digits
from chalicelib.domain.sign_in import Channel, CustomerAccess, Identity
from chalicelib.domain.tickets import AuthorKind, Language, Status, Visibility
from chalicelib.errors import NotFound
from chalicelib.services import intake
from chalicelib.services import tickets as ticket_service
from chalicelib.services.ports import DeliveryFailed
from tests.fakes import desk_of
from tests.fakes import open_ticket as fake_open_ticket
from tests.fakes import (
    PDF, PNG, FakeAgents, FakeFiles, FakeMailer, FakeSecrets, FixedClock, InMemoryCatalog, InMemoryTickets,
)
from local.inbound import ses_received
from tests.unit.test_inbound_mail import EVENT, SECRET, fixture

DESK = intake.MailDesk(mailbox="helpdesk@example.com", site_url="https://help.example/customer/")
LIMITS = Limits(max_file_bytes=1000, max_message_bytes=1500, max_files=3)


@pytest.fixture
def ports():
    return {"tickets": InMemoryTickets(), "catalog": InMemoryCatalog(), "agents": FakeAgents(), "files": FakeFiles(),
            "secrets": FakeSecrets(), "clock": FixedClock(), "limits": LIMITS, "mailer": FakeMailer()}


def receive(ports, raw: bytes, key: str = "inbound/m1", desk: intake.MailDesk = DESK) -> intake.Intake:
    return intake.receive(raw, key, desk_of(ports), desk=desk, mailer=ports["mailer"])


def ticket_of(ports, email: str, language: str = "fa") -> int:
    """A ticket filed through the web form by `email`, who confirmed it."""
    form_ports = {k: v for k, v in ports.items() if k != "mailer"}  # the web form sends no mail itself
    return fake_open_ticket(
        **form_ports, site_url=DESK.site_url, subject="پیگیری", department="support", category="billing",
        priority="normal", text="سلام", language=language, customer_name="Customer", customer_email=email,
        attachments=[], confirmed=True).number


def messages(ports, number):
    return [e.message for e in ports["tickets"].timeline(number) if e.message]


def test_a_new_mail_opens_a_ticket_with_its_attachment_and_the_original_kept_for_agents(ports):
    result = receive(ports, fixture("new_multipart_en.eml"), key="inbound/abc")

    assert result.outcome == intake.Outcome.CREATED
    ticket = ports["tickets"].get(result.number)
    assert ticket.subject == "Printer on floor 3 prints blank pages" and ticket.language == Language.EN
    assert ticket.customer.name == "Dana Levi" and ticket.customer.key == "dana@example.org"
    assert (ticket.department, ticket.category) == ("support", "billing")  # the first department and category
    [first] = messages(ports, result.number)
    assert first.author.kind == AuthorKind.CUSTOMER and first.text.endswith("The test page is attached.")
    pdf, original = first.attachments
    assert pdf.filename == "test page.pdf" and ports["files"].objects[pdf.key][1].startswith(b"%PDF-")
    assert pdf.visibility == Visibility.PUBLIC
    assert (original.key, original.content_type, original.visibility) == (
        "inbound/abc", "message/rfc822", Visibility.INTERNAL)


def test_language_of_a_new_ticket_follows_the_script(ports):
    persian = receive(ports, fixture("html_only_fa.eml"))
    hebrew = receive(ports, fixture("new_windows_1255.eml"))
    assert ports["tickets"].get(persian.number).language == Language.FA
    assert ports["tickets"].get(hebrew.number).language == Language.HE


def test_configured_department_and_category_take_new_mail(ports):
    support = ports["catalog"].items["support"]
    technical = Category(id="technical", names={"en": "Technical", "fa": "فنی", "he": "טכני"})
    ports["catalog"].items["support"] = replace(support, categories=(*support.categories, technical))
    result = receive(ports, fixture("new_multipart_en.eml"), desk=replace(DESK, department="support",
                                                                           category="technical"))
    assert ports["tickets"].get(result.number).category == "technical"


def test_an_unknown_configured_department_refuses_rather_than_guessing(ports):
    result = receive(ports, fixture("new_multipart_en.eml"), desk=replace(DESK, department="gone"))
    assert result == intake.Intake(intake.Outcome.REFUSED, reason="no_department", answered=True)


def test_persian_reply_threads_by_message_id_to_the_customers_ticket_without_the_quote(ports):
    number = ticket_of(ports, "Maryam@Example.ir")
    result = receive(ports, fixture("reply_fa_quoted.eml", number=number))

    assert result == intake.Intake(intake.Outcome.REPLIED, number)
    reply = messages(ports, number)[-1]
    assert reply.text == "باشه، الان دوباره امتحان کردم و درست شد. ممنون از راهنمایی."
    assert [a.filename for a in reply.attachments] == ["original.eml"]


def test_hebrew_reply_threads_by_the_signed_reply_address(ports):
    number = ticket_of(ports, "yossi@example.co.il", language="he")
    ports["tickets"].tickets[number] = replace(ports["tickets"].get(number), status=Status.AWAITING_CUSTOMER)

    result = receive(ports, fixture("reply_he_iso8859_8_i.eml", number=number))

    assert result.outcome == intake.Outcome.REPLIED
    assert messages(ports, number)[-1].text == "תודה, עכשיו זה עובד.\nאני צריך גם חשבונית מס."
    assert ports["tickets"].get(number).status == Status.OPEN  # the customer's reply reopens it


def test_a_stranger_quoting_a_ticket_number_and_its_message_ids_gets_a_ticket_of_their_own(ports):
    number = ticket_of(ports, "maryam@example.ir")
    before = ports["tickets"].timeline(number)

    result = receive(ports, fixture("stranger_quotes_number.eml", number=number))

    assert result.outcome == intake.Outcome.CREATED and result.number != number
    assert ports["tickets"].timeline(number) == before  # nothing added to the customer's conversation
    assert ports["tickets"].get(result.number).customer.key == "mallory@evil.example"


def test_a_valid_reply_address_from_someone_else_does_not_attach_either(ports):
    number = ticket_of(ports, "someone.else@example.org", language="he")
    result = receive(ports, fixture("reply_he_iso8859_8_i.eml", number=number))
    assert result.outcome == intake.Outcome.CREATED and result.number != number
    assert len(messages(ports, number)) == 1


def test_a_forged_reply_address_is_ignored(ports):
    number = ticket_of(ports, "yossi@example.co.il", language="he")
    raw = fixture("reply_he_iso8859_8_i.eml", number=number, secret=b"not-our-secret")
    assert receive(ports, raw).outcome == intake.Outcome.CREATED
    assert len(messages(ports, number)) == 1


def test_a_reply_long_after_closing_opens_a_follow_up(ports):
    number = ticket_of(ports, "maryam@example.ir")
    ticket = ports["tickets"].get(number)
    ports["tickets"].tickets[number] = replace(ticket, status=Status.CLOSED, closed_at=ticket.created_at)
    ports["clock"].advance(days=30)

    result = receive(ports, fixture("reply_fa_quoted.eml", number=number))

    assert result.outcome == intake.Outcome.CREATED
    assert ports["tickets"].get(result.number).follows == number


@pytest.mark.parametrize("name", ["auto_reply.eml", "bounce.eml", "mailing_list.eml"])
def test_machine_mail_creates_nothing_and_adds_nothing(ports, name):
    number = ticket_of(ports, "yossi@example.co.il")
    result = receive(ports, fixture(name, number=number))
    assert result.outcome == intake.Outcome.IGNORED and result.reason
    assert list(ports["tickets"].tickets) == [number] and len(messages(ports, number)) == 1


def test_unreadable_bytes_raise_for_the_caller_to_park(ports):
    with pytest.raises(intake.inbound.UnreadableMail):
        receive(ports, b"")


def mail_with_parts(*parts) -> bytes:
    message = EmailMessage()
    message["From"] = "Sam <sam@example.org>"
    message["To"] = "helpdesk@example.com"
    message["Subject"] = "Files"
    message.set_content("Here are the files.")
    for filename, content_type, data in parts:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return ses_received(message.as_bytes())


def test_files_outside_the_form_limits_are_not_kept_and_the_message_says_so(ports):
    raw = mail_with_parts(("ok.pdf", "application/pdf", PDF),
                          ("tool.exe", "application/octet-stream", b"MZ\x90\x00"),
                          ("big.png", "image/png", PNG + b"\0" * 2000),
                          ("fake.png", "image/png", b"not a png at all"))
    result = receive(ports, raw)

    [first] = messages(ports, result.number)
    assert [a.filename for a in first.attachments] == ["ok.pdf", "original.eml"]
    assert "[Not attached: tool.exe (not_allowed)" in first.text
    assert "[Not attached: big.png (too_large)" in first.text
    assert "[Not attached: fake.png (type_mismatch)" in first.text


def test_octet_stream_files_are_judged_by_name_and_bytes(ports):
    result = receive(ports, mail_with_parts(("scan.pdf", "application/octet-stream", PDF)))
    [first] = messages(ports, result.number)
    assert [(a.filename, a.content_type) for a in first.attachments][0] == ("scan.pdf", "application/pdf")


def test_more_files_than_allowed_keep_the_first_ones(ports):
    raw = mail_with_parts(*[(f"{i}.pdf", "application/pdf", PDF) for i in range(5)])
    [first] = messages(ports, receive(ports, raw).number)
    assert [a.filename for a in first.attachments] == ["0.pdf", "1.pdf", "2.pdf", "original.eml"]
    assert "(too_many)" in first.text


def test_inline_images_are_kept_as_attachments(ports):
    [first] = messages(ports, receive(ports, fixture("inline_image.eml")).number)
    image = first.attachments[0]
    assert image.content_type == "image/png" and image.filename == "inline.png"


def test_open_limit_refuses_a_new_mail_ticket(ports):
    ports["catalog"].current_policies = replace(ports["catalog"].current_policies, max_open_tickets=1)
    ticket_of(ports, "dana@example.org")
    result = receive(ports, fixture("new_multipart_en.eml"))
    assert result.outcome == intake.Outcome.REFUSED and "open_limit" in result.reason


def test_no_department_refuses(ports):
    ports["catalog"].items.clear()
    assert receive(ports, fixture("new_multipart_en.eml")).reason == "no_department"


def test_the_customer_sees_their_files_but_not_the_original_mail_kept_for_agents(ports):
    result = receive(ports, fixture("new_multipart_en.eml"))
    ticket = ports["tickets"].get(result.number)
    access = CustomerAccess(identity=Identity(Channel.EMAIL, ticket.customer.key))
    [first] = ticket_service.view_as_customer(desk_of(ports), number=result.number, access=access).messages
    assert [a.filename for a in first.attachments] == ["test page.pdf"]
    original = next(a for a in messages(ports, result.number)[0].attachments if a.filename == "original.eml")
    with pytest.raises(NotFound):
        ticket_service.attachment_for_customer(desk_of(ports), number=result.number,
                                               access=access, attachment_id=original.id)
    url, _ = ticket_service.attachment_for_agent(tickets=ports["tickets"], files=ports["files"],
                                                 number=result.number, attachment_id=original.id)
    assert "inbound/m1" in url


def test_a_reply_too_long_to_keep_is_refused_not_retried_forever(ports):
    number = ticket_of(ports, "sam@example.org")
    message = EmailMessage()
    message["From"] = "sam@example.org"
    message["To"] = intake.inbound.reply_address(DESK.mailbox, number, FakeSecrets().link_secret())
    message["Subject"] = "long"
    message.set_content("x" * 30_000)
    assert receive(ports, ses_received(message.as_bytes())) == intake.Intake(intake.Outcome.REFUSED, number, "text:too_long",
                                                               answered=True)
    assert len(messages(ports, number)) == 1
    [(answer, _, _)] = ports["mailer"].sent  # told why, naming the ticket the reply was for
    assert answer.to == "sam@example.org" and f"[#{number}]" in answer.subject
    assert "your message is longer than we can take" in answer.text and answer.auto_submitted == "auto-replied"


@pytest.mark.parametrize("sender", ["helpdesk@example.com", "HelpDesk+t1001.0123456789abcdef@Example.com",
                                    "sales@example.com", "agent.one@Example.com", "alerts@mail.example.com"])
def test_our_own_mail_coming_back_is_ignored(ports, sender):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "helpdesk@example.com"
    message["Subject"] = "[#1001] We received your request"
    message.set_content("loop")
    assert receive(ports, message.as_bytes()) == intake.Intake(intake.Outcome.IGNORED, reason="own_mail")
    assert ports["tickets"].tickets == {}


# ---------------------------------------------------------------- a refused mail: one answer, nothing left behind

def persian_mail_with_files(sender: str = "maryam@example.ir", **headers) -> bytes:
    """A Persian customer's mail with two files, as SES stores it after authenticating the sender."""
    message = EmailMessage()
    message["From"] = f"مریم احمدی <{sender}>"
    message["To"] = "helpdesk@example.com"
    message["Subject"] = "کسر دوباره از کارت"
    message["Message-ID"] = "<AM0PR01MB1234ABCD@outlook.example>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("سلام، صورتحساب ماه آبان دو بار از کارت من کسر شده است. رسید پیوست است.")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="رسید.pdf")
    message.add_attachment(PNG, maintype="image", subtype="png", filename="screenshot.png")
    return ses_received(message.as_bytes())


def at_open_limit(ports, email: str, limit: int = 2) -> list[int]:
    ports["catalog"].current_policies = replace(ports["catalog"].current_policies, max_open_tickets=limit)
    return [ticket_of(ports, email) for _ in range(limit)]


def stored_attachments(ports) -> list[str]:
    return [key for key in ports["files"].objects if key.startswith("attachments/")]


def test_a_persian_mail_over_the_open_limit_gets_one_persian_answer_naming_the_open_tickets(ports):
    numbers = at_open_limit(ports, "Maryam@Example.ir")

    result = receive(ports, persian_mail_with_files(), key="inbound/fa-1")

    assert (result.outcome, result.answered) == (intake.Outcome.REFUSED, True) and "open_limit" in result.reason
    assert sorted(ports["tickets"].tickets) == numbers  # no ticket opened
    [(answer, message_id, thread_id)] = ports["mailer"].sent
    assert answer.to == "maryam@example.ir" and answer.language == Language.FA
    assert answer.subject == "تیکت تازه‌ای باز نشد: کسر دوباره از کارت"
    assert "شما هم‌اکنون ۲ تیکت باز دارید" in answer.text  # the limit, in words
    for number in numbers:  # each open ticket by number (in Persian digits) and subject, in both parts
        shown = local_digits(number, Language.FA)
        assert f"- [#{shown}] پیگیری" in answer.text and f"[#{shown}] پیگیری" in answer.html
    assert "به یکی از نامه‌های ما دربارهٔ همان تیکت پاسخ دهید" in answer.text  # replying adds to the ticket
    assert "https://help.example/customer/#/tickets" in answer.text
    assert 'dir="rtl"' in answer.html and 'lang="fa"' in answer.html
    assert (answer.in_reply_to, answer.auto_submitted) == ("AM0PR01MB1234ABCD@outlook.example", "auto-replied")
    assert message_id == intake.inbound.refusal_id("inbound/fa-1") and thread_id == ""

    sent = message_from_bytes(build_mime(answer, sender=DESK.mailbox, message_id=message_id, thread_id=thread_id,
                                         domain=DESK.domain).as_bytes(), policy=policy.default)
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["In-Reply-To"] == sent["References"] == "<AM0PR01MB1234ABCD@outlook.example>"
    assert sent["Message-ID"] == f"<{message_id}@example.com>"


def test_the_files_a_refused_mail_brought_are_deleted(ports):
    at_open_limit(ports, "maryam@example.ir")
    stored = []
    put = ports["files"].put_document
    ports["files"].put_document = lambda key, body, content_type: (stored.append(key), put(key, body, content_type))

    receive(ports, persian_mail_with_files())

    assert len(stored) == 2  # both files were kept while the mail could still become a ticket ...
    assert stored_attachments(ports) == []  # ... and none is left now that it did not


def test_a_refusal_whose_answer_fails_leaves_nothing_and_its_retry_answers_once_with_the_same_id(ports):
    at_open_limit(ports, "maryam@example.ir")
    ports["mailer"].fail = True
    with pytest.raises(DeliveryFailed):  # the queue record fails and SQS delivers it again
        receive(ports, persian_mail_with_files(), key="inbound/fa-2")
    assert stored_attachments(ports) == [] and ports["mailer"].sent == []

    ports["mailer"].fail = False
    result = receive(ports, persian_mail_with_files(), key="inbound/fa-2")

    assert result.answered and stored_attachments(ports) == []
    assert len(ports["tickets"].tickets) == 2
    [(_, message_id, _)] = ports["mailer"].sent
    assert message_id == intake.inbound.refusal_id("inbound/fa-2") != intake.inbound.refusal_id("inbound/fa-3")


def test_storing_the_same_mail_again_overwrites_its_files_instead_of_copying_them(ports):
    parts = intake.inbound.parse(persian_mail_with_files()).parts
    first, _ = intake.store_parts(ports["files"], LIMITS, parts, key="inbound/same")
    again, _ = intake.store_parts(ports["files"], LIMITS, parts, key="inbound/same")
    other, _ = intake.store_parts(ports["files"], LIMITS, parts, key="inbound/other")
    assert first == again and {a.key for a in first}.isdisjoint(a.key for a in other)
    assert len(stored_attachments(ports)) == 4


@pytest.mark.parametrize("name", ["auto_reply.eml", "bounce.eml", "mailing_list.eml"])
def test_machine_mail_from_a_customer_at_the_limit_gets_no_answer(ports, name):
    at_open_limit(ports, "yossi@example.co.il")
    result = receive(ports, fixture(name))
    assert result.outcome == intake.Outcome.IGNORED and not result.answered
    assert ports["mailer"].sent == [] and stored_attachments(ports) == []


@pytest.mark.parametrize("sender", ["noreply@example.ir", "MAILER-DAEMON@example.ir"])
def test_mail_from_a_robot_address_gets_no_answer(ports, sender):
    at_open_limit(ports, sender)
    assert receive(ports, persian_mail_with_files(sender=sender)).outcome == intake.Outcome.IGNORED
    assert ports["mailer"].sent == []


def test_a_mail_answering_our_refusal_is_refused_without_a_second_answer(ports):
    at_open_limit(ports, "maryam@example.ir")
    receive(ports, persian_mail_with_files(), key="inbound/first")
    [(_, answer_id, _)] = ports["mailer"].sent

    # A responder that ignores Auto-Submitted answers our answer: it gets none back, so no loop.
    raw = persian_mail_with_files(In_Reply_To=f"<{answer_id}@example.com>")
    result = receive(ports, raw, key="inbound/second")

    assert (result.outcome, result.answered) == (intake.Outcome.REFUSED, False)
    assert len(ports["mailer"].sent) == 1 and stored_attachments(ports) == []


def test_a_refusal_without_a_department_says_why_in_hebrew_with_the_form_link(ports):
    ports["catalog"].items.clear()
    result = receive(ports, fixture("new_windows_1255.eml"))
    assert (result.reason, result.answered) == ("no_department", True)
    [(answer, _, _)] = ports["mailer"].sent
    assert answer.language == Language.HE and answer.subject.startswith("לא הצלחנו לפתוח פנייה מההודעה שלך")
    assert "כרגע איננו יכולים לקבל פניות חדשות בדואר" in answer.text
    assert "https://help.example/customer/" in answer.text and 'dir="rtl"' in answer.html
    assert answer.in_reply_to == "w1255-0001@example.co.il"


def test_a_refusal_of_a_mail_without_message_id_still_says_it_is_an_auto_reply(ports):
    at_open_limit(ports, "sam@example.org")
    result = receive(ports, mail_with_parts(("ok.pdf", "application/pdf", PDF)))
    [(answer, message_id, thread_id)] = ports["mailer"].sent
    assert result.answered and answer.language == Language.EN and answer.in_reply_to == ""
    sent = build_mime(answer, sender=DESK.mailbox, message_id=message_id, thread_id=thread_id, domain=DESK.domain)
    assert sent["Auto-Submitted"] == "auto-replied" and "In-Reply-To" not in sent and "References" not in sent
    assert "You already have 2 open tickets" in answer.text and stored_attachments(ports) == []


# ---------------------------------------------------------------- proof (issue 11, finding 2)

def reply_from(sender: str, body: str = "Please send the refund to my new account.", **headers) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "helpdesk@example.com"
    message["Subject"] = "Re: Your ticket"
    for name, value in headers.items():
        del message[name.replace("_", "-")]
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


@pytest.mark.parametrize("headers", [
    {"In_Reply_To": "<ticket-{n}@example.com>"},                                   # without the random part
    {"References": "<ticket-{n}@example.com>"},
    {"In_Reply_To": "<ticket-{n}-" + EVENT + "@example.com>"},                     # the old, unsigned form
    {"In_Reply_To": "<ticket-{n}-" + EVENT + "." + "0" * 32 + "@example.com>"},    # a made-up signature
    {"References": "<ticket-{n}-thread.{other}@example.com>"},                     # another ticket's signature
    {"To": "helpdesk+t{n}.0123456789abcdef@example.com"},                          # a made-up reply address
])
def test_a_forged_reference_from_the_customers_own_authenticated_address_opens_a_new_ticket(ports, headers):
    number = ticket_of(ports, "maryam@example.ir")
    other = intake.inbound.our_message_id(SECRET, number + 1, intake.inbound.THREAD).rpartition(".")[2]
    filled = {k: v.format(n=number, other=other) for k, v in headers.items()}
    result = receive(ports, ses_received(reply_from("maryam@example.ir", **filled)))

    assert result.outcome == intake.Outcome.CREATED and result.number != number
    assert len(messages(ports, number)) == 1  # nothing added to the customer's conversation


def test_signed_ids_and_the_signed_reply_address_still_thread(ports):
    number = ticket_of(ports, "maryam@example.ir")
    ours = intake.inbound.our_message_id(SECRET, number, EVENT)
    assert receive(ports, ses_received(reply_from("maryam@example.ir", In_Reply_To=f"<{ours}@example.com>"))
                   ) == intake.Intake(intake.Outcome.REPLIED, number)
    address = intake.inbound.reply_address(DESK.mailbox, number, SECRET)
    assert receive(ports, ses_received(reply_from("maryam@example.ir", To=address)), key="inbound/m2"
                   ) == intake.Intake(intake.Outcome.REPLIED, number)
    assert len(messages(ports, number)) == 3


@pytest.mark.parametrize("fail, dmarc_record", [
    (("dmarc",), True),                 # the domain's DMARC says this is not its mail
    (("spf", "dkim"), False),           # no DMARC record, and nothing else passed
    (("spam",), True),                  # authenticated but spam: never joins a ticket (docs/security.md)
])
def test_a_mail_claiming_the_customers_address_without_proof_never_joins_their_ticket(ports, fail, dmarc_record):
    number = ticket_of(ports, "yossi@example.co.il", language="he")
    # Everything else is right: the signed reply address of the ticket and the customer's From.
    raw = fixture("reply_he_iso8859_8_i.eml", number=number, fail=fail, dmarc_record=dmarc_record)

    result = receive(ports, raw)

    assert result.outcome == intake.Outcome.CREATED and result.number != number
    assert len(messages(ports, number)) == 1
    assert ports["tickets"].get(number).sender_verified  # the customer's own ticket is untouched
    flagged = ports["tickets"].get(result.number)
    assert not flagged.sender_verified and flagged.customer.key == "yossi@example.co.il"
    assert flagged.follows is None  # an unproven sender continues nothing either


def test_a_mail_that_was_never_through_ses_proves_nothing(ports):
    number = ticket_of(ports, "maryam@example.ir")
    result = receive(ports, fixture("reply_fa_quoted.eml", number=number, stamped=False))
    assert result.outcome == intake.Outcome.CREATED and not ports["tickets"].get(result.number).sender_verified
    assert len(messages(ports, number)) == 1


def test_without_a_dmarc_record_aligned_spf_or_dkim_proves_the_sender(ports):
    number = ticket_of(ports, "maryam@example.ir")
    raw = fixture("reply_fa_quoted.eml", number=number, fail=("dkim",), dmarc_record=False)
    assert receive(ports, raw) == intake.Intake(intake.Outcome.REPLIED, number)


def test_new_mail_from_a_proven_sender_is_not_flagged(ports):
    result = receive(ports, fixture("new_multipart_en.eml"))
    assert result.outcome == intake.Outcome.CREATED and ports["tickets"].get(result.number).sender_verified


def test_a_virus_is_quarantined_without_ticket_or_answer(ports):
    number = ticket_of(ports, "maryam@example.ir")
    raw = fixture("reply_fa_quoted.eml", number=number, fail=("virus",))

    result = receive(ports, raw, key="inbound/0a1b2c")

    assert result == intake.Intake(intake.Outcome.QUARANTINED, reason="virus")
    assert list(ports["tickets"].tickets) == [number] and len(messages(ports, number)) == 1
    assert ports["mailer"].sent == []
    assert ports["files"].read_document("quarantine/0a1b2c") == raw
    assert [k for k in ports["files"].objects if not k.startswith("quarantine/")] == []  # no attachment kept
    assert receive(ports, raw, key="inbound/0a1b2c") == result  # again: the same, nothing more


def test_outlooks_bare_ticket_id_from_the_customer_opens_a_new_ticket(ports):
    number = ticket_of(ports, "maryam@example.ir")
    result = receive(ports, fixture("forged_bare_message_id.eml", number=number))
    assert result.outcome == intake.Outcome.CREATED and result.number != number
    assert len(messages(ports, number)) == 1


def test_a_stored_mail_whose_sender_forged_verdicts_below_ses_is_flagged(ports):
    """As SES stored it: its own block says dmarc=fail; the sender's "pass" headers below it count for nothing."""
    number = ticket_of(ports, "yossi@example.co.il", language="he")
    raw = fixture("ses_stored_dmarc_fail_forged_verdicts.eml", number=number, stamped=False)

    result = receive(ports, raw)

    assert result.outcome == intake.Outcome.CREATED and result.number != number
    assert len(messages(ports, number)) == 1
    assert not ports["tickets"].get(result.number).sender_verified


def test_a_hebrew_out_of_office_that_says_so_only_in_its_subject_is_ignored(ports):
    number = ticket_of(ports, "yossi@example.co.il", language="he")
    assert receive(ports, fixture("out_of_office_he.eml", number=number)) == intake.Intake(
        intake.Outcome.IGNORED, reason="auto_reply_subject")
    assert len(messages(ports, number)) == 1 and ports["mailer"].sent == []


def test_control_and_bidi_characters_in_a_mail_are_removed_not_refused(ports):
    """A form refuses them with the field named; a mail cannot be asked again, so they are taken out."""
    mail = EmailMessage()
    mail["From"] = "Ali\u202e Rezaei\x1b <ali.rezaei@example.org>"
    mail["To"] = DESK.mailbox
    mail["Subject"] = "invoice\u202efdp.exe\x07 please"
    mail["Message-ID"] = "<unsafe-1@example.org>"
    mail.set_content("Hello\x00 there,\r\nthe \u2066file\u2069 is attached.\n")

    result = receive(ports, ses_received(mail.as_bytes()))

    assert result.outcome == intake.Outcome.CREATED
    ticket = ports["tickets"].get(result.number)
    assert ticket.subject == "invoicefdp.exe please" and ticket.customer.name == "Ali Rezaei"
    [first] = messages(ports, result.number)
    assert first.text.startswith("Hello there,\nthe file is attached.")
