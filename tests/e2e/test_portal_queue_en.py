"""The queue in the English UI with right-to-left data, in a real browser at phone and desktop width (issue 13,
portal). An agent who works in two departments (support and billing) picks "All my departments" and sees both
tickets in one list. A Hebrew subject starts next to its number (not at the far side of the row), and every
name of the row has its label (the customer's no longer runs into the assignee's).
Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import uuid

import pytest
import requests

from tests.e2e.test_portal_he import sign_in

pytestmark = pytest.mark.e2e

AGENT = "agent.he@example.com"  # works in support's first line and at the billing desk
TEXT_START = ("el => { const r = document.createRange(); r.selectNodeContents(el); "
              "return r.getBoundingClientRect().left; }")


def test_all_my_departments_in_one_queue_with_rtl_subjects_next_to_their_numbers(local_stack, phone_page):
    from playwright.sync_api import expect

    run = uuid.uuid4().hex[:6]
    numbers = []
    for department, category, subject, name in [("support", "bug", "מדפסת תקועה", "נועה לוי"),
                                                ("billing", "invoice", "فاکتور", "مریم احمدی")]:
        opened = requests.post(f"{local_stack.api_url}/tickets", timeout=30, json={
            "subject": subject, "department": department, "category": category, "priority": "normal",
            "language": "he", "text": f"{subject} ({run})",
            "customer": {"name": name, "email": f"q.{run}@example.com"}})
        assert opened.status_code == 201, opened.text
        numbers.append(opened.json()["number"])

    desk = phone_page("en")
    page = desk.page
    page.goto(local_stack.portal_url)
    sign_in(page, AGENT)
    page.get_by_test_id("queue-department").select_option("*")
    rows = [page.locator(f"[data-testid=queue-row][data-number='{n}']") for n in numbers]
    for found in rows:
        expect(found).to_be_visible()  # one list, both departments
    expect(page.get_by_test_id("queue-group")).to_have_count(0)

    for width, shot in [(360, "en-queue-01-phone"), (1280, "en-queue-02-desktop")]:
        page.set_viewport_size({"width": width, "height": 800})
        for found in rows:
            number = found.get_by_test_id("queue-number").bounding_box()
            subject_start = found.get_by_test_id("queue-subject").evaluate(TEXT_START)
            gap = subject_start - (number["x"] + number["width"])
            assert 0 <= gap < 40, f"at {width}px the subject starts {gap}px away from its number"
            expect(found.get_by_test_id("queue-customer")).to_contain_text("Customer:")
            expect(found.get_by_test_id("queue-assignee")).to_contain_text("Assignee:")
        expect(rows[0].get_by_test_id("queue-customer")).to_have_text("Customer: נועה לוי")
        expect(rows[1].get_by_test_id("queue-row-group")).to_contain_text("Billing / ")
        if width == 360:
            desk.assert_no_sideways_scroll()
        desk.shot(shot)
    assert not desk.errors, desk.errors
