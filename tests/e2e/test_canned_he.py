"""Canned answers in the reply box, in Hebrew, in a real browser at phone width (issue 15).

An agent of the first line opens a Hebrew ticket, types `::` (a type-ahead opens; Escape closes it), then `::סיסמ`:
the department's password answer is offered with its Hebrew text; the arrow keys move the choice and Enter inserts
it, filled in for the ticket (the customer's name, written with markup, stays plain text; the link is the ticket's
page, never the private link). The reply is sent with the answer, whose use is counted; the picker button inserts
another answer without a keyboard.
"""
from __future__ import annotations

import uuid

import pytest
import requests

from tests.e2e.test_portal_he import HEBREW, sign_in

pytestmark = pytest.mark.e2e

AGENT = "agent.he@example.com"


def test_an_agent_inserts_a_canned_answer_with_colons_and_sends_it(local_stack, agent_api, phone_page):
    from playwright.sync_api import expect

    run = uuid.uuid4().hex[:6]
    name = "דנה <b>כץ</b>"
    opened = requests.post(f"{local_stack.api_url}/tickets", timeout=30, json={
        "subject": f"לא מצליחה להיכנס לחשבון ({run})", "department": "support", "category": "bug",
        "priority": "normal", "language": "he", "text": "שלום, שכחתי את הסיסמה ואני לא מצליחה להיכנס.",
        "customer": {"name": name, "email": f"dana.{run}@example.com"}})
    assert opened.status_code == 201, opened.text
    number = opened.json()["number"]
    api = agent_api(AGENT)
    uses_before = api.get("/agent/canned/demo-password")["uses"]

    desk = phone_page("he")
    page = desk.page
    page.goto(f"{local_stack.portal_url}#/tickets/{number}")
    sign_in(page, AGENT)
    text = page.get_by_test_id("composer-text")
    popup = page.get_by_test_id("canned-popup")

    # --- `::` opens the type-ahead of the answers in scope; Escape closes it and keeps the text
    text.click()
    text.press_sequentially("::")
    expect(popup).to_be_visible()
    expect(text).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_test_id("canned-option").first).to_be_visible()
    text.press("Escape")
    expect(popup).to_be_hidden()
    expect(text).to_have_value("::")

    # --- `::סיסמ` finds the department's password answer; arrows move the choice, Enter inserts it
    text.fill("")
    text.press_sequentially("תודה על הפנייה.\n::סיסמ")
    options = page.get_by_test_id("canned-option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("איפוס סיסמה")
    expect(options.first).to_contain_text("שכחתי סיסמה")  # the Hebrew body: the ticket's language
    expect(options.first).to_have_attribute("aria-selected", "true")
    desk.assert_no_sideways_scroll()
    desk.shot("he-portal-canned-01-typeahead")
    text.press("ArrowDown")  # one answer: the choice stays on it
    expect(options.first).to_have_attribute("aria-selected", "true")
    text.press("Enter")
    expect(popup).to_be_hidden()
    inserted = text.input_value()
    assert inserted.startswith(f"תודה על הפנייה.\nשלום {name},")  # the markup is text, nothing else changed
    assert "::" not in inserted and "{{" not in inserted
    assert f"#/tickets/{number}" in inserted and "#/t/" not in inserted
    assert "תמיכה טכנית" in inserted  # {{department.name}} in the ticket's language
    expect(page.get_by_test_id("canned-selected")).to_contain_text("איפוס סיסמה")
    desk.shot("he-portal-canned-02-inserted")

    # --- sent with the answer: the reply is the text as shown, and the use is counted
    page.get_by_test_id("reply-submit").click()
    expect(page.get_by_test_id("composer").get_by_test_id("banner")).to_contain_text(HEBREW)
    expect(page.get_by_test_id("canned-selected")).to_have_count(0)
    expect(page.locator("[data-testid=message][data-visibility=public]").last).to_contain_text(f"שלום {name},")
    assert page.locator("[data-testid=message] b").count() == 0  # the customer's name never became markup
    view = api.get(f"/agent/tickets/{number}")
    assert view["messages"][-1]["text"] == inserted
    assert api.get("/agent/canned/demo-password")["uses"] == uses_before + 1

    # --- without a keyboard: the picker button lists the answers, a tap inserts one
    page.get_by_test_id("canned-picker-open").click()
    page.get_by_test_id("canned-search").fill("ברכה")
    greeting = page.get_by_test_id("canned-option").filter(has_text="ברכה אישית")
    expect(greeting).to_have_count(1)
    desk.assert_no_sideways_scroll()
    greeting.click()
    expect(text).to_have_value("שלום דנה <b>כץ</b>, כאן אורי כהן. אני מטפל בפנייה שלך.")
    desk.shot("he-portal-canned-03-picker")
    assert not desk.errors, desk.errors


def test_a_supervisor_manages_a_groups_answers_and_a_bad_placeholder_is_named(local_stack, agent_api, phone_page):
    """In Persian: the supervisor adds an answer for the first line; `{{customer.nam}}` is refused on the field,
    naming it; once fixed it is listed, and a member of the group sees it but may not edit it."""
    from playwright.sync_api import expect

    from tests.e2e.test_portal_he import SUPERVISOR

    run = uuid.uuid4().hex[:6]
    desk = phone_page("fa")
    page = desk.page
    page.goto(f"{local_stack.portal_url}#/canned")
    sign_in(page, SUPERVISOR)
    page.get_by_test_id("canned-link").click()
    page.get_by_test_id("canned-scope").select_option("group:support/first-line")
    expect(page.get_by_test_id("canned-rows")).to_contain_text("ارجاع به کارشناسان")
    page.get_by_test_id("canned-new").click()
    page.get_by_test_id("canned-title").fill(f"پیگیری سفارش {run}")
    expect(page.get_by_test_id("canned-form-scope")).to_have_value("group:support/first-line")
    page.get_by_test_id("canned-body-fa").fill("سلام {{customer.nam}}، سفارش شما در راه است.")
    page.get_by_test_id("canned-priority").select_option("low")
    page.get_by_test_id("canned-save").click()
    error = page.get_by_test_id("canned-body-fa-error")
    expect(error).to_contain_text("{{customer.nam}}")
    expect(error).to_contain_text("ناشناخته")
    expect(page.get_by_test_id("canned-body-fa")).to_have_attribute("aria-invalid", "true")
    desk.assert_no_sideways_scroll()
    desk.shot("fa-portal-canned-04-placeholder-refused")
    page.get_by_test_id("canned-body-fa").fill("سلام {{customer.name}}، سفارش شما در راه است.")
    page.get_by_test_id("canned-save").click()
    row = page.get_by_test_id("canned-row").filter(has_text=f"پیگیری سفارش {run}")
    expect(row).to_be_visible()
    expect(row).to_contain_text("اولویت: کم")
    desk.shot("fa-portal-canned-05-saved")

    member = agent_api("agent.fa@example.com")
    found = member.get(f"/agent/canned?q={run}")["answers"]
    assert [(a["title"], a["editable"]) for a in found] == [(f"پیگیری سفارش {run}", False)]
    assert member.call("PUT", f"/agent/canned/{found[0]['id']}", {
        "title": "x", "bodies": {"fa": "x"}, "scope": found[0]["scope"], "version": 1}).status_code == 403
    assert not desk.errors, desk.errors
