"""Files are checked when they land in storage (issue 13), so the API may answer a message that carries a
file uploaded a moment ago with `attachments.N: not_ready`. The customer's form, in Hebrew at phone width,
waits and sends again ("בבדיקה…" beside the file) instead of showing an error; if the check never comes it
says so at the file, in Hebrew. The not_ready answers are played by the browser's network layer (the
local stack checks files within a second, too fast to watch)."""
from __future__ import annotations

import json
import uuid

import pytest

from tests.e2e.test_spine_fa import make_png

pytestmark = pytest.mark.e2e

NOT_READY = json.dumps({"error": "invalid", "message": "attachments.0: not_ready",
                        "fields": {"attachments.0": "not_ready"}})


def fill_form(page, run: str) -> None:
    department = page.get_by_test_id("department")
    department.locator("option[value=support]").wait_for(state="attached")  # the catalog arrived
    department.select_option("support")
    category = page.get_by_test_id("category")
    category.select_option(category.locator("option").nth(1).get_attribute("value"))
    page.get_by_test_id("priority").select_option("normal")
    page.get_by_test_id("subject").fill(f"המדפסת לא עובדת ({run})")
    page.get_by_test_id("text").fill("שלום, מצורף צילום מסך של השגיאה.")
    page.get_by_test_id("name").fill("נועה")
    page.get_by_test_id("email").fill(f"noa.{run}@example.com")
    page.get_by_test_id("attachments").set_input_files(
        [{"name": "צילום מסך.png", "mimeType": "image/png", "buffer": make_png()}])


def not_ready_for(local_stack, page, times: int) -> list[str]:
    """Answer the first `times` POST /tickets with not_ready (as the API does before the check); let the
    rest through to the stack. Returns the methods seen, one per POST."""
    seen: list[str] = []

    def handle(route, request):
        if request.method != "POST":
            return route.continue_()
        seen.append(request.method)
        if len(seen) <= times:
            return route.fulfill(status=400, body=NOT_READY, content_type="application/json",
                                 headers={"Access-Control-Allow-Origin": local_stack.web_url})
        return route.continue_()

    page.route(f"{local_stack.api_url}/tickets", handle)
    return seen


def test_the_form_waits_while_the_file_is_being_checked_then_files_the_ticket(local_stack, phone_page):
    from playwright.sync_api import expect

    customer = phone_page("he")
    page = customer.page
    page.goto(local_stack.customer_url)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    seen = not_ready_for(local_stack, page, times=3)
    fill_form(page, uuid.uuid4().hex[:8])
    page.get_by_test_id("submit").click()

    expect(page.get_by_test_id("attachment-item")).to_contain_text("בבדיקה…")
    customer.shot("upload-wait-he-checking")
    expect(page.get_by_test_id("ticket-number")).to_be_visible(timeout=30_000)
    assert len(seen) == 4  # three "not ready" answers, then the one that filed it
    customer.assert_no_sideways_scroll()
    assert customer.errors == []


def test_a_file_that_is_never_checked_is_named_in_hebrew(local_stack, phone_page):
    from playwright.sync_api import expect

    customer = phone_page("he")
    page = customer.page
    page.goto(local_stack.customer_url)
    seen = not_ready_for(local_stack, page, times=1000)
    fill_form(page, uuid.uuid4().hex[:8])
    page.get_by_test_id("submit").click()

    expect(page.get_by_test_id("attachment-item")).to_contain_text("הקובץ עדיין בבדיקה", timeout=30_000)
    expect(page.get_by_test_id("ticket-number")).to_have_count(0)
    assert len(seen) == 7  # the first try and six more over about 12 s, then it gives up
    customer.shot("upload-wait-he-gave-up")
    assert customer.errors == []
