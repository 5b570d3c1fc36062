"""The customer's side of issue 3, end to end, in Hebrew (right to left), in a real browser at phone width.

Noa has a Hebrew demo ticket. An agent answers it through the API. Noa signs in to "My tickets" without a
password (a wrong code first, then the code the stack mailed her), finds the ticket under "Awaiting your
reply", opens it and rates the reply with one click; the rating shows, survives a reload and is in the
agent's view of the ticket. Then the 👎 link of the reply mail changes it with one click from the mail.
Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.e2e

NOA = "noa@example.com"
CODE = re.compile(r"(?<![0-9])[0-9]{6}(?![0-9])")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def noa_ticket(agent) -> dict:
    """Noa's Hebrew demo ticket, as agents see it in the billing queue."""
    from local.seed import TICKETS

    subject = next(t["subject"] for t in TICKETS if t["customer"]["email"] == NOA)
    tickets = agent.get("/agent/queue?department=billing")["tickets"]
    return next(t for t in tickets if t["subject"] == subject and t["customer"]["email"] == NOA)


def mails_to_noa(stack):
    from local.mailbox import mail_to

    return mail_to(stack.moto_url, NOA)


def test_noa_signs_in_with_a_code_and_rates_the_reply_in_hebrew(local_stack, agent_api, phone_page, eventually):
    from playwright.sync_api import expect

    agent = agent_api("admin@example.com")  # the demo departments have no groups yet: only an admin works in all
    ticket = noa_ticket(agent)
    number = ticket["number"]
    reply_text = f"שלום נועה, ההחזר על החיוב הכפול בדרך ({uuid.uuid4().hex[:6]})."
    reply = agent.post(f"/agent/tickets/{number}/replies", {"text": reply_text})

    # --- sign in without a password
    customer = phone_page("he")
    page = customer.page
    page.goto(local_stack.customer_url)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "he")
    page.get_by_test_id("my-tickets").click()
    page.get_by_test_id("identity").fill(NOA)
    mails_before = len(mails_to_noa(local_stack))
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("code")).to_be_focused()
    customer.shot("he-01-code-sent")

    def new_code():
        for mail in mails_to_noa(local_stack)[mails_before:]:
            found = CODE.search(mail.text)
            if found:
                return found.group()
        return None

    code = eventually(new_code, what="the mail with the sign-in code")
    wrong = f"{(int(code[0]) + 1) % 10}{code[1:]}"
    page.get_by_test_id("code").fill(wrong)
    page.get_by_test_id("verify-code").click()
    expect(page.get_by_test_id("code-error")).to_contain_text(re.compile(r"[0-9]"))  # the tries left
    expect(page.get_by_test_id("code")).to_have_attribute("aria-invalid", "true")
    customer.shot("he-02-wrong-code")
    page.get_by_test_id("code").fill(code.translate(ARABIC_INDIC))  # digits of any script are the same code
    page.get_by_test_id("verify-code").click()

    # --- the history: three tabs, the answered ticket awaits Noa
    for tab in ("open", "awaiting", "closed"):
        expect(page.get_by_test_id(f"tab-{tab}")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 1 and page.evaluate(
        "Object.keys(localStorage).every((k) => k === 'helpdesk.lang')"), "the token belongs in sessionStorage only"
    page.get_by_test_id("tab-awaiting").click()
    expect(page.get_by_test_id("tab-awaiting")).to_have_attribute("aria-selected", "true")
    row = page.get_by_test_id("panel-awaiting").locator(f"[data-testid=history-row][data-number='{number}']")
    expect(row).to_be_visible()
    expect(row).to_have_attribute("data-status", "awaiting_customer")
    expect(page.get_by_test_id("tab-awaiting").get_by_test_id("tab-count")).not_to_have_text("0")
    page.get_by_test_id("tab-awaiting").press("ArrowLeft")  # right to left: the next tab is on the left
    expect(page.get_by_test_id("tab-closed")).to_be_focused()
    page.get_by_test_id("tab-closed").press("ArrowRight")
    expect(page.get_by_test_id("tab-awaiting")).to_be_focused()
    customer.assert_no_sideways_scroll()
    customer.shot("he-03-history")

    # --- the ticket through the session, and one click to rate the reply
    row.click()
    expect(page.get_by_test_id("ticket-subject")).to_have_text(ticket["subject"])
    answer = page.locator(f"[data-testid=message][data-message-id='{reply['id']}']")
    expect(answer).to_contain_text(reply_text)
    good, bad = answer.get_by_test_id("rate-good"), answer.get_by_test_id("rate-bad")
    expect(good).to_have_attribute("aria-pressed", "false")
    expect(bad).to_have_attribute("aria-pressed", "false")
    good.click()
    expect(good).to_have_attribute("aria-pressed", "true")
    expect(bad).to_have_attribute("aria-pressed", "false")
    expect(answer.get_by_test_id("rating-status")).not_to_be_empty()
    customer.assert_no_sideways_scroll()
    customer.shot("he-04-rated")

    def agent_sees(rating: str):
        seen = agent.get(f"/agent/tickets/{number}")
        recorded = seen["ratings"].get(reply["id"])
        rated_events = [e for e in seen["timeline"] if e["type"] == "ticket.rated"]
        return recorded and recorded["rating"] == rating and rated_events and seen

    seen = eventually(lambda: agent_sees("good"), what="the rating in the agent's view of the ticket")
    assert seen["status"] == "awaiting_customer"

    page.reload()
    expect(page.locator(f"[data-testid=message][data-message-id='{reply['id']}']").get_by_test_id("rate-good")
           ).to_have_attribute("aria-pressed", "true")

    # --- the reply mail's 👎 link records the other rating with one click
    def rate_link():
        for mail in mails_to_noa(local_stack):
            if reply_text in mail.text:
                links = re.findall(r"\S+#/rate/\S+/bad", mail.text)
                if links:
                    return links[0]
        return None

    link = eventually(rate_link, what="the reply mail with its rating links")
    assert f"#/rate/{number}/{reply['id']}/" in link
    page.goto(link)
    expect(page.get_by_test_id("rate-recorded")).to_be_visible()
    expect(page.get_by_test_id("rate-bad")).to_have_attribute("aria-pressed", "true")
    customer.shot("he-05-rated-from-mail")
    eventually(lambda: agent_sees("bad"), what="the rating changed from the mail's link")

    page.get_by_test_id("sign-out").click()
    assert page.evaluate("sessionStorage.length") == 0
    assert not customer.errors, customer.errors
