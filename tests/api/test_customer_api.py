"""Customers through the HTTP API (chalice.test.Client, moto): sign-in by a code that moto's SES or SNS
recorded, the session that opens their own tickets and nobody else's, the ticket history tabs, the reply
window and follow-up tickets, and the open-ticket limit."""
import random
import re
import time
import uuid
from dataclasses import replace
from datetime import timedelta

import jwt
import pytest

from chalicelib.domain import sessions
from chalicelib.domain.policies import Policies
from chalicelib.domain.tickets import Status
from tests.api import test_ticket_api
from tests.api.test_ticket_api import call
from tests.fakes import FakeMailer



def ticket_form(**overrides):
    # Sales has no work groups: these tickets stay unassigned, so no agent directory is involved.
    return test_ticket_api.ticket_form(**{"department": "sales", "category": "quote", **overrides})


def open_ticket(client, **overrides):
    status, opened = call(client, "post", "/tickets", ticket_form(**overrides))
    assert status == 201, opened
    return test_ticket_api.with_mailed_link(opened)


def an_address() -> str:
    return f"Customer.{uuid.uuid4().hex[:8]}@Example.com"


def a_mobile() -> tuple[str, str]:
    """An Iranian mobile number written the local way, and its E.164 form."""
    digits = f"{random.randrange(10 ** 7):07d}"
    return f"0912 {digits[:3]} {digits[3:]}", f"+98912{digits}"


def mailed_code(aws_stack, address: str) -> str:
    from local.mailbox import mail_to  # what moto's SES recorded
    subjects = ("Your sign-in code", "کد ورود شما", "קוד הכניסה שלך")
    codes = [m for m in mail_to(aws_stack["endpoint"], address) if m.subject in subjects]
    return re.search(r"\b(\d{6})\b", codes[-1].text).group(1)


def texted_code(aws_stack, e164: str) -> str:
    from local.mailbox import sent_sms  # what moto's SNS recorded for direct publishes
    [*_, last] = [sms for sms in sent_sms(aws_stack["endpoint"]) if sms["phone_number"] == e164]
    return re.search(r"\b(\d{6})\b", last["message"]).group(1)


def sign_in(client, aws_stack, address: str) -> dict:
    assert call(client, "post", "/customer/sign-in", {"email": address, "language": "en"}) == \
        (202, {"channel": "email", "expires_in": 600})
    status, session = call(client, "post", "/customer/sign-in/verify",
                           {"email": address, "code": mailed_code(aws_stack, address.lower())})
    assert status == 200 and session["expires_in"] == 12 * 3600
    return {"Authorization": f"Bearer {session['token']}"}


def test_a_customer_signs_in_by_email_and_reaches_their_tickets_by_session(client, aws_stack):
    address = an_address()
    first, second = open_ticket(client, customer={"name": "مریم", "email": address}), \
        open_ticket(client, customer={"name": "مریم", "email": address.lower()})
    theirs = open_ticket(client)
    session = sign_in(client, aws_stack, address.upper())

    status, history = call(client, "get", "/customer/tickets", headers=session)
    assert status == 200 and set(history) == {"open", "awaiting", "closed"}
    assert [t["number"] for t in history["open"]] == [second["number"], first["number"]]
    assert set(history["open"][0]) == {"number", "subject", "status", "priority", "created_at", "last_activity_at",
                                       "confirmed"}
    assert all(t["confirmed"] for t in history["open"])  # signing in with a code proved the address

    status, ticket = call(client, "get", f"/tickets/{first['number']}", headers=session)
    assert status == 200 and ticket["reply_window_open"] is True and ticket["follows"] is None
    assert call(client, "post", f"/tickets/{first['number']}/messages", {"text": "و این هم عکس"},
                headers=session)[0] == 201
    # A valid session of another customer is answered like a wrong key.
    assert call(client, "get", f"/tickets/{theirs['number']}", headers=session)[0] == 404
    assert call(client, "post", f"/tickets/{theirs['number']}/messages", {"text": "x"}, headers=session)[0] == 404
    # The key keeps working beside the session.
    assert call(client, "get", f"/tickets/{theirs['number']}", headers={"X-Ticket-Key": theirs["access_key"]})[0] == 200


def test_a_customer_signs_in_by_sms_with_a_local_number_and_persian_digits(client, aws_stack):
    local, e164 = a_mobile()
    mine = open_ticket(client, customer={"name": "مریم", "email": an_address(), "phone": local})
    assert call(client, "post", "/customer/sign-in", {"phone": local, "language": "fa"}) == \
        (202, {"channel": "sms", "expires_in": 600})
    code = texted_code(aws_stack, e164).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    status, session = call(client, "post", "/customer/sign-in/verify", {"phone": e164, "code": code})
    assert status == 200
    _, history = call(client, "get", "/customer/tickets", headers={"Authorization": f"Bearer {session['token']}"})
    assert [t["number"] for t in history["open"]] == [mine["number"]]


def test_wrong_codes_count_down_and_then_the_code_is_gone(client, aws_stack):
    address = an_address()
    open_ticket(client, customer={"name": "Dana", "email": address})
    call(client, "post", "/customer/sign-in", {"email": address})
    code = mailed_code(aws_stack, address.lower())
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for left in (4, 3, 2, 1, 0):
        status, error = call(client, "post", "/customer/sign-in/verify", {"email": address, "code": wrong})
        assert (status, error["error"], error["fields"], error["attempts_left"]) == \
            (401, "unauthorized", {"code": "wrong"}, left)
    status, error = call(client, "post", "/customer/sign-in/verify", {"email": address, "code": code})
    assert (status, error["fields"]) == (401, {"code": "expired"})


def test_a_code_is_used_once(client, aws_stack):
    address = an_address()
    open_ticket(client, customer={"name": "Dana", "email": address})
    call(client, "post", "/customer/sign-in", {"email": address})
    body = {"email": address, "code": mailed_code(aws_stack, address.lower())}
    assert call(client, "post", "/customer/sign-in/verify", body)[0] == 200
    assert call(client, "post", "/customer/sign-in/verify", body) == \
        (401, {"error": "unauthorized", "message": "the code has expired; ask for a new one",
               "fields": {"code": "expired"}})


def test_an_address_without_tickets_gets_the_same_answer_and_a_code_that_opens_nothing(client, aws_stack):
    address = an_address()
    assert call(client, "post", "/customer/sign-in", {"email": address, "language": "he"}) == \
        (202, {"channel": "email", "expires_in": 600})
    status, error = call(client, "post", "/customer/sign-in/verify", {"email": address, "code": "000000"})
    assert (status, error["fields"]) == (401, {"code": "wrong"})
    status, session = call(client, "post", "/customer/sign-in/verify",
                           {"email": address, "code": mailed_code(aws_stack, address.lower())})
    assert status == 200
    assert call(client, "get", "/customer/tickets", headers={"Authorization": f"Bearer {session['token']}"}) == \
        (200, {"open": [], "awaiting": [], "closed": []})


def test_the_sixth_code_in_an_hour_is_refused_with_or_without_tickets(client):
    address = an_address()  # no tickets: the throttle answers the same, or it would tell who has tickets
    for _ in range(5):
        assert call(client, "post", "/customer/sign-in", {"email": address})[0] == 202
    status, error = call(client, "post", "/customer/sign-in", {"email": address})
    assert (status, error["error"], error["fields"]) == (429, "limit_reached", {"email": "too_many"})
    assert 3500 < error["retry_after"] <= 3601


@pytest.mark.parametrize("body,fields", [
    ({}, {"email": "required"}),
    ({"email": "a@example.com", "phone": "09123456789"}, {"phone": "not_both"}),
    ({"email": "nope"}, {"email": "invalid"}),
    ({"phone": "12345"}, {"phone": "invalid"}),
    ({"email": "a@example.com", "language": "de"}, {"language": "invalid"}),
])
def test_bad_sign_in_requests_are_field_errors(client, body, fields):
    status, error = call(client, "post", "/customer/sign-in", body)
    assert (status, error["fields"]) == (400, fields)


def test_a_malformed_code_is_a_field_error(client):
    status, error = call(client, "post", "/customer/sign-in/verify", {"email": "a@example.com", "code": "12ab56"})
    assert (status, error["fields"]) == (400, {"code": "invalid"})


def test_a_mail_provider_failure_is_503_and_the_code_is_not_kept(client, aws_stack, monkeypatch):
    from chalicelib import bootstrap
    address = an_address()
    open_ticket(client, customer={"name": "Dana", "email": address})
    monkeypatch.setattr(bootstrap, "mailer", lambda: FakeMailer(fail=True))
    status, error = call(client, "post", "/customer/sign-in", {"email": address})
    assert (status, error["error"], error["fields"]) == (503, "unavailable", {"email": "not_sent"})
    record = bootstrap.sign_in_codes().get(f"email:{address.lower()}")
    assert record.digest is None and record.sent == ()


def _session_token(aws_stack, **claims) -> str:
    from chalicelib import bootstrap
    now = int(time.time())
    payload = {"sub": "email:someone@example.com", "aud": sessions.AUDIENCE, "iat": now, "exp": now + 600, **claims}
    return jwt.encode(payload, sessions.signing_key(bootstrap.secrets().link_secret()), algorithm="HS256")


def test_customer_routes_refuse_broken_sessions(client, aws_stack, cognito):
    ticket = open_ticket(client)
    refused = {
        "expired": _session_token(aws_stack, exp=int(time.time()) - 1),
        "another audience": _session_token(aws_stack, aud="helpdesk-agent"),
        "forged": jwt.encode({"sub": "email:someone@example.com", "aud": sessions.AUDIENCE, "iat": 1,
                              "exp": int(time.time()) + 600}, "a-guessed-key-of-thirty-two-bytes!", algorithm="HS256"),
        "an agent's token": cognito("agent.customer-test@example.com"),
        "garbage": "garbage",
    }
    for name, token in refused.items():
        headers = {"Authorization": f"Bearer {token}", "X-Ticket-Key": ticket["access_key"]}
        for method, path in (("get", "/customer/tickets"), ("get", f"/tickets/{ticket['number']}")):
            status, error = call(client, method, path, headers=headers)
            assert (status, error["error"]) == (401, "unauthorized"), (name, path)
    assert call(client, "get", "/customer/tickets")[0] == 401
    assert call(client, "get", "/customer/tickets", headers={"X-Ticket-Key": ticket["access_key"]})[0] == 401


def _close_long_ago(number: int, days: int) -> None:
    from chalicelib import bootstrap
    repo = bootstrap.tickets()
    before = repo.get(number)
    closed_at = before.created_at - timedelta(days=days)
    repo.save(before, replace(before, status=Status.CLOSED, closed_at=closed_at, version=before.version + 1), [])


def test_past_the_reply_window_the_customer_opens_a_ticket_that_follows_the_old_one(client, aws_stack):
    address = an_address()
    old = open_ticket(client, customer={"name": "Noa", "email": address}, language="he")
    _close_long_ago(old["number"], days=8)
    key = {"X-Ticket-Key": old["access_key"]}

    status, error = call(client, "post", f"/tickets/{old['number']}/messages", {"text": "עדיין לא עובד"}, headers=key)
    assert (status, error["error"], error["fields"]) == (409, "conflict", {"ticket": "reply_window_closed"})
    assert call(client, "get", f"/tickets/{old['number']}", headers=key)[1]["reply_window_open"] is False

    follow_up = open_ticket(client, customer={"name": "Noa", "email": address},
                            follows={"number": old["number"], "key": old["access_key"]})
    _, seen = call(client, "get", f"/tickets/{follow_up['number']}", headers={"X-Ticket-Key": follow_up["access_key"]})
    assert seen["follows"] == old["number"]

    session = sign_in(client, aws_stack, address)
    status, by_session = call(client, "post", "/tickets", ticket_form(customer={"name": "Noa", "email": address},
                                                                      follows={"number": old["number"]}),
                              headers=session)
    assert status == 201
    assert call(client, "get", f"/tickets/{by_session['number']}", headers=session)[1]["follows"] == old["number"]


@pytest.mark.parametrize("follows", [{"number": 1}, {"number": 10 ** 9, "key": "x" * 43}, {"number": "1"}])
def test_following_a_ticket_one_cannot_prove_is_refused(client, follows):
    status, error = call(client, "post", "/tickets", ticket_form(follows=follows))
    assert status == 400 and set(error["fields"]) == {"follows.number"}


def test_a_bad_phone_on_the_ticket_form_is_a_field_error(client):
    form = ticket_form(customer={"name": "مریم", "email": an_address(), "phone": "0912"})
    assert call(client, "post", "/tickets", form) == (400, {"error": "invalid", "message": "customer.phone: invalid",
                                                            "fields": {"customer.phone": "invalid"}})


@pytest.fixture
def catalog(aws_stack):
    from chalicelib import bootstrap
    yield bootstrap.catalog()
    bootstrap.catalog().save_policies(Policies())  # the stack is shared by the session


def test_over_the_admins_limit_a_signed_in_customer_is_refused_naming_the_open_ones(client, aws_stack, catalog):
    catalog.save_policies(Policies(max_open_tickets=2))
    customer = {"name": "Dana", "email": an_address()}
    first = open_ticket(client, customer=customer, subject="מדפסת 0")
    session = sign_in(client, aws_stack, customer["email"])  # the code proves the address: the first is confirmed
    status, second = call(client, "post", "/tickets", ticket_form(customer=customer, subject="מדפסת 1"),
                          headers=session)
    assert status == 201 and second["confirmed"] is True and second["access_key"]  # the session proved it
    status, error = call(client, "post", "/tickets", ticket_form(customer=customer), headers=session)
    assert status == 429
    assert error == {
        "error": "limit_reached", "message": error["message"], "fields": {"customer.email": "open_limit"}, "limit": 2,
        "open_tickets": [{"number": second["number"], "subject": "מדפסת 1", "status": "new"},
                         {"number": first["number"], "subject": "מדפסת 0", "status": "new"}]}

    catalog.save_policies(Policies(max_open_tickets=3))  # applies to the very next request
    assert call(client, "post", "/tickets", ticket_form(customer=customer), headers=session)[0] == 201
