"""The spine of the help desk, end to end, in Persian, in a real browser against the real local stack.

1. A customer files a ticket in Persian with a ~2 MB PDF and a PNG; sees the number and the private link;
   the "we received your request" mail (recorded by moto) goes to them, in Persian, with the link.
2. An agent signs in, finds the ticket in the department queue, downloads both attachments (the bytes
   match), adds an internal note and replies; the ticket awaits the customer, who gets a mail.
3. The customer opens the private link, sees the reply but not the note, answers with one more file;
   the ticket is open again in the agent's queue.

The stack is `python -m local` in a subprocess on its own ports (not the defaults, so a running
`make run` does not clash). Everything after a click flows asynchronously (stream -> publisher -> SNS ->
SQS -> mail worker), so the test polls with deadlines and never sleeps a fixed time.
A screenshot per step goes to test-artifacts/e2e/ (gitignored).
"""
from __future__ import annotations

import email
import email.policy
import os
import queue
import re
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
import zlib
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PORTS = {"API_PORT": "18000", "WEB_PORT": "18080", "MOTO_PORT": "15000"}
API = f"http://127.0.0.1:{PORTS['API_PORT']}"
WEB = f"http://127.0.0.1:{PORTS['WEB_PORT']}"
MOTO = f"http://127.0.0.1:{PORTS['MOTO_PORT']}"
START_TIMEOUT = 180  # seconds: provisioning moto from infra/ on a busy 2-core machine
EVENT_TIMEOUT = 60  # seconds for anything that flows through the event runner
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

def eventually(check, *, timeout: float = EVENT_TIMEOUT, interval: float = 0.3, what: str):
    """Call check() until it returns something truthy; fail with `what` after the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def http_get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def mails_to(address: str):
    from local.mailbox import mail_to  # the runtime's reader of what moto's SES recorded

    return mail_to(MOTO, address)


def content_language(mail) -> str:
    return str(email.message_from_string(mail.raw, policy=email.policy.default)["Content-Language"])


class Stack:
    """`python -m local` in a subprocess, ready once it prints its READY line."""

    def __init__(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.log_path = ARTIFACTS / "stack.log"
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        env = {**os.environ, **PORTS, "PYTHONUNBUFFERED": "1", "AWS_DEFAULT_REGION": "us-east-1"}
        self.process = subprocess.Popen([sys.executable, "-m", "local"], cwd=ROOT, env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        with open(self.log_path, "w", encoding="utf-8") as log:
            for line in self.process.stdout:
                log.write(line)
                log.flush()
                self.output.append(line)
                self.lines.put(line)

    def wait_ready(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None and self.lines.empty():
                raise AssertionError(f"the local stack exited ({self.process.returncode}):\n{''.join(self.output)[-3000:]}")
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if line.startswith("READY"):
                return line
        raise AssertionError(f"no READY line within {START_TIMEOUT}s:\n{''.join(self.output)[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)  # Ctrl-C: the runtime shuts down cleanly
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture(scope="module")
def stack():
    running = Stack()
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def demo_agent() -> tuple[str, str]:
    """A demo agent (not an admin) that `python -m local` creates."""
    from local.seed import AGENTS, DEMO_PASSWORD

    agent = next(a for a in AGENTS if a["groups"] == ["agent"])
    return agent["email"], DEMO_PASSWORD


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing (make browser installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is missing: run `make browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def phone(browser):
    """A phone-sized page in Persian; page errors fail the test."""
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="fa-IR",
                                  timezone_id="Asia/Tehran")
    context.add_init_script("localStorage.setItem('helpdesk.lang', 'fa')")
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways at phone width ({width}px)"


# ------------------------------------------------------------------ the test

def test_spine_in_persian(stack, browser):
    from playwright.sync_api import expect

    run = uuid.uuid4().hex[:8]
    customer_email = f"maryam.{run}@example.com"
    pdf, png, txt = make_pdf(2 * 1024 * 1024), make_png(), "صورتحساب اسفند: ۱۲۰٬۰۰۰ تومان\n".encode()
    subject = f"پرداخت انجام شد ولی فاکتور نیامد ({run})"
    note_text = f"یادداشت داخلی {run}: پرداخت در درگاه ثبت شده است."
    reply_text = f"سلام مریم جان، فاکتور دوباره فرستاده شد ({run})."
    answer_text = f"ممنون، رسید. این هم صورتحساب ({run})."
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # --- 1. the customer files the ticket
    customer_ctx, page, customer_errors = phone(browser)
    page.goto(f"{WEB}/customer/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    department = page.get_by_test_id("department")
    expect(department.locator("option").nth(1)).to_be_attached()  # the catalog arrived
    department_id = department.locator("option").nth(1).get_attribute("value")
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
    no_horizontal_scroll(page)
    shot(page, "01-customer-form")
    page.get_by_test_id("submit").click()

    number_el = page.get_by_test_id("ticket-number")
    expect(number_el).to_be_visible(timeout=60_000)
    number = int(number_el.get_attribute("data-number"))
    assert re.fullmatch(r"[۰-۹]+", number_el.text_content()), "the number is shown in Persian digits"
    link = page.get_by_test_id("ticket-link").input_value()
    assert f"#/t/{number}/" in link and link.startswith(f"{WEB}/customer/"), link
    shot(page, "02-customer-created")

    received = eventually(lambda: mails_to(customer_email), what="the 'we received your request' mail")[0]
    assert customer_email in received.to
    assert content_language(received) == "fa"
    assert PERSIAN.search(received.subject) and str(number) in received.subject
    assert link in received.text and PERSIAN.search(received.text)
    assert 'dir="rtl"' in received.html

    # --- 2. the agent answers
    agent_ctx, agent, agent_errors = phone(browser)
    agent.goto(f"{WEB}/portal/")
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
    shot(agent, "03-agent-queue")
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
    for extra in agent_ctx.pages[1:]:  # the download may have opened a tab
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
    no_horizontal_scroll(agent)
    shot(agent, "04-agent-ticket")

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
    shot(page, "05-customer-sees-reply")
    page.get_by_test_id("reply-text").fill(answer_text)
    page.get_by_test_id("reply-attachments").set_input_files(
        [{"name": "صورتحساب.txt", "mimeType": "text/plain", "buffer": txt}])
    page.get_by_test_id("reply-submit").click()
    answered = page.get_by_test_id("message").filter(has_text=answer_text)
    expect(answered).to_be_visible(timeout=30_000)
    expect(answered.get_by_test_id("attachment-link")).to_have_text("صورتحساب.txt")
    no_horizontal_scroll(page)
    shot(page, "06-customer-answered")

    agent.get_by_test_id("back-to-queue").click()
    eventually(lambda: ticket_in_queue("open"), what=f"ticket {number} open again in the queue")
    shot(agent, "07-agent-queue-open-again")

    assert not customer_errors and not agent_errors, customer_errors + agent_errors
    customer_ctx.close()
    agent_ctx.close()
