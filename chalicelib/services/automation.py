"""Scheduled jobs: remind silent customers, close silent tickets, archive closed ones.

Each job lists the tickets due at its stage from the timer index (only those entries are read, whatever
the size of the table), re-reads every ticket consistently, decides again on the fresh ticket
(chalicelib/domain/automation.py) and saves with the ticket's version. So a job is idempotent and
safe to overlap with itself or with people: a ticket that moved on is no longer due, and a lost
version race is skipped, to be decided again by the next run.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain import automation
from chalicelib.domain.tickets import Ticket, TicketEvent, TimerStage
from chalicelib.services.ports import TicketDesk, TicketRepository, VersionConflict

BATCH = 100  # due tickets listed per query
Step = Callable[[Ticket], tuple[Ticket, list[TicketEvent]]]


@dataclass
class JobResult:
    done: list[int] = field(default_factory=list)     # tickets this run changed
    skipped: list[int] = field(default_factory=list)  # listed, but no longer due or changed meanwhile


def _unbounded() -> bool:
    return True


def remind_silent(desk: TicketDesk, *, now: datetime, has_time: Callable[[], bool] = _unbounded) -> JobResult:
    tickets, catalog = desk.tickets, desk.catalog
    cutoff = now - catalog.policies().reminder_after
    return _run(tickets, (TimerStage.REMIND,), cutoff, has_time, lambda t: automation.reminded(t, now))


def close_silent(desk: TicketDesk, *, now: datetime, has_time: Callable[[], bool] = _unbounded) -> JobResult:
    # Reminded tickets, and tickets never reminded (the reminder came later than the close, or its
    # setting changed): silence past the close time closes both.
    tickets, catalog = desk.tickets, desk.catalog
    cutoff = now - catalog.policies().auto_close_after
    return _run(tickets, (TimerStage.CLOSE, TimerStage.REMIND), cutoff, has_time,
                lambda t: automation.closed_for_silence(t, now))


def archive_closed(desk: TicketDesk, *, now: datetime, has_time: Callable[[], bool] = _unbounded) -> JobResult:
    tickets, catalog, files = desk.tickets, desk.catalog, desk.files
    cutoff = now - catalog.policies().archive_after

    def archive(ticket: Ticket) -> tuple[Ticket, list[TicketEvent]]:
        # The transcript first: a ticket is never archived without one. Writing it twice writes the same.
        key = automation.transcript_key(ticket.number)
        document = automation.transcript(ticket, tickets.timeline(ticket.number))
        files.put_document(key, json.dumps(document, ensure_ascii=False).encode(), "application/json; charset=utf-8")
        return automation.archived(ticket, now, key)

    return _run(tickets, (TimerStage.ARCHIVE,), cutoff, has_time, archive)


def _run(tickets: TicketRepository, stages: tuple[TimerStage, ...], cutoff: datetime,
         has_time: Callable[[], bool], step: Step) -> JobResult:
    result = JobResult()
    for stage in stages:
        for number in _listed(tickets, stage, cutoff):
            if not has_time():
                return result
            changed = _apply(tickets, number, set(stages), cutoff, step)
            (result.done if changed else result.skipped).append(number)
    return result


def _listed(tickets: TicketRepository, stage: TimerStage, cutoff: datetime) -> Iterator[int]:
    return listed_in_batches(lambda: tickets.due(stage, cutoff, BATCH))


def listed_in_batches(query: Callable[[], list[int]]) -> Iterator[int]:
    """Due tickets, a batch of BATCH per query. Done tickets leave the index, so each query starts from the
    oldest; tickets listed before (skipped, or still in a lagging index) are not tried twice in one run."""
    seen: set[int] = set()
    while True:
        listed = query()
        fresh = [number for number in listed if number not in seen]
        seen.update(fresh)
        yield from fresh
        if len(listed) < BATCH or not fresh:
            return


def _apply(tickets: TicketRepository, number: int, stages: set[TimerStage], cutoff: datetime, step: Step) -> bool:
    ticket = tickets.get(number)
    if ticket is None or not automation.is_due(ticket, stages, cutoff):
        return False
    after, events = step(ticket)
    try:
        tickets.save(ticket, after, events)
    except VersionConflict:
        return False
    return True
