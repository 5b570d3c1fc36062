"""Who may do what with a ticket: the whole table, role by role, and the statuses an agent may pick."""
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from chalicelib.domain.catalog import Category, Department, Group
from chalicelib.domain.permissions import (
    Action, Staff, allowed_actions, allowed_statuses, may_see_department, may_see_trail_of, require,
)
from chalicelib.domain.tickets import Actor, AuthorKind, Customer, Language, Priority, Status, Ticket
from chalicelib.errors import Forbidden

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
NAMES = {"en": "x", "fa": "x", "he": "x"}
SUPPORT = Department(id="support", names=NAMES, categories=(Category("billing", NAMES),),
                     groups=(Group("desk", NAMES, members=("agent.fa", "agent.he")),
                             Group("experts", NAMES, members=("expert",))),
                     supervisors=("lead",))
SALES = Department(id="sales", names=NAMES, categories=(Category("quote", NAMES),),
                   groups=(Group("team", NAMES, members=("seller",)),), supervisors=("sales.lead",))


def staff(username: str, admin: bool = False) -> Staff:
    return Staff(Actor(AuthorKind.AGENT, username, username), admin=admin)


def ticket(assignee: str | None = "agent.fa", group: str = "desk") -> Ticket:
    return Ticket(number=1001, subject="s", department="support", category="billing", priority=Priority.NORMAL,
                  language=Language.FA, customer=Customer("مریم", "m@example.com"), status=Status.OPEN,
                  created_at=NOW, last_activity_at=NOW, link_salt="s", link_hash="h", group=group,
                  assignee=Actor(AuthorKind.AGENT, assignee, assignee) if assignee else None)


WORK = {"view", "reply", "note", "status", "priority"}
EVERYTHING = {a.value for a in Action}

# The ticket is in support/desk on agent.fa's desk.
TABLE = [
    ("an admin from anywhere", staff("root", admin=True), EVERYTHING),
    ("the department's supervisor", staff("lead"), EVERYTHING),
    ("the assignee, a member of the group", staff("agent.fa"), EVERYTHING - {"assign"}),
    ("another member of the ticket's group", staff("agent.he"), WORK | {"take", "transfer"}),
    ("a member of another group of the department", staff("expert"), WORK),
    ("the supervisor of another department", staff("sales.lead"), set()),
    ("a member of another department", staff("seller"), set()),
    ("an agent in no group at all", staff("stranger"), set()),
]


@pytest.mark.parametrize("who,agent,expected", TABLE, ids=[row[0] for row in TABLE])
def test_each_role_gets_exactly_its_actions(who, agent, expected):
    assert {a.value for a in allowed_actions(agent, ticket(), SUPPORT)} == expected


@pytest.mark.parametrize("action", list(Action))
def test_strangers_are_refused_every_action(action):
    with pytest.raises(Forbidden):
        require(staff("stranger"), action, ticket(), SUPPORT)


def test_an_assignee_who_left_the_group_can_still_work_the_ticket_and_pass_it_on():
    former = staff("gone")
    assert {a.value for a in allowed_actions(former, ticket(assignee="gone"), SUPPORT)} == WORK | {"transfer"}


def test_nobody_takes_a_ticket_of_a_group_they_are_not_in():
    assert Action.TAKE not in allowed_actions(staff("expert"), ticket(), SUPPORT)
    assert Action.TAKE in allowed_actions(staff("expert"), ticket(group="experts"), SUPPORT)


def test_a_ticket_whose_department_was_removed_is_left_to_admins_and_its_assignee():
    assert allowed_actions(staff("lead"), ticket(), None) == frozenset()
    assert allowed_actions(staff("root", admin=True), ticket(), None) == frozenset(Action)
    assert Action.VIEW in allowed_actions(staff("agent.fa"), ticket(), None)


def test_departments_are_seen_by_admins_supervisors_and_the_people_working_there():
    assert may_see_department(staff("root", admin=True), SUPPORT)
    assert may_see_department(staff("lead"), SUPPORT)
    assert may_see_department(staff("expert"), SUPPORT)
    assert not may_see_department(staff("seller"), SUPPORT)
    assert not may_see_department(staff("sales.lead"), SUPPORT)


def test_an_agents_trail_is_theirs_their_supervisors_and_admins():
    departments = [SUPPORT, SALES]
    assert may_see_trail_of(staff("agent.he"), "agent.he", departments)
    assert may_see_trail_of(staff("lead"), "agent.he", departments)
    assert may_see_trail_of(staff("root", admin=True), "agent.he", departments)
    assert not may_see_trail_of(staff("agent.fa"), "agent.he", departments)
    assert not may_see_trail_of(staff("sales.lead"), "agent.he", departments)


@pytest.mark.parametrize("status,expected", [
    (Status.NEW, "open awaiting_customer needs_info on_hold resolved closed"),
    (Status.ON_HOLD, "open awaiting_customer resolved closed"),
    (Status.RESOLVED, "open closed"),
    (Status.CLOSED, "open"),  # archiving is the archive job's: it writes the transcript first
    (Status.ARCHIVED, ""),
])
def test_agents_may_pick_the_transitions_of_the_table_except_archiving(status, expected):
    assert [s.value for s in allowed_statuses(replace(ticket(), status=status))] == expected.split()
