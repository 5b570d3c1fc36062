"""The knowledge base end to end, in Hebrew (right to left), in a real browser at phone width (issue 15).

The supervisor writes an article in the portal whose body tries to run script (an image's onerror, a
javascript: link), previews it and publishes it. A customer typing a related subject on the new-ticket form,
with a final letter written as a plain one (פגומ for פגום), sees it suggested, opens it: the help center shows
it right to left and nothing in it runs, nor in its static page (which carries no script at all). Leaving
without filing is recorded as a deflection. Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import re
import uuid
from urllib.parse import quote

import pytest

from tests.e2e.test_portal_he import sign_in

pytestmark = pytest.mark.e2e

SUPERVISOR = "supervisor@example.com"


def test_an_article_published_in_the_portal_is_suggested_to_a_customer_and_runs_no_script(
        local_stack, agent_api, phone_page, eventually):
    from playwright.sync_api import expect

    mark = uuid.uuid4().hex[:6]
    title = f"החזרת מכשיר פגום {mark}"
    body = ("אפשר להחזיר **מכשיר פגום** תוך שלושים יום.\n\n"
            "<img src=x onerror=\"window.__pwned='img'\">\n\n"
            "[לחצו כאן](javascript:window.__pwned='link') · [מדיניות](https://example.com/policy)")

    # --- the supervisor writes, previews and publishes in the portal
    editor = phone_page("he")
    page = editor.page
    page.goto(local_stack.portal_url)
    sign_in(page, SUPERVISOR)
    page.get_by_test_id("kb-link").click()
    expect(page.get_by_test_id("kb-new")).to_be_visible()
    page.locator("#kb-new-lang").select_option("he")
    page.get_by_test_id("kb-new-title").fill(title)
    page.get_by_test_id("kb-new-slug").fill(f"מכשיר-פגום-{mark}")
    page.get_by_test_id("kb-new-category").select_option("orders")
    page.get_by_test_id("kb-new-body").fill(body)
    page.get_by_test_id("kb-create").click()
    expect(page.get_by_test_id("kb-article-editor")).to_be_visible()
    page.get_by_test_id("kb-preview-button").click()
    expect(page.get_by_test_id("kb-preview")).to_contain_text("שלושים יום")
    assert page.get_by_test_id("kb-preview").locator("img[onerror], a[href^='javascript']").count() == 0
    editor.shot("kb-he-01-editor-preview")
    page.get_by_test_id("kb-publish").click()
    expect(page.get_by_test_id("kb-live-link")).to_be_visible()
    expect(page.get_by_test_id("kb-history")).to_contain_text("פורסם")
    editor.assert_no_sideways_scroll()
    assert page.evaluate("window.__pwned") is None
    article_id = page.get_by_test_id("kb-article-editor").get_attribute("data-id")
    # the article index follows the publication off the request path (its article event): wait for it
    searcher = agent_api(SUPERVISOR)
    eventually(lambda: any(mark in r["title"] for r in searcher.get(f"/kb/search?q={quote(title)}&lang=he")["results"]),
               timeout=120, what="the published article in the article index (behind the demo seed's stream backlog)")

    # --- a customer types a related subject, in a spelling variant, and opens the suggestion
    customer = phone_page("he")
    page = customer.page
    page.goto(local_stack.customer_url)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_test_id("subject").fill("רוצה להחזיר מכשיר פגומ")
    suggestion = page.get_by_test_id("kb-suggestion").filter(has_text=mark)
    expect(suggestion).to_be_visible()
    assert page.get_by_test_id("kb-suggestion").count() <= 5
    customer.shot("kb-he-02-suggested")
    suggestion.click()
    article = page.get_by_test_id("kb-article")
    expect(article).to_contain_text("שלושים יום")
    expect(article).to_have_attribute("dir", "rtl")
    assert article.locator("img[onerror], a[href^='javascript'], script, svg").count() == 0
    assert page.evaluate("window.__pwned") is None
    customer.assert_no_sideways_scroll()
    customer.shot("kb-he-03-article")
    page.get_by_test_id("kb-vote-yes").click()
    expect(page.get_by_test_id("kb-vote")).to_contain_text("תודה")

    # --- the shareable static page: same text, no script at all
    static_url = page.get_by_test_id("kb-static-link").get_attribute("href")
    static = phone_page("he")
    static.page.goto(local_stack.web_url + static_url)
    expect(static.page.locator("html")).to_have_attribute("dir", "rtl")
    expect(static.page.locator("article")).to_contain_text("שלושים יום")
    assert static.page.evaluate("document.scripts.length") == 0
    assert static.page.evaluate("window.__pwned") is None
    static.assert_no_sideways_scroll()
    static.shot("kb-he-04-static-page")

    # --- leaving without filing is a deflection
    page.close(run_before_unload=True)
    admin = agent_api("admin@example.com")

    def deflected():
        stats = admin.get(f"/agent/kb/articles/{article_id}/stats")["stats"]
        return next((s for s in stats if s["revision"] == "deflection" and s["deflected"] >= 1), None)

    eventually(deflected, timeout=20, what="the deflection of the opened suggestion")
    assert not editor.errors and not customer.errors and not static.errors


def test_an_agent_inserts_an_article_link_and_turns_a_reply_into_a_flagged_draft(local_stack, agent_api, phone_page):
    """On a Hebrew ticket: the knowledge base panel finds a seeded article (internal ones too), inserts its link in
    the customer's language, and the reply becomes a draft whose customer details are flagged."""
    from playwright.sync_api import expect

    from tests.e2e.test_customer_he import noa_ticket

    admin = agent_api("admin@example.com")
    ticket = noa_ticket(admin)
    agent = phone_page("he")
    page = agent.page
    page.goto(f"{local_stack.portal_url}#/tickets/{ticket['number']}")
    sign_in(page, "admin@example.com")
    panel = page.get_by_test_id("kb-ticket-panel")
    expect(panel).to_be_visible()
    page.get_by_test_id("kb-ticket-search").fill("החזר")  # the seeded "החזרת מוצר" (public) and "נוהל החזר" (internal)
    expect(page.get_by_test_id("kb-ticket-result").first).to_be_visible()
    expect(panel).to_contain_text("נוהל החזר")  # internal: agents see it, without an insert button
    result = page.get_by_test_id("kb-ticket-result").filter(has_text="החזרת מוצר")
    result.get_by_test_id("kb-insert-link").click()
    expect(page.get_by_test_id("composer-text")).to_have_value(re.compile(r"/customer/kb/he/.+\.html"))
    page.get_by_test_id("composer-text").fill("שלום נועה, ההזמנה #123456 זוכתה. לשאלות: noa@example.com")
    page.get_by_test_id("kb-draft-from-reply").click()
    made = page.get_by_test_id("kb-draft-made")
    expect(made).to_be_visible()
    assert {"order", "email"} <= {item.get_attribute("data-kind") for item in made.locator("li").all()}
    agent.shot("kb-he-05-ticket-panel")
    assert not agent.errors
