"""The admin page in Hebrew at phone width, one part at a time (issue 13, portal): departments and groups,
routing, policies, service levels with tiers, and accounts are tabs of their own, each with its own save,
instead of one page thousands of pixels tall. What was typed in one tab is still there after visiting another.
Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import pytest

from tests.e2e.test_portal_he import sign_in

pytestmark = pytest.mark.e2e

PARTS = {"departments": "admin-department", "routing": "admin-rules", "policies": "admin-policies",
         "sla": "admin-sla", "accounts": "accounts"}


def test_each_part_of_the_admin_page_is_a_tab_with_its_own_save(local_stack, phone_page):
    from playwright.sync_api import expect

    desk = phone_page("he")
    page = desk.page
    page.goto(local_stack.portal_url)
    sign_in(page, "admin@example.com")
    page.get_by_test_id("admin-link").click()
    for tab, part in PARTS.items():
        page.get_by_test_id(f"admin-tab-{tab}").click()
        expect(page.get_by_test_id(f"admin-tab-{tab}")).to_have_attribute("aria-selected", "true")
        expect(page.get_by_test_id(part).first).to_be_visible()
        for other in set(PARTS.values()) - {part}:
            expect(page.get_by_test_id(other)).to_have_count(0)  # one part at a time
    page.get_by_test_id("admin-tab-policies").click()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2500, f"the policies tab is {height}px tall at phone width"
    desk.assert_no_sideways_scroll()
    desk.shot("he-admin-tabs-01-policies")

    # typed in one tab, kept across another; each tab saves on its own
    field = page.get_by_test_id("policy-reminder_after_days")
    kept = field.input_value()
    field.fill("۹۹")
    page.get_by_test_id("admin-tab-routing").click()
    page.get_by_test_id("admin-tab-policies").click()
    expect(page.get_by_test_id("policy-reminder_after_days")).to_have_value("۹۹")
    page.get_by_test_id("policy-reminder_after_days").fill(kept)
    page.get_by_test_id("save-policies").click()
    expect(page.get_by_test_id("admin-policies").get_by_test_id("banner")).to_have_text("נשמר.")
    assert not desk.errors, desk.errors
