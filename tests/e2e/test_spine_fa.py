"""The spine of the help desk, end to end, in Persian, in a real browser against the real local stack.

1. A customer files a ticket in Persian with a ~2 MB PDF and a PNG, without signing in; sees the number
   and is asked to confirm from the mail, which (recorded by moto) goes to them, in Persian, with the
   private link.
2. An agent signs in, finds the ticket in the department queue, downloads both attachments (the bytes
   match), adds an internal note and replies; the ticket awaits the customer, who gets a mail.
3. The customer opens the private link, sees the reply but not the note, answers with one more file;
   the ticket is open again in the agent's queue.

The stack, the browser, phone-sized pages and polling come from tests/e2e/conftest.py. The customer files
the ticket in "support", a department the demo agent works in. A screenshot per step goes to
test-artifacts/e2e/ (gitignored).
"""
from __future__ import annotations

import email
import email.policy
import re
import struct
import urllib.request
import uuid
import zlib

import pytest

pytestmark = pytest.mark.e2e

PERSIAN = re.compile(r"[\u0600-\u06FF]")


# ------------------------------------------------------------------ test data made here

def make_pdf(size: int) -> bytes:
    """A valid one-page PDF, padded to `size` bytes with a stream object (xref offsets kept right)."""
    def obj(number: int, body: bytes) -> bytes:
        return b"%d 0 obj\n" % number + body + b"\nendobj\n"

    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    fixed = [
        obj(1, b"<< /Type /Catalog /Pages 2 0 R >>"),
        obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] >>"),
    ]
    overhead = len(head) + sum(map(len, fixed)) + 200  # the padding object's wrapper, xref and trailer
    padding = b" " * (size - overhead)
    objects = fixed + [obj(4, b"<< /Length %d >>\nstream\n" % len(padding) + padding + b"\nendstream")]
    out, offsets = bytearray(head), []
    for o in objects:
        offsets.append(len(out))
        out += o
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_png(width: int = 64, height: int = 64) -> bytes:
    """A valid RGB PNG with a gradient, built with zlib (no imaging library)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"".join(bytes((x * 4 % 256, y * 4 % 256, 128)) for x in range(width))
                    for y in range(height))  # filter byte 0, then RGB pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


# ------------------------------------------------------------------ helpers

def http_get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def content_language(mail) -> str:
    return str(email.message_from_string(mail.raw, policy=email.policy.default)["Content-Language"])


def demo_agent() -> tuple[str, str]:
    """A demo agent (not an admin) that `python -m local` creates."""
    from local.seed import AGENTS, DEMO_PASSWORD

    agent = next(a for a in AGENTS if a["groups"] == ["agent"])
    return agent["email"], DEMO_PASSWORD


# ------------------------------------------------------------------ the test

def test_spine_in_persian(local_stack, phone_page, eventually):
    from playwright.sync_api import expect
    from local.mailbox import mail_to

    run = uuid.uuid4().hex[:8]
    customer_email = f"maryam.{run}@example.com"
    pdf, png, txt = make_pdf(2 * 1024 * 1024), make_png(), "صورتحساب اسفند: ۱۲۰٬۰۰۰ تومان\n".encode()
    subject = f"پرداخت انجام شد ولی فاکتور نیامد ({run})"
    note_text = f"یادداشت داخلی {run}: پرداخت در درگاه ثبت شده است."
    reply_text = f"سلام مریم جان، فاکتور دوباره فرستاده شد ({run})."
    answer_text = f"ممنون، رسید. این هم صورتحساب ({run})."
    department_id = "support"  # the demo agent works in it

    def mails_to(address: str):
        return mail_to(local_stack.moto_url, address)

    # --- 1. the customer files the ticket
    customer = phone_page("fa")
    page = customer.page
    page.goto(local_stack.customer_url)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    department = page.get_by_test_id("department")
    expect(department.locator(f"option[value={department_id}]")).to_be_attached()  # the catalog arrived
    department.select_option(department_id)
    category = page.get_by_test_id("category")
    category.select_option(category.locator("option").nth(1).get_attribute("value"))
    page.get_by_test_id("priority").select_option("high")
    page.get_by_test_id("subject").fill(subject)
    page.get_by_test_id("text").fill("سلام، مبلغ را با کارت Visa پرداخت کردم ولی invoice برایم ایمیل نشد.")
    page.get_by_test_id("name").fill("مریم احمدی")
    page.get_by_test_id("email").fill(customer_email)
    page.get_by_test_id("attachments").set_input_files([
        {"name": "رسید پرداخت.pdf", "mimeType": "application/pdf", "buffer": pdf},
        {"name": "screenshot.png", "mimeType": "image/png", "buffer": png},
    ])
    expect(page.get_by_test_id("attachment-item")).to_have_count(2)
    customer.assert_no_sideways_scroll()
    customer.shot("01-customer-form")
    page.get_by_test_id("submit").click()

    number_el = page.get_by_test_id("ticket-number")
    expect(number_el).to_be_visible(timeout=60_000)
    number = int(number_el.get_attribute("data-number"))
    assert re.fullmatch(r"[۰-۹]+", number_el.text_content()), "the number is shown in Persian digits"
    expect(page.get_by_test_id("confirm-notice")).to_have_text(PERSIAN)  # the link goes by mail only
    expect(page.get_by_test_id("ticket-link")).to_have_count(0)
    customer.shot("02-customer-created")

    received = eventually(lambda: mails_to(customer_email), what="the 'we received your request' mail")[0]
    assert customer_email in received.to
    assert content_language(received) == "fa"
    assert PERSIAN.search(received.subject) and str(number) in received.subject
    link = re.search(rf"https?://\S+#/t/{number}/\S+", received.text).group(0)
    assert link.startswith(local_stack.customer_url) and PERSIAN.search(received.text)
    assert 'dir="rtl"' in received.html

    # --- 2. the agent answers
    agent_page = phone_page("fa")
    agent = agent_page.page
    agent.goto(local_stack.portal_url)
    username, password = demo_agent()
    agent.get_by_test_id("signin-email").fill(username)
    agent.get_by_test_id("signin-password").fill(password)
    agent.get_by_test_id("signin-submit").click()
    agent.get_by_test_id("queue-department").select_option(department_id)
    row = agent.locator(f"[data-testid=queue-row][data-number='{number}']")

    def ticket_in_queue(status: str | None = None):
        agent.get_by_test_id("queue-refresh").click()
        try:
            expect(row if status is None else row.and_(agent.locator(f"[data-status={status}]"))
                   ).to_be_visible(timeout=2_000)
        except AssertionError:
            return False
        return True

    eventually(ticket_in_queue, what=f"ticket {number} in the {department_id} queue")
    agent_page.shot("03-agent-queue")
    row.click()
    expect(agent.get_by_test_id("ticket-subject")).to_have_text(subject)
    links = agent.get_by_test_id("attachment-link")
    expect(links).to_have_count(2)
    for name, content in (("رسید پرداخت.pdf", pdf), ("screenshot.png", png)):
        button = links.filter(has_text=name)
        with agent.expect_response(re.compile(rf"/agent/tickets/{number}/attachments/")) as answer:
            button.click()
        url = answer.value.json()["url"]
        assert http_get(url) == content, f"{name}: the download returns other bytes"
    for extra in agent.context.pages[1:]:  # the download may have opened a tab
        extra.close()

    agent.get_by_test_id("composer-text").fill(note_text)
    agent.get_by_test_id("note-submit").click()
    expect(agent.locator("[data-testid=message][data-visibility=internal]").filter(has_text=note_text)
           ).to_be_visible()
    expect(agent.get_by_test_id("internal-label")).to_be_visible()
    agent.get_by_test_id("composer-text").fill(reply_text)
    agent.get_by_test_id("reply-submit").click()
    expect(agent.locator("[data-testid=message][data-visibility=public][data-author-kind=agent]")
           .filter(has_text=reply_text)).to_be_visible()
    expect(agent.get_by_test_id("ticket-status")).to_have_attribute("data-status", "awaiting_customer")
    agent_page.assert_no_sideways_scroll()
    agent_page.shot("04-agent-ticket")

    replied = eventually(lambda: [m for m in mails_to(customer_email) if reply_text in m.text],
                         what="the mail carrying the agent's reply")[0]
    assert content_language(replied) == "fa" and link in replied.text
    assert note_text not in replied.text + replied.html

    # --- 3. the customer follows the link and answers
    page.goto(link)
    expect(page.get_by_test_id("ticket-subject")).to_have_text(subject)
    expect(page.get_by_test_id("message").filter(has_text=reply_text)).to_be_visible()
    expect(page.get_by_test_id("ticket-status")).to_have_attribute("data-status", "awaiting_customer")
    assert note_text not in page.content(), "the customer sees the internal note"
    # Persian calendar with Persian digits, e.g. "۲ آذر ۱۴۰۵، ۱۴:۰۵"
    expect(page.locator(".msg-date").first).to_have_text(re.compile(r"^[۰-۹]+ [\u0600-\u06FF]+ ۱۴[۰-۹]{2}"))
    expect(page.locator("[data-visibility=internal]")).to_have_count(0)
    customer.shot("05-customer-sees-reply")
    page.get_by_test_id("reply-text").fill(answer_text)
    page.get_by_test_id("reply-attachments").set_input_files(
        [{"name": "صورتحساب.txt", "mimeType": "text/plain", "buffer": txt}])
    page.get_by_test_id("reply-submit").click()
    answered = page.get_by_test_id("message").filter(has_text=answer_text)
    expect(answered).to_be_visible(timeout=30_000)
    expect(answered.get_by_test_id("attachment-link")).to_have_text("صورتحساب.txt")
    customer.assert_no_sideways_scroll()
    customer.shot("06-customer-answered")

    agent.get_by_test_id("back-to-queue").click()
    eventually(lambda: ticket_in_queue("open"), what=f"ticket {number} open again in the queue")
    agent_page.shot("07-agent-queue-open-again")

    assert not customer.errors and not agent_page.errors, customer.errors + agent_page.errors
