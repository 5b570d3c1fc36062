"""Alert settings in the portal, end to end, in Persian (right to left) at phone width: an agent on call for
the first line finds their seeded settings, is told in Persian that a landline takes no SMS, saves their
mobile typed with Persian digits, and the next urgent ticket of their group reaches that number by SMS.
Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import random
import uuid

import pytest
import requests

pytestmark = pytest.mark.e2e

AGENT = "agent.fa@example.com"
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def test_an_agent_sets_their_mobile_and_gets_the_urgent_ticket_by_sms(local_stack, phone_page, eventually):
    from playwright.sync_api import expect

    from local.mailbox import sent_sms
    from local.seed import DEMO_PASSWORD

    tab = phone_page("fa")
    page = tab.page
    page.goto(f"{local_stack.web_url}/portal/#/profile")
    page.get_by_test_id("signin-email").fill(AGENT)
    page.get_by_test_id("signin-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("signin-submit").click()

    expect(page.get_by_test_id("profile-form")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("profile-phone")).to_have_value("+989121234567")
    on_call = page.get_by_test_id("profile-on-call").locator("input[type=checkbox]")
    expect(on_call).to_have_count(3)  # one per work group the agent is in
    on_call_for = page.get_by_test_id("profile-on-call")
    expect(on_call_for.locator("input[value='support/first-line']")).to_be_checked()
    expect(on_call_for.locator("input[value='billing/billing-desk']")).not_to_be_checked()
    tab.shot("fa-profile-01-seeded")

    page.get_by_test_id("profile-phone").fill("۰۲۱ ۸۸۸۸ ۱۲۳۴")  # a Tehran landline
    page.get_by_test_id("profile-save").click()
    expect(page.get_by_test_id("profile-phone-error")).to_have_text("این شمارهٔ موبایل نیست.")
    tab.shot("fa-profile-02-landline-refused")

    local = f"0912{random.randrange(10**7):07d}"
    page.get_by_test_id("profile-phone").fill(local.translate(PERSIAN_DIGITS))
    page.get_by_test_id("profile-save").click()
    expect(page.get_by_test_id("banner")).to_have_text("ذخیره شد.")
    e164 = "+98" + local[1:]
    expect(page.get_by_test_id("profile-phone")).to_have_value(e164)
    tab.assert_no_sideways_scroll()
    tab.shot("fa-profile-03-saved")

    subject = f"سامانه از دسترس خارج شده ({uuid.uuid4().hex[:6]})"
    opened = requests.post(f"{local_stack.api_url}/tickets", timeout=30, json={
        "subject": subject, "department": "support", "category": "bug", "priority": "urgent", "language": "fa",
        "text": "هیچ‌کدام از کاربران نمی‌توانند وارد شوند.", "customer": {"name": "رضا", "email": "reza@example.com"}})
    assert opened.status_code == 201, opened.text
    number = opened.json()["number"]

    def texts():
        return [s["message"] for s in sent_sms(local_stack.moto_url) if s["phone_number"] == e164]

    [text] = eventually(texts, what="the urgent ticket's SMS")
    assert "فوری" in text and f"#/tickets/{number}" in text
    assert tab.errors == []
