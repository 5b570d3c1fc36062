"""The report aggregator on moto (tables from infra/): each event is added exactly once, in one transaction,
whatever SQS does — deliver twice, out of order, or fail a write half-way."""
import uuid
from collections import Counter
from datetime import date, datetime, timezone

import boto3
import pytest

from chalicelib import bootstrap
from chalicelib.adapters.reports import bucket_pk
from chalicelib.domain import reports
from chalicelib.domain.ratings import Rating
from chalicelib.domain.tickets import Status
from chalicelib.views.reports import aggregate, period_report, top
from tests.unit.test_report_figures import Story, applied, t

NOW = datetime(2026, 12, 5, tzinfo=timezone.utc)
DAY = date(2026, 12, 1)


@pytest.fixture
def store(aws_stack):
    return bootstrap.reports()


def a_story(department: str) -> Story:
    story = Story(t("2026-12-01T10:00"), department=department, assignee=f"ali-{department}")
    story.spend(t("2026-12-01T10:05"), t("2026-12-01T10:29"), by=f"sara-{department}")  # agent time (presence)
    reply = story.reply(t("2026-12-01T10:30"), by=f"sara-{department}")
    story.log_time(t("2026-12-01T10:35"), 20, by=f"ali-{department}")  # agent time (an entry)
    story.rate(t("2026-12-01T10:40"), reply, Rating.GOOD)
    story.move(Status.RESOLVED, t("2026-12-01T11:00"))
    return story


def department_figures(store, department: str) -> dict:
    return period_report(store, dimension="department", member=department, first=DAY, last=DAY,
                         compare=False)["figures"]


def test_a_redelivered_event_changes_nothing(store):
    department = f"d-{uuid.uuid4().hex[:8]}"
    story = a_story(department)
    for doc in story.docs:
        assert aggregate(doc, store=store, zone="UTC", now=NOW) is not None or not reports.contributions(doc, "UTC")
    once = department_figures(store, department)
    for doc in story.docs:  # SQS delivers every one of them again
        assert aggregate(doc, store=store, zone="UTC", now=NOW) is None
    assert department_figures(store, department) == once
    assert (once["created"], once["solved"], once["replies"], once["satisfaction"]["good"]) == (1, 1, 1, 1)
    assert once["agent_time"] == {"seconds": 24 * 60 + 20 * 60, "presence_s": 24 * 60, "logged_s": 20 * 60}


def test_events_out_of_order_give_the_same_figures(store):
    forward, backward = f"d-{uuid.uuid4().hex[:8]}", f"d-{uuid.uuid4().hex[:8]}"
    for doc in a_story(forward).docs:
        aggregate(doc, store=store, zone="UTC", now=NOW)
    for doc in reversed(a_story(backward).docs):
        aggregate(doc, store=store, zone="UTC", now=NOW)
    assert department_figures(store, forward) == department_figures(store, backward)


def test_live_buckets_equal_the_figures_summed_in_memory(store):
    department = f"d-{uuid.uuid4().hex[:8]}"
    story = a_story(department)
    for doc in story.docs:
        aggregate(doc, store=store, zone="UTC", now=NOW)
    expected = applied(story)
    stored = dict(store.days("department", department, DAY, DAY))
    assert stored[DAY.isoformat()] == expected[reports.BucketKey("department", department, DAY.isoformat())]
    assert top(store, list_name=reports.RANK_SOLVERS, first=DAY, last=DAY, limit=1000) and \
        {"member": f"ali-{department}", "count": 1} in top(store, list_name=reports.RANK_SOLVERS, first=DAY,
                                                            last=DAY, limit=1000)


def test_a_failed_write_changes_nothing_and_the_retry_applies_it(store, aws_stack):
    department = f"d-{uuid.uuid4().hex[:8]}"
    story = a_story(department)
    created = story.docs[0]
    # One bucket the event touches cannot take a number (a broken item): the transaction must fail as a whole.
    table, department_pk = aws_stack["REPORTS_TABLE"], bucket_pk("department", department)
    dynamodb = boto3.client("dynamodb")
    dynamodb.put_item(TableName=table, Item={"pk": {"S": department_pk}, "sk": {"S": "total"},
                                             "backlog": {"S": "not a number"}})
    with pytest.raises(Exception):
        aggregate(created, store=store, zone="UTC", now=NOW)
    assert department_figures(store, department)["created"] == 0  # no bucket of that event was touched
    marker = dynamodb.get_item(TableName=table, Key={"pk": {"S": f"APPLIED#{created['event_id']}"},
                                                     "sk": {"S": "APPLIED"}})
    assert "Item" not in marker  # nor its marker: a retry applies it
    dynamodb.delete_item(TableName=table, Key={"pk": {"S": department_pk}, "sk": {"S": "total"}})
    assert aggregate(created, store=store, zone="UTC", now=NOW) is not None
    assert department_figures(store, department)["created"] == 1


def test_one_event_is_one_transaction_and_reads_nothing(store, monkeypatch):
    calls = Counter()
    from chalicelib.adapters import reports as adapter
    real = adapter.client

    def counting(service):
        inner = real(service)

        class Spy:
            def __getattr__(self, name):
                calls[name] += 1
                return getattr(inner, name)
        return Spy()
    monkeypatch.setattr(adapter, "client", counting)
    for doc in a_story(f"d-{uuid.uuid4().hex[:8]}").docs:
        before = sum(v for k, v in calls.items() if k != "exceptions")
        aggregate(doc, store=store, zone="UTC", now=NOW)
        made = sum(v for k, v in calls.items() if k != "exceptions") - before
        assert made == (1 if reports.contributions(doc, "UTC") else 0)
    assert set(calls) - {"exceptions"} == {"transact_write_items"}


def test_a_report_for_one_agent_over_90_days_is_one_query_of_at_most_90_items(store):
    agent = f"ali-{uuid.uuid4().hex[:8]}"
    # 120 days of activity, one bucket a day; the report asks for 90 of them.
    from datetime import timedelta
    for i in range(120):
        day = DAY - timedelta(days=i)
        store.apply(f"e-{agent}-{i}", {reports.BucketKey("agent", agent, day.isoformat()): Counter({"replies": 1})},
                    now=NOW)
    days = store.days("agent", agent, DAY - timedelta(days=89), DAY)
    assert len(days) == 90
    assert period_report(store, dimension="agent", member=agent, first=DAY - timedelta(days=89), last=DAY,
                         compare=False)["figures"]["replies"] == 90


def test_costly_customers_rank_by_agent_time_then_replies_from_the_per_day_lists(store):
    """Two Queries (the time list and the replies list for the ties), whatever the number of customers."""
    from datetime import timedelta

    from chalicelib.domain.tickets import Customer

    run = uuid.uuid4().hex[:8]
    plan = {"a": (10, 1), "b": (10, 3), "c": (0, 5), "d": (30, 0)}  # customer: (minutes of agent time, replies)
    for name, (minutes, replies) in plan.items():
        story = Story(t("2026-12-01T08:00"), customer=Customer(name=name, email=f"{name}-{run}@example.com"),
                      department=f"d-{run}")
        if minutes:
            story.spend(t("2026-12-01T08:00"), t("2026-12-01T08:00") + timedelta(minutes=minutes))
        for i in range(replies):
            story.reply(t(f"2026-12-01T09:0{i}"))
        for doc in story.docs:
            aggregate(doc, store=store, zone="UTC", now=NOW)
    ranking = [r for r in top(store, list_name=reports.RANK_CUSTOMERS, first=DAY, last=DAY, limit=100)
               if r["member"].endswith(f"-{run}@example.com")]
    assert [(r["member"].split("-")[0], r["agent_seconds"], r["replies"]) for r in ranking] == [
        ("d", 1800, 0), ("b", 600, 3), ("a", 600, 1), ("c", 0, 5)]
