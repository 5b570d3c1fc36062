"""Bad input through the whole app (issue 11, finding 4 and "bad input never reaches the database half-
understood"): lone surrogates, control and bidirectional characters refused with the field named; JSON nested
deeper than the request needs, unknown fields and oversized bodies refused before anything is used. Never a 500."""
import json
import uuid

import pytest

from tests.api.test_ticket_api import call, open_ticket, ticket_form



def post_raw(client, path, raw: bytes | str, headers=None):
    response = client.http.post(path, body=raw, headers={"Content-Type": "application/json", **(headers or {})})
    return response.status_code, response.json_body


def address():
    return f"probe+{uuid.uuid4().hex[:8]}@example.com"


def my_tickets(client, email):
    """How many tickets the address has in the table (nothing half-written by a refused request)."""
    from chalicelib import bootstrap
    return len(bootstrap.ticket_views().of_customer(email=email))


@pytest.mark.parametrize("field, value", [
    ("subject", "a\ud800b"),               # finding 4: failed at the database write
    ("subject", "invoice\u202efdp.exe"),   # shows as invoiceexe.pdf
    ("subject", "bell\x07"), ("subject", "nul\x00"), ("subject", "esc\x1b[31m"), ("subject", "c1\x85"),
    ("subject", "two\nlines"),             # one-line text: no line breaks
    ("text", "a\ud800b"), ("text", "isolate \u2066x\u2069"), ("text", "nul\x00"),
])
def test_a_ticket_with_an_unsafe_character_is_refused_with_the_field_named_and_not_stored(client, field, value):
    email = address()
    form = ticket_form(**{field: value})
    form["customer"]["email"] = email
    status, error = call(client, "post", "/tickets", form)
    assert (status, error["error"], error["fields"]) == (400, "invalid", {field: "invalid_character"})
    assert my_tickets(client, email) == 0


def test_unsafe_characters_in_the_customers_name_and_address_are_named_each(client):
    form = ticket_form(customer={"name": "Eve\u202e", "email": "a\ud800@example.com"})
    status, error = call(client, "post", "/tickets", form)
    assert status == 400
    assert error["fields"] == {"customer.name": "invalid_character", "customer.email": "invalid_character"}


def test_long_text_keeps_tabs_and_line_breaks(client):
    opened = open_ticket(client, text="line one\n\tline two\r\nline three")
    status, ticket = call(client, "get", f"/tickets/{opened['number']}", headers={"X-Ticket-Key": opened["access_key"]})
    assert status == 200 and ticket["messages"][0]["text"] == "line one\n\tline two\r\nline three"


def test_a_lone_surrogate_in_a_sign_in_address_is_refused_not_a_500(client):
    status, error = call(client, "post", "/customer/sign-in", {"email": "a\ud800b@example.com"})
    assert (status, error["fields"]) == (400, {"email": "invalid_character"})
    status, error = call(client, "post", "/customer/sign-in/verify", {"email": "x@example.com", "code": "12\x0034"})
    assert (status, error["fields"]) == (400, {"code": "invalid_character"})


@pytest.mark.parametrize("raw", [
    "[" * 100_000 + "]" * 100_000,                                   # finding 4: RecursionError before
    "[" * 100_000,                                                   # not even JSON
    json.dumps(ticket_form(attachments=[[[["x"]]]])),               # deeper than attachments (a list of ids)
    '{"text": "x", "attachments": ' + "[" * 50 + "]" * 50 + "}",
])
def test_json_nested_deeper_than_the_request_needs_is_a_400(client, raw):
    status, error = post_raw(client, "/tickets", raw)
    assert (status, error["fields"]) == (400, {"body": "too_deep"})


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    opened = open_ticket(client, text="[[[[[[[[[[ {{{{{{{{ \\\" ]]]]")
    assert opened["number"]


def test_unknown_fields_are_refused_each_by_name(client):
    opened = open_ticket(client)
    key = {"X-Ticket-Key": opened["access_key"]}
    status, error = call(client, "post", f"/tickets/{opened['number']}/messages",
                         {"text": "hello", "visibility": "internal", "author": "agent"}, headers=key)
    assert status == 400
    assert error["fields"] == {"visibility": "unknown_field", "author": "unknown_field"}
    form = ticket_form()
    form["customer"]["role"] = "admin"
    status, error = call(client, "post", "/tickets", form)
    assert (status, error["fields"]) == (400, {"customer.role": "unknown_field"})


def test_a_body_over_the_limit_is_a_413_saying_the_limit(client, monkeypatch):
    from chalicelib.settings import get_settings
    big = json.dumps(ticket_form(text="x" * 300_000))
    status, error = post_raw(client, "/tickets", big)
    assert (status, error["error"], error["max_bytes"]) == (413, "too_large", 256 * 1024)
    monkeypatch.setenv("MAX_JSON_BODY_BYTES", "1000")
    get_settings.cache_clear()
    try:
        status, error = post_raw(client, "/tickets", json.dumps(ticket_form(text="x" * 2000)))
        assert (status, error["max_bytes"]) == (413, 1000)
    finally:
        monkeypatch.delenv("MAX_JSON_BODY_BYTES")
        get_settings.cache_clear()


@pytest.mark.parametrize("raw", [b"\xff\xfe", b"", b"null", b"[]", b'"text"', b"{"])
def test_what_is_not_a_json_object_is_a_400(client, raw):
    status, error = post_raw(client, "/tickets", raw)
    assert status == 400 and error["error"] == "invalid"


def test_unsafe_characters_in_query_parameters_are_refused_by_name(client, cognito):
    headers = {"Authorization": f"Bearer {cognito('agent.one@example.com')}"}
    response = client.http.get("/agent/queue?department=support%00&group=a%E2%80%AEb", headers=headers)
    assert response.status_code == 400
    assert response.json_body["fields"] == {"department": "invalid_character", "group": "invalid_character"}


def test_the_deepest_bodies_the_portal_sends_are_within_the_depth_limit(client, cognito):
    """The SLA policy with a calendar of its own and a tier (4 levels inside a key the schema leaves open), and
    the alert settings as GET answers them, go back unchanged."""
    admin = {"Authorization": f"Bearer {cognito('depth.admin@example.com', groups=('agent', 'admin'))}"}
    status, policy = call(client, "get", "/admin/sla", headers=admin)
    assert status == 200
    calendar = {"zone": "Asia/Tehran", "hours": {"0": [["08:00", "12:00"], ["13:00", "16:00"]]}, "holidays": []}
    tiers = {"gold": {"customers": ["@gold.example"], "targets": {"urgent": [1, 4]}}}
    status, saved = call(client, "put", "/admin/sla", {**policy, "calendar": calendar, "tiers": tiers}, headers=admin)
    assert status == 200, saved
    status, back = call(client, "put", "/admin/sla", policy, headers=admin)
    assert status == 200, back
    status, profile = call(client, "get", "/agent/profile", headers=admin)
    assert call(client, "put", "/agent/profile", profile, headers=admin)[0] == 200
