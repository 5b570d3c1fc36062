"""The inbound-mail worker as Lambda runs it (chalice.test's lambda_.invoke) against moto: raw mail in the
bucket, S3's notification in an SQS record. Redelivery does the work once; a broken mail fails alone."""
import json
import uuid

import boto3
import pytest
from chalice.test import Client

from chalicelib import bootstrap
from chalicelib.domain import inbound, links
from tests.events.test_handlers import sqs_event
from tests.unit.test_inbound_mail import fixture
from tests.fakes import open_ticket as fake_open_ticket


@pytest.fixture(scope="module")
def client(aws_stack):
    from app import app
    with Client(app) as test_client:
        yield test_client


def stored_mail(aws_stack, raw: bytes) -> str:
    key = f"inbound/{uuid.uuid4().hex}"
    boto3.client("s3").put_object(Bucket=aws_stack["ATTACHMENTS_BUCKET"], Key=key, Body=raw)
    return key


def notification(*keys: str, event_name: str = "ObjectCreated:Put") -> str:
    return json.dumps({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": event_name,
                                    "s3": {"bucket": {"name": "b"}, "object": {"key": key, "size": 1}}}
                                   for key in keys]})


def with_sender(raw: bytes, old: bytes, new: str) -> bytes:
    return raw.replace(old, new.encode())


def tickets_of(email: str):
    return bootstrap.ticket_views().of_customer(email=email)


def test_a_new_mail_opens_one_ticket_even_when_delivered_twice(client, aws_stack):
    sender = f"dana-{uuid.uuid4().hex[:8]}@example.org"
    key = stored_mail(aws_stack, with_sender(fixture("new_multipart_en.eml"), b"Dana@Example.org", sender))
    event = sqs_event([notification(key)])
    for _ in range(2):
        assert client.lambda_.invoke("receive_mail", event).payload == {"batchItemFailures": []}

    [ticket] = tickets_of(sender)
    [first] = [e.message for e in bootstrap.tickets().timeline(ticket.number) if e.message]
    assert first.text.endswith("The test page is attached.")
    assert {a.filename for a in first.attachments} == {"test page.pdf", "original.eml"}
    original = next(a for a in first.attachments if a.filename == "original.eml")
    assert original.key == key  # the raw mail stays where SES put it, downloadable by agents


def test_a_reply_to_the_signed_address_is_added_once(client, aws_stack):
    sender = f"yossi-{uuid.uuid4().hex[:8]}@example.co.il"
    opened = fake_open_ticket(
        tickets=bootstrap.tickets(), catalog=bootstrap.catalog(), agents=bootstrap.agents(),
        files=bootstrap.files(), secrets=bootstrap.secrets(), clock=bootstrap.clock(), limits=bootstrap.limits(),
        site_url="http://x/", subject="הנתב", department="support", category="technical", priority="normal",
        text="שלום", language="he", customer_name="יוסי", customer_email=sender, attachments=[])
    raw = fixture("reply_he_iso8859_8_i.eml", number=opened.number, secret=bootstrap.secrets().link_secret())
    key = stored_mail(aws_stack, with_sender(raw, b"yossi@example.co.il", sender))
    for _ in range(2):
        client.lambda_.invoke("receive_mail", sqs_event([notification(key)]))

    texts = [e.message.text for e in bootstrap.tickets().timeline(opened.number) if e.message]
    assert texts == ["שלום", "תודה, עכשיו זה עובד.\nאני צריך גם חשבונית מס."]
    assert links.reply_signature(bootstrap.secrets().link_secret(), opened.number) in raw.decode()


def test_an_unreadable_mail_fails_only_its_record_and_stays_in_the_bucket(client, aws_stack):
    broken = stored_mail(aws_stack, b"")
    sender = f"sam-{uuid.uuid4().hex[:8]}@example.org"
    fine = stored_mail(aws_stack, with_sender(fixture("inline_image.eml"), b"sam@example.org", sender))
    event = sqs_event([notification(broken), notification(fine)])

    payload = client.lambda_.invoke("receive_mail", event).payload

    assert payload == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert bootstrap.files().read_document(broken) == b""
    assert len(tickets_of(sender)) == 1


def test_a_mail_announced_but_missing_fails_so_the_queue_retries_it(client):
    event = sqs_event([notification(f"inbound/{uuid.uuid4().hex}")])
    with pytest.raises(Exception, match="All records failed"):  # Lambda hands the batch back to SQS
        client.lambda_.invoke("receive_mail", event)


def test_s3_test_events_and_objects_outside_inbound_are_not_mail(client, aws_stack):
    outside = f"attachments/{uuid.uuid4().hex}"
    boto3.client("s3").put_object(Bucket=aws_stack["ATTACHMENTS_BUCKET"], Key=outside,
                                  Body=fixture("new_multipart_en.eml"))
    test_event = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"})
    event = sqs_event([test_event, notification(outside), notification("inbound/x", event_name="ObjectRemoved:Delete")])
    assert client.lambda_.invoke("receive_mail", event).payload == {"batchItemFailures": []}


def at_open_limit(email: str) -> list[int]:
    """Five web-form tickets (the default limit) of `email`, who confirmed them."""
    return [fake_open_ticket(
        tickets=bootstrap.tickets(), catalog=bootstrap.catalog(), agents=bootstrap.agents(), files=bootstrap.files(),
        secrets=bootstrap.secrets(), clock=bootstrap.clock(), limits=bootstrap.limits(), site_url="http://x/",
        subject=f"Request {n}", department="support", category="technical", priority="normal", text="Hello",
        language="en", customer_name="Dana", customer_email=email, attachments=[], confirmed=True).number
        for n in range(5)]


def in_bucket(aws_stack, key: str) -> bool:
    listed = boto3.client("s3").list_objects_v2(Bucket=aws_stack["ATTACHMENTS_BUCKET"], Prefix=key)
    return any(o["Key"] == key for o in listed.get("Contents", []))


def test_a_refused_mail_whose_answer_fails_is_retried_and_answered_once_leaving_only_the_raw_mail(
        client, aws_stack, monkeypatch):
    from local.mailbox import mail_to
    from tests.fakes import FakeMailer

    sender = f"dana-{uuid.uuid4().hex[:8]}@example.org"
    numbers = at_open_limit(sender)
    key = stored_mail(aws_stack, with_sender(fixture("new_multipart_en.eml"), b"Dana@Example.org", sender))
    pdf = f"attachments/{inbound.part_id(key, 0)}"
    event = sqs_event([notification(key)])

    with monkeypatch.context() as patched:  # SES refuses the answer: the record fails, SQS will deliver it again
        patched.setattr(bootstrap, "mailer", lambda: FakeMailer(fail=True))
        with pytest.raises(Exception, match="All records failed"):
            client.lambda_.invoke("receive_mail", event)
    assert not in_bucket(aws_stack, pdf) and mail_to(aws_stack["endpoint"], sender) == []

    for _ in range(2):  # the retry, then a duplicate delivery of the same notification
        assert client.lambda_.invoke("receive_mail", event).payload == {"batchItemFailures": []}

    [answer] = mail_to(aws_stack["endpoint"], sender)
    assert answer.subject == "No new ticket opened: Printer on floor 3 prints blank pages"
    assert all(f"[#{n}] Request" in answer.text for n in numbers)
    assert sorted(t.number for t in tickets_of(sender)) == numbers  # no ticket opened
    assert not in_bucket(aws_stack, pdf) and in_bucket(aws_stack, key)  # the file gone, the raw mail kept


def test_a_mail_with_a_virus_is_copied_to_quarantine_and_opens_nothing(client, aws_stack):
    sender = f"dana-{uuid.uuid4().hex[:8]}@example.org"
    raw = with_sender(fixture("new_multipart_en.eml", fail=("virus",)), b"Dana@Example.org", sender)
    key = stored_mail(aws_stack, raw)

    result = client.lambda_.invoke("receive_mail", sqs_event([notification(key)]))

    assert result.payload == {"batchItemFailures": []}
    assert tickets_of(sender) == []
    quarantined = boto3.client("s3").get_object(Bucket=aws_stack["ATTACHMENTS_BUCKET"],
                                                Key=f"quarantine/{key.rpartition('/')[2]}")
    assert quarantined["Body"].read() == raw
