"""GET /reports/...: admins read everything, supervisors their departments (and their groups and agents), every
agent their own figures; the figures are the day buckets' (a Query per period), with the previous period beside."""
import uuid
from collections import Counter
from datetime import datetime, timezone

import pytest

from chalicelib import bootstrap
from chalicelib.domain import reports
from tests.api.test_ticket_api import as_agent, call

NOW = datetime(2026, 12, 5, tzinfo=timezone.utc)



@pytest.fixture(scope="module")
def desk(client, cognito):
    run = uuid.uuid4().hex[:6]
    users = {kind: f"rpt.{kind}.{run}@example.com" for kind in ("agent", "other", "supervisor", "admin")}
    tokens = {kind: cognito(user, groups=("agent", "admin") if kind == "admin" else ("agent",))
              for kind, user in users.items()}
    department, names = f"rpt-{run}", {"en": "Reports", "fa": "گزارش", "he": "דוחות"}
    status, saved = call(client, "put", f"/admin/departments/{department}", {
        "names": names, "categories": [{"id": "general", "names": names}],
        "groups": [{"id": "front", "names": names, "members": [users["agent"], users["other"]]}],
        "supervisors": [users["supervisor"]]}, headers=as_agent(tokens["admin"]))
    assert status == 200, saved
    store = bootstrap.reports()
    # Two periods of figures: 1-7 December (3 created, 2 solved) and the 7 days before (1 created).
    for i, (day, counters) in enumerate([("2026-12-02", {"created": 2, "solved": 1}),
                                         ("2026-12-06", {"created": 1, "solved": 1}),
                                         ("2026-11-28", {"created": 1})]):
        store.apply(f"api-{run}-{i}", {reports.BucketKey("department", department, day): Counter(counters),
                                       reports.BucketKey("agent", users["agent"], day): Counter(counters)}, now=NOW)
    return {"department": department, "users": users, "tokens": tokens}


def get(client, desk, who, query):
    return call(client, "get", f"/reports/figures?{query}", headers=as_agent(desk["tokens"][who]))


def test_a_supervisor_reads_their_department_with_the_previous_period(client, desk):
    status, report = get(client, desk, "supervisor",
                         f"dimension=department&member={desk['department']}&from=2026-12-01&to=2026-12-07")
    assert status == 200, report
    assert (report["figures"]["created"], report["figures"]["solved"]) == (3, 2)
    assert report["previous"]["created"] == 1  # 24-30 November
    assert [d["day"] for d in report["series"]] == ["2026-12-02", "2026-12-06"]


def test_an_agent_reads_their_own_figures_and_no_one_elses(client, desk):
    own = f"dimension=agent&member={desk['users']['agent']}&from=2026-12-01&to=2026-12-07"
    status, report = get(client, desk, "agent", own)
    assert status == 200 and report["figures"]["created"] == 3
    assert get(client, desk, "other", own)[0] == 403                      # a colleague
    assert get(client, desk, "supervisor", own)[0] == 200                 # their supervisor
    assert get(client, desk, "agent", f"dimension=department&member={desk['department']}")[0] == 403
    assert get(client, desk, "supervisor", "dimension=desk")[0] == 403     # the whole desk: admins
    assert get(client, desk, "admin", "dimension=desk")[0] == 200


@pytest.mark.parametrize("query, field", [
    ("dimension=planet&member=x", "dimension"),
    ("dimension=department", "member"),
    ("dimension=desk&from=2026-13-01", "from"),
    ("dimension=desk&to=yesterday", "to"),
    ("dimension=desk&from=2026-12-07&to=2026-12-01", "from"),
    ("dimension=desk&from=2024-01-01&to=2026-12-01", "from"),
])
def test_bad_parameters_get_a_field_level_400(client, desk, query, field):
    status, body = get(client, desk, "admin", query)
    assert status == 400 and field in body["fields"], body


def test_rankings_are_for_admins_and_come_from_the_day_lists(client, desk):
    member = f"solver-{uuid.uuid4().hex[:6]}"
    bootstrap.reports().apply(f"rank-{member}", {reports.BucketKey("rank", "solvers", "2026-12-03"):
                                                 Counter({member: 500})}, now=NOW)
    status, body = call(client, "get", "/reports/top?list=solvers&from=2026-12-01&to=2026-12-07&limit=1",
                        headers=as_agent(desk["tokens"]["admin"]))
    assert status == 200 and body["ranking"] == [{"member": member, "count": 500}]
    assert call(client, "get", "/reports/top?list=solvers", headers=as_agent(desk["tokens"]["supervisor"]))[0] == 403
    assert call(client, "get", "/reports/top?list=everyone", headers=as_agent(desk["tokens"]["admin"]))[0] == 400


def test_the_backlog_at_the_end_of_a_day(client, desk):
    status, body = call(client, "get", f"/reports/backlog?dimension=department&member={desk['department']}",
                        headers=as_agent(desk["tokens"]["supervisor"]))
    assert status == 200 and body["backlog"] == 0
    assert call(client, "get", f"/reports/backlog?dimension=department&member={desk['department']}",
                headers=as_agent(desk["tokens"]["other"]))[0] == 403


def test_admins_filter_by_channel_and_an_unknown_channel_is_a_field_level_400(client, desk):
    query = "dimension=channel&member={}&from=2025-06-01&to=2025-06-07"
    before = {c: get(client, desk, "admin", query.format(c))[1]["figures"]["created"] for c in ("mail", "web")}
    bootstrap.reports().apply(f"channel-{uuid.uuid4().hex[:6]}", {
        reports.BucketKey("channel", "mail", "2025-06-03"): Counter({"created": 2, "solved": 1}),
        reports.BucketKey("channel", "web", "2025-06-03"): Counter({"created": 5})}, now=NOW)
    status, mail = get(client, desk, "admin", query.format("mail"))
    assert status == 200 and mail["dimension"] == "channel" and mail["member"] == "mail"
    assert mail["figures"]["created"] - before["mail"] == 2
    assert get(client, desk, "admin", query.format("web"))[1]["figures"]["created"] - before["web"] == 5
    assert get(client, desk, "admin", query.format("import"))[0] == 200
    status, body = get(client, desk, "admin", query.format("fax"))
    assert status == 400 and body["fields"] == {"member": "invalid"}, body
    assert get(client, desk, "admin", "dimension=channel")[0] == 400                  # which channel?
    assert get(client, desk, "supervisor", query.format("mail"))[0] == 403           # desk-wide: admins only
