"""AWS calls per request, against moto's server with resources from infra/ (as `make run` has them)."""
import json
import os
import uuid
from collections import Counter
from contextlib import contextmanager

import botocore.client
import requests

from local.testing import free_port

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


@contextmanager
def local_stack():
    from local.moto_server import MotoServer
    from local.provision import provision
    # Dummy credentials: moto answers everything, nothing leaves the machine.
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1",
                       "AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true"})
    server = MotoServer(port=free_port()).start()  # moto as `make run` has it (local/moto_patches.py)
    endpoint = server.url
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    env = provision(endpoint, stack_name="helpdesk-bench", web_origin="http://127.0.0.1:8080",
                    customer_site_url="http://127.0.0.1:8080/customer/", mail_from="helpdesk@example.com")
    os.environ.update(env)
    try:
        yield env
    finally:
        server.stop()


def fill_table(count: int, start: int) -> None:
    """Background tickets written in batches with the repository's own item mapping: moto answers each
    query by walking every item, so creating thousands through the API would only measure moto."""
    from datetime import datetime, timezone

    from chalicelib.adapters.dynamo import event_items, ticket_item
    from chalicelib.adapters.models import TicketItem
    from chalicelib.domain.tickets import (
        Actor, AuthorKind, Customer, EventType, Language, Priority, Status, Ticket, TicketEvent, Visibility, new_id,
    )
    now = datetime.now(timezone.utc)
    with TicketItem.batch_write() as batch:
        for number in range(start, start + count):
            customer = Customer("Bench", f"bench{number}@example.com")
            ticket = Ticket(number=number, subject="bench", department="support", category="technical",
                            priority=Priority.NORMAL, language=Language.FA, customer=customer, status=Status.OPEN,
                            created_at=now, last_activity_at=now, link_salt="s", link_hash="h")
            created = TicketEvent(id=new_id(), ticket_number=number, type=EventType.TICKET_CREATED, occurred_at=now,
                                  actor=Actor(AuthorKind.CUSTOMER, customer.key, "Bench"),
                                  visibility=Visibility.PUBLIC)
            for item in [ticket_item(ticket), *event_items(ticket, [created])]:
                batch.save(item)


def _post(client, path, body, headers=None):
    response = client.http.post(path, body=json.dumps(body),
                                headers={"Content-Type": "application/json", **(headers or {})})
    assert response.status_code in (200, 201), response.body
    return response.json_body


def _upload(client, data: bytes, content_type: str) -> str:
    grant = _post(client, "/uploads", {"filename": "f", "content_type": content_type, "size": len(data)})
    requests.post(grant["url"], data=grant["fields"], files={"file": ("f", data, content_type)}, timeout=30)
    _check_announced_uploads(client)
    return grant["upload_id"]


def _check_announced_uploads(client) -> None:
    """What Lambda does with S3's announcements of uploads (the check is not on the measured request path:
    it runs when the file arrives, while the customer is still typing)."""
    import boto3
    sqs, queue = boto3.client("sqs"), os.environ["UPLOADS_QUEUE_URL"]
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        event = {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                              "attributes": {}, "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
                              "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:uploads",
                              "awsRegion": "us-east-1"} for m in messages]}
        assert client.lambda_.invoke("check_uploads", event).payload == {"batchItemFailures": []}
        for message in messages:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])


def _ticket(client, attachments=(), email=None):
    return _post(client, "/tickets", {
        "subject": "bench", "department": "support", "category": "technical", "priority": "normal",
        "text": "متن آزمایشی", "language": "fa", "attachments": list(attachments),
        "customer": {"name": "Bench", "email": email or f"bench.{uuid.uuid4().hex[:8]}@example.com"}})


def _sign_in_calls(client, email: str) -> Counter:
    with counting_aws_calls() as calls:
        response = client.http.post("/customer/sign-in", body=json.dumps({"email": email}),
                                    headers={"Content-Type": "application/json"})
    assert response.status_code == 202, response.body
    return calls


def _agent_token() -> str:
    import boto3
    cognito, pool = boto3.client("cognito-idp"), os.environ["USER_POOL_ID"]
    cognito.admin_create_user(UserPoolId=pool, Username="bench@example.com", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": "bench@example.com"}])
    cognito.admin_set_user_password(UserPoolId=pool, Username="bench@example.com", Password="Bench-pass-2026!",
                                    Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="bench@example.com", GroupName="agent")
    result = cognito.initiate_auth(ClientId=os.environ["USER_POOL_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "bench@example.com", "PASSWORD": "Bench-pass-2026!"})
    return result["AuthenticationResult"]["AccessToken"]


def request_costs(small: int, large: int) -> dict:
    from chalice.test import Client

    from chalicelib import bootstrap
    from chalicelib.domain.catalog import Category, Department, Group
    results = {}
    with local_stack():
        # Steady state: the catalog cache must not expire in the middle of a measured request on a slow
        # machine; what a refresh costs (once per container every CATALOG_CACHE_SECONDS) is its own figure.
        os.environ["CATALOG_CACHE_SECONDS"] = "600"
        bootstrap.reset()
        # The bench agent works in support (agents act only where they work); new tickets are dealt to them.
        names = {"en": "Support"}
        bootstrap.catalog().save(Department(id="support", names=names, categories=(Category("technical", names),),
                                            groups=(Group("desk", names, members=("bench@example.com",)),)))
        from app import app
        # Token verification is a signature check against the JWKS, fetched once over HTTP: no AWS call.
        signed_in = {"Authorization": f"Bearer {_agent_token()}"}
        with Client(app) as client:
            # Warm the container first: the link secret and the agent's display name are read once per
            # container, so both sizes are measured in the steady state.
            warm = _ticket(client)["number"]
            _post(client, f"/agent/tickets/{warm}/replies", {"text": "warm"}, signed_in)
            existing = 0
            for size in (small, large):
                fill_table(size - existing, start=10_000_000 + existing)  # numbers the counter never reaches
                existing = size
                files = [_upload(client, PDF, "application/pdf"), _upload(client, PNG, "image/png")]
                with counting_aws_calls() as with_files:
                    number = _ticket(client, files)["number"]
                with counting_aws_calls() as plain:
                    _ticket(client)
                with counting_aws_calls() as reply:
                    _post(client, f"/agent/tickets/{number}/replies", {"text": "پاسخ"}, signed_in)
                files = [_upload(client, PDF, "application/pdf"), _upload(client, PNG, "image/png")]
                with counting_aws_calls() as reply_with_files:
                    _post(client, f"/agent/tickets/{number}/replies", {"text": "پاسخ", "attachments": files},
                          signed_in)
                # Sign-in does the same work for an address with tickets and for one without (no oracle).
                known = f"bench.known.{uuid.uuid4().hex[:8]}@example.com"
                _ticket(client, email=known)
                results[f"aws_calls_sign_in_known_{size}"] = _figure(
                    _sign_in_calls(client, known), size, "POST /customer/sign-in, an address with a ticket")
                results[f"aws_calls_sign_in_unknown_{size}"] = _figure(
                    _sign_in_calls(client, f"bench.nobody.{uuid.uuid4().hex[:8]}@example.com"), size,
                    "POST /customer/sign-in, an address without tickets")
                results[f"aws_calls_create_ticket_{size}"] = _figure(with_files, size, "POST /tickets, 2 attachments")
                results[f"aws_calls_create_ticket_no_files_{size}"] = _figure(plain, size, "POST /tickets")
                results[f"aws_calls_agent_reply_{size}"] = _figure(reply, size, "POST /agent/tickets/{n}/replies")
                results[f"aws_calls_agent_reply_files_{size}"] = _figure(
                    reply_with_files, size, "POST /agent/tickets/{n}/replies, 2 attachments")
            # Where the look at each file went: the grant records it, the uploads queue's consumer checks it.
            with counting_aws_calls() as granted:
                grant = _post(client, "/uploads", {"filename": "f", "content_type": "image/png", "size": len(PNG)})
            requests.post(grant["url"], data=grant["fields"], files={"file": ("f", PNG, "image/png")}, timeout=30)
            with counting_aws_calls() as checked:
                _check_announced_uploads(client)
            checked = Counter({k: v for k, v in checked.items() if not k.startswith("sqs:")})  # Lambda's poller
            results["aws_calls_start_upload"] = _figure(granted, large, "POST /uploads (presigning is no call)")
            results["aws_calls_check_upload"] = _figure(checked, large, (
                "the uploads queue's consumer, once per file when it arrives (off the request path)"))
        with counting_aws_calls() as refresh:
            bootstrap.catalog().invalidate()
            bootstrap.catalog().departments()
        results["aws_calls_catalog_refresh"] = _figure(refresh, large, (
            "what one container pays every CATALOG_CACHE_SECONDS (5 s) for departments, rules and policies, "
            "not counted in the figures above"))
    os.environ.pop("CATALOG_CACHE_SECONDS", None)
    results["aws_calls_create_ticket"] = results[f"aws_calls_create_ticket_{large}"]
    results["aws_calls_agent_reply"] = results[f"aws_calls_agent_reply_{large}"]
    return results


def _figure(calls: Counter, size: int, what: str) -> dict:
    return {"value": sum(calls.values()), "unit": "calls",
            "note": f"{what}, warm container, {size} tickets in the table: " + ", ".join(f"{k}×{v}" for k, v in sorted(calls.items()))}
