"""The scheduled jobs as Lambda runs them (the local event runner's invocation, a Scheduled Event and a
Lambda context), against moto with the resources from infra/: DynamoDB's timer index, S3 transcripts."""
import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from chalicelib import bootstrap
from chalicelib.domain.automation import closed_for_silence, transcript_key
from chalicelib.domain.tickets import EventType, Status, TimerStage
from chalicelib.services import automation
from local import events, schedules
from tests.fakes import FixedClock
from tests.unit.test_automation import Desk


@pytest.fixture(scope="module")
def app(aws_stack):
    from app import app
    return app


@pytest.fixture
def desk(aws_stack):
    from chalicelib import bootstrap
    desk = Desk(bootstrap.tickets())
    desk.catalog, desk.files = bootstrap.catalog(), bootstrap.files()
    return desk


NOW = datetime.now(timezone.utc)


def waiting_since(desk, days: float) -> int:
    desk.clock = FixedClock(NOW - timedelta(days=days))
    return desk.waiting_on_customer()


def closed_since(desk, days: float) -> int:
    number = waiting_since(desk, days + 8)
    before = desk.tickets.get(number)
    desk.tickets.save(before, *closed_for_silence(before, NOW - timedelta(days=days)))
    return number


def run(app, handler: str) -> dict:
    event = events.scheduled_event(f"helpdesk-test-{handler}", "us-east-1", NOW)
    return events.invoke(app, handler, event, "us-east-1")


def types(desk, number):
    return [e.type for e in desk.tickets.timeline(number)]


def test_the_hourly_job_reminds_and_closes_silent_tickets_once(app, desk):
    fresh, to_remind, to_close = waiting_since(desk, 1), waiting_since(desk, 6), waiting_since(desk, 8)

    first = run(app, "auto_close_silent_tickets")
    again = run(app, "auto_close_silent_tickets")

    assert first["closed"] >= 1 and first["reminded"] >= 1
    assert desk.tickets.get(to_remind).reminded_at is not None and types(desk, to_remind).count(EventType.REMINDED) == 1
    closed = desk.tickets.get(to_close)
    assert closed.status == Status.CLOSED and types(desk, to_close).count(EventType.REMINDED) == 0
    assert desk.tickets.get(fresh).status == Status.AWAITING_CUSTOMER and EventType.REMINDED not in types(desk, fresh)
    assert types(desk, to_close).count(EventType.STATUS_CHANGED) == 2  # the reply's, then silence's
    assert again["closed"] == again["reminded"] == 0


def test_the_daily_job_archives_closed_tickets_with_their_transcript_once(app, desk, aws_stack):
    recent, old = closed_since(desk, 2), closed_since(desk, 31)

    first = run(app, "archive_closed_tickets")
    again = run(app, "archive_closed_tickets")

    assert first["archived"] >= 1 and again["archived"] == 0
    assert desk.tickets.get(recent).status == Status.CLOSED
    archived = desk.tickets.get(old)
    assert archived.status == Status.ARCHIVED and types(desk, old).count(EventType.ARCHIVED) == 1
    stored = boto3.client("s3").get_object(Bucket=aws_stack["ATTACHMENTS_BUCKET"], Key=transcript_key(old))
    transcript = json.loads(stored["Body"].read())
    assert stored["ContentType"].startswith("application/json")
    assert transcript["ticket"]["number"] == old and len(transcript["timeline"]) == len(types(desk, old)) - 1


def test_an_archived_ticket_leaves_every_index_but_the_customers_history(desk, app):
    number = closed_since(desk, 40)
    run(app, "archive_closed_tickets")
    ticket = desk.tickets.get(number)
    assert number not in desk.tickets.due(TimerStage.ARCHIVE, NOW, 1000)
    views = bootstrap.ticket_views()
    assert number in [t.number for t in views.of_customer(email=ticket.customer.email)]
    assert number not in [t.number for t in views.queue(ticket.department)]


def test_the_local_event_runner_can_fire_every_schedule(app):
    scheduled = {source.name: schedules.parse(source.schedule_expression) for source in app.event_sources
                 if hasattr(source, "schedule_expression")}
    assert scheduled == {"auto_close_silent_tickets": schedules.RateSchedule(timedelta(hours=1)),
                         "archive_closed_tickets": schedules.RateSchedule(timedelta(days=1)),
                         "sweep_sla": schedules.RateSchedule(timedelta(minutes=5))}


def test_a_lost_race_in_dynamodb_is_skipped_not_repeated(desk):
    number = waiting_since(desk, 6)
    seen = desk.tickets.get(number)
    # Someone else changes the ticket after the job listed it: the job's versioned save must lose.
    desk.tickets.save(seen, replace(seen, version=seen.version + 1), [])
    stale_read = desk.tickets.get

    class ReadsBeforeTheChange:
        def __getattr__(self, name):
            return getattr(desk.tickets, name)

        def get(self, n):
            return seen if n == number else stale_read(n)

    result = automation.remind_silent(replace(bootstrap.ticket_desk(), tickets=ReadsBeforeTheChange(),
                                              catalog=desk.catalog), now=NOW)
    assert number in result.skipped and EventType.REMINDED not in types(desk, number)
