"""Mail intake against in-memory ports: replies thread to the sender's own ticket only; strangers, machines
and broken files are handled without touching anyone else's conversation."""
from dataclasses import replace
from email.message import EmailMessage

import pytest

from chalicelib.domain.attachments import Limits
from chalicelib.domain.catalog import Category
from chalicelib.domain.sign_in import Channel, CustomerAccess, Identity
from chalicelib.domain.tickets import AuthorKind, Language, Status, Visibility
from chalicelib.errors import NotFound
from chalicelib.services import intake
from chalicelib.services import tickets as ticket_service
from tests.fakes import PDF, PNG, FakeAgents, FakeFiles, FakeSecrets, FixedClock, InMemoryCatalog, InMemoryTickets
from tests.unit.test_inbound_mail import fixture

DESK = intake.MailDesk(mailbox="helpdesk@example.com", site_url="https://help.example/customer/")
LIMITS = Limits(max_file_bytes=1000, max_message_bytes=1500, max_files=3)


@pytest.fixture
def ports():
    return {"tickets": InMemoryTickets(), "catalog": InMemoryCatalog(), "agents": FakeAgents(), "files": FakeFiles(),
            "secrets": FakeSecrets(), "clock": FixedClock(), "limits": LIMITS}


def receive(ports, raw: bytes, key: str = "inbound/m1", desk: intake.MailDesk = DESK) -> intake.Intake:
    return intake.receive(raw, key, desk=desk, **ports)


def ticket_of(ports, email: str, language: str = "fa") -> int:
    """A ticket filed through the web form by `email`."""
    return ticket_service.open_ticket(
        **ports, site_url=DESK.site_url, subject="پیگیری", department="support", category="billing",
        priority="normal", text="سلام", language=language, customer_name="Customer", customer_email=email,
        attachments=[]).number


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
    assert result == intake.Intake(intake.Outcome.REFUSED, reason="no_department")


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
    return message.as_bytes()


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
    [first] = ticket_service.view_as_customer(ports["tickets"], result.number, access).messages
    assert [a.filename for a in first.attachments] == ["test page.pdf"]
    original = next(a for a in messages(ports, result.number)[0].attachments if a.filename == "original.eml")
    with pytest.raises(NotFound):
        ticket_service.attachment_for_customer(tickets=ports["tickets"], files=ports["files"], number=result.number,
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
    assert receive(ports, message.as_bytes()) == intake.Intake(intake.Outcome.REFUSED, number, "text:too_long")
    assert len(messages(ports, number)) == 1


@pytest.mark.parametrize("sender", ["helpdesk@example.com", "HelpDesk+t1001.0123456789abcdef@Example.com"])
def test_our_own_mail_coming_back_is_ignored(ports, sender):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "helpdesk@example.com"
    message["Subject"] = "[#1001] We received your request"
    message.set_content("loop")
    assert receive(ports, message.as_bytes()) == intake.Intake(intake.Outcome.IGNORED, reason="own_mail")
    assert ports["tickets"].tickets == {}
