"""The reports page end to end, in Persian (right to left) at phone width: the supervisor opens the reports of
their department, built by the live aggregator from the demo history (stream -> publisher -> SNS -> stats queue),
changes the period, sees the trend chart drawn, sees the agents' time (presence intervals and time entries of the
demo history) in its card and the per-agent table, and exports the agents' table as CSV with a BOM.
Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.e2e.test_portal_he import SUPERVISOR, sign_in

pytestmark = pytest.mark.e2e
PERSIAN_DIGIT = re.compile(r"[۰-۹]")
NONZERO_PERSIAN_DIGIT = re.compile(r"[۱-۹]")


def test_a_supervisor_reads_the_reports_in_persian_and_exports_a_table(local_stack, phone_page, agent_api,
                                                                     eventually):
    from playwright.sync_api import expect

    supervisor = agent_api(SUPERVISOR)
    today = date.today()
    period = f"from={(today - timedelta(days=29)).isoformat()}&to={today.isoformat()}"

    def figures():
        answer = supervisor.call("GET", f"/reports/figures?dimension=department&member=support&{period}")
        found = answer.status_code == 200 and answer.json()["figures"]
        return found and found["solved"] > 0 and found["agent_time"]["seconds"] > 0 and found

    eventually(figures, timeout=120, what="the demo history in the support department's figures")

    tab = phone_page("fa")
    page = tab.page
    page.goto(f"{local_stack.web_url}/portal/#/reports")
    sign_in(page, SUPERVISOR)
    expect(page.get_by_test_id("reports-page")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("report-cards")).to_be_visible()
    created = page.get_by_test_id("report-card-created")
    expect(created).to_contain_text(PERSIAN_DIGIT)  # numbers in Persian digits
    expect(page.get_by_test_id("report-scope")).to_contain_text("پشتیبانی فنی")
    trend = page.get_by_test_id("report-chart-trend")
    expect(trend).to_have_attribute("data-drawn", "true")
    expect(trend.locator("canvas")).to_have_count(1)
    tab.shot("fa-reports-01-30-days")

    # A shorter period: the page asks again and says which days it shows (in the Persian calendar).
    before = page.get_by_test_id("report-period").inner_text()
    page.get_by_test_id("report-preset-7").click()
    expect(page.get_by_test_id("report-preset-7")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("report-period")).not_to_have_text(before)
    expect(page.get_by_test_id("report-period")).to_contain_text(PERSIAN_DIGIT)
    expect(page.get_by_test_id("report-chart-trend")).to_have_attribute("data-drawn", "true")
    tab.shot("fa-reports-02-7-days")

    page.get_by_test_id("report-preset-30").click()
    expect(page.get_by_test_id("report-agents")).to_be_visible()
    # Agent time of the support department (where the waited-for figures are): a card and a column of the agents'
    # table, not zero, in Persian digits and units.
    page.get_by_test_id("report-scope").select_option(label="پشتیبانی فنی")
    expect(page.get_by_test_id("report-card-time")).to_contain_text(NONZERO_PERSIAN_DIGIT)
    expect(page.get_by_test_id("report-agents").locator("thead")).to_contain_text("زمان کارشناسان")
    time_cells = page.get_by_test_id("report-agents").locator("tbody tr td:last-child")
    expect(time_cells.filter(has_text=NONZERO_PERSIAN_DIGIT).first).to_be_visible()
    tab.shot("fa-reports-03-agent-time")
    with page.expect_download() as download:
        page.get_by_test_id("report-agents-csv").click()
    path = download.value.path()
    raw = open(path, "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV must start with a UTF-8 BOM"
    text = raw.decode("utf-8-sig")
    assert "کارشناس" in text.splitlines()[0]  # the header in Persian
    assert "زمان کارشناسان" in text.splitlines()[0]  # the agent-time column, exported too
    assert "مینا کریمی" in text                 # an agent of the department, by name
    assert download.value.suggested_filename.endswith(".csv")

    tab.assert_no_sideways_scroll()
    assert not tab.errors, tab.errors
