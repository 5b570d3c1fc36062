"""Issue 11, finding 1, over HTTP: an answer to someone who has not proven an address says nothing about
that address's tickets; a signed-in customer still gets their list; tickets filed without sign-in are
unconfirmed until the link from the mail is opened, and agents see which ones are."""
import json
import uuid

import pytest

from tests.api.test_customer_api import sign_in
from tests.api.test_customer_api import ticket_form as sales_form
from tests.api.test_ticket_api import as_agent, call, ticket_form, with_mailed_link
from tests.fakes import open_ticket as fake_open_ticket



def an_address() -> str:
    return f"noa.{uuid.uuid4().hex[:8]}@example.com"


def file(client, address, headers=None, **overrides):
    return call(client, "post", "/tickets", ticket_form(customer={"name": "נועה", "email": address}, **overrides),
                headers=headers)


def test_filed_without_sign_in_the_answer_is_the_number_and_no_key(client):
    status, opened = file(client, an_address())
    assert (status, set(opened), opened["confirmed"]) == (201, {"number", "confirmed"}, False)


def test_over_the_allowance_a_stranger_learns_nothing_about_the_addresses_tickets(client):
    address = an_address()
    subjects = [f"חשבונית סודית {uuid.uuid4().hex[:6]}" for _ in range(3)]
    numbers = [file(client, address, subject=s)[1]["number"] for s in subjects]

    status, error = file(client, address)
    assert status == 429
    assert error == {"error": "limit_reached", "message": error["message"],
                     "fields": {"customer.email": "unconfirmed_limit"}, "open_tickets_mailed": True}
    said = json.dumps(error, ensure_ascii=False)
    assert not any(str(n) in said for n in numbers) and not any(s in said for s in subjects)


def test_the_refusal_queues_one_mail_with_the_list_for_the_address(client, aws_stack):
    import boto3

    from chalicelib.settings import get_settings

    address = an_address()
    numbers = [file(client, address, subject=f"בקשה {n}")[1]["number"] for n in range(3)]
    for _ in range(3):
        assert file(client, address)[0] == 429
    items = boto3.client("dynamodb").query(
        TableName=get_settings().helpdesk_table, KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"MAIL#{address}"}})["Items"]
    assert len(items) == 1  # one an hour, however often a stranger knocks
    document = json.loads(items[0]["doc"]["S"])
    assert document["customer"]["email"] == address
    assert sorted(t["number"] for t in document["open_tickets"]) == numbers


def test_a_signed_in_customer_files_past_strangers_and_sees_the_list_at_their_own_limit(client, aws_stack):
    address = an_address()
    mine = with_mailed_link(file(client, address)[1])  # something to sign in for
    for _ in range(2):
        file(client, address)
    assert file(client, address)[0] == 429  # a stranger has filled the allowance
    session = sign_in(client, aws_stack, address)
    status, opened = file(client, address, headers=session)
    assert status == 201 and opened["confirmed"] is True and opened["link"].endswith(opened["access_key"])
    _, seen = call(client, "get", f"/tickets/{mine['number']}", headers=session)
    assert seen["confirmed"] is True  # signing in with the code confirmed what waited


def test_opening_the_link_from_the_mail_confirms_and_agents_see_the_flag_and_the_event(client, cognito):
    agent = as_agent(cognito("agent.one@example.com"))
    opened = with_mailed_link(file(client, an_address(), department="support", category="technical")[1])
    _, before = call(client, "get", f"/agent/tickets/{opened['number']}", headers=agent)
    assert before["confirmed"] is False
    _, queue = call(client, "get", "/agent/queue?department=support", headers=agent)
    assert next(t for t in queue["tickets"] if t["number"] == opened["number"])["confirmed"] is False

    status, seen = call(client, "get", f"/tickets/{opened['number']}", headers={"X-Ticket-Key": opened["access_key"]})
    assert status == 200 and seen["confirmed"] is True
    _, after = call(client, "get", f"/agent/tickets/{opened['number']}", headers=agent)
    assert after["confirmed"] is True
    assert [e["data"] for e in after["timeline"] if e["type"] == "ticket.confirmed"] == [{"how": "link"}]


def test_the_network_allowance_answers_without_naming_anything(client, aws_stack, monkeypatch, client_address):
    from chalicelib.adapters.models import CounterItem
    from chalicelib.domain.client_network import network_of
    from chalicelib.settings import get_settings

    try:  # every request of this test comes from client_address (tests/api/conftest.py)
        taken = int(CounterItem.get(f"NET#{network_of(client_address)}", "UNCONFIRMED", consistent_read=True).value)
    except CounterItem.DoesNotExist:
        taken = 0
    monkeypatch.setenv("UNCONFIRMED_PER_NETWORK", str(taken + 1))
    get_settings.cache_clear()
    try:
        assert file(client, an_address())[0] == 201
        status, error = file(client, an_address())
        assert (status, error) == (429, {"error": "limit_reached", "message": error["message"],
                                         "fields": {"client": "network_limit"}})
        session_address = an_address()
        status, _ = call(client, "post", "/tickets", sales_form(customer={"name": "x", "email": session_address}),
                         headers=sign_in_after_filing(client, aws_stack, session_address))
        assert status == 201  # a signed-in customer is not held by the network's allowance
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def sign_in_after_filing(client, aws_stack, address):
    """A customer with a confirmed ticket from elsewhere (an import) signs in."""
    from chalicelib import bootstrap
    from chalicelib.settings import get_settings
    fake_open_ticket(tickets=bootstrap.tickets(), catalog=bootstrap.catalog(), agents=bootstrap.agents(),
                        files=bootstrap.files(), secrets=bootstrap.secrets(), clock=bootstrap.clock(),
                        limits=bootstrap.limits(), site_url=get_settings().customer_site_url, subject="imported",
                        department="sales", category="quote", priority="normal", text="x", language="en",
                        customer_name="x", customer_email=address, attachments=[], confirmed=True)
    return sign_in(client, aws_stack, address)


@pytest.mark.parametrize("method,path,body", [
    ("get", "/health", None),
    ("get", "/catalog", None),
    ("post", "/customer/sign-in", {"email": "NOA@example.com"}),
    ("get", "/tickets/{number}", None),
    ("get", "/tickets/{number}/attachments/x", None),
    ("post", "/tickets/{number}/messages", {"text": "x"}),
    ("put", "/tickets/{number}/sms-updates", {"enabled": False}),
    ("post", "/tickets", {"follows": {"number": "{number}"}}),
])
def test_no_other_unauthenticated_answer_names_a_customers_ticket(client, method, path, body):
    address = an_address()
    status, opened = file(client, address, subject="סוד של נועה")
    number = opened["number"]
    if body and "follows" in body:
        body = ticket_form(customer={"name": "x", "email": address}, follows={"number": number})
    status, answer = call(client, method, path.format(number=number), body)
    said = json.dumps(answer, ensure_ascii=False)
    assert "סוד של נועה" not in said and address not in said.lower()
    if "{number}" in path or (body and "follows" in body):
        assert status in (400, 404) and str(number) not in said
