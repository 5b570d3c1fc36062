"""The help center's report (issues 15 and 16): views, helpful votes and deflections per article language over a
period of the desk's days, for admins and supervisors, read from day items by key."""
from datetime import date, datetime, timedelta, timezone

from tests.api.test_kb_api import client, create, people, publish  # noqa: F401 - the fixtures and helpers
from tests.api.test_ticket_api import call


def report(client, headers, first, last):  # noqa: F811
    return call(client, "get", f"/reports/help-center?from={first}&to={last}", headers=headers)


def test_views_votes_and_deflections_of_the_day_are_counted_per_article_language(client, people):  # noqa: F811
    today = datetime.now(timezone.utc).date().isoformat()  # the test stack's REPORTS_ZONE is UTC
    fa = publish(client, people["admin"], create(client, people["admin"], lang="fa", title="راهنمای بازپرداخت"), lang="fa")
    address = fa["versions"]["fa"]["published"]["slug"]
    for _ in range(3):
        assert call(client, "get", f"/kb/articles/fa/{address}")[0] == 200
    assert call(client, "post", f"/kb/articles/fa/{address}/votes", {"helpful": True})[1] == {"counted": True}
    assert call(client, "post", f"/kb/articles/fa/{address}/votes", {"helpful": False})[1] == {"counted": False}
    assert call(client, "post", f"/kb/articles/fa/{address}/votes", {"helpful": False},
                headers={"User-Agent": "another browser"})[1] == {"counted": True}
    assert call(client, "post", "/kb/deflections",
                {"outcome": "deflected", "articles": [{"lang": "fa", "slug": address}]})[0] == 202
    call(client, "get", f"/agent/kb/articles/{fa['id']}", headers=people["admin"])  # an editor's read counts nothing

    for who in ("admin", "supervisor"):
        status, answer = report(client, people[who], today, today)
        assert status == 200, answer
        [row] = [r for r in answer["articles"] if r["article_id"] == fa["id"]]
        assert row == {"article_id": fa["id"], "lang": "fa", "title": "راهنمای بازپرداخت", "slug": address,
                       "views": 3, "helpful": 1, "not_helpful": 1, "deflected": 1, "filed": 0, "helpful_share": 0.5}
        assert answer["totals"]["views"] >= 3 and (answer["from"], answer["to"]) == (today, today)
    # another period holds none of today's counts
    yesterday = (date.fromisoformat(today) - timedelta(days=1)).isoformat()
    assert not [r for r in report(client, people["admin"], yesterday, yesterday)[1]["articles"]
                if r["article_id"] == fa["id"]]


def test_plain_agents_may_not_read_it_and_bad_periods_are_named(client, people):  # noqa: F811
    assert report(client, people["agent"], "2026-01-01", "2026-01-31")[0] == 403
    status, answer = report(client, people["admin"], "2026-02-01", "2026-01-01")
    assert (status, answer["fields"]) == (400, {"from": "after_to"})
    status, answer = report(client, people["admin"], "2024-01-01", "2026-01-31")
    assert (status, answer["fields"]) == (400, {"from": "too_long"})
    status, answer = report(client, people["admin"], "yesterday", "2026-01-31")
    assert status == 400 and "from" in answer["fields"]


def test_a_period_across_months_and_years_reads_each_month_by_key():
    from chalicelib.adapters.kb import _months
    assert list(_months("2025-11-30", "2026-02-01")) == [(2025, 11), (2025, 12), (2026, 1), (2026, 2)]
