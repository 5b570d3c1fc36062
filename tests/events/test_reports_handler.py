"""The stats queue's handler, invoked as Lambda would, against moto: the topic delivers the events a figure is
made of, each is added once however often SQS delivers it, and a bad record fails alone."""
import json
from datetime import date, datetime

import pytest
from chalice.test import Client

from chalicelib import bootstrap
from chalicelib.domain.reports import local_day
from chalicelib.views.reports import period_report
from tests.events.test_handlers import conversation_documents, drain, sqs_event, stream_event


@pytest.fixture(scope="module")
def client(aws_stack):
    from app import app
    with Client(app) as test_client:
        yield test_client


def customer_figures(email: str, day: date) -> dict:
    return period_report(bootstrap.reports(), dimension="customer", member=email, first=day, last=day,
                         compare=False)["figures"]


def test_the_stats_queue_gets_the_ticket_events_and_each_is_counted_once(client, aws_stack):
    drain(aws_stack["STATS_QUEUE_URL"])
    email, docs = conversation_documents()
    client.lambda_.invoke("publish_ticket_events", stream_event(docs))
    delivered = drain(aws_stack["STATS_QUEUE_URL"])
    assert sorted(d["event_id"] for d in delivered) == sorted(d["event_id"] for d in docs)  # notes and all
    day = local_day(datetime.fromisoformat(docs[0]["occurred_at"]), "UTC")
    bodies = [json.dumps(d) for d in delivered]
    assert client.lambda_.invoke("aggregate_reports", sqs_event(bodies)).payload == {"batchItemFailures": []}
    once = customer_figures(email, day)
    assert (once["created"], once["replies"]) == (1, 1)
    assert client.lambda_.invoke("aggregate_reports", sqs_event(bodies)).payload == {"batchItemFailures": []}
    assert customer_figures(email, day) == once


def test_a_record_that_is_not_an_event_fails_alone(client):
    email, docs = conversation_documents()
    event = sqs_event(["not json", json.dumps(docs[0])])
    bad = event["Records"][0]["messageId"]
    assert client.lambda_.invoke("aggregate_reports", event).payload == {"batchItemFailures": [{"itemIdentifier": bad}]}
    day = local_day(datetime.fromisoformat(docs[0]["occurred_at"]), "UTC")
    assert customer_figures(email, day)["created"] == 1
