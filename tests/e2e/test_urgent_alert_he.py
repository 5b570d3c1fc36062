"""An urgent ticket reaches a person fast, end to end, in Hebrew (right to left) at phone width: a customer files
an urgent ticket on the web form; the on-call agent of the first line gets an SMS in Hebrew (read back from
moto's SNS outbox) whose link opens the ticket in the portal, where the first-response countdown shows, and the
queue lists it first with the same countdown.
Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import re
import uuid

import pytest

from tests.e2e.test_portal_he import sign_in
from tests.e2e.test_portal_sla import TIME_LEFT

pytestmark = pytest.mark.e2e

ON_CALL = "agent.he@example.com"  # seeded on call for support/first-line, no quiet hours (local/seed.py)
ON_CALL_PHONE = "+972544445566"   # the seed's 054-444-5566 in E.164
PORTAL_LINK = re.compile(r"https?://\S+/portal/#/tickets/(\d+)")


def test_an_urgent_ticket_from_the_form_texts_the_on_call_agent_and_counts_down(local_stack, phone_page, eventually):
    from playwright.sync_api import expect

    from local.mailbox import sent_sms

    run = uuid.uuid4().hex[:6]
    subject = f"המערכת לא זמינה ({run})"
    texts_before = len([s for s in sent_sms(local_stack.moto_url) if s["phone_number"] == ON_CALL_PHONE])

    # --- the customer files an urgent ticket
    customer = phone_page("he")
    page = customer.page
    page.goto(local_stack.customer_url)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    department = page.get_by_test_id("department")
    expect(department.locator("option[value=support]")).to_be_attached()
    department.select_option("support")
    page.get_by_test_id("category").select_option("bug")
    page.get_by_test_id("priority").select_option("urgent")
    page.get_by_test_id("subject").fill(subject)
    page.get_by_test_id("text").fill("אף משתמש לא מצליח להתחבר מהבוקר.")
    page.get_by_test_id("name").fill("דנה כהן")
    page.get_by_test_id("email").fill(f"dana.{run}@example.com")
    page.get_by_test_id("submit").click()
    number_el = page.get_by_test_id("ticket-number")
    expect(number_el).to_be_visible(timeout=60_000)
    number = int(number_el.get_attribute("data-number"))
    customer.shot("he-urgent-01-filed")

    # --- the on-call agent's SMS: Hebrew, the number, a link into the portal
    def new_texts():
        texts = [s["message"] for s in sent_sms(local_stack.moto_url) if s["phone_number"] == ON_CALL_PHONE]
        return [t for t in texts[texts_before:] if f"#{number}" in t]

    [text] = eventually(new_texts, what="the on-call agent's SMS for the urgent ticket")
    assert "דחופה" in text
    link = PORTAL_LINK.search(text)
    assert link and int(link.group(1)) == number, text

    # --- the link opens the ticket in the portal, with the first-response countdown
    desk = phone_page("he")
    portal = desk.page
    portal.goto(link.group(0))
    sign_in(portal, ON_CALL)
    expect(portal.get_by_test_id("ticket-subject")).to_have_text(subject)
    expect(portal.get_by_test_id("ticket-sla")).to_have_text(TIME_LEFT["he"])
    desk.assert_no_sideways_scroll()
    desk.shot("he-urgent-02-ticket-countdown")

    # --- and the queue lists it with the same countdown, after every ticket due sooner and before the rest
    portal.get_by_test_id("back-to-queue").click()
    portal.get_by_test_id("queue-department").select_option("support")
    row = portal.locator(f"[data-testid=queue-row][data-number='{number}']")
    expect(row.get_by_test_id("queue-sla")).to_have_text(TIME_LEFT["he"])
    due = portal.locator("[data-testid=queue-row]").evaluate_all(
        "rows => rows.map(r => [Number(r.dataset.number),"
        " r.querySelector('[data-testid=queue-sla]')?.dataset.slaDue || null])")
    position = next(i for i, (n, _) in enumerate(due) if n == number)
    mine = due[position][1]
    assert mine and all(d and d <= mine for _, d in due[:position]), due
    assert all(d is None or d >= mine for _, d in due[position + 1:]), due
    desk.shot("he-urgent-03-queue")
    assert not customer.errors and not desk.errors
