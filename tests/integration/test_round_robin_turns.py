"""Round-robin turns taken inside the new ticket's transaction (DynamoDB, moto): a container that knows the
last turn names the next one without a call of its own; when another container took it meanwhile the
ticket is written on the next free turn instead, and no turn is ever given twice, even under a burst."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.domain.attachments import Limits
from chalicelib.domain.catalog import Category, Department, Group
from chalicelib.domain.tickets import new_id
from chalicelib.services.ports import Clock, TurnClaim, TurnTaken
from tests.fakes import open_ticket as fake_open_ticket
from tests.fakes import FakeAgents, FakeFiles, FakeSecrets

MEMBERS = ("agent.a", "agent.b", "agent.c")


@pytest.fixture
def department(aws_stack):
    from chalicelib import bootstrap
    names = {"en": "Turns"}
    department = Department(id=f"turns-{new_id()[:6]}", names=names, categories=(Category("general", names),),
                            groups=(Group("desk", names, members=MEMBERS),))
    bootstrap.catalog().save(department)
    return department.id


def container():
    """A fresh container's catalog adapter (its own memory of turns) over the same table."""
    from chalicelib.adapters.dynamo import DynamoCatalogRepository
    from chalicelib.settings import get_settings
    return DynamoCatalogRepository(get_settings().helpdesk_table)


def open_in(catalog, department: str):
    from chalicelib import bootstrap
    opened = fake_open_ticket(
        tickets=bootstrap.tickets(), catalog=catalog, agents=FakeAgents(), files=FakeFiles(), secrets=FakeSecrets(),
        clock=Clock(), limits=Limits(max_file_bytes=1000, max_message_bytes=1000, max_files=1),
        site_url="https://help.example/customer/", subject="نوبت", department=department, category="general",
        priority="normal", text="سلام", language="fa", customer_name="Noa",
        customer_email=f"turn-{new_id()[:8]}@example.com", attachments=[], confirmed=True)
    return bootstrap.tickets().get(opened.number).assignee.id


def test_two_containers_deal_tickets_in_turn_without_giving_a_turn_twice(department):
    first, second = container(), container()
    dealt = [open_in(first, department), open_in(first, department), open_in(second, department),
             open_in(first, department), open_in(second, department), open_in(second, department)]
    assert dealt == [MEMBERS[i % 3] for i in range(6)]
    assert first.last_turn(department, "desk") == 4 and second.last_turn(department, "desk") == 6


def test_a_claim_on_a_turn_already_taken_writes_nothing(department):
    from chalicelib import bootstrap
    catalog = container()
    open_in(catalog, department)  # turn 1 taken
    number_before = bootstrap.tickets().next_number()
    with pytest.raises(TurnTaken):
        from tests.integration.test_ticket_repository import new_ticket

        class Claiming:  # new_ticket's create, with a stale claim on turn 1
            def __getattr__(self, name):
                return getattr(bootstrap.tickets(), name)

            def create(self, ticket, events, attachments, **kwargs):
                bootstrap.tickets().create(ticket, events, attachments, turn=TurnClaim(department, "desk", 1), **kwargs)

        new_ticket(Claiming(), department=department)
    assert bootstrap.tickets().get(number_before + 1) is None
    assert catalog.next_turn(department, "desk") == 2  # the counter did not move


def test_twenty_parallel_tickets_in_one_container_take_twenty_different_turns(department):
    catalog = container()
    open_in(catalog, department)  # the container now knows the last turn, so the burst claims in transactions
    with ThreadPoolExecutor(max_workers=20) as pool:
        dealt = list(pool.map(lambda _: open_in(catalog, department), range(20)))
    assert sorted(dealt.count(member) for member in MEMBERS) == [6, 7, 7]  # 21 tickets, strictly in turn
    assert container().next_turn(department, "desk") == 22
