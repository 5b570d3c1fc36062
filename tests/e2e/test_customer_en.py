"""The customer site's refusals, end to end, in English (left to right), in a real browser at phone width.

A closed ticket past its reply window shows no composer but "Open a new ticket about this": the form comes
pre-filled and the new ticket records what it follows, with the optional mobile number. Without sign-in, once
as many requests of the address as allowed wait for confirmation, the form names no ticket: it says that a
mail with the open ones is on its way, and that mail arrives. A customer who gives a mobile number may tick
"Text me when an agent replies": once they confirmed the request from the mail, the agent's reply texts them
(read back from moto's SNS outbox) their private link, whose page stops the texts with one key press.

The local stack has no clock to wind forward (policies allow a window of one day at least), so the ticket's
answer is altered in the browser to say its window is over; everything else is the real API.
"""
from __future__ import annotations

import re
import uuid

import pytest
import requests

pytestmark = pytest.mark.e2e


def mailed_link(stack, email: str, number: int) -> str | None:
    """The private link of ticket `number` from the mail the address got (None until it arrived)."""
    from local.mailbox import mail_to

    for mail in mail_to(stack.moto_url, email):
        found = re.search(rf"https?://\S+#/t/{number}/\S+", mail.text)
        if found:
            return found.group(0)
    return None


def test_a_closed_conversation_continues_in_a_new_ticket_and_past_the_allowance_the_list_goes_by_mail(
        local_stack, agent_api, phone_page, eventually):
    from playwright.sync_api import expect

    admin = agent_api("admin@example.com")
    run = uuid.uuid4().hex[:6]
    email, subject = f"sam.{run}@example.com", f"Export to CSV fails ({run})"
    opened = requests.post(f"{local_stack.api_url}/tickets", timeout=30, json={
        "subject": subject, "department": "support", "category": "bug", "priority": "normal", "language": "en",
        "text": "The export button shows an error.", "customer": {"name": "Sam Lee", "email": email}})
    assert opened.status_code == 201, opened.text
    number = opened.json()["number"]
    version = admin.get(f"/agent/tickets/{number}")["version"]
    admin.post(f"/agent/tickets/{number}/status", {"status": "closed", "version": version})

    # --- the closed ticket, its reply window over, offers a follow-up instead of the composer
    customer = phone_page("en")
    page = customer.page

    def window_over(route):
        answer = route.fetch()
        route.fulfill(response=answer, json={**answer.json(), "reply_window_open": False})

    page.route(re.compile(rf"/tickets/{number}$"), window_over)
    page.goto(eventually(lambda: mailed_link(local_stack, email, number), what="the mail with the private link"))
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_test_id("ticket-subject")).to_have_text(subject)
    expect(page.get_by_test_id("reply-closed")).to_be_visible()
    expect(page.get_by_test_id("reply-form")).to_have_count(0)
    customer.shot("en-01-reply-window-closed")
    page.get_by_test_id("follow-up").click()

    expect(page.get_by_test_id("follows-notice")).to_contain_text(str(number))
    expect(page.get_by_test_id("subject")).to_have_value(f"Re: {subject}")
    expect(page.get_by_test_id("department")).to_have_value("support")
    expect(page.get_by_test_id("category")).to_have_value("bug")
    expect(page.get_by_test_id("name")).to_have_value("Sam Lee")
    page.get_by_test_id("text").fill("It still fails after the update.")
    page.get_by_test_id("email").fill(email)
    page.get_by_test_id("phone").fill("12")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("phone-error")).to_be_visible()  # checked before anything is sent
    page.get_by_test_id("phone").fill("+972 52-555-1234")
    customer.assert_no_sideways_scroll()
    customer.shot("en-02-follow-up-form")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("ticket-created")).to_be_visible()
    # The key of the earlier ticket proved the address: confirmed at once, its link shown.
    expect(page.get_by_test_id("ticket-created").get_by_test_id("ticket-link")).to_be_visible()
    follow_up = int(page.get_by_test_id("ticket-number").get_attribute("data-number"))
    seen = admin.get(f"/agent/tickets/{follow_up}")
    assert seen["follows"] == number
    assert seen["customer"]["phone"] == "+972525551234"

    # --- without sign-in, past the address's allowance of unconfirmed requests: nothing named, a mail instead
    def file_another(n: int) -> None:
        page.get_by_role("button", name="New request").click()
        page.get_by_test_id("subject").fill(f"Another question {n} ({run})")
        page.get_by_test_id("department").select_option("support")
        page.get_by_test_id("category").select_option("bug")
        page.get_by_test_id("text").fill("One more thing.")
        page.get_by_test_id("submit").click()

    waiting = []
    for n in (1, 2, 3):  # the allowance of three unconfirmed requests per address
        file_another(n)
        expect(page.get_by_test_id("confirm-notice")).to_be_visible()
        waiting.append(int(page.get_by_test_id("ticket-number").get_attribute("data-number")))
    file_another(4)
    notice = page.get_by_test_id("unconfirmed-limit")
    expect(notice).to_be_visible()
    expect(notice).to_have_attribute("role", "alert")
    expect(notice).to_contain_text("on its way")
    # No ticket named to whoever typed the address. As a number of its own: the address's random part may hold
    # the same digits ("sam.710695@…" and #1069).
    for named in (follow_up, *waiting):
        expect(notice).not_to_contain_text(re.compile(rf"(?<![0-9A-Za-z]){named}(?![0-9A-Za-z])"))
    expect(page.get_by_test_id("open-limit-ticket")).to_have_count(0)
    expect(notice.get_by_test_id("unconfirmed-limit-sign-in")).to_be_visible()
    expect(page.get_by_test_id("email-error")).to_be_visible()
    customer.assert_no_sideways_scroll()
    customer.shot("en-03-unconfirmed-limit")

    def list_mail():
        from local.mailbox import mail_to
        return next((m for m in mail_to(local_stack.moto_url, email) if m.subject == "Your open requests"), None)

    listed = eventually(list_mail, what="the mail with the open requests")
    assert f"[#{follow_up}] Re: {subject}\n" in listed.text  # confirmed
    assert all(f"[#{n}] Another question {i} ({run}) (not confirmed yet)" in listed.text
               for i, n in enumerate(waiting, start=1))
    assert not customer.errors, customer.errors


# Mobile numbers (prefix, random digits) of zones that between them always have one in its day: the local
# stack runs on the real clock, and a customer's SMS waits out their night (21:00-08:00).
DAYTIME_CANDIDATES = (("+98912", 7), ("+1212555", 4), ("+614", 8))  # Tehran, New York, Adelaide


def a_number_in_daytime() -> str:
    """A fresh mobile number (so its own SMS quota) whose zone stays out of the customer's night a while."""
    import random
    from datetime import datetime, timedelta, timezone

    from chalicelib.domain.alerts import customer_takes_sms

    now = datetime.now(timezone.utc)
    # Several draws per zone: some random digits make a number whose zone the phone plan does not know.
    for prefix, digits in DAYTIME_CANDIDATES:
        for _ in range(20):
            phone = f"{prefix}{random.randrange(10 ** digits):0{digits}d}"
            if all(customer_takes_sms(phone, now + timedelta(minutes=m), urgent=False) for m in (0, 20)):
                return phone
    raise AssertionError("no candidate number is in its daytime")


def test_the_customer_asks_for_a_text_on_replies_gets_one_with_the_link_and_stops_them_there(
        local_stack, agent_api, phone_page, eventually):
    from playwright.sync_api import expect

    from local.mailbox import sent_sms

    run = uuid.uuid4().hex[:6]
    phone = a_number_in_daytime()
    customer = phone_page("en")
    page = customer.page
    page.goto(local_stack.customer_url)
    expect(page.get_by_test_id("department").locator("option[value=support]")).to_be_attached()
    page.get_by_test_id("department").select_option("support")
    page.get_by_test_id("category").select_option("bug")
    page.get_by_test_id("subject").fill(f"Invoice PDF is empty ({run})")
    page.get_by_test_id("text").fill("The PDF of my last invoice has no pages.")
    page.get_by_test_id("name").fill("Sam Lee")
    page.get_by_test_id("email").fill(f"sam.sms.{run}@example.com")

    # --- the box is for people who gave a mobile number; its label names what it does
    texts = page.get_by_role("checkbox", name="Text me when an agent replies")
    expect(texts).to_be_disabled()
    page.get_by_test_id("phone").fill(phone)
    expect(texts).to_be_enabled()
    texts.check()
    customer.assert_no_sideways_scroll()
    customer.shot("en-sms-01-form")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("ticket-created")).to_be_visible()
    number = int(page.get_by_test_id("ticket-number").get_attribute("data-number"))
    # Texts carry the private link: they wait until the customer confirmed from the mail that it is theirs.
    page.goto(eventually(lambda: mailed_link(local_stack, f"sam.sms.{run}@example.com", number),
                         what="the mail asking to confirm"))
    expect(page.get_by_test_id("ticket-number")).to_have_attribute("data-number", str(number))

    # --- an agent replies: one SMS to the customer, with the private link and how to stop
    admin = agent_api("admin@example.com")
    assert admin.get(f"/agent/tickets/{number}")["sms_updates"] is True
    admin.post(f"/agent/tickets/{number}/replies", {"text": "We sent the invoice again."})

    def text_for_ticket():
        return [s["message"] for s in sent_sms(local_stack.moto_url)
                if s["phone_number"] == phone and f"/#/t/{number}/" in s["message"]]

    [text] = eventually(text_for_ticket, what="the customer's SMS on the agent's reply")
    assert text.startswith(f"Ticket {number}: an agent replied") and "stop these texts" in text
    link = re.search(r"https?://\S+/#/t/\d+/\S+$", text).group(0)

    # --- the link opens the ticket, where the texts are stopped with the keyboard
    page.goto(link)
    expect(page.get_by_test_id("ticket-number")).to_have_attribute("data-number", str(number))
    # Only the number's end is shown (in a bidi isolate, like all data inside a sentence).
    named = re.compile(rf"^Text me at \u2068?…{phone[-4:]}\u2069? when an agent replies$")
    toggle = page.get_by_role("checkbox", name=named)
    expect(toggle).to_be_checked()
    toggle.focus()
    page.keyboard.press("Space")
    expect(page.get_by_test_id("sms-updates-status")).to_have_text("Texts are off.")
    expect(toggle).not_to_be_checked()
    expect(toggle).to_be_focused()  # the keyboard user stays where they were
    customer.assert_no_sideways_scroll()
    customer.shot("en-sms-02-stopped")
    assert admin.get(f"/agent/tickets/{number}")["sms_updates"] is False
    assert not customer.errors, customer.errors
