"""The SLA policy form of the portal's admin page, in Hebrew (right to left), in a real browser at phone width.

The admin opens the form (loaded with GET /admin/sla), sets the urgent first-response target beyond its
resolution target: the API refuses it and the form shows why, in Hebrew, next to that priority's fields, and
nothing is saved. With a good value and a holiday it saves (PUT), and both the API and a reload show what was
saved. A customer tier is added the same way: a bad line of its addresses is named by its line number, in
Hebrew, next to the list; fixed, it is saved, and a ticket of one of its customers shows the tier beside its SLA.
An agent who is not an admin sees neither the link nor the form. The policy is put back afterwards (the stack is
shared by the session). Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import uuid

import pytest
import requests

from tests.e2e.test_portal_he import sign_in

pytestmark = pytest.mark.e2e

ADMIN = "admin@example.com"
FIRST_AFTER_RESOLUTION = "התגובה הראשונה לא יכולה להיות מאוחרת מהפתרון."
HOLIDAY = "2027-04-22"


def open_sla_form(page, local_stack):
    """The admin signs in and opens the Admin page; the SLA form is there."""
    from playwright.sync_api import expect

    page.goto(local_stack.portal_url)
    sign_in(page, ADMIN)
    page.get_by_test_id("admin-link").click()
    page.get_by_test_id("admin-tab-sla").click()  # each part of the admin page is a tab of its own
    form = page.get_by_test_id("admin-sla")
    expect(form).to_be_visible()
    return form


def test_the_admin_edits_the_sla_policy_in_hebrew(local_stack, agent_api, phone_page):
    from playwright.sync_api import expect

    admin = agent_api(ADMIN)
    before = admin.get("/admin/sla")
    first, resolution = before["targets"]["urgent"]
    wanted = first + 1 if first + 1 <= resolution else resolution  # a valid change, different from now

    desk = phone_page("he")
    page = desk.page
    try:
        form = open_sla_form(page, local_stack)
        expect(form.get_by_role("heading", name="רמות שירות (SLA)")).to_be_visible()
        urgent_first = page.get_by_test_id("sla-target-urgent-first")
        expect(urgent_first).to_have_value(f"{first:g}")
        expect(page.get_by_label("תגובה ראשונה (שעות)").first).to_be_visible()  # labelled for screen readers

        # --- a first response after the resolution: refused by the API, shown next to the urgent row
        urgent_first.fill(f"{resolution + 1:g}")
        page.get_by_test_id("save-sla").click()
        error = page.get_by_test_id("sla-target-urgent-error")
        expect(error).to_have_text(FIRST_AFTER_RESOLUTION)
        expect(urgent_first).to_have_attribute("aria-invalid", "true")
        expect(urgent_first).to_be_focused()
        expect(form.get_by_test_id("banner")).to_have_attribute("role", "alert")
        assert admin.get("/admin/sla") == before  # nothing half-written
        desk.assert_no_sideways_scroll()
        desk.shot("he-portal-sla-admin-error")

        # --- a good value and a holiday: saved
        page.get_by_test_id("sla-target-urgent-first").fill(f"{wanted:g}")
        page.get_by_test_id("sla-add-holiday").click()
        holiday = page.get_by_test_id(f"sla-holiday-{len(before['calendar']['holidays'])}")
        holiday.fill(HOLIDAY)
        page.get_by_test_id("save-sla").click()
        expect(form.get_by_test_id("banner")).to_have_text("נשמר.")
        expect(page.get_by_test_id("sla-target-urgent-error")).to_have_count(0)
        saved = admin.get("/admin/sla")
        assert saved["targets"]["urgent"] == [wanted, resolution]
        assert HOLIDAY in saved["calendar"]["holidays"]
        assert saved["calendar"]["preset"] == before["calendar"]["preset"]
        assert {k: v for k, v in saved.items() if k not in ("targets", "calendar")} == \
            {k: v for k, v in before.items() if k not in ("targets", "calendar")}

        page.reload()  # what the page shows is what was stored
        expect(page.get_by_test_id("sla-target-urgent-first")).to_have_value(f"{wanted:g}")
        expect(page.locator("[data-testid=sla-holiday] input[type=date]").last).to_have_value(HOLIDAY)
        desk.assert_no_sideways_scroll()
        desk.shot("he-portal-sla-admin-saved")
        assert not desk.errors
    finally:
        restored = admin.call("PUT", "/admin/sla", before)
        assert restored.ok, restored.text


def test_the_admin_adds_a_customer_tier_and_its_tickets_show_it(local_stack, agent_api, phone_page):
    from playwright.sync_api import expect

    admin = agent_api(ADMIN)
    before = admin.get("/admin/sla")
    tier = f"vip-{uuid.uuid4().hex[:6]}"
    domain = f"@{tier}.example"
    index = len(before.get("tiers", {}))

    desk = phone_page("he")
    page = desk.page
    try:
        open_sla_form(page, local_stack)
        page.get_by_test_id("sla-add-tier").click()
        page.get_by_test_id(f"sla-tier-{index}-id").fill(tier)
        customers = page.get_by_test_id(f"sla-tier-{index}-customers")
        customers.fill(f"CEO{domain}\n\nnot an address")          # the blank line is skipped, not counted away
        page.get_by_test_id(f"sla-tier-{index}-urgent-first").fill("0.5")
        page.get_by_test_id(f"sla-tier-{index}-urgent-resolution").fill("2")

        # --- a line that is no address: refused by the API, named by its line in Hebrew, next to the list
        page.get_by_test_id("save-sla").click()
        expect(page.get_by_test_id(f"sla-tier-{index}-customers-error")).to_have_text("שורה 3: הערך אינו תקין.")
        expect(customers).to_have_attribute("aria-invalid", "true")
        expect(customers).to_be_focused()
        assert admin.get("/admin/sla") == before  # nothing half-written
        desk.assert_no_sideways_scroll()
        desk.shot("he-portal-sla-tier-error")

        # --- fixed: saved, cleaned (lower case), and what a reload shows
        customers.fill(f"CEO{domain}\n{domain}")
        page.get_by_test_id("save-sla").click()
        expect(page.get_by_test_id("admin-sla").get_by_test_id("banner")).to_have_text("נשמר.")
        saved = admin.get("/admin/sla")["tiers"]
        assert saved[tier] == {"customers": [f"ceo{domain}", domain], "targets": {"urgent": [0.5, 2]}}
        page.reload()
        expect(page.get_by_test_id(f"sla-tier-{index}-id")).to_have_value(tier)
        expect(page.get_by_test_id(f"sla-tier-{index}-customers")).to_have_value(f"ceo{domain}\n{domain}")

        # --- a ticket of a customer of that domain: the tier beside its SLA on the ticket page
        opened = requests.post(f"{local_stack.api_url}/tickets", timeout=30, json={
            "subject": f"SLA {tier}", "department": "support", "category": "bug", "priority": "urgent",
            "language": "he", "text": "השרת לא עונה.", "customer": {"name": "דנה", "email": f"dana{domain}"}})
        assert opened.status_code == 201, opened.text
        page.goto(f"{local_stack.portal_url}#/tickets/{opened.json()['number']}")
        expect(page.get_by_test_id("ticket-sla-tier")).to_have_attribute("data-tier", tier)
        expect(page.get_by_test_id("ticket-sla-tier")).to_be_visible()
        desk.assert_no_sideways_scroll()
        desk.shot("he-portal-sla-tier-ticket")
        assert not desk.errors
    finally:
        restored = admin.call("PUT", "/admin/sla", before)
        assert restored.ok, restored.text


def test_only_admins_see_the_sla_form(local_stack, phone_page):
    from playwright.sync_api import expect

    desk = phone_page("he")
    page = desk.page
    page.goto(local_stack.portal_url)
    sign_in(page, "agent.he@example.com")
    expect(page.get_by_test_id("profile-link")).to_be_visible()
    expect(page.get_by_test_id("admin-link")).to_have_count(0)
    page.goto(f"{local_stack.portal_url}#/admin")
    expect(page.get_by_test_id("banner")).to_be_visible()
    expect(page.get_by_test_id("admin-sla")).to_have_count(0)
    assert not desk.errors
