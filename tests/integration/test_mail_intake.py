"""Mail intake end to end on moto, the path SES mail takes: raw mail stored under inbound/ (as
`python -m local.inbound` does) -> S3 notification -> inbound-mail queue -> the event runner's poller ->
receive_mail -> a ticket. Then the agent's reply goes out threaded, and the customer's answer to it
comes back into the same ticket. A mail that can become no ticket gets one answer and leaves no file."""
import uuid
from email import message_from_string, policy
from email.message import EmailMessage

import boto3
import pytest

from chalicelib import bootstrap
from chalicelib.domain import inbound
from chalicelib.domain.events import to_document
from chalicelib.domain.digits import local_digits
from chalicelib.domain.tickets import Actor, AuthorKind, Language
from chalicelib.services.notifications import notify_customer
from chalicelib.services import tickets as ticket_service
from local import inbound as local_inbound
from local.events import QueuePoller
from local.mailbox import mail_to
from tests.fakes import open_ticket as fake_open_ticket
from tests.fakes import PDF, PNG
from tests.unit.test_inbound_mail import fixture


@pytest.fixture(scope="module")
def poller(aws_stack):
    from app import app
    return QueuePoller(app, "receive_mail", aws_stack["INBOUND_MAIL_QUEUE_URL"], region="us-east-1",
                       endpoint_url=aws_stack["endpoint"], wait_seconds=1)


def deliver(aws_stack, poller, raw: bytes) -> str:
    key = local_inbound.deliver(aws_stack["endpoint"], raw, bucket=aws_stack["ATTACHMENTS_BUCKET"])
    while poller.poll():  # S3's notification (after its one-time test event) reaches the worker
        pass
    return key


def test_a_mail_becomes_a_ticket_and_the_answer_to_our_reply_threads_back(aws_stack, poller):
    sender = f"maryam-{uuid.uuid4().hex[:8]}@example.ir"
    key = deliver(aws_stack, poller, fixture("html_only_fa.eml").replace(b"maryam@example.ir", sender.encode()))

    [ticket] = bootstrap.ticket_views().of_customer(email=sender)
    assert ticket.subject == "کسر دوباره از کارت" and ticket.language.value == "fa"
    assert bootstrap.tickets().get(ticket.number).channel == "mail"  # reports filter by it
    [first] = [e.message for e in bootstrap.tickets().timeline(ticket.number) if e.message]
    assert [a.key for a in first.attachments] == [key]

    # Our reply goes out by SES with the ticket's reply address and our Message-ID ...
    agent = Actor(kind=AuthorKind.AGENT, id="agent.one@example.com", name="Sara")
    reply = ticket_service.agent_reply(tickets=bootstrap.tickets(), files=bootstrap.files(), clock=bootstrap.clock(),
                                       limits=bootstrap.limits(), number=ticket.number, agent=agent,
                                       text="سلام مریم، بررسی کردیم.", attachments=[])
    [event] = [e for e in bootstrap.tickets().timeline(ticket.number) if e.message and e.message.id == reply.id]
    notify_customer(to_document(event, bootstrap.tickets().get(ticket.number)), mailer=bootstrap.mailer(),
                    secrets=bootstrap.secrets(), site_url="http://x/", mailbox=aws_stack["MAIL_FROM"])
    [sent] = mail_to(aws_stack["endpoint"], sender)
    ours = message_from_string(sent.raw, policy=policy.default)
    root = inbound.our_message_id(bootstrap.secrets().link_secret(), ticket.number, inbound.THREAD)
    assert ours["In-Reply-To"] == ours["References"] == f"<{root}@example.com>"

    # ... and the customer's client answers it: to the Reply-To, quoting our mail.
    answer = EmailMessage()
    answer["From"] = f"Maryam <{sender}>"
    answer["To"] = str(ours["Reply-To"])
    answer["Subject"] = f"Re: {ours['Subject']}"
    answer["In-Reply-To"] = ours["Message-ID"]
    answer.set_content("ممنون، درست شد.\n\nOn Mon, 23 Nov 2026 at 10:15, Helpdesk wrote:\n> سلام مریم\n")
    deliver(aws_stack, poller, local_inbound.ses_received(answer.as_bytes()))  # through SES, as it would be

    texts = [e.message.text for e in bootstrap.tickets().timeline(ticket.number) if e.message]
    assert texts[-1] == "ممنون، درست شد."
    assert len(bootstrap.ticket_views().of_customer(email=sender)) == 1


def test_the_local_command_finds_the_stacks_bucket(aws_stack):
    assert local_inbound.attachments_bucket(aws_stack["endpoint"], "helpdesk-test") == aws_stack["ATTACHMENTS_BUCKET"]


def test_a_customer_at_the_open_limit_gets_one_answer_even_when_s3_announces_the_mail_twice(aws_stack, poller):
    sender = f"maryam-{uuid.uuid4().hex[:8]}@example.ir"
    opened = [fake_open_ticket(
        tickets=bootstrap.tickets(), catalog=bootstrap.catalog(), agents=bootstrap.agents(), files=bootstrap.files(),
        secrets=bootstrap.secrets(), clock=bootstrap.clock(), limits=bootstrap.limits(), site_url="http://x/",
        subject=f"درخواست {n}", department="support", category="billing", priority="normal", text="سلام",
        language="fa", customer_name="مریم", customer_email=sender, attachments=[], confirmed=True).number
        for n in range(5)]  # hers: confirmed tickets, which the open-ticket limit counts
    raw = persian_mail_with_files(sender)

    key = local_inbound.deliver(aws_stack["endpoint"], raw, bucket=aws_stack["ATTACHMENTS_BUCKET"])
    sqs, queue = boto3.client("sqs"), aws_stack["INBOUND_MAIL_QUEUE_URL"]
    peeked = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0)["Messages"]
    [announcement] = [m["Body"] for m in peeked if key.partition("/")[2] in m["Body"]]  # the key is URL-encoded
    sqs.send_message(QueueUrl=queue, MessageBody=announcement)  # S3 delivers at least once: here, twice
    while poller.poll():
        pass

    [answer] = mail_to(aws_stack["endpoint"], sender)  # exactly one answer in SES's outbox
    assert answer.source == aws_stack["MAIL_FROM"] and answer.subject.startswith("تیکت تازه‌ای باز نشد")
    assert all(f"[#{local_digits(n, Language.FA)}] درخواست" in answer.text for n in opened) and 'dir="rtl"' in answer.html
    headers = message_from_string(answer.raw, policy=policy.default)
    assert headers["Auto-Submitted"] == "auto-replied"
    assert headers["In-Reply-To"] == "<fa-limit-0001@example.ir>"
    assert headers["Message-ID"] == f"<{inbound.refusal_id(key)}@example.com>"
    assert sorted(t.number for t in bootstrap.ticket_views().of_customer(email=sender)) == opened  # no sixth ticket
    stored = {o["Key"] for o in boto3.client("s3").list_objects_v2(
        Bucket=aws_stack["ATTACHMENTS_BUCKET"], Prefix="attachments/").get("Contents", [])}
    assert not stored & {f"attachments/{inbound.part_id(key, i)}" for i in range(2)}  # the files are gone
    assert bootstrap.files().read_document(key) == raw  # the raw mail stays


def persian_mail_with_files(sender: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"مریم احمدی <{sender}>"
    message["To"] = "helpdesk@example.com"
    message["Subject"] = "کسر دوباره از کارت"
    message["Message-ID"] = "<fa-limit-0001@example.ir>"
    message.set_content("سلام، صورتحساب ماه آبان دو بار از کارت من کسر شده است. رسید پیوست است.")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="رسید.pdf")
    message.add_attachment(PNG, maintype="image", subtype="png", filename="screenshot.png")
    return local_inbound.ses_received(message.as_bytes())  # as SES stores it: the sender authenticated


def test_forged_replies_open_flagged_tickets_of_their_own(aws_stack, poller):
    """Finding 2 of issue 11 on the real path: the bare ticket id, and the right reply address from a sender SES
    could not authenticate (`python -m local.inbound --fail dmarc`), both stay out of the customer's ticket."""
    sender = f"maryam-{uuid.uuid4().hex[:8]}@example.ir"
    deliver(aws_stack, poller, fixture("html_only_fa.eml").replace(b"maryam@example.ir", sender.encode()))
    [ticket] = bootstrap.ticket_views().of_customer(email=sender)

    def forged(**headers) -> bytes:
        message = EmailMessage()
        message["From"] = sender
        message["Subject"] = "Re: refund"
        for name, value in headers.items():
            message[name.replace("_", "-")] = value
        message.set_content("Send the refund to IBAN XX00 0000.")
        return message.as_bytes()

    deliver(aws_stack, poller, local_inbound.ses_received(
        forged(To=aws_stack["MAIL_FROM"], In_Reply_To=f"<ticket-{ticket.number}@example.com>")))
    address = inbound.reply_address(aws_stack["MAIL_FROM"], ticket.number, bootstrap.secrets().link_secret())
    deliver(aws_stack, poller, local_inbound.ses_received(forged(To=address), fail=["dmarc"]))

    tickets = bootstrap.ticket_views().of_customer(email=sender)
    assert len(tickets) == 3
    assert len([e for e in bootstrap.tickets().timeline(ticket.number) if e.message]) == 1
    by_number = {t.number: t for t in tickets}
    assert by_number[ticket.number].sender_verified  # read back from DynamoDB
    flagged = [t for t in tickets if t.number != ticket.number]
    assert [t.sender_verified for t in sorted(flagged, key=lambda t: t.number)] == [True, False]
