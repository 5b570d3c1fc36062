"""Issue 11 through the HTTP API (chalice.test.Client, moto): addresses that cannot receive mail are field
errors; variants of one address are one customer (sign-in, history, open-ticket limit); sign-in requests
are limited per client network (taken from the request context's sourceIp), with a clear 429."""
import uuid

import pytest
from chalice.local import LambdaEventConverter

from tests.api.test_customer_api import mailed_code, open_ticket, ticket_form
from tests.api.test_ticket_api import call



def a_local_part() -> str:
    return f"maryam.{uuid.uuid4().hex[:8]}"


# A lone surrogate never reaches the validator: the edge refuses it as a character no text may hold.
UNRECEIVABLE = [("<script>@probe.example", "invalid"), ("a@-x.example", "invalid"), ("x@[127.0.0.1]", "invalid"),
                ('"a b"@example.com', "invalid"), ("a@probe.test", "invalid"), ("a@localhost", "invalid"),
                ("a\ud800b@example.com", "invalid_character")]


@pytest.mark.parametrize("address,code", UNRECEIVABLE)
def test_a_ticket_under_an_address_that_cannot_receive_mail_is_a_field_error(client, address, code):
    status, error = call(client, "post", "/tickets", ticket_form(customer={"name": "Dana", "email": address}))
    assert (status, error["fields"]) == (400, {"customer.email": code})


@pytest.mark.parametrize("address,code", [UNRECEIVABLE[2], UNRECEIVABLE[1], UNRECEIVABLE[-1]])
def test_signing_in_with_an_address_that_cannot_receive_mail_is_a_field_error(client, address, code):
    for path, extra in (("/customer/sign-in", {}), ("/customer/sign-in/verify", {"code": "123456"})):
        status, error = call(client, "post", path, {"email": address, **extra})
        assert (status, error["fields"]) == (400, {"email": code})


def test_a_ticket_keeps_the_address_as_written_and_its_customer_signs_in_with_any_variant(client, aws_stack):
    local = a_local_part()
    opened = open_ticket(client, customer={"name": "مریم", "email": f"Mar\u200b{local[3:].title()}@Example.com."})
    from chalicelib import bootstrap
    assert bootstrap.tickets().get(opened["number"]).customer.email == f"Mar{local[3:].title()}@example.com"

    variant = f"ＭＡＲ{local[3:]}@EXAMPLE.COM"  # full-width, upper case: the same customer
    assert call(client, "post", "/customer/sign-in", {"email": variant})[0] == 202
    status, session = call(client, "post", "/customer/sign-in/verify",
                           {"email": f"{local}@example.com", "code": mailed_code(aws_stack, f"{local}@example.com")})
    assert status == 200
    status, tabs = call(client, "get", "/customer/tickets", headers={"Authorization": f"Bearer {session['token']}"})
    assert [t["number"] for t in tabs["open"]] == [opened["number"]]


def test_variants_of_one_address_share_one_allowance_of_tickets_filed_without_sign_in(client):
    """The limit of five confirmed tickets per variant is shown against the repository (integration); here,
    through the API, four anonymous filings under variants of one address meet its allowance of three."""
    local = a_local_part()
    variants = [f"{local}+a@example.com", f"{local.upper()}@example.com.",
                f"{local[:4]}\u200b{local[4:]}@example.com",
                f"{local.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})}@example.com"]
    for address in variants[:3]:
        open_ticket(client, customer={"name": "مریم", "email": address})
    status, error = call(client, "post", "/tickets", ticket_form(customer={"name": "مریم", "email": variants[3]}))
    assert (status, error["fields"]) == (429, {"customer.email": "unconfirmed_limit"})


def test_twenty_code_requests_per_network_in_ten_minutes_then_a_clear_429(client, monkeypatch, client_address):
    network = client_address.rpartition(".")[0]
    for n in range(20):  # twenty addresses, from hosts all over the client's /24
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", f"{network}.{n + 1}")
        assert call(client, "post", "/customer/sign-in", {"email": f"{a_local_part()}@example.com"})[0] == 202

    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", f"{network}.200")
    status, error = call(client, "post", "/customer/sign-in", {"email": f"{a_local_part()}@example.com"})
    assert (status, error["error"], error["rate_limit"]) == (429, "limit_reached", "sign_in_codes_per_network")
    assert 0 < error["retry_after"] <= 600 and "network" in error["message"] and "fields" not in error

    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", f"{network}.201")
    assert call(client, "post", "/customer/sign-in/verify",
                {"email": "someone@example.com", "code": "123456"})[0] == 401  # guesses are counted apart
    other = f"{client_address.partition('.')[0]}.{int(client_address.split('.')[1]) ^ 1}.0.7"
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", other)
    assert call(client, "post", "/customer/sign-in", {"email": f"{a_local_part()}@example.com"})[0] == 202


def test_an_ipv6_client_is_limited_per_64(client, monkeypatch):
    prefix = f"2001:db8:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
    for n in range(20):
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", f"{prefix}::{n + 1:x}")
        assert call(client, "post", "/customer/sign-in", {"email": f"{a_local_part()}@example.com"})[0] == 202
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", f"{prefix}:ffff:ffff:ffff:ffff")
    assert call(client, "post", "/customer/sign-in", {"email": f"{a_local_part()}@example.com"})[0] == 429
