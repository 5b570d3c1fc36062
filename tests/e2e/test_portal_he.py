"""The agent portal's workflow, end to end, in Hebrew (right to left), in a real browser at phone width.

A customer opens a billing ticket. The supervisor of billing and support signs in, finds it in the billing
queue and transfers it to a work group of support and one agent of it, with a reason: the dialog first
refuses to send without group and reason (errors in Hebrew), then the hand-over trail on the ticket page
shows from → to, who and why. That agent signs in and finds the ticket under "Mine", sees that the
supervisor has it open too, and when the supervisor changes it behind their back, their own change is
refused with a banner naming what changed, instead of overwriting it; after a reload it goes through.
Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import re
import uuid

import pytest
import requests

pytestmark = pytest.mark.e2e

SUPERVISOR = "supervisor@example.com"
HEBREW = re.compile(r"[\u0590-\u05FF]")


def sign_in(page, username: str) -> None:
    from local import totp
    from local.seed import AGENTS, DEMO_PASSWORD

    page.get_by_test_id("signin-email").fill(username)
    page.get_by_test_id("signin-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("signin-submit").click()
    if any(a["email"] == username and a.get("mfa") for a in AGENTS):  # admins and supervisors: the app's code
        page.get_by_test_id("signin-code").fill(totp.fresh_code())
        page.get_by_test_id("signin-code-submit").click()


def usernames_by_id(agent_api) -> dict[str, str]:
    """The API names agents by their Cognito username; the portal signs in by address."""
    from local.seed import AGENTS

    return {agent_api(a["email"]).get("/agent/me")["id"]: a["email"] for a in AGENTS}


def he_name(entries: list[dict], entry_id: str) -> str:
    return next(e for e in entries if e["id"] == entry_id)["names"]["he"]


def test_supervisor_transfers_a_ticket_and_the_agent_finds_it_in_mine(local_stack, agent_api, phone_page):
    from playwright.sync_api import expect

    run = uuid.uuid4().hex[:6]
    subject = f"חויבתי פעמיים על המנוי ({run})"
    reason = f"הלקוחה מדווחת גם על תקלה בהתחברות – לטיפול התמיכה הטכנית ({run})"
    opened = requests.post(f"{local_stack.api_url}/tickets", timeout=30, json={
        "subject": subject, "department": "billing", "category": "invoice", "priority": "normal", "language": "he",
        "text": "שלום, חויבתי פעמיים החודש ואני גם לא מצליחה להתחבר לחשבון.",
        "customer": {"name": "דנה כץ", "email": f"dana.{run}@example.com"}})
    assert opened.status_code == 201, opened.text
    number = opened.json()["number"]

    supervisor = agent_api(SUPERVISOR)
    supervisor_name = supervisor.get("/agent/me")["name"]
    org = supervisor.get("/agent/org")
    before = supervisor.get(f"/agent/tickets/{number}")
    assert before["department"] == "billing"
    # The target: a work group of support, and one of its members who does not have the ticket now.
    support = next(d for d in org["departments"] if d["id"] == "support")
    group = next(g for g in support["groups"] if g["members"])
    usernames = usernames_by_id(agent_api)
    target = next(m for m in group["members"] if m != (before["assignee"] or {}).get("id") and m in usernames)
    target_name = next(a["name"] for a in org["agents"] if a["id"] == target)

    # --- the supervisor finds the ticket in the billing queue
    desk = phone_page("he")
    page = desk.page
    page.goto(local_stack.portal_url)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "he")
    sign_in(page, SUPERVISOR)
    page.get_by_test_id("queue-department").select_option("billing")
    row = page.locator(f"[data-testid=queue-row][data-number='{number}']")
    expect(row).to_be_visible()
    desk.assert_no_sideways_scroll()
    desk.shot("he-portal-01-supervisor-queue")
    row.click()
    expect(page.get_by_test_id("ticket-subject")).to_have_text(subject)

    # --- the transfer dialog refuses to send without a group and a reason, in Hebrew
    page.get_by_test_id("transfer-open").click()
    dialog = page.get_by_test_id("transfer-dialog")
    dialog.get_by_test_id("transfer-submit").click()
    expect(dialog.get_by_test_id("transfer-group-error")).to_have_text(HEBREW)
    expect(dialog.get_by_test_id("transfer-reason-error")).to_have_text(HEBREW)
    expect(dialog.get_by_test_id("transfer-group")).to_be_focused()  # keyboard users land on the first problem
    desk.shot("he-portal-02-transfer-refused")
    dialog.get_by_test_id("transfer-department").select_option("support")
    dialog.get_by_test_id("transfer-group").select_option(group["id"])
    dialog.get_by_test_id("transfer-agent").select_option(target)
    dialog.get_by_test_id("transfer-reason").fill(reason)
    desk.shot("he-portal-03-transfer-filled")
    dialog.get_by_test_id("transfer-submit").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("transfer-open")).to_be_focused()

    # --- the trail says from where to where, who and why
    handover = page.get_by_test_id("trail").locator("[data-testid=handover][data-kind=transfer]")
    expect(handover).to_have_count(1)
    expect(handover.get_by_test_id("handover-from")).to_contain_text(he_name(org["departments"], "billing"))
    if before["group"]:
        billing = next(d for d in org["departments"] if d["id"] == "billing")
        expect(handover.get_by_test_id("handover-from")).to_contain_text(he_name(billing["groups"], before["group"]))
    to = handover.get_by_test_id("handover-to")
    expect(to).to_contain_text(support["names"]["he"])
    expect(to).to_contain_text(group["names"]["he"])
    expect(to).to_contain_text(target_name)
    expect(handover.get_by_test_id("handover-by")).to_contain_text(supervisor_name)
    expect(handover.get_by_test_id("handover-reason")).to_have_text(reason)
    expect(page.get_by_test_id("ticket-assignee")).to_have_attribute("data-assignee", target)
    expect(page.get_by_test_id("ticket-group")).to_have_attribute("data-group", group["id"])
    desk.assert_no_sideways_scroll()
    desk.shot("he-portal-04-trail")

    # --- the agent finds it under "Mine"; the supervisor still has it open
    agent = phone_page("he")
    mine = agent.page
    mine.goto(f"{local_stack.portal_url}#/mine")
    sign_in(mine, usernames[target])
    expect(mine.get_by_test_id("tab-mine")).to_have_attribute("aria-current", "page")
    mine_row = mine.locator(f"[data-testid=queue-row][data-number='{number}']")
    expect(mine_row).to_be_visible()
    expect(mine_row).to_have_attribute("data-assignee", target)
    agent.assert_no_sideways_scroll()
    agent.shot("he-portal-05-mine")
    mine_row.click()
    expect(mine.get_by_test_id("presence-other")).to_contain_text(supervisor_name)

    # --- a change behind the agent's back: theirs is refused and nothing is overwritten
    seen = supervisor.get(f"/agent/tickets/{number}")
    supervisor.post(f"/agent/tickets/{number}/priority", {"priority": "urgent", "version": seen["version"]})
    mine.get_by_test_id("status-select").select_option("on_hold")
    mine.get_by_test_id("status-submit").click()
    stale = mine.get_by_test_id("stale-banner")
    expect(stale).to_be_visible()
    expect(stale).to_have_text(HEBREW)
    expect(stale.get_by_test_id("stale-priority")).to_have_attribute("data-priority", "urgent")
    expect(mine.get_by_test_id("stale-reload")).to_be_focused()
    expect(mine.get_by_test_id("ticket-status")).to_have_attribute("data-status", seen["status"])
    agent.shot("he-portal-06-stale")
    mine.get_by_test_id("stale-reload").click()
    expect(stale).to_have_count(0)
    expect(mine.get_by_test_id("ticket-priority")).to_have_attribute("data-priority", "urgent")
    mine.get_by_test_id("status-select").select_option("on_hold")
    mine.get_by_test_id("status-submit").click()
    expect(mine.get_by_test_id("ticket-status")).to_have_attribute("data-status", "on_hold")
    assert supervisor.get(f"/agent/tickets/{number}")["status"] == "on_hold"
    agent.shot("he-portal-07-on-hold")

    assert not desk.errors and not agent.errors, desk.errors + agent.errors
