"""A rating with a comment, in Hebrew, in a real browser at phone width (issue 13, portal and customer site).

The customer rates an agent's reply 👎 on the ticket page and then explains why: the timeline gets the rating
and a comment, not a second "rated as not helpful". Then they change their mind from the reply mail's 👍 link:
the earlier comment is still in the box.
"""
from __future__ import annotations

import re
import uuid

import pytest
import requests

from tests.e2e.test_customer_en import mailed_link

pytestmark = pytest.mark.e2e


def test_a_comment_is_not_a_second_rating_and_survives_a_rating_from_the_mail(
        local_stack, agent_api, phone_page, eventually):
    from playwright.sync_api import expect

    from local.mailbox import mail_to

    run = uuid.uuid4().hex[:6]
    email = f"rating.{run}@example.com"
    opened = requests.post(f"{local_stack.api_url}/tickets", timeout=30, json={
        "subject": f"החזר כספי ({run})", "department": "billing", "category": "refund", "priority": "normal",
        "language": "he", "text": "שלום, מתי יגיע ההחזר?",
        "customer": {"name": "נועה", "email": email}})
    assert opened.status_code == 201, opened.text
    number = opened.json()["number"]
    admin = agent_api("admin@example.com")
    reply_text = f"ההחזר יגיע בתוך שבוע ({run})"
    reply = admin.post(f"/agent/tickets/{number}/replies", {"text": reply_text})

    customer = phone_page("he")
    page = customer.page
    page.goto(eventually(lambda: mailed_link(local_stack, email, number), what="the mailed private link"))
    answer = page.locator(f"[data-testid=message][data-message-id='{reply['id']}']")
    answer.get_by_test_id("rate-bad").click()
    expect(answer.get_by_test_id("rate-bad")).to_have_attribute("aria-pressed", "true")
    comment = "עדיין לא ברור מתי"
    answer.get_by_test_id("rate-comment").fill(comment)
    answer.get_by_test_id("rate-comment-save").click()
    expect(answer.get_by_test_id("rating-status")).not_to_be_empty()

    def rated():
        events = [e for e in admin.get(f"/agent/tickets/{number}")["timeline"] if e["type"] == "ticket.rated"]
        return len(events) == 2 and events
    first, commented = eventually(rated, what="the rating and its comment on the timeline")
    assert first["data"]["rating"] == "bad" and "change" not in first["data"]
    assert commented["data"]["change"] == "comment" and commented["data"]["comment"] == comment

    def good_link():
        for mail in mail_to(local_stack.moto_url, email):
            if reply_text in mail.text:
                found = re.findall(r"\S+#/rate/\S+/good", mail.text)
                if found:
                    return found[0]
        return None
    page.goto(eventually(good_link, what="the reply mail with its rating links"))
    expect(page.get_by_test_id("rate-recorded")).to_be_visible()
    expect(page.get_by_test_id("rate-good")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("rate-comment")).to_have_value(comment)  # the earlier comment is kept
    customer.shot("he-rating-01-changed-from-mail-keeps-comment")
    current = admin.get(f"/agent/tickets/{number}")["ratings"][reply["id"]]
    assert (current["rating"], current["comment"]) == ("good", comment)
    assert not customer.errors, customer.errors
