"""The HTTP API through chalice.test.Client, against moto's server with resources from infra/."""
import json
import time
import uuid

import jwt
import pytest
import requests

from tests.fakes import PDF, PNG
from tests.uploads import check_announced_uploads



def call(client, method, path, body=None, headers=None):
    headers = {"Content-Type": "application/json", **(headers or {})}
    raw = json.dumps(body) if isinstance(body, (dict, list)) else body
    response = getattr(client.http, method)(path, body=raw, headers=headers)
    return response.status_code, (response.json_body if response.body else None)


def upload(client, data: bytes, content_type: str, filename: str = "file.bin", checked: bool = True) -> str:
    """Grant, post to S3 and (`checked`) let the uploads queue's consumer check what arrived."""
    status, grant = call(client, "post", "/uploads",
                         {"filename": filename, "content_type": content_type, "size": len(data)})
    assert status == 201, grant
    posted = requests.post(grant["url"], data=grant["fields"], files={"file": (filename, data, content_type)},
                           timeout=10)
    assert posted.status_code in (200, 204), posted.text
    if checked:
        check_announced_uploads(client)
    return grant["upload_id"]


def ticket_form(**overrides):
    body = {"subject": "چاپگر کار نمی‌کند", "department": "support", "category": "technical", "priority": "high",
            "text": "سلام، چاپگر دفتر روشن نمی‌شود.", "language": "fa",
            "customer": {"name": "مریم", "email": f"maryam.{uuid.uuid4().hex[:8]}@example.com"}, "attachments": []}
    body.update(overrides)
    return body


def open_ticket(client, **overrides):
    """A ticket filed without sign-in, with the private link the customer then finds in the mail."""
    status, opened = call(client, "post", "/tickets", ticket_form(**overrides))
    assert status == 201, opened
    return with_mailed_link(opened)


def with_mailed_link(opened: dict) -> dict:
    """The answer to a filing plus its key and link as the confirmation mail carries them (the answer itself
    has them only for a caller who proved the address). The mail worker derives them the same way."""
    from chalicelib import bootstrap
    from chalicelib.domain import links
    from chalicelib.settings import get_settings

    if "access_key" in opened:
        return opened
    number = opened["number"]
    key = links.derive_key(bootstrap.secrets().link_secret(), number, bootstrap.tickets().get(number).link_salt)
    return {**opened, "access_key": key, "link": links.ticket_link(get_settings().customer_site_url, number, key)}


def as_agent(token):
    return {"Authorization": f"Bearer {token}"}


def test_health_and_catalog(client):
    assert call(client, "get", "/health") == (200, {"status": "ok"})
    status, catalog = call(client, "get", "/catalog")
    assert status == 200
    support = next(d for d in catalog["departments"] if d["id"] == "support")
    assert support["names"]["fa"] == "پشتیبانی" and {c["id"] for c in support["categories"]} >= {"technical"}
    assert catalog["limits"]["max_file_bytes"] == 10 * 1024 * 1024 and "application/pdf" in catalog["limits"]["allowed_types"]


def test_customer_files_a_ticket_with_attachments_and_follows_it(client):
    pdf = upload(client, PDF + b"0" * (2 * 1024 * 1024), "application/pdf", "فاکتور.pdf")
    png = upload(client, PNG, "image/png", "screen.png")
    opened = open_ticket(client, attachments=[pdf, png])
    assert opened["link"].endswith(f"#/t/{opened['number']}/{opened['access_key']}")

    status, ticket = call(client, "get", f"/tickets/{opened['number']}", headers={"X-Ticket-Key": opened["access_key"]})
    assert status == 200 and ticket["status"] == "new" and "email" not in ticket["customer"]
    [message] = ticket["messages"]
    assert [a["filename"] for a in message["attachments"]] == ["فاکتور.pdf", "screen.png"]
    assert message["attachments"][0]["size"] == len(PDF) + 2 * 1024 * 1024

    attachment_id = message["attachments"][0]["id"]
    status, link = call(client, "get", f"/tickets/{opened['number']}/attachments/{attachment_id}",
                        headers={"X-Ticket-Key": opened["access_key"]})
    assert status == 200
    download = requests.get(link["url"], timeout=10)
    assert download.content.startswith(b"%PDF-")
    assert download.headers["Content-Disposition"].startswith("attachment;")


def test_agent_notes_and_replies_and_customer_never_sees_the_note(client, cognito):
    opened = open_ticket(client)
    agent = as_agent(cognito("agent.one@example.com"))
    number = opened["number"]

    status, queue = call(client, "get", "/agent/queue?department=support", headers=agent)
    assert status == 200 and number in [t["number"] for t in queue["tickets"]]

    assert call(client, "post", f"/agent/tickets/{number}/notes", {"text": "یادداشت داخلی: مشتری ویژه"},
                headers=agent)[0] == 201
    status, reply = call(client, "post", f"/agent/tickets/{number}/replies", {"text": "لطفاً دوباره امتحان کنید"},
                         headers=agent)
    # Customers see the agent's display name, never their address.
    assert status == 201 and reply["author"] == {"kind": "agent", "name": "سارا"}

    _, seen_by_agent = call(client, "get", f"/agent/tickets/{number}", headers=agent)
    assert seen_by_agent["status"] == "awaiting_customer"
    assert [m["visibility"] for m in seen_by_agent["messages"]] == ["public", "internal", "public"]

    key = {"X-Ticket-Key": opened["access_key"]}
    _, seen_by_customer = call(client, "get", f"/tickets/{number}", headers=key)
    assert [m["visibility"] for m in seen_by_customer["messages"]] == ["public", "public"]
    assert "ویژه" not in json.dumps(seen_by_customer, ensure_ascii=False)

    png = upload(client, PNG, "image/png", "عکس.png")
    assert call(client, "post", f"/tickets/{number}/messages", {"text": "باز هم کار نمی‌کند", "attachments": [png]},
                headers=key)[0] == 201
    _, again = call(client, "get", f"/agent/tickets/{number}", headers=agent)
    assert again["status"] == "open"


@pytest.mark.parametrize("body,field,code", [
    ({"subject": ""}, "subject", "required"),
    ({"subject": "x" * 201}, "subject", "too_long"),
    ({"priority": "asap"}, "priority", "invalid"),
    ({"customer": {"name": "Dana"}}, "customer.email", "required"),
    ({"customer": {"name": "Dana", "email": "nope"}}, "customer.email", "invalid"),
    ({"department": "nowhere"}, "department", "unknown"),
    ({"attachments": ["0" * 32]}, "attachments.0", "not_uploaded"),
    ({"attachments": [7]}, "attachments.0", "invalid"),
])
def test_bad_tickets_get_field_errors_not_500(client, body, field, code):
    status, error = call(client, "post", "/tickets", ticket_form(**body))
    assert status == 400 and error["error"] == "invalid" and error["fields"] == {field: code}


def test_missing_fields_and_broken_json_are_400(client):
    status, error = call(client, "post", "/tickets", {"subject": "hi"})
    assert status == 400 and error["fields"] == {field: "required" for field in
                                                 ("category", "customer", "department", "language", "priority", "text")}
    for raw in ("{not json", "[1, 2]", "", '"text"'):
        status, error = call(client, "post", "/tickets", raw)
        assert status == 400 and error["error"] == "invalid", raw


def test_a_ticket_with_every_field_empty_names_every_bad_field_at_once(client):
    status, error = call(client, "post", "/tickets", {
        "subject": "", "department": "", "category": "", "priority": "", "text": "", "language": "",
        "customer": {"name": "", "email": ""}, "attachments": [7], "sms_updates": "yes"})
    assert status == 400 and error["fields"] == {
        "subject": "required", "department": "required", "category": "required", "priority": "invalid",
        "text": "required", "language": "invalid", "customer.name": "required", "customer.email": "required",
        "attachments.0": "invalid", "sms_updates": "invalid"}


def test_bad_and_missing_fields_of_nested_objects_are_named_together(client):
    status, error = call(client, "post", "/tickets", {"subject": "x" * 201, "customer": {"email": 5}})
    assert status == 400 and error["fields"] == {
        "subject": "too_long", "customer.name": "required", "customer.email": "invalid",
        **{field: "required" for field in ("category", "department", "language", "priority", "text")}}


def test_refused_ticket_writes_nothing(client, cognito):
    status, _ = call(client, "post", "/tickets", ticket_form(category="no-such-category"))
    assert status == 400
    before = open_ticket(client)["number"]
    call(client, "post", "/tickets", ticket_form(customer={"name": "x", "email": "bad"}))
    assert open_ticket(client)["number"] == before + 1  # the refused one did not even take a number


def test_upload_refusals(client):
    for body, field, code in [
        ({"filename": "run.exe", "content_type": "application/x-msdownload", "size": 10}, "file.content_type",
         "not_allowed"),
        ({"filename": "big.pdf", "content_type": "application/pdf", "size": 10 * 1024 * 1024 + 1}, "file.size",
         "too_large"),
        ({"filename": "a.pdf", "content_type": "application/pdf"}, "size", "required"),
    ]:
        status, error = call(client, "post", "/uploads", body)
        assert (status, error["fields"]) == (400, {field: code})


def test_an_upload_that_lies_about_its_type_is_refused(client):
    fake_png = upload(client, b"<html><script>alert(1)</script></html>", "image/png", "x.png")
    status, error = call(client, "post", "/tickets", ticket_form(attachments=[fake_png]))
    assert (status, error["fields"]) == (400, {"attachments.0": "type_mismatch"})


def test_a_file_not_checked_yet_is_not_ready_and_is_accepted_once_checked(client):
    # S3 has announced the file, but the uploads queue's consumer has not looked at it yet.
    png = upload(client, PNG, "image/png", "صفحه.png", checked=False)
    form = ticket_form(attachments=[png])
    status, error = call(client, "post", "/tickets", form)
    assert (status, error["fields"]) == (400, {"attachments.0": "not_ready"})
    check_announced_uploads(client)
    status, opened = call(client, "post", "/tickets", form)
    assert status == 201, opened
    opened = with_mailed_link(opened)
    _, ticket = call(client, "get", f"/tickets/{opened['number']}", headers={"X-Ticket-Key": opened["access_key"]})
    assert [a["filename"] for a in ticket["messages"][0]["attachments"]] == ["صفحه.png"]


def test_an_upload_id_nobody_was_granted_is_not_uploaded(client):
    png = upload(client, PNG, "image/png")
    status, error = call(client, "post", "/tickets", ticket_form(attachments=[png, "0" * 32, "../" + png]))
    assert (status, error["fields"]) == (400, {"attachments.1": "not_uploaded", "attachments.2": "not_uploaded"})


def test_the_presigned_post_carries_the_size_and_type_conditions(client):
    import base64
    _, grant = call(client, "post", "/uploads", {"filename": "ف.pdf", "content_type": "application/pdf", "size": 5})
    policy = json.loads(base64.b64decode(grant["fields"]["policy"]))
    assert ["content-length-range", 1, 10 * 1024 * 1024] in policy["conditions"]
    assert {"Content-Type": "application/pdf"} in policy["conditions"]
    assert grant["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"  # s3v4: browsers' CORS preflight needs it


def test_a_customer_key_opens_only_its_ticket(client):
    mine, theirs = open_ticket(client), open_ticket(client)
    for number, key in [(theirs["number"], mine["access_key"]), (mine["number"], ""), (mine["number"], "guess"),
                        ("abc", mine["access_key"]), (10 ** 9, mine["access_key"])]:
        status, error = call(client, "get", f"/tickets/{number}", headers={"X-Ticket-Key": key})
        assert (status, error["error"]) == (404, "not_found")
        status, _ = call(client, "post", f"/tickets/{number}/messages", {"text": "hi"}, headers={"X-Ticket-Key": key})
        assert status == 404


def test_customer_cannot_download_an_attachment_of_another_ticket(client):
    png = upload(client, PNG, "image/png")
    with_file = open_ticket(client, attachments=[png])
    other = open_ticket(client)
    _, ticket = call(client, "get", f"/tickets/{with_file['number']}", headers={"X-Ticket-Key": with_file["access_key"]})
    attachment_id = ticket["messages"][0]["attachments"][0]["id"]
    status, _ = call(client, "get", f"/tickets/{other['number']}/attachments/{attachment_id}",
                     headers={"X-Ticket-Key": other["access_key"]})
    assert status == 404


def _moto_private_key():
    from moto.utilities.utils import load_resource
    return jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(load_resource("cognitoidp/resources/jwks-private.json")))


def _token(aws_stack, **claims):
    """A token signed with the pool's own key (moto's), so only the claim under test is wrong."""
    now = int(time.time())
    payload = {"iss": f"https://cognito-idp.us-east-1.amazonaws.com/{aws_stack['USER_POOL_ID']}", "sub": "s1",
               "client_id": aws_stack["USER_POOL_CLIENT_ID"], "token_use": "access", "iat": now, "exp": now + 600,
               "username": "mallory", "cognito:groups": ["agent"]}
    payload.update(claims)
    return jwt.encode(payload, _moto_private_key(), algorithm="RS256", headers={"kid": "dummy"})


def test_agent_routes_refuse_missing_forged_expired_and_foreign_tokens(client, aws_stack, cognito):
    from cryptography.hazmat.primitives.asymmetric import rsa
    forged = jwt.encode({"sub": "x"}, rsa.generate_private_key(public_exponent=65537, key_size=2048),
                        algorithm="RS256", headers={"kid": "dummy"})
    assert call(client, "get", "/agent/me", headers=as_agent(cognito("control@example.com")))[0] == 200
    refused = {
        "none": {},
        "not bearer": {"Authorization": "Basic abc"},
        "no dots": as_agent("garbage"),
        "forged signature": as_agent(forged),
        "expired": as_agent(_token(aws_stack, exp=int(time.time()) - 60)),
        "another pool": as_agent(_token(aws_stack, iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other")),
        "another app client": as_agent(_token(aws_stack, client_id="someone-else")),
        "id token": as_agent(_token(aws_stack, token_use="id")),
        "alg none": as_agent(jwt.encode({"sub": "x"}, None, algorithm="none")),
    }
    for name, headers in refused.items():
        status, error = call(client, "get", "/agent/me", headers=headers)
        assert (status, error["error"]) == (401, "unauthorized"), name


def test_a_signed_in_user_outside_the_agent_groups_is_forbidden(client, cognito):
    status, error = call(client, "get", "/agent/queue?department=support",
                         headers=as_agent(cognito("not.an.agent@example.com", groups=())))
    assert (status, error["error"]) == (403, "forbidden")


def test_every_agent_route_requires_a_token(client):
    from app import app
    for path, methods in app.routes.items():
        if not path.startswith("/agent"):
            continue
        for method in methods:
            concrete = path.replace("{number}", "1001").replace("{attachment_id}", "a" * 32)
            status, _ = call(client, method.lower(), concrete, {"text": "x"} if method == "POST" else None)
            assert status == 401, (method, path)


def test_cors_allows_only_the_configured_origin(client):
    response = client.http.get("/health", headers={"Origin": "http://127.0.0.1:8080"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8080"
