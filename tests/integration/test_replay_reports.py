"""ops/replay_reports.py: figures rebuilt from the stored timelines equal the live aggregator's, read by key
(ticket numbers, one Query per ticket), resumable."""
import uuid
from datetime import datetime, timezone

import boto3
import pytest

from chalicelib import bootstrap
from chalicelib.adapters.models import EVENT_PREFIX, EventItem, ticket_pk
from chalicelib.adapters.reports import DynamoReportStore, StoredTimelines
from chalicelib.domain.ratings import Rating
from chalicelib.domain.reports import contributions
from chalicelib.domain.tickets import Status
from chalicelib.views.reports import aggregate
from ops.replay_reports import replay
from tests.unit.test_report_figures import Story, t

NOW = datetime(2026, 12, 5, tzinfo=timezone.utc)


def stored(story: Story) -> None:
    """The ticket's events as the table holds them (the documents the outbox publishes)."""
    for i, doc in enumerate(story.docs):
        EventItem(pk=ticket_pk(doc["ticket_number"]), sk=f"{EVENT_PREFIX}{doc['occurred_at']}#{i:02d}#{doc['event_id']}",
                  doc=doc).save()


@pytest.fixture
def fresh_table(aws_stack):
    name = f"reports-rebuild-{uuid.uuid4().hex[:6]}"
    boto3.client("dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    return DynamoReportStore(name)


def test_replay_gives_the_live_figures_and_resumes(aws_stack, fresh_table):
    live, repo = bootstrap.reports(), bootstrap.tickets()
    department = f"replay-{uuid.uuid4().hex[:6]}"
    numbers = [repo.next_number() for _ in range(3)]
    stories = []
    for i, number in enumerate(numbers):
        story = Story(t(f"2026-12-0{i + 1}T10:00"), number=number, department=department)
        reply = story.reply(t(f"2026-12-0{i + 1}T11:00"), by="sara")
        story.rate(t(f"2026-12-0{i + 1}T12:00"), reply, Rating.GOOD if i else Rating.BAD)
        story.move(Status.RESOLVED, t(f"2026-12-0{i + 1}T13:00"))
        stored(story)
        stories.append(story)
        for doc in reversed(story.docs):  # the live queue, in its own order
            aggregate(doc, store=live, zone="UTC", now=NOW)
    timelines = StoredTimelines(aws_stack["HELPDESK_TABLE"])
    assert timelines.last_number() >= numbers[-1]

    # Interrupted after the first ticket, then resumed: each ticket replayed once.
    first = replay(timelines=timelines, store=fresh_table, zone="UTC", now=NOW, first=numbers[0], last=numbers[0])
    rest = replay(timelines=timelines, store=fresh_table, zone="UTC", now=NOW, first=numbers[0], last=numbers[-1],
                  resume=True)
    assert first.tickets == 1 and rest.tickets == 2
    assert first.events + rest.events == sum(len(s.docs) for s in stories)
    assert first.applied + rest.applied == sum(1 for s in stories for d in s.docs if contributions(d, "UTC"))

    from datetime import date
    span = (date(2026, 12, 1), date(2026, 12, 3))
    # The live table is shared by the session's tests: compare this test's own department.
    assert fresh_table.days("department", department, *span) == live.days("department", department, *span)
    assert len(live.days("department", department, *span)) == 3
    assert fresh_table.total("department", department) == live.total("department", department)
    # Again into the same table: nothing changes (markers).
    again = replay(timelines=timelines, store=fresh_table, zone="UTC", now=NOW, first=numbers[0], last=numbers[-1])
    assert again.applied == 0
