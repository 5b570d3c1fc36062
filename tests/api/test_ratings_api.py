"""POST /ratings and the rating offered on the customer's ticket page, through chalice.test.Client against
moto. No sign-in: the reply-specific signature is the credential, and everything else looks missing."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import links
from chalicelib.domain.tickets import Status
from tests.api.test_ticket_api import as_agent, call, open_ticket


@pytest.fixture(scope="module")
def conversation(client, cognito):
    """A ticket with an agent's reply, as the customer's page shows it."""
    agent = as_agent(cognito("rating.admin@example.com", groups=("agent", "admin"), name="Dana"))
    opened = open_ticket(client, language="he")
    number = opened["number"]
    status, reply = call(client, "post", f"/agent/tickets/{number}/replies", {"text": "נסו שוב עכשיו"}, headers=agent)
    assert status == 201, reply
    return {"number": number, "key": {"X-Ticket-Key": opened["access_key"]}, "reply": reply["id"], "agent": agent}


def customer_page(client, conversation):
    status, page = call(client, "get", f"/tickets/{conversation['number']}", headers=conversation["key"])
    assert status == 200
    return {m["id"]: m for m in page["messages"]}


def rating_body(conversation, **overrides):
    """A good rating of the conversation's reply, correctly signed unless overridden."""
    signature = links.rating_signature(_secret(), conversation["number"], conversation["reply"])
    return {"ticket": conversation["number"], "message": conversation["reply"], "rating": "good",
            "signature": signature, **overrides}


def _secret() -> bytes:
    from chalicelib import bootstrap
    return bootstrap.secrets().link_secret()


def test_the_customer_rates_a_reply_from_its_page_and_can_change_the_rating(client, conversation):
    reply = customer_page(client, conversation)[conversation["reply"]]
    assert reply["rating"] is None and reply["rating_signature"]

    body = {"ticket": conversation["number"], "message": reply["id"], "signature": reply["rating_signature"]}
    assert call(client, "post", "/ratings", {**body, "rating": "bad", "comment": "לא עזר"}) == \
        (200, {"rating": "bad", "comment": "לא עזר"})
    assert customer_page(client, conversation)[reply["id"]]["rating"] == {"rating": "bad", "comment": "לא עזר"}

    # Changed without a comment (the mail's one-click link): the earlier comment is kept (issue 13); "" clears it.
    assert call(client, "post", "/ratings", {**body, "rating": "good"}) == \
        (200, {"rating": "good", "comment": "לא עזר"})
    assert customer_page(client, conversation)[reply["id"]]["rating"] == {"rating": "good", "comment": "לא עזר"}
    assert call(client, "post", "/ratings", {**body, "rating": "good", "comment": ""}) == \
        (200, {"rating": "good", "comment": ""})
    assert customer_page(client, conversation)[reply["id"]]["rating"] == {"rating": "good", "comment": ""}


def test_only_agent_replies_are_offered_for_rating(client, conversation):
    first = next(m for m in customer_page(client, conversation).values() if m["author"]["kind"] == "customer")
    assert "rating_signature" not in first and "rating" not in first


def test_a_wrong_signature_another_ticket_or_the_customers_own_message_is_not_found(client, conversation):
    first = next(m for m in customer_page(client, conversation).values() if m["author"]["kind"] == "customer")
    other = open_ticket(client)["number"]
    refused = [
        rating_body(conversation, signature="x" * 43),
        rating_body(conversation, ticket=other),  # the reply's signature on another ticket
        rating_body(conversation, message=first["id"],  # correctly signed, but not an agent's reply
                    signature=links.rating_signature(_secret(), conversation["number"], first["id"])),
        rating_body(conversation, ticket=999_999_999),
    ]
    for body in refused:
        status, error = call(client, "post", "/ratings", body)
        assert (status, error["error"]) == (404, "not_found"), body


@pytest.mark.parametrize("overrides,field,code", [
    ({"rating": "great"}, "rating", "invalid"),
    ({"ticket": "1001"}, "ticket", "invalid"),
    ({"comment": "x" * 2001}, "comment", "too_long"),
    ({"signature": ""}, "signature", "required"),
])
def test_bad_rating_bodies_get_field_errors(client, conversation, overrides, field, code):
    status, error = call(client, "post", "/ratings", rating_body(conversation, **overrides))
    assert status == 400 and error["fields"] == {field: code}


def test_missing_fields_are_named(client):
    status, error = call(client, "post", "/ratings", {"rating": "good"})
    assert status == 400 and error["fields"] == {"message": "required", "signature": "required", "ticket": "required"}


def test_after_the_reply_window_a_rating_is_refused_with_409(client, cognito):
    from chalicelib import bootstrap
    agent = as_agent(cognito("rating.admin@example.com", groups=("agent", "admin"), name="Dana"))
    number = open_ticket(client)["number"]
    _, reply = call(client, "post", f"/agent/tickets/{number}/replies", {"text": "done"}, headers=agent)
    tickets = bootstrap.tickets()
    ticket = tickets.get(number)
    long_ago = datetime.now(timezone.utc) - timedelta(days=30)
    tickets.save(ticket, replace(ticket.moved_to(Status.CLOSED, long_ago), version=ticket.version + 1), [])

    status, error = call(client, "post", "/ratings", {
        "ticket": number, "message": reply["id"], "rating": "bad",
        "signature": links.rating_signature(_secret(), number, reply["id"])})

    assert status == 409 and error["fields"] == {"ticket": "reply_window_closed"}
