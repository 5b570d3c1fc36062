"""The SLA sweep as Lambda runs it, against moto with the resources from infra/: the ticket's SLA survives the
table, the sparse `sla` index lists only tickets with a passed checkpoint, and the sweep acts once and reads
only what is due."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bench.jobs import counting_items_read
from chalicelib.domain.business_hours import PRESETS
from chalicelib.domain.sla import SlaPolicy, Target
from chalicelib.domain.tickets import Customer, EventType, Language, Priority, Status, Ticket
from local import events

NOW = datetime.now(timezone.utc)


@pytest.fixture(autouse=True)
def now():
    """The time each test starts: the sweep compares with the real clock, and a test may run long after this
    module was collected (a whole suite on a busy machine), which would age "50 minutes ago" into a breach."""
    global NOW
    NOW = datetime.now(timezone.utc)
    return NOW


@pytest.fixture(scope="module")
def app(aws_stack):
    from app import app
    return app


@pytest.fixture
def tickets(aws_stack):
    from chalicelib import bootstrap
    return bootstrap.tickets()


def opened(tickets, *, ago: timedelta, priority="urgent", status=Status.OPEN, policy=None, email=None) -> Ticket:
    number, at = tickets.next_number(), NOW - ago
    email, policy = email or f"sla{number}@example.com", policy or SlaPolicy(calendar=PRESETS["24x7"])
    ticket = Ticket(number=number, subject="سرور از دسترس خارج است", department="support", category="technical",
                    priority=Priority(priority), language=Language.FA, customer=Customer("مریم", email),
                    status=Status.NEW, created_at=at, last_activity_at=at, link_salt="s", link_hash="h",
                    sla=policy.sla_for("support", priority, at, customer=email))
    if status != Status.NEW:
        ticket = ticket.moved_to(status, at)
    tickets.create(ticket, [], [])
    return ticket


def sweep(app) -> dict:
    return events.invoke(app, "sweep_sla", events.scheduled_event("helpdesk-test-sweep_sla", "us-east-1", NOW),
                         "us-east-1")


def sla_types(tickets, number):
    return [e.type for e in tickets.timeline(number) if e.type in (EventType.SLA_WARNING, EventType.SLA_BREACHED)]


def test_the_sla_and_its_index_keys_survive_the_table(tickets):
    running = opened(tickets, ago=timedelta(minutes=50))                    # urgent: warning passed at 48 min
    paused = opened(tickets, ago=timedelta(minutes=50), status=Status.ON_HOLD)
    assert tickets.get(running.number).sla == running.sla
    assert tickets.get(paused.number).sla == paused.sla
    due = tickets.sla_due(NOW, 1000)
    assert running.number in due and paused.number not in due


def test_the_customer_tier_survives_the_table_and_tickets_stored_before_tiers_have_none(tickets):
    from chalicelib.adapters.dynamo import ticket_item
    policy = SlaPolicy.parse({"calendar": "24x7", "tiers": {"vip": {"customers": ["@bigcorp.example"],
                                                                     "targets": {"urgent": [0.5, 2]}}}})
    tiered = opened(tickets, ago=timedelta(0), policy=policy, email="CEO@bigcorp.example")
    assert tiered.sla.tier == "vip" and tickets.get(tiered.number).sla == tiered.sla
    old = ticket_item(opened(tickets, ago=timedelta(0)))
    old.sla = {key: value for key, value in old.sla.items() if key != "tier"}   # as written before tiers
    old.save()
    assert tickets.get(int(old.number)).sla.tier is None


def test_the_policy_round_trips_through_the_catalog(aws_stack):
    from chalicelib import bootstrap
    catalog = bootstrap.catalog()
    assert catalog.sla_policy() == SlaPolicy()
    policy = SlaPolicy.parse({"calendar": "iran", "targets": {"urgent": [0.5, 2]}, "reassign_to_supervisor": True})
    catalog.save_sla_policy(policy)
    try:
        assert catalog.sla_policy() == policy
    finally:
        catalog.save_sla_policy(SlaPolicy())


def test_the_sweep_warns_and_escalates_once_and_reads_only_due_tickets(app, tickets, monkeypatch):
    # The same job then closes forgotten agent-time intervals (test_idle_presence.py); what the SLA part reads is
    # measured here without the presence records other tests left behind.
    from chalicelib.services import agent_desk
    monkeypatch.setattr(agent_desk, "close_idle_intervals", lambda *args, **kwargs: [])
    sweep(app)  # whatever earlier tests left due
    warned, breached = opened(tickets, ago=timedelta(minutes=50)), opened(tickets, ago=timedelta(minutes=70))
    not_due = opened(tickets, ago=timedelta(minutes=5), priority="low")

    from chalicelib import bootstrap
    bootstrap.catalog().invalidate()  # as a container whose catalog cache expired: it reads it once, one Query
    with counting_items_read() as reads:
        first = sweep(app)
    again = sweep(app)

    assert first == {"sla": 2, "sla_skipped": 0, "idle": 0, "idle_skipped": 0} and again["sla"] == 0
    assert sla_types(tickets, warned.number) == [EventType.SLA_WARNING]
    assert sla_types(tickets, breached.number) == [EventType.SLA_BREACHED]
    assert tickets.get(breached.number).effective_priority == Priority.URGENT  # already the top: stays
    assert sla_types(tickets, not_due.number) == []
    assert reads["Scan"] == 0
    assert reads["GetItem"] == 2  # the two due tickets (the SLA policy comes with the catalog's one Query)
    # Index entries read: the two due tickets; the rest of the Query items are the catalog's (departments,
    # rules, policies, SLA policy).
    assert reads["items_read"] - reads["GetItem"] - _catalog_items() == 2


def test_a_met_target_leaves_the_index(tickets):
    ticket = opened(tickets, ago=timedelta(minutes=50))
    resolved = replace(ticket.moved_to(Status.RESOLVED, NOW), version=ticket.version + 1)
    tickets.save(ticket, resolved, [])
    stored = tickets.get(ticket.number)
    assert stored.sla.targets[Target.RESOLUTION].met_at == NOW
    assert ticket.number not in tickets.sla_due(NOW + timedelta(days=30), 1000)


def test_retargeted_clocks_move_the_ticket_in_the_index(tickets):
    ticket = opened(tickets, ago=timedelta(hours=2), priority="low")   # 24 h: not due for hours
    assert ticket.number not in tickets.sla_due(NOW, 1000)
    sla = SlaPolicy(calendar=PRESETS["24x7"]).retargeted(ticket.sla, ticket.department, "urgent", NOW)
    raised = replace(ticket, agent_priority=Priority.URGENT, sla=sla, version=ticket.version + 1)
    tickets.save(ticket, raised, [])                                    # urgent's 1 h is used up
    assert tickets.get(ticket.number).sla == sla
    assert ticket.number in tickets.sla_due(NOW, 1000)


def _catalog_items() -> int:
    from chalicelib.adapters.models import CATALOG, DocumentItem
    return sum(1 for _ in DocumentItem.query(CATALOG))


def test_a_sweep_that_lost_the_race_is_skipped_and_nothing_is_doubled(tickets):
    from chalicelib import bootstrap
    from chalicelib.services import sla

    ticket = opened(tickets, ago=timedelta(minutes=70))
    # Another sweep (or an agent) saves the ticket after this one read it: the versioned save must lose.
    tickets.save(ticket, replace(ticket, version=ticket.version + 1), [])
    stale = ticket

    class ReadsBeforeTheChange:
        def __getattr__(self, name):
            return getattr(tickets, name)

        def get(self, n):
            return stale if n == ticket.number else tickets.get(n)

        def sla_due(self, before, limit):
            return [ticket.number]

    result = sla.sweep(replace(bootstrap.ticket_desk(), tickets=ReadsBeforeTheChange()), now=NOW)
    assert result.skipped == [ticket.number] and sla_types(tickets, ticket.number) == []
    again = sla.sweep(replace(bootstrap.ticket_desk(), tickets=tickets), now=NOW)
    assert ticket.number in again.done and sla_types(tickets, ticket.number) == [EventType.SLA_BREACHED]
