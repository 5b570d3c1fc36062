"""The help center end to end, in Persian (right to left), in a real browser at phone width (issue 15).

An editor publishes an article in Persian and English. A customer whose browser speaks Persian reads the Persian
version (right to left, its numbers in Persian digits as written), follows the link to the English version (left
to right), finds it helpful once; a second vote the same day is not counted. The static page follows from the
article event (the event runner delivers it). The supervisor then reads the help center's figures on the reports
page, in Persian digits, and exports them as CSV. Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from urllib.parse import quote

import pytest
import requests

from tests.e2e.test_portal_he import SUPERVISOR, sign_in

pytestmark = pytest.mark.e2e
PERSIAN_DIGIT = re.compile(r"[۰-۹]")


def test_a_customer_reads_in_persian_switches_to_english_and_votes_once_a_day(
        local_stack, agent_api, phone_page, eventually):
    from playwright.sync_api import expect

    mark = uuid.uuid4().hex[:6]
    admin = agent_api("admin@example.com")
    fa_slug, en_slug = f"ارسال-سفارش-{mark}", f"shipping-{mark}"
    article = admin.post("/agent/kb/articles", {
        "category": "orders", "visibility": "public", "lang": "fa", "title": f"زمان ارسال سفارش {mark}",
        "slug": fa_slug, "body": "سفارش‌ها در **۳ روز کاری** ارسال می‌شوند و تا ۱۴ روز قابل بازگشت‌اند.", "tags": []})
    response = admin.call("PUT", f"/agent/kb/articles/{article['id']}/texts/en", {
        "title": f"When orders ship {mark}", "slug": en_slug, "body": "Orders ship within **3 working days**.",
        "version": article["version"]})
    assert response.ok, response.text
    article = response.json()
    for lang in ("fa", "en"):
        article = admin.post(f"/agent/kb/articles/{article['id']}/publish", {"lang": lang, "version": article["version"]})

    # the static page is written off the request path: by the consumer of the article event
    static = f"{local_stack.web_url}/customer/kb/fa/{quote(fa_slug, safe='')}.html"
    eventually(lambda: requests.get(static, timeout=5).status_code == 200 and mark in requests.get(static, timeout=5).text,
               timeout=120, what="the static page written by the KB publication consumer")

    # --- a Persian reader
    customer = phone_page("fa")
    page = customer.page
    page.goto(f"{local_stack.customer_url}#/kb/fa/{quote(fa_slug, safe='')}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    reader = page.get_by_test_id("kb-article")
    expect(reader).to_contain_text(f"زمان ارسال سفارش {mark}")
    expect(reader).to_have_attribute("dir", "rtl")
    expect(reader).to_have_attribute("lang", "fa")
    expect(reader).to_contain_text("۳ روز کاری")  # numbers in Persian digits, as the editor wrote them
    expect(reader).to_contain_text(PERSIAN_DIGIT)
    customer.assert_no_sideways_scroll()
    customer.shot("kb-fa-01-article")

    # --- its English version, from the link to the other languages
    page.get_by_test_id("kb-other-languages").locator("a[data-lang='en']").click()
    expect(reader).to_have_attribute("lang", "en")
    expect(reader).to_have_attribute("dir", "ltr")
    expect(reader).to_contain_text(f"When orders ship {mark}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")  # the page around it stays in the reader's language
    customer.shot("kb-fa-02-english-version")

    # --- one vote a day
    page.get_by_test_id("kb-vote-yes").click()
    expect(page.get_by_test_id("kb-vote")).to_contain_text("سپاسگزاریم")
    page.reload()
    expect(page.get_by_test_id("kb-article")).to_have_attribute("lang", "en")
    page.get_by_test_id("kb-vote-yes").click()
    expect(page.get_by_test_id("kb-vote")).to_contain_text("پیش‌تر پاسخ داده‌اید")
    customer.shot("kb-fa-03-voted-once")
    stats = admin.get(f"/agent/kb/articles/{article['id']}/stats")["stats"]
    [en] = [s for s in stats if s["lang"] == "en" and s["revision"] != "deflection"]
    assert (en["helpful"], en["not_helpful"]) == (1, 0)
    assert customer.errors == []

    # --- the supervisor's help-center figures, in Persian digits
    around = f"from={date.today() - timedelta(days=1)}&to={date.today() + timedelta(days=1)}"  # the desk's zone
    row = next(r for r in agent_api(SUPERVISOR).get(f"/reports/help-center?{around}")["articles"]
               if r["article_id"] == article["id"] and r["lang"] == "en")
    assert (row["helpful"], row["not_helpful"]) == (1, 0) and row["views"] >= 2
    tab = phone_page("fa")
    portal = tab.page
    portal.goto(f"{local_stack.web_url}/portal/#/reports")
    sign_in(portal, SUPERVISOR)
    table = portal.get_by_test_id("report-help-center")
    expect(table).to_be_visible()
    line = table.locator("tr").filter(has_text=f"When orders ship {mark}")
    expect(line).to_contain_text("انگلیسی")
    expect(line).to_contain_text(PERSIAN_DIGIT)
    for cell in line.locator("td").all()[2:]:  # the counts: Persian digits, no Latin ones
        assert not re.search(r"[0-9]", cell.inner_text()), cell.inner_text()
    tab.assert_no_sideways_scroll()
    tab.shot("kb-fa-04-help-center-report")
    with portal.expect_download() as download:
        portal.get_by_test_id("report-help-center-csv").click()
    assert download.value.suggested_filename.startswith("help-center-")
    assert tab.errors == []
