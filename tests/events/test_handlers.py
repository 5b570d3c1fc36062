"""Stream and queue handlers, invoked as Lambda would (chalice.test's lambda_.invoke), against moto.
At-least-once delivery: duplicates do their work once; a failing downstream loses nothing."""
import json
import uuid

import boto3
import pytest
from chalice.test import Client

from chalicelib import bootstrap
from chalicelib.adapters.models import EventItem
from tests.fakes import open_ticket as fake_open_ticket
from tests.fakes import FakeAgents, FakeFiles, FakeSecrets, FixedClock, InMemoryCatalog, InMemoryTickets
from tests.unit.test_ticket_services import AGENT, LIMITS, form


@pytest.fixture(scope="module")
def client(aws_stack):
    from app import app
    with Client(app) as test_client:
        yield test_client


def conversation_documents():
    """Event documents of a real conversation: created, first message, reply, status change."""
    from chalicelib.domain.events import to_document
    from chalicelib.services import tickets as service
    repo, clock = InMemoryTickets(), FixedClock()
    email = f"c-{uuid.uuid4().hex[:8]}@example.com"
    opened = fake_open_ticket(tickets=repo, catalog=InMemoryCatalog(), agents=FakeAgents(), files=FakeFiles(),
                                 secrets=FakeSecrets(),
                                 clock=clock, limits=LIMITS, site_url="http://x/", confirmed=True,
                                 **form(customer_email=email))
    service.agent_reply(tickets=repo, files=FakeFiles(), clock=clock, limits=LIMITS, number=opened.number,
                        agent=AGENT, text="reply", attachments=[])
    ticket = repo.get(opened.number)
    return email, [to_document(e, ticket) for e in repo.timeline(opened.number)]


def stream_event(documents, name="INSERT", sk_prefix="EV#"):
    records = []
    for i, doc in enumerate(documents):
        image = EventItem(pk=f"T#{doc['ticket_number']}", sk=f"{sk_prefix}{doc['occurred_at']}#{i:02d}",
                          doc=doc).serialize()
        records.append({"eventID": str(i), "eventName": name, "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
                        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/1",
                        "dynamodb": {"Keys": {"pk": image["pk"], "sk": image["sk"]}, "NewImage": image,
                                     "SequenceNumber": f"{100 + i}", "StreamViewType": "NEW_IMAGE"}})
    return {"Records": records}


def sqs_event(bodies):
    return {"Records": [{"messageId": str(uuid.uuid4()), "receiptHandle": "r", "body": body, "attributes": {},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:notifications",
                         "awsRegion": "us-east-1"} for body in bodies]}


def drain(queue_url):
    sqs, bodies = boto3.client("sqs"), []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                          MessageAttributeNames=["All"]).get("Messages", []):
        for m in messages:
            bodies.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    return bodies


def mails_to(aws_stack, address):
    from local.mailbox import mail_to
    return mail_to(aws_stack["endpoint"], address)


def test_publisher_relays_new_timeline_events_only(client, aws_stack):
    drain(aws_stack["NOTIFICATIONS_QUEUE_URL"])
    _, docs = conversation_documents()
    response = client.lambda_.invoke("publish_ticket_events", stream_event(docs))
    assert response.payload == {"batchItemFailures": []}
    # Not events: updates of an event item, and inserts of other items (the ticket header).
    client.lambda_.invoke("publish_ticket_events", stream_event(docs, name="MODIFY"))
    client.lambda_.invoke("publish_ticket_events", stream_event(docs, sk_prefix="META#"))

    relayed = drain(aws_stack["NOTIFICATIONS_QUEUE_URL"])
    public = [d for d in docs if d["visibility"] == "public"]
    assert sorted(d["event_id"] for d in relayed) == sorted(d["event_id"] for d in public)  # the queue filters


def test_a_failed_publish_fails_only_its_record_so_the_stream_retries_it(client, aws_stack, monkeypatch):
    _, docs = conversation_documents()
    bus = bootstrap.event_bus()
    real_publish = bus.publish

    def flaky_publish(document):
        if document["event_id"] == docs[1]["event_id"]:
            raise ConnectionError("SNS unreachable")
        real_publish(document)

    monkeypatch.setattr(bus, "publish", flaky_publish)
    response = client.lambda_.invoke("publish_ticket_events", stream_event(docs[:3]))
    assert response.payload == {"batchItemFailures": [{"itemIdentifier": "101"}]}


def test_when_every_record_fails_the_whole_batch_is_retried(client, monkeypatch):
    _, docs = conversation_documents()
    monkeypatch.setattr(bootstrap.event_bus(), "topic_arn", "arn:aws:sns:us-east-1:123456789012:gone")
    with pytest.raises(Exception, match="All records failed"):
        client.lambda_.invoke("publish_ticket_events", stream_event(docs[:2]))


def test_a_mail_is_sent_once_even_when_the_queue_delivers_twice(client, aws_stack):
    email, docs = conversation_documents()
    created = json.dumps(docs[0], ensure_ascii=False)
    for _ in range(2):
        assert client.lambda_.invoke("send_notifications", sqs_event([created])).payload == {"batchItemFailures": []}
    [mail] = mails_to(aws_stack, email)
    assert "دریافت" in mail.subject and 'dir="rtl"' in mail.html


def test_a_failing_mail_provider_loses_nothing(client, aws_stack, monkeypatch):
    email, docs = conversation_documents()
    other_email, other_docs = conversation_documents()
    monkeypatch.setattr(bootstrap.mailer(), "sender", "unverified@nowhere.example")  # SES refuses this sender
    event = sqs_event([json.dumps(docs[0]), json.dumps(other_docs[0])])
    with pytest.raises(Exception, match="All records failed"):  # Lambda hands the whole batch back to SQS
        client.lambda_.invoke("send_notifications", event)
    assert mails_to(aws_stack, email) == mails_to(aws_stack, other_email) == []

    monkeypatch.undo()  # the provider is back: the redelivered messages are mailed, once each
    assert client.lambda_.invoke("send_notifications", event).payload == {"batchItemFailures": []}
    assert len(mails_to(aws_stack, email)) == len(mails_to(aws_stack, other_email)) == 1


def test_a_message_that_is_not_an_event_fails_alone(client):
    email, docs = conversation_documents()
    event = sqs_event(["not json", json.dumps(docs[0])])
    payload = client.lambda_.invoke("send_notifications", event).payload
    assert payload == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}


def test_a_customer_mail_refused_on_every_try_ends_in_the_timeline_once_and_goes_to_the_dlq(client, aws_stack,
                                                                                            monkeypatch):
    from chalicelib.domain.events import to_document
    from chalicelib.domain.tickets import EventType
    from chalicelib.events.notifications import MAX_RECEIVES

    email = f"c-{uuid.uuid4().hex[:8]}@example.com"
    opened = fake_open_ticket(tickets=bootstrap.tickets(), catalog=bootstrap.catalog(), agents=bootstrap.agents(),
                                 files=bootstrap.files(), secrets=bootstrap.secrets(), clock=bootstrap.clock(),
                                 limits=bootstrap.limits(), site_url="http://x/",
                                 **form(customer_email=email, department="support", category="technical"))
    ticket = bootstrap.tickets().get(opened.number)
    [created] = [json.dumps(to_document(e, ticket)) for e in bootstrap.tickets().timeline(opened.number)
                 if e.type == EventType.TICKET_CREATED]
    monkeypatch.setattr(bootstrap.mailer(), "sender", "unverified@nowhere.example")  # SES refuses every try

    def undeliverable():
        return [e for e in bootstrap.tickets().timeline(opened.number) if e.type == EventType.MAIL_UNDELIVERABLE]

    def attempt(receive_count: int) -> dict:
        event = sqs_event([created])
        event["Records"][0]["attributes"] = {"ApproximateReceiveCount": str(receive_count)}
        return client.lambda_.invoke("send_notifications", event).payload

    for count in range(1, MAX_RECEIVES):  # SQS retries: nothing said yet, the record fails each time
        with pytest.raises(Exception, match="All records failed"):
            attempt(count)
        assert undeliverable() == []
    for _ in range(2):  # the last try, and a redelivery of it: said once; the record fails (to the DLQ)
        with pytest.raises(Exception, match="All records failed"):
            attempt(MAX_RECEIVES)
    [said] = undeliverable()
    assert said.data["mail"] == "received_unconfirmed" and said.data["to"] == email and said.visibility.value == "internal"
    assert mails_to(aws_stack, email) == []
