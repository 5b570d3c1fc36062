"""The reports read model (issue 16): the stats queue's consumer adds each ticket event once to day buckets,
and the report queries read a few buckets by key.

- What an event adds is defined in domain/reports.py (`contributions`, pure); this package applies it through a
  `ReportStore` port (adapters/reports.py on DynamoDB: one transaction per event, with an applied-marker) and
  answers report questions from the buckets (`period_report`), never from the tickets.
- Storage: table REPORTS_TABLE, `RPT#<dimension>#<member>` / `<local day>` (counters), `.../total` (running
  totals: the backlog), `APPLIED#<event id>` / `APPLIED` (the marker, expires after MARKER_DAYS).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from datetime import date, datetime, timedelta

from chalicelib.domain import reports
from chalicelib.domain.reports import Contributions

MARKER_DAYS = 30  # longer than any redelivery: SQS keeps a message 4 days, its dead-letter queue 14


class ReportStore(ABC):
    @abstractmethod
    def apply(self, event_id: str, contributions: Contributions, *, now: datetime) -> bool:
        """Add the counters to their buckets and mark the event applied, all or nothing. False (nothing
        changed) when the event was applied before."""

    @abstractmethod
    def days(self, dimension: str, member: str, first: date, last: date) -> list[tuple[str, Counter]]:
        """The day buckets of one member from `first` to `last` (one Query; days without figures are absent)."""

    @abstractmethod
    def total(self, dimension: str, member: str) -> Counter:
        """The member's running totals (the current backlog)."""


def aggregate(doc: dict, *, store: ReportStore, zone: str, now: datetime) -> Contributions | None:
    """Apply one event document once. Returns what it added, or None if it had been applied already (or adds
    nothing)."""
    added = reports.contributions(doc, zone)
    if not added:
        return None
    return added if store.apply(doc["event_id"], added, now=now) else None


def period_report(store: ReportStore, *, dimension: str, member: str, first: date, last: date,
                  compare: bool = True) -> dict:
    """The figures of one member for the days first..last (local days of the desk), with the days' series, and
    the same figures for the period of equal length just before it. Reads 1 Query (2 with the comparison,
    3 with the desk's backlog), each of at most one item per day."""
    days = store.days(dimension, member, first, last)
    summed = reports.merge(c for _, c in days)
    result = {"dimension": dimension, "member": member, "from": first.isoformat(), "to": last.isoformat(),
              "figures": reports.figures(summed),
              "series": [{"day": day, "created": c.get("created", 0), "solved": c.get("solved", 0),
                          "good": c.get("rating.good", 0), "bad": c.get("rating.bad", 0),
                          "replies": c.get("replies", 0), "agent_seconds": c.get("time.s", 0)} for day, c in days],
              "busiest_hours": reports.busiest_hours(summed),
              "handovers": {"groups": reports.handover_flow(summed, "group"),
                            "agents": reports.handover_flow(summed, "agent")}}
    if compare:
        length = (last - first).days + 1
        before = store.days(dimension, member, first - timedelta(days=length), first - timedelta(days=1))
        result["previous"] = reports.figures(reports.merge(c for _, c in before))
    return result


def backlog(store: ReportStore, *, dimension: str, member: str, at_end_of: date, today: date) -> int:
    """The member's backlog at the end of a day: the running total less the changes of the days after it."""
    current = int(store.total(dimension, member).get("backlog", 0))
    if at_end_of >= today:
        return current
    later = store.days(dimension, member, at_end_of + timedelta(days=1), today)
    return reports.backlog_at_end(current, (int(c.get("backlog.delta", 0)) for _, c in later))


def top(store: ReportStore, *, list_name: str, first: date, last: date, limit: int = 10) -> list[dict]:
    """A ranking (solvers, customers, rated_good) over the period from the per-day top lists: one Query (two for
    the costly customers: agent time, and replies for the ties)."""
    def summed(name: str) -> Counter:
        return reports.merge(c for _, c in store.days(reports.RANK, name, first, last))

    if list_name == reports.RANK_CUSTOMERS:
        return reports.costly_customers(summed(reports.RANK_CUSTOMER_TIME), summed(reports.RANK_CUSTOMERS), limit)
    return reports.ranking(summed(list_name), limit)

