"""Variants of one address are one customer for the open-ticket limit (issue 11, finding 5): open_ticket
against the DynamoDB adapter (moto), the counter keyed by the +tag-folded canonical address."""
from dataclasses import replace

import pytest

from chalicelib.domain.attachments import Limits
from chalicelib.domain.tickets import Status, new_id
from chalicelib.errors import Invalid, LimitReached
from chalicelib.services.ports import Clock
from tests.fakes import open_ticket as fake_open_ticket
from tests.fakes import FakeAgents, FakeFiles, FakeSecrets


@pytest.fixture
def ports(aws_stack):
    from chalicelib import bootstrap
    return {"tickets": bootstrap.tickets(), "catalog": bootstrap.catalog(), "agents": FakeAgents(),
            "files": FakeFiles(), "secrets": FakeSecrets(), "clock": Clock(),
            "limits": Limits(max_file_bytes=1000, max_message_bytes=1000, max_files=1)}


def open_for(ports, email: str, *, confirmed: bool = True):
    """A ticket of the address's owner (confirmed), or, with confirmed=False, one filed without proof."""
    return fake_open_ticket(**ports, site_url="https://help.example/customer/", subject="درخواست",
                               department="support", category="technical", priority="normal", text="سلام",
                               language="fa", customer_name="مریم", customer_email=email, attachments=[],
                               confirmed=confirmed)


def variants(local: str) -> list[str]:
    full_width = local.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    return [f"{local}@example.com", f"{local}+x@example.com", f"{local.upper()}@EXAMPLE.COM.",
            f"{local[:3]}\u200b{local[3:]}@example.com", f"{local[:2]}\u00ad{local[2:]}@example.com",
            f"{full_width}@example.com"]


def test_six_tickets_under_variants_of_one_address_hit_the_limit_of_five(ports):
    *first_five, sixth = variants(f"limit{new_id()[:8]}")
    opened = [open_for(ports, email) for email in first_five]
    with pytest.raises(LimitReached) as refused:
        open_for(ports, sixth)
    assert refused.value.fields == {"customer.email": "open_limit"} and refused.value.details["limit"] == 5
    stored = [ports["tickets"].get(o.number).customer for o in opened]
    assert len({c.limit_key for c in stored}) == 1
    assert "\u200b" not in "".join(c.email for c in stored) and "\u00ad" not in "".join(c.email for c in stored)


def test_closing_a_tagged_ticket_frees_a_place_under_the_same_key(ports):
    local = f"free{new_id()[:8]}"
    tagged = open_for(ports, f"{local}+shop@example.com")
    for _ in range(4):
        open_for(ports, f"{local}@example.com")
    with pytest.raises(LimitReached):
        open_for(ports, f"{local}@example.com")

    repo = ports["tickets"]
    before = repo.get(tagged.number)
    repo.save(before, replace(before, status=Status.CLOSED, version=before.version + 1), [])
    assert open_for(ports, f"{local.upper()}@example.com.").number


def test_an_address_that_cannot_receive_mail_opens_nothing(ports):
    number_before = ports["tickets"].next_number()
    for email in ("<script>@probe.example", "a@-x.example", "x@[127.0.0.1]"):
        with pytest.raises(Invalid) as refused:
            open_for(ports, email)
        assert refused.value.fields == {"customer.email": "invalid"}
    assert ports["tickets"].next_number() == number_before + 1  # refused before a number was taken


def test_variants_of_one_address_share_one_allowance_of_unconfirmed_tickets(ports):
    first, second, third, fourth, *_ = variants(f"waiting{new_id()[:8]}")
    for email in (first, second, third):
        assert not open_for(ports, email, confirmed=False).confirmed
    with pytest.raises(LimitReached) as refused:
        open_for(ports, fourth, confirmed=False)
    assert refused.value.fields == {"customer.email": "unconfirmed_limit"}
