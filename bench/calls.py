"""AWS calls per request, against moto's server with resources from infra/ (as `make run` has them)."""
import json
import os
import socket
import uuid
from collections import Counter
from contextlib import contextmanager

import botocore.client
import requests

PDF = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 1000


@contextmanager
def counting_aws_calls():
    calls: Counter = Counter()
    original = botocore.client.BaseClient._make_api_call

    def counted(self, operation, params):
        calls[f"{self.meta.service_model.service_name}:{operation}"] += 1
        return original(self, operation, params)

    botocore.client.BaseClient._make_api_call = counted
    try:
        yield calls
    finally:
        botocore.client.BaseClient._make_api_call = original


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def local_stack():
    from moto.server import ThreadedMotoServer

    from local.provision import provision
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    env = provision(endpoint, stack_name="helpdesk-bench", web_origin="http://127.0.0.1:8080",
                    customer_site_url="http://127.0.0.1:8080/customer/", mail_from="helpdesk@example.com")
    os.environ.update(env)
    os.environ["JWKS_URL"] = f"{endpoint}/{env['USER_POOL_ID']}/.well-known/jwks.json"
    try:
        yield env
    finally:
        server.stop()


def _post(client, path, body, headers=None):
    response = client.http.post(path, body=json.dumps(body),
                                headers={"Content-Type": "application/json", **(headers or {})})
    assert response.status_code in (200, 201), response.body
    return response.json_body


def _upload(client, data: bytes, content_type: str) -> str:
    grant = _post(client, "/uploads", {"filename": "f", "content_type": content_type, "size": len(data)})
    requests.post(grant["url"], data=grant["fields"], files={"file": ("f", data, content_type)}, timeout=30)
    return grant["upload_id"]


def _ticket(client, attachments=()):
    return _post(client, "/tickets", {
        "subject": "bench", "department": "support", "category": "technical", "priority": "normal",
        "text": "متن آزمایشی", "language": "fa", "attachments": list(attachments),
        "customer": {"name": "Bench", "email": f"bench+{uuid.uuid4().hex[:8]}@example.com"}})


def _agent_token() -> str:
    import boto3
    cognito, pool = boto3.client("cognito-idp"), os.environ["USER_POOL_ID"]
    cognito.admin_create_user(UserPoolId=pool, Username="bench@example.com", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username="bench@example.com", Password="Bench-pass-2026!",
                                    Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="bench@example.com", GroupName="agent")
    result = cognito.initiate_auth(ClientId=os.environ["USER_POOL_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "bench@example.com", "PASSWORD": "Bench-pass-2026!"})
    return result["AuthenticationResult"]["AccessToken"]


def request_costs(small: int, large: int) -> dict:
    from chalice.test import Client

    from chalicelib import bootstrap
    from chalicelib.services.catalog import save_department
    results = {}
    with local_stack():
        bootstrap.reset()
        save_department(bootstrap.catalog(), id="support", names={"en": "Support"},
                        categories=[{"id": "technical", "names": {"en": "Technical"}}])
        from app import app
        # Token verification is a signature check against the JWKS, fetched once over HTTP: no AWS call.
        signed_in = {"Authorization": f"Bearer {_agent_token()}"}
        with Client(app) as client:
            existing = 0
            for size in (small, large):
                while existing < size:
                    _ticket(client)
                    existing += 1
                files = [_upload(client, PDF, "application/pdf"), _upload(client, PNG, "image/png")]
                with counting_aws_calls() as with_files:
                    number = _ticket(client, files)["number"]
                with counting_aws_calls() as plain:
                    _ticket(client)
                with counting_aws_calls() as reply:
                    _post(client, f"/agent/tickets/{number}/replies", {"text": "پاسخ"}, signed_in)
                results[f"aws_calls_create_ticket_{size}"] = _figure(with_files, size, "POST /tickets, 2 attachments")
                results[f"aws_calls_create_ticket_no_files_{size}"] = _figure(plain, size, "POST /tickets")
                results[f"aws_calls_agent_reply_{size}"] = _figure(reply, size, "POST /agent/tickets/{n}/replies")
    results["aws_calls_create_ticket"] = results[f"aws_calls_create_ticket_{large}"]
    results["aws_calls_agent_reply"] = results[f"aws_calls_agent_reply_{large}"]
    return results


def _figure(calls: Counter, size: int, what: str) -> dict:
    return {"value": sum(calls.values()), "unit": "calls",
            "note": f"{what} with {size} tickets in the table: " + ", ".join(f"{k}×{v}" for k, v in sorted(calls.items()))}
