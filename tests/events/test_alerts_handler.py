"""The alerts queue's handler, invoked as Lambda would, against moto: SMS and agents' mail go out once per
(event, channel, recipient) however often SQS delivers, and a failing provider loses nothing."""
import json
import random
import uuid

import pytest
from chalice.test import Client

from chalicelib import bootstrap
from chalicelib.domain.alerts import AgentProfile
from chalicelib.domain.catalog import Category, Department, Group
from chalicelib.domain.tickets import Language
from chalicelib.services.ports import DeliveryFailed
from tests.events.test_handlers import conversation_documents, drain, sqs_event


@pytest.fixture(scope="module")
def client(aws_stack):
    from app import app
    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def on_call_agent(aws_stack):
    """An agent on call for the desk of a department of their own, with a Persian profile and a phone."""
    department, agent = f"alerts-{uuid.uuid4().hex[:8]}", f"oncall-{uuid.uuid4().hex[:8]}@example.com"
    bootstrap.catalog().save(Department(id=department, names={"en": "Alerts", "fa": "هشدار", "he": "התראות"},
                                        categories=(Category(id="general", names={"en": "General"}),),
                                        groups=(Group(id="desk", names={"en": "Desk"}, members=(agent,)),),
                                        supervisors=(agent,)))
    profile = AgentProfile(agent=agent, language=Language.FA, phone=f"+98912{random.randrange(10**7):07d}",
                           on_call=frozenset({f"{department}/desk"}))
    bootstrap.agent_profiles().save(profile)
    return department, profile


def urgent_ticket_created(department):
    _, (created, *_) = conversation_documents()
    created["ticket"].update(priority="urgent", department=department, group="desk")
    return created


def breach_of(department, supervisor):
    doc = urgent_ticket_created(department)
    return {**doc, "event_id": uuid.uuid4().hex, "type": "ticket.sla_breached", "visibility": "internal",
            "actor": {"kind": "system", "id": "system", "name": "system"},
            "data": {"target": "first_response", "due_at": doc["occurred_at"], "supervisors": [supervisor]}}


def sms_to(aws_stack, phone):
    from local.mailbox import sent_sms
    return [s["message"] for s in sent_sms(aws_stack["endpoint"]) if s["phone_number"] == phone]


def mails_to(aws_stack, address):
    from local.mailbox import mail_to
    return mail_to(aws_stack["endpoint"], address)


def test_an_urgent_ticket_texts_the_on_call_agent_once_even_when_delivered_twice(client, aws_stack, on_call_agent):
    department, profile = on_call_agent
    event = sqs_event([json.dumps(urgent_ticket_created(department), ensure_ascii=False)])
    for _ in range(2):
        assert client.lambda_.invoke("send_alerts", event).payload == {"batchItemFailures": []}
    [text] = sms_to(aws_stack, profile.phone)
    assert "فوری" in text and "/portal/#/tickets/" in text


def test_a_failing_sms_provider_fails_the_record_and_the_retry_sends_only_what_is_missing(
        client, aws_stack, on_call_agent, monkeypatch):
    department, profile = on_call_agent
    event = sqs_event([json.dumps(breach_of(department, profile.agent), ensure_ascii=False)])

    def provider_down(phone, text):
        raise DeliveryFailed("SNS did not take the SMS")

    monkeypatch.setattr(bootstrap.sms(), "send", provider_down)
    with pytest.raises(Exception, match="All records failed"):  # Lambda hands the batch back to SQS
        client.lambda_.invoke("send_alerts", event)
    assert sms_to(aws_stack, profile.phone) == [] and len(mails_to(aws_stack, profile.agent)) == 1

    monkeypatch.undo()  # the provider is back: the redelivered message sends the SMS, not the mail again
    assert client.lambda_.invoke("send_alerts", event).payload == {"batchItemFailures": []}
    assert len(sms_to(aws_stack, profile.phone)) == 1
    [mail] = mails_to(aws_stack, profile.agent)
    assert 'dir="rtl"' in mail.html and "سرپرست" in mail.text


def test_an_event_that_calls_for_no_alert_sends_nothing(client, aws_stack, on_call_agent):
    department, profile = on_call_agent
    doc = urgent_ticket_created(department)
    doc["ticket"]["priority"] = "high"
    assert client.lambda_.invoke("send_alerts", sqs_event([json.dumps(doc)])).payload == {"batchItemFailures": []}
    assert sms_to(aws_stack, profile.phone) == []


def test_the_alerts_queue_gets_internal_events_that_may_alert_and_nothing_else(aws_stack, on_call_agent):
    department, profile = on_call_agent
    drain(aws_stack["ALERTS_QUEUE_URL"])
    breach = breach_of(department, profile.agent)
    rated = {**breach, "event_id": uuid.uuid4().hex, "type": "ticket.rated", "visibility": "public"}
    for doc in (breach, rated):
        bootstrap.event_bus().publish(doc)
    assert [d["event_id"] for d in drain(aws_stack["ALERTS_QUEUE_URL"])] == [breach["event_id"]]


def an_agents_reply_to_a_customer_who_opted_in(phone):
    _, documents = conversation_documents()
    [reply] = [d for d in documents
               if d["type"] == "ticket.message_added" and d["message"]["author"]["kind"] == "agent"]
    reply["ticket"].update(sms_updates=True, language="fa", confirmed=True)  # the customer proved the address
    reply["ticket"]["customer"]["phone"] = phone
    return reply


def test_an_agents_reply_texts_the_opted_in_customer_once_with_their_private_link(client, aws_stack, monkeypatch):
    from chalicelib.domain import links
    from chalicelib.settings import get_settings
    from tests.fakes import FixedClock

    monkeypatch.setattr(bootstrap, "clock", FixedClock)  # 09:00 UTC: 12:30 in Tehran, outside the customer's night
    phone = f"+98912{random.randrange(10**7):07d}"
    doc = an_agents_reply_to_a_customer_who_opted_in(phone)
    event = sqs_event([json.dumps(doc, ensure_ascii=False)])
    for _ in range(2):  # SQS delivers the same record twice
        assert client.lambda_.invoke("send_alerts", event).payload == {"batchItemFailures": []}

    [text] = sms_to(aws_stack, phone)
    number = doc["ticket"]["number"]
    key = links.derive_key(bootstrap.secrets().link_secret(), number, doc["ticket"]["link_salt"])
    assert "لغو پیامک" in text and text.endswith(links.ticket_link(get_settings().customer_site_url, number, key))


def test_the_customers_night_holds_the_text_back(client, aws_stack, monkeypatch):
    from datetime import datetime, timezone

    from tests.fakes import FixedClock

    monkeypatch.setattr(bootstrap, "clock", lambda: FixedClock(datetime(2026, 11, 23, 19, 30, tzinfo=timezone.utc)))
    phone = f"+98912{random.randrange(10**7):07d}"  # 23:00 in Tehran
    event = sqs_event([json.dumps(an_agents_reply_to_a_customer_who_opted_in(phone), ensure_ascii=False)])
    assert client.lambda_.invoke("send_alerts", event).payload == {"batchItemFailures": []}
    assert sms_to(aws_stack, phone) == []
