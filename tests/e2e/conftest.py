"""Shared pieces of the end-to-end tests: one local stack (`python -m local` on free ports, see
local/testing.py) and one headless Chromium for the session, phone-sized pages in a chosen language,
agents' API calls with a Cognito token from the stack's moto, polling with a deadline, screenshots.

Everything after a click flows asynchronously (stream -> publisher -> SNS -> SQS -> mail worker), so tests
poll with `eventually` and never sleep a fixed time."""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
EVENT_TIMEOUT = 60  # seconds for anything that flows through the event runner
PHONE_WIDTH = 360
LOCALES = {"fa": ("fa-IR", "Asia/Tehran"), "he": ("he-IL", "Asia/Jerusalem"), "en": ("en-GB", "Europe/London")}


def poll(check, *, timeout: float = EVENT_TIMEOUT, interval: float = 0.3, what: str):
    """Call check() until it returns something truthy; fail with `what` after the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


@pytest.fixture(scope="session")
def eventually():
    return poll


@pytest.fixture(scope="session")
def local_stack(seeded_state):
    """The whole local stack with its demo data, started once for the session (from the seeded state)."""
    from local.testing import spawn

    stack = spawn(start_from=seeded_state)
    try:
        yield stack
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "local-stack.log").write_text("\n".join(stack.output), encoding="utf-8")
        stack.stop()


@pytest.fixture(scope="session")
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing (make browser installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is missing: run `make browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class PhonePage:
    page: object  # playwright Page
    errors: list[str]  # uncaught page errors: a test should end with none

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def assert_no_sideways_scroll(self) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_WIDTH, f"the page scrolls sideways at phone width ({width}px)"


@pytest.fixture
def phone_page(chromium):
    """phone_page("he") -> PhonePage: a fresh phone-sized browser context in that UI language."""
    contexts = []

    def open_page(lang: str) -> PhonePage:
        locale, timezone = LOCALES[lang]
        context = chromium.new_context(viewport={"width": PHONE_WIDTH, "height": 800}, locale=locale,
                                       timezone_id=timezone)
        context.add_init_script(f"localStorage.setItem('helpdesk.lang', '{lang}')")
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        return PhonePage(page, errors)

    yield open_page
    for context in contexts:
        context.close()


@dataclass
class AgentApi:
    """The HTTP API as one agent, with a Cognito access token."""
    api_url: str
    token: str

    def call(self, method: str, path: str, body: dict | None = None) -> requests.Response:
        return requests.request(method, self.api_url + path, json=body, timeout=30,
                                headers={"Authorization": f"Bearer {self.token}"})

    def get(self, path: str) -> dict:
        response = self.call("GET", path)
        assert response.ok, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    def post(self, path: str, body: dict) -> dict:
        response = self.call("POST", path, body)
        assert response.ok, f"POST {path}: {response.status_code} {response.text}"
        return response.json()


@pytest.fixture(scope="session")
def agent_api(local_stack):
    """agent_api("agent.he@example.com") -> AgentApi, signed in through the stack's Cognito (moto) as the
    portal does (USER_PASSWORD_AUTH with the sites' app client)."""
    import boto3

    from local.seed import DEMO_PASSWORD

    config_js = requests.get(f"{local_stack.web_url}/portal/config.js", timeout=10).text
    config = json.loads(config_js.split("=", 1)[1].strip().rstrip(";"))
    cognito = boto3.client("cognito-idp", endpoint_url=local_stack.moto_url, region_name=config["cognito"]["region"],
                           aws_access_key_id="testing", aws_secret_access_key="testing")

    def sign_in(username: str, password: str = DEMO_PASSWORD) -> AgentApi:
        from local import totp  # admins and supervisors answer the authenticator-code challenge

        result = totp.sign_in(cognito, config["cognito"]["clientId"], username, password)
        return AgentApi(local_stack.api_url, result["AccessToken"])

    return sign_in
