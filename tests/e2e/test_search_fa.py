"""Search in the portal (issue 14), end to end in a real browser against the local stack, at phone width:
a ticket a customer files on the Persian form is found by an agent who spells its words another way (Arabic
letters, no half-space, a space inside a compound, ASCII digits for Persian ones); one filed on the Hebrew form is
found by the bare word of a word written with prefix letters. Results come as the agent types, with the match
marked in the snippet; the keyboard moves from the box into the results and opens one; a status chip narrows the
results; the page stays right-to-left and never scrolls sideways.

The ticket reaches the index through the local runtime's event runner (stream -> relay -> FIFO queue -> indexer),
so the test polls by typing again; it never sleeps a fixed time."""
from __future__ import annotations

import random
import re
import urllib.parse

import pytest

pytestmark = pytest.mark.e2e

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def file_ticket(local_stack, phone_page, lang: str, subject: str, text: str, name: str, email: str) -> int:
    from playwright.sync_api import expect

    customer = phone_page(lang)
    page = customer.page
    page.goto(local_stack.customer_url)
    department = page.get_by_test_id("department")
    expect(department.locator("option[value=support]")).to_be_attached()  # the catalog arrived
    department.select_option("support")  # the demo agents work in it
    category = page.get_by_test_id("category")
    category.select_option(category.locator("option").nth(1).get_attribute("value"))
    page.get_by_test_id("subject").fill(subject)
    page.get_by_test_id("text").fill(text)
    page.get_by_test_id("name").fill(name)
    page.get_by_test_id("email").fill(email)
    page.get_by_test_id("submit").click()
    number_el = page.get_by_test_id("ticket-number")
    expect(number_el).to_be_visible(timeout=60_000)
    return int(number_el.get_attribute("data-number"))


def sign_in(phone_page, local_stack, lang: str, username: str):
    from playwright.sync_api import expect

    from local.seed import DEMO_PASSWORD

    agent_page = phone_page(lang)
    page = agent_page.page
    page.goto(local_stack.portal_url)
    page.get_by_test_id("signin-email").fill(username)
    page.get_by_test_id("signin-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("search-box")).to_be_visible()
    return agent_page


def search_until_found(page, query: str, number: int, eventually):
    """Type `query` into the box (as a person does, key by key) until ticket `number` is among the results."""
    from playwright.sync_api import expect

    row = page.locator(f"[data-testid=search-result][data-number='{number}']")

    def found():
        box = page.get_by_test_id("search-box")
        box.fill("")
        box.press_sequentially(query, delay=20)
        try:  # the results on the page answer the whole query, not a part typed before it
            shown = page.get_by_test_id("search-page")
            expect(shown).to_have_attribute("data-shown", re.compile(re.escape(
                urllib.parse.urlencode({"q": query}))), timeout=5_000)
            expect(row).to_be_visible(timeout=1_000)
        except AssertionError:
            return False
        return True

    eventually(found, what=f"ticket {number} found by {query!r}")
    return row


def test_a_persian_ticket_is_found_by_another_spelling_and_opened_from_the_keyboard(local_stack, phone_page,
                                                                                   eventually):
    from playwright.sync_api import expect

    run = str(random.randint(100000, 999999))
    subject = "چاپگر کتاب‌خانه روشن نمی‌شود"
    text = (f"سلام، کد پیگیری من {run.translate(PERSIAN_DIGITS)} است. کتاب‌ها و فاکتورهای اسفند هم نرسیده‌اند. "
            "<b onmouseover=alert(1)>فوری</b>")  # markup a customer typed is text, in the snippet too
    number = file_ticket(local_stack, phone_page, "fa", subject, text, "مریم احمدی", f"maryam.{run}@example.com")

    agent_page = sign_in(phone_page, local_stack, "fa", "agent.fa@example.com")
    page = agent_page.page
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("body").press("/")  # "/" focuses the search box from any page
    expect(page.get_by_test_id("search-box")).to_be_focused()

    # Arabic kaf and yeh, the compound without its half-space and the verb with a space, ASCII digits
    row = search_until_found(page, f"كتابخانه نمي شود {run}", number, eventually)
    expect(page).to_have_url(re.compile(r"#/search\?q="))
    expect(row.get_by_test_id("search-result-subject")).to_have_text(subject)  # as the customer wrote it
    expect(row.get_by_test_id("search-result-status")).to_have_attribute("data-status", "new")
    marks = row.locator("[data-testid=search-snippet] mark")
    expect(marks.first).to_be_visible()
    assert run.translate(PERSIAN_DIGITS) in marks.all_text_contents(), "the code is marked as written"
    snippet = row.get_by_test_id("search-snippet")
    expect(snippet.locator("b")).to_have_count(0)
    expect(snippet).to_contain_text("<b onmouseover=alert(1)>")
    agent_page.assert_no_sideways_scroll()
    agent_page.shot("search-01-fa-results")

    # a plural's bare word ("فاکتورهای" -> "فاکتور") with the same code finds it too; a status chip narrows
    search_until_found(page, f"فاكتور {run}", number, eventually)
    page.get_by_test_id("search-filters-toggle").click()  # folded at phone width
    page.locator("[data-testid=search-chip-status][data-value=closed]").click()
    expect(page.get_by_test_id("search-empty")).to_be_visible()
    expect(page).to_have_url(re.compile(r"status=closed"))
    page.locator("[data-testid=search-chip-status][data-value=closed]").click()
    expect(row).to_be_visible()

    # the keyboard: down from the box into the results, Enter opens the ticket
    page.get_by_test_id("search-box").focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_test_id("search-result-link").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("search-box")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"#/tickets/{number}$"))
    expect(page.get_by_test_id("ticket-subject")).to_have_text(subject)
    assert agent_page.errors == []


def test_a_hebrew_ticket_is_found_by_the_bare_word_and_a_bad_query_is_explained(local_stack, phone_page,
                                                                               eventually):
    from playwright.sync_api import expect

    run = str(random.randint(100000, 999999))
    subject = f"חיוב כפול במרץ {run}"
    text = f"שלום, חויבתי פעמיים ובחשבונית {run} מופיע סכום שגוי."
    number = file_ticket(local_stack, phone_page, "he", subject, text, "נועה לוי", f"noa.{run}@example.com")

    agent_page = sign_in(phone_page, local_stack, "he", "agent.he@example.com")
    page = agent_page.page
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    row = search_until_found(page, f"חשבונית {run}", number, eventually)  # written ובחשבונית
    marks = row.locator("[data-testid=search-snippet] mark")
    expect(marks.first).to_be_visible()
    assert "ובחשבונית" in marks.all_text_contents(), "the word is marked as written, prefix letters and all"

    box = page.get_by_test_id("search-box")
    box.fill("")
    box.press_sequentially("של את ", delay=20)  # only words too common to search for
    expect(page.get_by_test_id("search-page")).to_have_attribute("data-shown", "q=%D7%A9%D7%9C+%D7%90%D7%AA+")
    expect(page.get_by_test_id("search-query-error")).to_have_attribute("data-code", "only_stop_words")
    agent_page.assert_no_sideways_scroll()
    agent_page.shot("search-02-he-stop-words")
    assert agent_page.errors == []
