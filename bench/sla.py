"""DynamoDB items the SLA sweep reads, with 1,000 and with 100,000 tickets in the table.

The background is bench/jobs.py's mix, each ticket with the SLA it would have: clocks running but far from
any checkpoint while the team works on it, paused while it waits on the customer, met once it is closed. The
same 100 tickets are due at each size: half past their warning, half past their breach. Equal figures at both
sizes show that the sweep's cost follows the tickets due, not the size of the table.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from bench.jobs import (
    DUE, FIRST_NUMBER, _figure, at_each_size, background_ticket, counting_items_read, job_stack, run_job, write,
)

SLA_FIRST_NUMBER = FIRST_NUMBER + 10_000_000  # apart from the jobs bench's tickets


def _policy():
    from chalicelib.domain.business_hours import PRESETS
    from chalicelib.domain.sla import SlaPolicy
    return SlaPolicy(calendar=PRESETS["24x7"])


def with_sla(ticket, now: datetime):
    """A background ticket with its SLA: low priority (24 h to a first response) started at most 10 h ago, so
    no checkpoint falls before the sweep; paused while waiting on the customer; resolution met once closed."""
    from dataclasses import replace

    from chalicelib.domain.sla import Target
    from chalicelib.domain.tickets import SLA_RUNNING, Status

    started = max(ticket.created_at, now - timedelta(hours=10))
    sla = _policy().sla_for(ticket.department, "low", started)
    if ticket.status not in SLA_RUNNING:
        done = ticket.status in (Status.CLOSED, Status.ARCHIVED)
        sla = sla.following(running=False, at=started + timedelta(hours=1),
                            met={Target.RESOLUTION} if done else set())
    return replace(ticket, sla=sla)


def due_for_sla(number: int, index: int, now: datetime):
    """High priority (4 h to a first response): half opened 3.5 h ago (warning passed at 3.2 h), half 4.5 h ago
    (breached)."""
    from dataclasses import replace

    from chalicelib.domain.tickets import Customer, Language, Priority, Status, Ticket

    opened = now - timedelta(hours=3.5 if index < DUE // 2 else 4.5)
    ticket = Ticket(number=number, subject="bench", department="support", category="technical",
                    priority=Priority.HIGH, language=Language.FA, customer=Customer("Bench", f"s{number}@example.com"),
                    status=Status.OPEN, created_at=opened, last_activity_at=opened, link_salt="s", link_hash="h")
    return replace(ticket, sla=_policy().sla_for("support", "high", opened))


def sla_costs() -> dict:
    results = {}
    with job_stack() as app:
        for size, now, base in at_each_size(SLA_FIRST_NUMBER, lambda n, now: with_sla(background_ticket(n, now), now)):
            write([due_for_sla(base + i, i, now) for i in range(DUE)], with_timelines=False)
            with counting_items_read() as reads:
                done = run_job(app, "sweep_sla", now)
            assert done["sla"] == DUE, done  # the measured run did all the due work
            results[f"sla_sweep_items_read_{size // 1000}k"] = _figure(
                reads, size, f"sweep_sla: {DUE // 2} warned, {DUE // 2} breached and escalated")
    return results
