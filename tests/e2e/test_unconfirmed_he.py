"""Issue 11, finding 1, end to end in Hebrew (right to left), in a real browser at phone width.

A customer files a ticket on the Hebrew form without signing in: the site shows the number and asks them to
open the link in the mail to confirm, and gives no link itself. The supervisor's portal shows the ticket
flagged unconfirmed in the queue and on its page. The customer opens the private link from the mail (read
from the local outbox); the portal then shows the ticket confirmed, and its timeline records it.
Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import re
import uuid

import pytest

from tests.e2e.test_portal_he import SUPERVISOR, sign_in

pytestmark = pytest.mark.e2e

HEBREW = re.compile(r"[\u0590-\u05FF]")


def test_an_unconfirmed_ticket_is_flagged_in_the_portal_until_the_customer_opens_the_mailed_link(
        local_stack, agent_api, phone_page, eventually):
    from playwright.sync_api import expect

    from local.mailbox import mail_to

    run = uuid.uuid4().hex[:6]
    email = f"dana.unconfirmed.{run}@example.com"
    subject = f"החשבונית לא הגיעה ({run})"

    # --- the customer files without signing in
    customer = phone_page("he")
    page = customer.page
    page.goto(local_stack.customer_url)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("department").locator("option[value=billing]")).to_be_attached()
    page.get_by_test_id("department").select_option("billing")
    page.get_by_test_id("category").select_option("invoice")
    page.get_by_test_id("subject").fill(subject)
    page.get_by_test_id("text").fill("שלום, לא קיבלתי את החשבונית של החודש.")
    page.get_by_test_id("name").fill("דנה כץ")
    page.get_by_test_id("email").fill(email)
    page.get_by_test_id("submit").click()

    created = page.get_by_test_id("ticket-created")
    expect(created).to_be_visible()
    expect(created).to_have_attribute("data-confirmed", "false")
    number = int(page.get_by_test_id("ticket-number").get_attribute("data-number"))
    notice = page.get_by_test_id("confirm-notice")
    expect(notice).to_have_text(HEBREW)
    expect(notice).to_contain_text(email)
    expect(page.get_by_test_id("ticket-link")).to_have_count(0)  # the link goes to the address only
    expect(page.get_by_test_id("open-ticket")).to_have_count(0)
    customer.assert_no_sideways_scroll()
    customer.shot("he-unconfirmed-01-filed")

    # --- the portal flags it, in the queue and on the ticket page
    desk = phone_page("he")
    portal = desk.page
    portal.goto(local_stack.portal_url)
    sign_in(portal, SUPERVISOR)
    portal.get_by_test_id("queue-department").select_option("billing")
    row = portal.locator(f"[data-testid=queue-row][data-number='{number}']")
    expect(row).to_be_visible()
    expect(row).to_have_attribute("data-confirmed", "false")
    badge = row.get_by_test_id("unconfirmed")
    expect(badge).to_have_text("לא מאושרת")
    desk.assert_no_sideways_scroll()
    desk.shot("he-unconfirmed-02-queue")
    row.click()
    expect(portal.get_by_test_id("ticket-subject")).to_have_text(subject)
    expect(portal.get_by_test_id("ticket")).to_have_attribute("data-confirmed", "false")
    expect(portal.get_by_test_id("ticket").get_by_test_id("unconfirmed")).to_be_visible()
    desk.shot("he-unconfirmed-03-ticket")

    # --- the customer opens the private link from the mail
    def confirmation_link():
        for mail in mail_to(local_stack.moto_url, email):
            found = re.search(rf"https?://\S+#/t/{number}/\S+", mail.text)
            if found:
                return mail, found.group(0)
        return None

    mail, link = eventually(confirmation_link, what="the mail asking to confirm the request")
    assert str(number) in mail.subject and HEBREW.search(mail.subject) and 'dir="rtl"' in mail.html
    page.goto(link)
    expect(page.get_by_test_id("ticket-subject")).to_have_text(subject)
    customer.shot("he-unconfirmed-04-opened-link")

    # --- the portal now shows it confirmed
    portal.reload()
    expect(portal.get_by_test_id("ticket")).to_have_attribute("data-confirmed", "true")
    expect(portal.get_by_test_id("ticket").get_by_test_id("unconfirmed")).to_have_count(0)
    desk.shot("he-unconfirmed-05-confirmed")
    seen = agent_api(SUPERVISOR).get(f"/agent/tickets/{number}")
    assert seen["confirmed"] is True
    assert [e["data"] for e in seen["timeline"] if e["type"] == "ticket.confirmed"] == [{"how": "link"}]
    assert not customer.errors, customer.errors
    assert not desk.errors, desk.errors
