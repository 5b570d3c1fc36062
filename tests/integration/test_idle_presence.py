"""Agent time on moto (issue 16): presence records of an open interval sit in the sparse `timer` index, and the
5-minute job (sweep_sla, as Lambda runs it) closes the ones whose agent went silent, once, reading only those."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.presence import Presence, PresenceState
from chalicelib.domain.tickets import Actor, AuthorKind, EventType
from local import events
from tests.integration.test_sla_jobs import opened

@pytest.fixture(scope="module")
def app(aws_stack):
    from app import app
    return app


def sweep(app) -> dict:
    """The job as Lambda runs it (it reads the real clock, so the records below are placed relative to now)."""
    return events.invoke(app, "sweep_sla", events.scheduled_event("helpdesk-test-sweep_sla", "us-east-1",
                                                                  datetime.now(timezone.utc)), "us-east-1")


def reported(agent: str, now: datetime, *, opened_ago: timedelta, last_ago: timedelta) -> Presence:
    return Presence(agent=Actor(AuthorKind.AGENT, agent, agent.title()), state=PresenceState.VIEWING,
                    since=now - opened_ago, seen_at=now - last_ago, opened_at=now - opened_ago)


def test_the_job_closes_only_the_silent_intervals_once(app, aws_stack):
    from chalicelib import bootstrap

    tickets, board, now = bootstrap.tickets(), bootstrap.presence(), datetime.now(timezone.utc)
    silent = opened(tickets, ago=timedelta(hours=1), priority="low").number
    active = opened(tickets, ago=timedelta(hours=1), priority="low").number
    board.touch(silent, reported("mina", now, opened_ago=timedelta(minutes=20), last_ago=timedelta(minutes=5)))
    board.touch(active, reported("uri", now, opened_ago=timedelta(minutes=20), last_ago=timedelta(seconds=20)))
    assert silent in [n for n, _ in board.idle(now - timedelta(minutes=2), 1000)]
    assert active not in [n for n, _ in board.idle(now - timedelta(minutes=2), 1000)]

    sweep(app)
    [spent] = [e for e in tickets.timeline(silent) if e.type == EventType.TIME_SPENT]
    assert (spent.actor.id, spent.data["seconds"]) == ("mina", 15 * 60)
    assert [e for e in tickets.timeline(active) if e.type == EventType.TIME_SPENT] == []
    assert silent not in [n for n, _ in board.idle(now, 1000)]  # closed: out of the index
    assert board.present(silent, now - timedelta(hours=1)) == []  # and no longer shown

    sweep(app)  # the next run: nothing more
    assert len([e for e in tickets.timeline(silent) if e.type == EventType.TIME_SPENT]) == 1


def test_a_newer_report_is_not_overwritten_by_a_late_close(aws_stack):
    from chalicelib import bootstrap

    tickets, board, now = bootstrap.tickets(), bootstrap.presence(), datetime.now(timezone.utc)
    number = opened(tickets, ago=timedelta(hours=1), priority="low").number
    old = reported("dana", now, opened_ago=timedelta(minutes=20), last_ago=timedelta(minutes=5))
    board.touch(number, old)
    fresh = reported("dana", now, opened_ago=timedelta(seconds=10), last_ago=timedelta(seconds=1))
    board.touch(number, fresh)  # the agent came back before the job got to the old record
    board.leave(number, old)
    assert board.present(number, now - timedelta(minutes=1)) == [fresh]
