"""Who may read which report, and the report itself, from the reports read model (views/reports).

Admins see everything. A supervisor sees the departments they supervise, their work groups and the agents
working in them. Every agent sees their own figures. Desk-wide figures, customers, categories, tiers, priorities
and the rankings span departments: admins only.
"""
from __future__ import annotations

from datetime import date, timedelta

from chalicelib.domain import reports
from chalicelib.domain.permissions import Staff, supervises
from chalicelib.domain.tickets import TICKET_CHANNELS
from chalicelib.errors import Forbidden, Invalid
from chalicelib.services.ports import CatalogRepository
from chalicelib.views.reports import ReportStore, backlog, period_report, top

MAX_DAYS = 366
RANKINGS = (reports.RANK_SOLVERS, reports.RANK_CUSTOMERS, reports.RANK_AGENTS_RATED)


def period(first: str | None, last: str | None, *, today: date) -> tuple[date, date]:
    """The report's days (the desk's local days): from..to inclusive, default the last 30 days."""
    try:
        end = date.fromisoformat(last) if last else today
    except ValueError:
        raise Invalid.field("to", "invalid") from None
    try:
        start = date.fromisoformat(first) if first else end - timedelta(days=29)
    except ValueError:
        raise Invalid.field("from", "invalid") from None
    if start > end:
        raise Invalid.field("from", "after_to")
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid.field("from", "too_long")
    return start, end


def _may_read(staff: Staff, dimension: str, member: str, catalog: CatalogRepository) -> bool:
    if staff.admin:
        return True
    if dimension == "agent" and member == staff.id:
        return True
    departments = catalog.departments()
    if dimension == "department":
        return any(d.id == member and supervises(staff, d) for d in departments)
    if dimension == "group":
        department, _, group = member.partition("/")
        return any(d.id == department and supervises(staff, d) for d in departments)
    if dimension == "agent":
        return any(supervises(staff, d) and d.groups_of(member) for d in departments)
    return False


def _member(dimension: str, member: str | None) -> str:
    if dimension not in reports.DIMENSIONS:
        raise Invalid.field("dimension", "invalid")
    if dimension == reports.DESK:
        return reports.ALL
    if not member:
        raise Invalid.field("member", "required")
    if dimension == "channel" and member not in TICKET_CHANNELS:
        raise Invalid.field("member", "invalid")
    return member


def figures(*, store: ReportStore, catalog: CatalogRepository, staff: Staff, dimension: str, member: str | None,
            first: date, last: date, compare: bool = True) -> dict:
    member = _member(dimension, member)
    if not _may_read(staff, dimension, member, catalog):
        raise Forbidden("you may not read this report")
    return period_report(store, dimension=dimension, member=member, first=first, last=last, compare=compare)


def ranking(*, store: ReportStore, staff: Staff, name: str, first: date, last: date, limit: int = 10) -> list[dict]:
    if name not in RANKINGS:
        raise Invalid.field("list", "invalid")
    if not staff.admin:
        raise Forbidden("rankings span every department: admins only")
    return top(store, list_name=name, first=first, last=last, limit=limit)


def backlog_at(*, store: ReportStore, catalog: CatalogRepository, staff: Staff, dimension: str, member: str | None,
               day: date, today: date) -> int:
    if dimension not in (reports.DESK, "department"):
        raise Invalid.field("dimension", "invalid")
    member = _member(dimension, member)
    if not _may_read(staff, dimension, member, catalog):
        raise Forbidden("you may not read this report")
    return backlog(store, dimension=dimension, member=member, at_end_of=day, today=today)
