"""A mail whose sender SES could not authenticate (as `python -m local.inbound --fail dmarc` delivers it) opens a
ticket that the portal flags, in Hebrew (right to left), in the queue and on the ticket page, at phone width.
Screenshots go to test-artifacts/e2e/."""
from __future__ import annotations

import uuid
from email.message import EmailMessage

import pytest

from tests.e2e.test_portal_he import SUPERVISOR, sign_in

pytestmark = pytest.mark.e2e


def test_an_unauthenticated_mail_is_flagged_in_the_portal(local_stack, agent_api, phone_page, eventually):
    from playwright.sync_api import expect

    from local.inbound import attachments_bucket, deliver, ses_received

    subject = f"החשבונית {uuid.uuid4().hex[:6]}"
    message = EmailMessage()
    message["From"] = f"נועה <noa.{uuid.uuid4().hex[:6]}@example.co.il>"
    message["To"] = "helpdesk@example.com"
    message["Subject"] = subject
    message.set_content("נא להעביר את ההחזר לחשבון החדש שלי.")
    deliver(local_stack.moto_url, ses_received(message.as_bytes(), fail=["dmarc"]),
            bucket=attachments_bucket(local_stack.moto_url))

    supervisor = agent_api(SUPERVISOR)

    def queued():  # mail opens tickets in the first department (INBOUND_DEPARTMENT unset), which they supervise
        return next(((department, t) for department in ("billing", "support")
                     for t in supervisor.get(f"/agent/queue?department={department}")["tickets"]
                     if t["subject"] == subject), None)

    department, row = eventually(queued, what="the mail's ticket in a queue")
    assert row["sender_verified"] is False

    desk = phone_page("he")
    page = desk.page
    page.goto(local_stack.portal_url)
    sign_in(page, SUPERVISOR)
    page.get_by_test_id("queue-department").select_option(department)
    queue_row = page.locator(f"[data-testid=queue-row][data-number='{row['number']}']")
    expect(queue_row.get_by_test_id("sender-unverified")).to_have_text("השולח לא אומת")
    desk.assert_no_sideways_scroll()
    desk.shot("he-portal-unverified-queue")

    queue_row.click()
    expect(page.get_by_test_id("ticket-customer").get_by_test_id("sender-unverified")).to_be_visible()
    expect(page.get_by_test_id("sender-unverified-hint")).to_contain_text("SPF")
    assert page.evaluate("getComputedStyle(document.querySelector('[data-testid=ticket]')).direction") == "rtl"
    desk.assert_no_sideways_scroll()
    desk.shot("he-portal-unverified-ticket")
    assert not desk.errors
