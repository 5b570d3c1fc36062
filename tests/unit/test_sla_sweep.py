"""The SLA sweep against in-memory ports: tickets opened through the service get their targets from the policy;
the sweep warns and escalates each target once, also when run twice or overlapping, and reads only what is due."""
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.business_hours import PRESETS
from chalicelib.domain.permissions import Staff
from chalicelib.domain.sla import SlaPolicy, Target
from chalicelib.domain.tickets import Actor, AuthorKind, EventType, Priority
from chalicelib.services import sla, workflow
from tests.fakes import desk_of
from tests.fakes import FakeAgents, FakeFiles, FakeSecrets, FixedClock, InMemoryCatalog, InMemoryTickets
from tests.unit.test_ticket_services import LIMITS, open_ticket, reply_as_agent


class CountingTickets(InMemoryTickets):
    def __init__(self):
        super().__init__()
        self.reads = []

    def get(self, number):
        self.reads.append(number)
        return super().get(number)


@pytest.fixture
def ports():
    catalog = InMemoryCatalog()
    catalog.save_sla_policy(SlaPolicy(calendar=PRESETS["24x7"], reassign_to_supervisor=True))
    return {"tickets": CountingTickets(), "catalog": catalog, "agents": FakeAgents(), "files": FakeFiles(),
            "secrets": FakeSecrets(), "clock": FixedClock(), "limits": LIMITS}


def sweep(ports):
    return sla.sweep(desk_of(ports), now=ports["clock"].now())


def sla_events(ports, number):
    return [e for e in ports["tickets"].timeline(number) if e.type in (EventType.SLA_WARNING, EventType.SLA_BREACHED)]


def test_opened_tickets_get_the_targets_of_their_priority_and_department(ports):
    ports["catalog"].save_sla_policy(SlaPolicy.parse({"departments": {"support": {"high": [2, 6]}}}))
    number = open_ticket(ports, priority="high").number
    ticket = ports["tickets"].get(number)
    assert ticket.sla.due_at(Target.FIRST_RESPONSE) == ports["clock"].now() + timedelta(hours=2)
    assert ticket.sla.due_at(Target.RESOLUTION) == ports["clock"].now() + timedelta(hours=6)


def test_warning_then_breach_each_once_however_often_the_sweep_runs(ports):
    number = open_ticket(ports, priority="high").number     # first response 4 h: warn at 3:12, due at 4:00
    ports["clock"].advance(hours=3)
    assert sweep(ports).done == []
    ports["clock"].advance(minutes=15)
    assert sweep(ports).done == [number]
    assert sweep(ports).done == []
    assert [e.type for e in sla_events(ports, number)] == [EventType.SLA_WARNING]

    ports["clock"].advance(hours=1)
    assert sweep(ports).done == [number] and sweep(ports).done == []
    breach = sla_events(ports, number)[-1]
    assert breach.type == EventType.SLA_BREACHED and breach.data["target"] == "first_response"
    assert breach.data["supervisors"] == ["admin"] and breach.data["department"] == "support"
    assert breach.visibility.value == "internal" and breach.actor.kind == AuthorKind.SYSTEM
    ticket = ports["tickets"].get(number)
    assert ticket.effective_priority == Priority.URGENT and ticket.priority == Priority.HIGH
    assert (ticket.assignee.id, ticket.assignee.name) == ("admin", "Sam")


def test_a_reply_in_time_means_no_warning_and_the_resolution_clock_pauses(ports):
    number = open_ticket(ports, priority="high").number
    ports["clock"].advance(hours=1)
    reply_as_agent(ports, number)
    ports["clock"].advance(days=30)                            # awaiting the customer: paused
    assert sweep(ports).done == [] and sla_events(ports, number) == []


def test_overlapping_sweeps_escalate_once(ports):
    number = open_ticket(ports, priority="urgent").number
    ports["clock"].advance(hours=2)                            # first response missed
    ports["tickets"].fail_next_saves = 1                       # another run saved this ticket first
    assert sweep(ports).skipped == [number]
    # The other run's write was a version bump here; the next run decides again on the fresh ticket.
    assert sweep(ports).done == [number]
    assert sweep(ports).done == []
    breaches = [e for e in sla_events(ports, number) if e.type == EventType.SLA_BREACHED]
    assert len(breaches) == 1


def test_a_ticket_listed_by_a_lagging_index_is_decided_on_its_fresh_state(ports):
    number = open_ticket(ports, priority="urgent").number
    ports["clock"].advance(hours=2)
    stored = ports["tickets"].tickets[number]
    ports["tickets"].tickets[number] = replace(stored, sla=stored.sla.following(running=False, at=stored.created_at))
    ports["tickets"].sla_due = lambda before, limit: [number]   # the index still lists it
    assert sweep(ports).skipped == [number] and sla_events(ports, number) == []


def test_the_sweep_reads_only_the_tickets_that_are_due(ports):
    due = [open_ticket(ports, priority="urgent", customer_email=f"u{i}@example.com").number for i in range(3)]
    ports["clock"].advance(minutes=30)
    for i in range(5):                                        # not due for hours
        open_ticket(ports, priority="low", customer_email=f"l{i}@example.com")
    ports["clock"].advance(minutes=20)
    ports["tickets"].reads.clear()
    assert sorted(sweep(ports).done) == due
    assert sorted(ports["tickets"].reads) == due


def test_a_sweep_out_of_time_stops_and_the_next_one_continues(ports):
    numbers = [open_ticket(ports, priority="urgent", customer_email=f"u{i}@example.com").number for i in range(2)]
    ports["clock"].advance(hours=2)
    budget = iter([True, False])
    first = sla.sweep(desk_of(ports), now=ports["clock"].now(), has_time=lambda: next(budget))
    assert len(first.done) == 1
    assert sorted(first.done + sweep(ports).done) == numbers


def test_without_reassignment_the_assignee_stays(ports):
    ports["catalog"].save_sla_policy(SlaPolicy(raise_priority=False))
    number = open_ticket(ports, priority="urgent").number
    ports["clock"].advance(hours=2)
    sweep(ports)
    ticket = ports["tickets"].get(number)
    assert ticket.agent_priority is None and (ticket.assignee is None or ticket.assignee.id != "admin")


def test_queues_put_the_earliest_due_first_and_paused_clocks_last(ports):
    from chalicelib.services.workflow import by_due_time

    low = open_ticket(ports, priority="low", customer_email="a@example.com").number
    ports["clock"].advance(minutes=1)
    urgent = open_ticket(ports, priority="urgent", customer_email="b@example.com").number
    ports["clock"].advance(minutes=1)
    waiting = open_ticket(ports, priority="urgent", customer_email="c@example.com").number
    reply_as_agent(ports, waiting)
    ports["clock"].advance(minutes=1)
    high = open_ticket(ports, priority="high", customer_email="d@example.com").number
    found = [ports["tickets"].get(n) for n in (low, urgent, waiting, high)]
    assert [t.number for t in by_due_time(found)] == [urgent, high, low, waiting]


# ---------------------------------------------------------------- an agent's priority change re-targets

SUPERVISOR = Staff(Actor(AuthorKind.AGENT, "admin", "Sam"), admin=True)


def change_priority(ports, number, priority):
    return workflow.change_priority(desk_of(ports), number=number, staff=SUPERVISOR, priority=priority,
                                    version=ports["tickets"].get(number).version)


def test_an_agents_priority_change_retargets_the_stored_clocks_and_the_sweep_follows(ports):
    ports["catalog"].save_sla_policy(SlaPolicy.parse({"departments": {"support": {"urgent": [2, 6]}}}))
    number = open_ticket(ports, priority="low").number        # 24 h / 72 h
    ports["clock"].advance(hours=3)
    assert sweep(ports).done == []
    opened_at = ports["tickets"].get(number).created_at
    changed = change_priority(ports, number, "urgent")        # the department's urgent: 2 h, already used up
    stored = ports["tickets"].get(number)
    assert stored == changed and stored.sla.due_at(Target.FIRST_RESPONSE) == opened_at + timedelta(hours=2)
    assert stored.sla.due_at(Target.RESOLUTION) == opened_at + timedelta(hours=6)
    assert ports["tickets"].sla_due(ports["clock"].now(), 10) == [number]   # the due index follows
    assert sweep(ports).done == [number] and sweep(ports).done == []
    [breach] = [e for e in sla_events(ports, number) if e.type == EventType.SLA_BREACHED]
    assert breach.data["target"] == "first_response"


def test_the_sweeps_raise_of_priority_does_not_retarget(ports):
    number = open_ticket(ports, priority="high").number       # 4 h / 12 h
    promised = ports["tickets"].get(number).sla.due_at(Target.RESOLUTION)
    ports["clock"].advance(hours=4, minutes=5)
    sweep(ports)
    escalated = ports["tickets"].get(number)
    assert escalated.effective_priority == Priority.URGENT
    assert escalated.sla.due_at(Target.RESOLUTION) == promised  # urgent's 4 h would breach it at once
    assert sweep(ports).done == []
