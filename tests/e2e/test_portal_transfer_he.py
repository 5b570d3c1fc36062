"""A transfer out of the supervisor's reach, in Hebrew, in a real browser at phone width (issue 13, portal).

The supervisor of billing moves a billing ticket to sales, where they neither supervise nor work. The dialog
offers sales' own categories (their Hebrew names, the default first) and the ticket takes the one chosen, never
keeping billing's "invoice". The transfer is confirmed and the supervisor is back at the queue (not shown a 403
page); switching to English re-words that notice. The customer's page names the new category, never its code, and
its "reply sent" notice, too, follows a switch to English.
"""
from __future__ import annotations

import re
import uuid

import pytest
import requests

from tests.e2e.test_customer_en import mailed_link
from tests.e2e.test_portal_he import HEBREW, SUPERVISOR, sign_in

pytestmark = pytest.mark.e2e


def test_a_transfer_out_of_reach_takes_a_category_of_the_target_and_returns_to_the_queue(
        local_stack, agent_api, phone_page, eventually):
    from playwright.sync_api import expect

    run = uuid.uuid4().hex[:6]
    email = f"dana.{run}@example.com"
    opened = requests.post(f"{local_stack.api_url}/tickets", timeout=30, json={
        "subject": f"רוצה לשדרג את התוכנית ({run})", "department": "billing", "category": "invoice",
        "priority": "normal", "language": "he",
        "text": "שלום, אנחנו רוצים לעבור לתוכנית גדולה יותר.",
        "customer": {"name": "דנה כץ", "email": email}})
    assert opened.status_code == 201, opened.text
    number = opened.json()["number"]

    desk = phone_page("he")
    page = desk.page
    page.goto(f"{local_stack.portal_url}#/tickets/{number}")
    sign_in(page, SUPERVISOR)
    page.get_by_test_id("transfer-open").click()
    dialog = page.get_by_test_id("transfer-dialog")
    dialog.get_by_test_id("transfer-department").select_option("sales")
    category = dialog.get_by_test_id("transfer-category")
    expect(category).to_have_value("quote")  # billing's "invoice" is not sales': the default is offered
    expect(category.locator("option")).to_have_text(["הצעת מחיר", "תוכניות ורישוי"])
    category.select_option("plans")
    dialog.get_by_test_id("transfer-group").select_option("sales-team")
    dialog.get_by_test_id("transfer-reason").fill("שדרוג תוכנית – למכירות")
    dialog.get_by_test_id("transfer-submit").click()

    # --- confirmed, and back at the queue: no "you have no access here"
    notice = page.get_by_test_id("queue-notice")
    expect(notice).to_contain_text(HEBREW)
    expect(notice).to_contain_text("מכירות")
    expect(page).to_have_url(re.compile(r"#/$"))
    expect(page.get_by_test_id("tab-queue")).to_have_attribute("aria-current", "page")
    desk.assert_no_sideways_scroll()
    desk.shot("he-portal-transfer-01-back-at-queue")
    page.get_by_test_id("lang-en").click()  # the notice re-renders in the new language
    expect(notice).to_contain_text("was transferred to")
    expect(notice).not_to_contain_text(HEBREW)

    seller = agent_api("agent.fa@example.com").get(f"/agent/tickets/{number}")
    assert (seller["department"], seller["category"]) == ("sales", "plans")

    customer = phone_page("he")
    customer.page.goto(eventually(lambda: mailed_link(local_stack, email, number), what="the mailed private link"))
    expect(customer.page.get_by_test_id("ticket")).to_contain_text("מכירות / תוכניות ורישוי")
    expect(customer.page.get_by_test_id("ticket")).not_to_contain_text("plans")
    customer.shot("he-customer-transfer-02-category-named")
    # the customer's success notice, too, follows a switch of language
    customer.page.get_by_test_id("reply-text").fill("תודה, מחכה להצעה.")
    customer.page.get_by_test_id("reply-submit").click()
    sent = customer.page.get_by_test_id("reply-form").get_by_test_id("banner")
    expect(sent).to_contain_text(HEBREW)
    customer.page.get_by_test_id("lang-en").click()
    expect(sent).to_have_text("Your reply was sent.")
    assert not desk.errors and not customer.errors, desk.errors + customer.errors
