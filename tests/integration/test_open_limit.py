"""The open-ticket limit under a burst: open_ticket against the DynamoDB adapter (moto), many at once."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib import bootstrap
from chalicelib.domain.attachments import Limits
from chalicelib.domain.policies import Policies
from chalicelib.domain.tickets import new_id
from chalicelib.errors import LimitReached
from chalicelib.services.ports import Clock
from tests.fakes import open_ticket as fake_open_ticket
from tests.fakes import FakeAgents, FakeFiles, FakeSecrets


@pytest.fixture
def ports(aws_stack):
    from chalicelib import bootstrap
    return {"tickets": bootstrap.tickets(), "catalog": bootstrap.catalog(), "agents": FakeAgents(),
            "files": FakeFiles(), "secrets": FakeSecrets(), "clock": Clock(),
            "limits": Limits(max_file_bytes=1000, max_message_bytes=1000, max_files=1)}


def open_for(ports, email: str, n: int = 0):
    try:
        return fake_open_ticket(**ports, site_url="https://help.example/customer/", subject=f"درخواست {n}",
                                   department="support", category="technical", priority="normal", text="سلام",
                                   language="fa", customer_name="مریم", customer_email=email, attachments=[],
                                   confirmed=True)  # the customer's own (the limit of confirmed tickets)
    except LimitReached as refused:
        return refused


def test_twenty_parallel_tickets_of_one_customer_give_exactly_five(ports):
    email = f"burst-{new_id()[:8]}@example.com"
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda n: open_for(ports, email, n), range(20)))

    opened = [r for r in results if not isinstance(r, LimitReached)]
    refused = [r for r in results if isinstance(r, LimitReached)]
    assert (len(opened), len(refused)) == (5, 15)
    for refusal in refused:
        assert refusal.fields == {"customer.email": "open_limit"} and refusal.details["limit"] == 5
        assert {t["number"] for t in refusal.details["open_tickets"]} == {o.number for o in opened}
    assert len(bootstrap.ticket_views().of_customer(email=email)) == 5  # the refused ones wrote nothing


def test_a_limit_the_admin_changes_applies_to_the_next_request(ports):
    email = f"policy-{new_id()[:8]}@example.com"
    try:
        ports["catalog"].save_policies(Policies(max_open_tickets=2))
        assert not any(isinstance(open_for(ports, email), LimitReached) for _ in range(2))
        refused = open_for(ports, email)
        assert isinstance(refused, LimitReached) and refused.details["limit"] == 2

        ports["catalog"].save_policies(Policies(max_open_tickets=3))
        assert not isinstance(open_for(ports, email), LimitReached)
        assert isinstance(open_for(ports, email), LimitReached)
    finally:
        ports["catalog"].save_policies(Policies())
