"""The portal's queue sorted by SLA due time, with the time left on each ticket (and on its page), in Persian and
in Hebrew (right to left), in a real browser at phone width. The demo desk works Iranian business hours.
Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import re
import uuid

import pytest
import requests

from tests.e2e.test_portal_he import sign_in

pytestmark = pytest.mark.e2e

TIME_LEFT = {"fa": re.compile(r"^پاسخ نخست: .+ (مانده|دیرکرد)$"),
             "he": re.compile(r"^תגובה ראשונה: (נותרו|באיחור של) .+$")}


def open_ticket(local_stack, priority: str, subject: str, language: str) -> int:
    opened = requests.post(f"{local_stack.api_url}/tickets", timeout=30, json={
        "subject": subject, "department": "support", "category": "bug", "priority": priority, "language": language,
        "text": "صفحهٔ گزارش‌ها باز نمی‌شود." if language == "fa" else "דף הדוחות לא נפתח.",
        "customer": {"name": "سارا" if language == "fa" else "נועה", "email": f"sla.{uuid.uuid4().hex[:8]}@example.com"}})
    assert opened.status_code == 201, opened.text
    return opened.json()["number"]


@pytest.mark.parametrize("lang,agent", [("fa", "agent.fa@example.com"), ("he", "agent.he@example.com")])
def test_the_queue_puts_the_earliest_due_first_and_counts_down(local_stack, phone_page, lang, agent):
    from playwright.sync_api import expect

    run = uuid.uuid4().hex[:6]
    calm = open_ticket(local_stack, "low", f"SLA {run} low", lang)
    pressing = open_ticket(local_stack, "urgent", f"SLA {run} urgent", lang)

    desk = phone_page(lang)
    page = desk.page
    page.goto(local_stack.portal_url)
    sign_in(page, agent)
    page.get_by_test_id("queue-department").select_option("support")
    urgent_row = page.locator(f"[data-testid=queue-row][data-number='{pressing}']")
    low_row = page.locator(f"[data-testid=queue-row][data-number='{calm}']")
    expect(urgent_row).to_be_visible()
    expect(low_row).to_be_visible()
    numbers = [int(n) for n in page.locator("[data-testid=queue-row]").evaluate_all(
        "rows => rows.map(r => r.dataset.number)")]
    assert numbers.index(pressing) < numbers.index(calm)
    expect(urgent_row.get_by_test_id("queue-sla")).to_have_text(TIME_LEFT[lang])
    desk.assert_no_sideways_scroll()
    desk.shot(f"{lang}-portal-sla-queue")

    urgent_row.click()  # the ticket page shows the same due time
    expect(page.get_by_test_id("ticket-sla")).to_have_text(TIME_LEFT[lang])
    desk.assert_no_sideways_scroll()
    desk.shot(f"{lang}-portal-sla-ticket")
    assert not desk.errors
