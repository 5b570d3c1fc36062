"""Management reports (issue 16): figures of a period from pre-computed day buckets (views/reports)."""
import msgspec
from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import shapes
from chalicelib.api.auth import Agent, staff
from chalicelib.api.http import route
from chalicelib.domain.reports import DIMENSIONS, local_day
from chalicelib.errors import Invalid
from chalicelib.services import reports
from chalicelib.settings import get_settings

reports_api = Blueprint(__name__)

DAY = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
MEMBER = {"type": "string", "minLength": 1, "maxLength": 254}
PERIOD = {"from": {"schema": DAY}, "to": {"schema": DAY}}


def _query() -> dict:
    return reports_api.current_request.query_params or {}


def _today():
    return local_day(bootstrap.clock().now(), get_settings().reports_zone)


@route(reports_api, "/reports/figures", audience="agent", refusals=(403,), response=shapes.ReportFigures,
       query={"dimension": {"schema": {"type": "string", "enum": list(DIMENSIONS)}, "required": True},
              "member": {"schema": MEMBER}, **PERIOD, "compare": {"schema": {"type": "string", "enum": ["0", "1"]}}},
       summary="Figures of a period (local days of the desk) for the desk, a department, group, agent, customer, "
               "category or tier, with the days' series and the previous period of equal length")
def figures(agent: Agent):
    q = _query()
    first, last = reports.period(q.get("from"), q.get("to"), today=_today())
    return reports.figures(store=bootstrap.reports(), catalog=bootstrap.catalog(), staff=staff(agent),
                           dimension=q.get("dimension", ""), member=q.get("member"), first=first, last=last,
                           compare=q.get("compare", "1") != "0")


@route(reports_api, "/reports/top", audience="agent", refusals=(403,), response=shapes.Ranking,
       query={"list": {"schema": {"type": "string", "enum": list(reports.RANKINGS)}, "required": True}, **PERIOD,
              "limit": {"schema": {"type": "string", "pattern": "^[0-9]{1,3}$"}}},
       summary="A ranking over a period: top solvers, costly customers (by agent time, ties by replies), agents by good ratings")
def ranking(agent: Agent):
    q = _query()
    first, last = reports.period(q.get("from"), q.get("to"), today=_today())
    limit = q.get("limit", "10")
    if not limit.isdigit() or not 1 <= int(limit) <= 100:
        raise Invalid.field("limit", "invalid")
    return shapes.Ranking(list_=q.get("list"), from_=first.isoformat(), to=last.isoformat(),
                          ranking=reports.ranking(store=bootstrap.reports(), staff=staff(agent),
                                                  name=q.get("list", ""), first=first, last=last, limit=int(limit)))


@route(reports_api, "/reports/backlog", audience="agent", refusals=(403,), response=shapes.Backlog,
       query={"dimension": {"schema": {"type": "string", "enum": ["desk", "department"]}, "required": True},
              "member": {"schema": MEMBER}, "day": {"schema": DAY}},
       summary="Open tickets at the end of a day (default today) of the desk or a department")
def backlog(agent: Agent):
    q, today = _query(), _today()
    try:
        day = reports.period(q.get("day"), q.get("day"), today=today)[0] if q.get("day") else today
    except Invalid:
        raise Invalid.field("day", "invalid") from None
    count = reports.backlog_at(store=bootstrap.reports(), catalog=bootstrap.catalog(), staff=staff(agent),
                               dimension=q.get("dimension", ""), member=q.get("member"), day=day, today=today)
    return shapes.Backlog(day=day.isoformat(), backlog=count)


@route(reports_api, "/reports/help-center", audience="agent", refusals=(403,), query=PERIOD,
       response=shapes.HelpCenterReport,
       summary="Help center: views, helpful votes and deflections per article language over a period (the desk's "
               "local days; admins and supervisors)")
def help_center(agent: Agent):
    from chalicelib.api.kb import editor_of
    from chalicelib.services import kb

    q = _query()
    first, last = reports.period(q.get("from"), q.get("to"), today=_today())
    return msgspec.convert(kb.help_center_report(bootstrap.knowledge_base(), editor_of(agent), first=first,
                                                 last=last), shapes.HelpCenterReport)
