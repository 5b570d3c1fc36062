"""Routing and assignment of new tickets, the agents' lifecycle actions, optimistic locking, queues,
hand-over trails and presence, against in-memory ports."""
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.attachments import Limits
from chalicelib.domain.catalog import Category, Department, Group
from chalicelib.domain.permissions import Staff
from chalicelib.domain.routing import RoutingRule, Strategy
from chalicelib.domain.sla import SlaPolicy, Target
from chalicelib.domain.tickets import (
    Actor, AuthorKind, EventType, Priority, StaleTicket, Status, Visibility,
)
from chalicelib.errors import Conflict, Forbidden, Invalid, NotFound
from chalicelib.services import agent_desk, workflow
from tests.fakes import desk_of
from tests.fakes import open_ticket as fake_open_ticket
from tests.fakes import (
    AGENT_NAMES, FakeAgents, FakeFiles, FakeSecrets, FixedClock, InMemoryCatalog, InMemoryPresence, InMemoryTickets,
)

NAMES = {"en": "x", "fa": "x", "he": "x"}
SUPPORT = Department(
    id="support", names=NAMES, categories=(Category("billing", NAMES), Category("technical", NAMES)),
    groups=(Group("desk", NAMES, members=("agent.he", "agent.fa")),
            Group("experts", NAMES, members=("expert", "agent.he"), strategy=Strategy.FEWEST_OPEN),
            Group("empty", NAMES)),
    supervisors=("lead",))
FINANCE = Department(id="finance", names=NAMES, categories=(Category("invoice", NAMES),),
                     groups=(Group("invoices", NAMES, members=("agent.he",)),))
NOWHERE = Department(id="nowhere", names=NAMES, categories=(Category("misc", NAMES),))


def staff(username: str, admin: bool = False) -> Staff:
    return Staff(Actor(AuthorKind.AGENT, username, AGENT_NAMES.get(username, username)), admin=admin)


FA, HE, EXPERT, LEAD, ADMIN, STRANGER = (staff("agent.fa"), staff("agent.he"), staff("expert"), staff("lead"),
                                         staff("admin", admin=True), staff("stranger"))


class Desk:
    """A help desk: departments support (desk: round robin; experts: fewest open; empty), finance, nowhere."""

    def __init__(self):
        self.tickets, self.catalog, self.agents = InMemoryTickets(), InMemoryCatalog([SUPPORT, FINANCE, NOWHERE]), \
            FakeAgents()
        self.clock, self.presence = FixedClock(), InMemoryPresence()

    def open(self, subject="سلام", department="support", category="technical", email="maryam@example.com") -> int:
        opened = fake_open_ticket(
            tickets=self.tickets, catalog=self.catalog, agents=self.agents, files=FakeFiles(), secrets=FakeSecrets(),
            clock=self.clock, limits=Limits(1000, 1000, 1), site_url="https://help.example/", subject=subject,
            department=department, category=category, priority="normal", text="متن", language="fa",
            customer_name="مریم", customer_email=email, attachments=[], confirmed=True)
        return opened.number

    def get(self, number):
        return self.tickets.get(number)

    def events(self, number, kind=None):
        return [e for e in self.tickets.timeline(number) if kind is None or e.type == kind]

    def ticket_desk(self):
        return desk_of({"tickets": self.tickets, "catalog": self.catalog, "agents": self.agents, "clock": self.clock},
                       limits=Limits(1000, 1000, 1))

    def status(self, number, who, status, version=None):
        return workflow.change_status(self.ticket_desk(), number=number, staff=who, status=status,
                                      version=version or self.get(number).version)

    def priority(self, number, who, priority, version=None):
        return workflow.change_priority(self.ticket_desk(), number=number, staff=who, priority=priority,
                                        version=version or self.get(number).version)

    def take(self, number, who, version=None):
        return workflow.take(self.ticket_desk(), number=number, staff=who, version=version or self.get(number).version)

    def assign(self, number, who, agent, version=None, reason=""):
        return workflow.assign(self.ticket_desk(), number=number, staff=who, agent=agent, reason=reason,
                               version=version or self.get(number).version)

    def transfer(self, number, who, department, group, reason="needs an expert", agent=None, version=None,
                 category=None):
        return workflow.transfer(self.ticket_desk(), number=number, staff=who, department=department,
                                 group=group, agent=agent, reason=reason, version=version or self.get(number).version,
                                 category=category)


@pytest.fixture
def desk():
    return Desk()


# ---------------------------------------------------------------- routing and automatic assignment

def test_without_rules_a_ticket_goes_to_its_departments_first_group_and_its_turn(desk):
    number = desk.open()
    ticket = desk.get(number)
    assert (ticket.department, ticket.group, ticket.assignee.id) == ("support", "desk", "agent.fa")
    assert ticket.assignee.name == "مینا"  # the display name, as customers will see it
    [placed] = desk.events(number, EventType.ASSIGNED)
    assert placed.actor.kind == AuthorKind.SYSTEM and placed.visibility == Visibility.INTERNAL
    assert placed.data == {"from": {"department": "support", "group": None, "agent": None},
                           "to": {"department": "support", "group": "desk", "agent": "agent.fa"},
                           "reason": "default", "kind": "auto"}


def test_routing_rules_send_a_category_and_its_keywords_to_their_group(desk):
    desk.catalog.save_rules([RoutingRule("technical", "support", "experts"),
                             RoutingRule("billing", "finance", "invoices", keywords=("فاکتور", "invoice", "חשבונית"))])
    technical = desk.get(desk.open(category="technical"))
    plain_billing = desk.get(desk.open(category="billing", subject="a question"))
    invoice = desk.get(desk.open(category="billing", subject="فاكتور اشتباه است"))  # Arabic kaf still matches
    assert (technical.department, technical.group) == ("support", "experts")
    assert (plain_billing.department, plain_billing.group) == ("support", "desk")  # no default rule for billing
    assert (invoice.department, invoice.group, invoice.assignee.id) == ("finance", "invoices", "agent.he")
    assert desk.events(invoice.number, EventType.ASSIGNED)[0].data["reason"] == "rule"


def test_a_rule_whose_group_was_removed_is_skipped(desk):
    desk.catalog.save_rules([RoutingRule("technical", "support", "gone")])
    assert desk.get(desk.open()).group == "desk"


def test_a_department_without_groups_keeps_its_ticket_unassigned_and_records_no_hand_over(desk):
    number = desk.open(department="nowhere", category="misc")
    ticket = desk.get(number)
    assert (ticket.group, ticket.assignee) == ("", None)
    assert desk.events(number, EventType.ASSIGNED) == []


def test_a_group_without_members_gets_the_ticket_but_nobody_is_assigned(desk):
    desk.catalog.save_rules([RoutingRule("technical", "support", "empty")])
    ticket = desk.get(desk.open())
    assert (ticket.group, ticket.assignee) == ("empty", None)


def test_round_robin_deals_tickets_in_turn_to_every_member(desk):
    owners = [desk.get(desk.open(email=f"c{i}@example.com")).assignee.id for i in range(6)]
    assert owners == ["agent.fa", "agent.he"] * 3
    assert Counter(owners) == {"agent.fa": 3, "agent.he": 3}


def test_fewest_open_gives_the_ticket_to_the_least_loaded_member(desk):
    desk.catalog.save_rules([RoutingRule("technical", "support", "experts")])
    # agent.he already has two tickets on their desk, expert none: expert gets the next two (ties: name order).
    for i in range(2):
        number = desk.open(category="billing", email=f"b{i}@example.com")
        desk.assign(number, LEAD, "agent.he")
    owners = [desk.get(desk.open(email=f"c{i}@example.com")).assignee.id for i in range(4)]
    assert owners == ["expert", "expert", "agent.he", "expert"]


# ---------------------------------------------------------------- status and priority

def test_an_agent_moves_a_ticket_along_the_transition_table(desk):
    number = desk.open()
    ticket = desk.status(number, HE, "on_hold")
    assert ticket.status == Status.ON_HOLD and ticket.version == 2
    [change] = desk.events(number, EventType.STATUS_CHANGED)
    assert change.actor == HE.actor and change.data == {"from": "new", "to": "on_hold"}


@pytest.mark.parametrize("start,target", [("on_hold", "needs_info"), ("resolved", "awaiting_customer"),
                                          ("closed", "archived"), ("open", "new")])
def test_a_transition_outside_the_table_is_a_conflict_and_writes_nothing(desk, start, target):
    number = desk.open()
    desk.tickets.tickets[number] = replace(desk.get(number), status=Status(start))
    written = len(desk.events(number))
    with pytest.raises(Conflict) as refused:
        desk.status(number, HE, target)
    assert refused.value.fields == {"status": "not_allowed"}
    assert len(desk.events(number)) == written


def test_an_unknown_status_is_invalid(desk):
    with pytest.raises(Invalid) as refused:
        desk.status(desk.open(), HE, "done")
    assert refused.value.fields == {"status": "invalid"}


def test_setting_the_status_it_already_has_writes_nothing(desk):
    number = desk.open()
    assert desk.status(number, HE, "new").version == 1


def test_the_agents_priority_is_kept_beside_the_customers(desk):
    number = desk.open()
    ticket = desk.priority(number, FA, "urgent")
    assert (ticket.priority, ticket.agent_priority, ticket.effective_priority) == (
        Priority.NORMAL, Priority.URGENT, Priority.URGENT)
    [change] = desk.events(number, EventType.PRIORITY_CHANGED)
    assert change.data == {"from": "normal", "to": "urgent", "customer": "normal"}
    assert desk.priority(number, FA, "urgent").version == ticket.version  # unchanged: nothing written


# ---------------------------------------------------------------- take, assign, transfer

def test_a_member_of_the_group_takes_the_ticket(desk):
    number = desk.open()  # dealt to agent.fa
    ticket = desk.take(number, HE)
    assert ticket.assignee == HE.actor
    taken = desk.events(number, EventType.ASSIGNED)[-1]
    assert taken.actor == HE.actor and taken.data["kind"] == "take"
    assert (taken.data["from"]["agent"], taken.data["to"]["agent"]) == ("agent.fa", "agent.he")


@pytest.mark.parametrize("who", [EXPERT, STRANGER], ids=["member of another group", "stranger"])
def test_only_members_of_the_tickets_group_take_it(desk, who):
    number = desk.open()
    with pytest.raises(Forbidden):
        desk.take(number, who)
    assert desk.get(number).assignee.id == "agent.fa"


def test_a_supervisor_assigns_to_a_member_of_the_group(desk):
    number = desk.open()
    ticket = desk.assign(number, LEAD, "agent.he", reason="knows this customer")
    assert ticket.assignee.id == "agent.he" and ticket.assignee.name == "אורי"
    assigned = desk.events(number, EventType.ASSIGNED)[-1]
    assert assigned.data["kind"] == "assign" and assigned.data["reason"] == "knows this customer"


def test_assigning_to_someone_outside_the_group_is_refused(desk):
    with pytest.raises(Invalid) as refused:
        desk.assign(desk.open(), LEAD, "expert")
    assert refused.value.fields == {"agent": "not_member"}


@pytest.mark.parametrize("who", [FA, HE, EXPERT, STRANGER])
def test_only_supervisors_and_admins_assign(desk, who):
    number = desk.open()
    with pytest.raises(Forbidden):
        desk.assign(number, who, "agent.he")
    assert desk.assign(number, ADMIN, "agent.he").assignee.id == "agent.he"


def test_a_transfer_records_from_where_to_where_who_when_and_why(desk):
    number = desk.open()
    desk.clock.advance(hours=1)
    ticket = desk.transfer(number, FA, "support", "experts", agent="expert", reason="printer driver issue")
    assert (ticket.group, ticket.assignee.id) == ("experts", "expert")
    [trail] = workflow.handovers(desk.ticket_desk(), staff=EXPERT, agent="expert")
    assert trail.actor == FA.actor and trail.occurred_at == desk.clock.now()
    assert trail.data == {"from": {"department": "support", "group": "desk", "agent": "agent.fa"},
                          "to": {"department": "support", "group": "experts", "agent": "expert"},
                          "reason": "printer driver issue", "kind": "transfer"}
    by_group = workflow.handovers(desk.ticket_desk(), staff=LEAD, department="support",
                                  group="desk")
    assert [e.data["kind"] for e in by_group] == ["transfer", "auto"]  # newest first
    by_ticket = workflow.handovers(desk.ticket_desk(), staff=EXPERT, ticket=number)
    assert [e.data["kind"] for e in by_ticket] == ["transfer", "auto"]


def test_a_transfer_to_another_department_holds_the_ticket_to_that_departments_targets(desk):
    desk.catalog.save_sla_policy(SlaPolicy.parse({"departments": {"finance": {"normal": [2, 6]}}}))
    opened_at = desk.clock.now()
    number = desk.open()                                     # support, normal: 8 h / 24 h around the clock
    desk.clock.advance(hours=1)
    within = desk.transfer(number, ADMIN, "support", "experts")  # same department, same promise
    assert within.sla.due_at(Target.FIRST_RESPONSE) == opened_at + timedelta(hours=8)
    moved = desk.transfer(number, ADMIN, "finance", "invoices")  # the hour already spent still counts
    assert moved.sla.due_at(Target.FIRST_RESPONSE) == opened_at + timedelta(hours=2)
    assert moved.sla.due_at(Target.RESOLUTION) == opened_at + timedelta(hours=6)
    assert desk.get(number).sla.due_at(Target.FIRST_RESPONSE) == opened_at + timedelta(hours=2)


def test_a_tier_customers_ticket_is_due_by_the_tier_and_keeps_it_through_priority_and_department(desk):
    desk.catalog.save_sla_policy(SlaPolicy.parse({
        "departments": {"finance": {"urgent": [2, 6], "high": [3, 9]}},
        "tiers": {"vip": {"customers": ["@BigCorp.com"], "targets": {"normal": [1, 4], "urgent": [0.5, 2]}}}}))
    opened_at = desk.clock.now()
    vip = desk.open(email="Dana@bigcorp.com")                   # normal: the tier's 1 h / 4 h, not 8 h / 24 h
    other = desk.open(email="dana@example.com")
    assert desk.get(vip).sla.tier == "vip" and desk.get(other).sla.tier is None
    assert desk.get(vip).sla.due_at(Target.FIRST_RESPONSE) == opened_at + timedelta(hours=1)
    assert desk.get(other).sla.due_at(Target.FIRST_RESPONSE) == opened_at + timedelta(hours=8)
    desk.clock.advance(minutes=10)
    raised = desk.priority(vip, FA, "urgent")                   # still the tier's: 30 min, 10 already spent
    assert raised.sla.tier == "vip" and raised.sla.due_at(Target.FIRST_RESPONSE) == opened_at + timedelta(minutes=30)
    assert desk.get(vip).sla.due_at(Target.RESOLUTION) == opened_at + timedelta(hours=2)
    moved = desk.transfer(vip, ADMIN, "finance", "invoices")    # the tier over finance's urgent 2 h / 6 h
    assert moved.sla.tier == "vip" and moved.sla.due_at(Target.FIRST_RESPONSE) == opened_at + timedelta(minutes=30)
    lowered = desk.priority(vip, ADMIN, "high")                 # the tier leaves high out: finance's 3 h / 9 h
    assert lowered.sla.tier == "vip" and lowered.sla.due_at(Target.FIRST_RESPONSE) == opened_at + timedelta(hours=3)


def test_a_transfer_without_an_agent_lets_the_target_groups_strategy_pick(desk):
    number = desk.open()
    desk.assign(desk.open(email="other@example.com"), LEAD, "agent.he")
    desk.transfer(desk.open(email="third@example.com"), LEAD, "support", "experts")  # fewest open: expert
    ticket = desk.transfer(number, FA, "finance", "invoices")
    assert (ticket.department, ticket.group, ticket.assignee.id) == ("finance", "invoices", "agent.he")


def test_a_ticket_moved_to_another_department_takes_one_of_its_categories_never_keeps_a_foreign_one(desk):
    number = desk.open(category="billing")
    assert desk.transfer(number, ADMIN, "support", "experts").category == "billing"  # the target has it: kept
    moved = desk.transfer(number, ADMIN, "finance", "invoices")                    # no choice: finance's default
    assert (moved.department, moved.category) == ("finance", "invoice")
    assert desk.get(number).category == "invoice"
    back = desk.transfer(number, ADMIN, "support", "desk", category="technical")  # the one chosen in the dialog
    assert (back.department, back.category) == ("support", "technical")


@pytest.mark.parametrize("target,fields", [
    ({"department": "finance", "group": "invoices", "category": "technical"}, {"category": "unknown"}),
    ({"department": "mars", "group": "desk"}, {"department": "unknown"}),
    ({"department": "support", "group": "mars"}, {"group": "unknown"}),
    ({"department": "support", "group": "experts", "agent": "agent.fa"}, {"agent": "not_member"}),
    ({"department": "support", "group": "experts", "reason": "  "}, {"reason": "required"}),
])
def test_a_transfer_to_nowhere_or_without_a_reason_is_refused(desk, target, fields):
    number = desk.open()
    with pytest.raises(Invalid) as refused:
        desk.transfer(number, FA, **target)
    assert refused.value.fields == fields
    assert desk.get(number).version == 1


def test_a_member_of_another_group_cannot_transfer(desk):
    with pytest.raises(Forbidden):
        desk.transfer(desk.open(), EXPERT, "support", "experts")


# ---------------------------------------------------------------- optimistic locking

def test_of_two_agents_acting_on_the_same_version_the_second_gets_the_fresh_ticket_and_writes_nothing(desk):
    number = desk.open()
    seen = desk.get(number).version
    desk.transfer(number, FA, "support", "experts", agent="expert", version=seen)
    written = len(desk.events(number))
    with pytest.raises(StaleTicket) as stale:
        desk.take(number, HE, version=seen)
    assert stale.value.fields == {"version": "stale"}
    assert stale.value.ticket == desk.get(number) and stale.value.ticket.assignee.id == "expert"
    assert len(desk.events(number)) == written


def test_losing_the_race_between_the_check_and_the_write_is_stale_too(desk):
    number = desk.open()
    desk.tickets.fail_next_saves = 1  # someone saves just before us
    with pytest.raises(StaleTicket) as stale:
        desk.status(number, HE, "open")
    assert stale.value.ticket.version == 2 and desk.get(number).status == Status.NEW


def test_a_stranger_with_a_stale_version_learns_nothing(desk):
    with pytest.raises(Forbidden):
        desk.take(desk.open(), STRANGER, version=99)


def test_replies_and_notes_that_name_a_stale_version_are_refused(desk):
    number = desk.open()
    seen = desk.get(number).version
    desk.priority(number, HE, "high")
    written = len(desk.events(number))
    with pytest.raises(StaleTicket):
        agent_desk.reply(desk.ticket_desk(), number=number, staff=FA,
                         text="پاسخ", attachments=[], version=seen)
    with pytest.raises(StaleTicket):
        agent_desk.note(desk.ticket_desk(), number=number, staff=FA, text="یادداشت", version=seen)
    assert len(desk.events(number)) == written
    agent_desk.note(desk.ticket_desk(), number=number, staff=FA, text="یادداشت")  # no version: appends commute
    agent_desk.note(desk.ticket_desk(), number=number, staff=FA, text="دوباره", version=desk.get(number).version)
    assert len(desk.events(number)) == written + 2


@pytest.mark.parametrize("call", ["reply", "note", "view", "attachment"])
def test_strangers_cannot_read_or_write_a_ticket(desk, call):
    number = desk.open()
    calls = {
        "reply": lambda: agent_desk.reply(desk.ticket_desk(),
                                          number=number, staff=STRANGER, text="x", attachments=[]),
        "note": lambda: agent_desk.note(desk.ticket_desk(), number=number, staff=STRANGER, text="x"),
        "view": lambda: agent_desk.view(desk.ticket_desk(), number=number, staff=STRANGER),
        "attachment": lambda: agent_desk.attachment(desk.ticket_desk(),
                                                    number=number, staff=STRANGER, attachment_id="a"),
    }
    with pytest.raises(Forbidden):
        calls[call]()


# ---------------------------------------------------------------- queues, desks, views

def test_the_queue_is_for_the_people_of_the_department_and_filters_by_group(desk):
    first, second = desk.open(), desk.open(email="x@example.com")
    desk.transfer(second, FA, "support", "experts")
    queue = dict(department="support")
    assert [t.number for t in workflow.queue(desk.ticket_desk(), **queue, staff=EXPERT)] == [first, second]
    assert [t.number for t in workflow.queue(desk.ticket_desk(), **queue, staff=LEAD, group="experts")] == [second]
    with pytest.raises(Forbidden):
        workflow.queue(desk.ticket_desk(), **queue, staff=STRANGER)
    with pytest.raises(Invalid):
        workflow.queue(desk.ticket_desk(), **queue, staff=FA, group="mars")
    with pytest.raises(NotFound):
        workflow.queue(desk.ticket_desk(), department="mars", staff=ADMIN)


def test_one_queue_across_every_department_i_work_in_and_for_admins_all(desk):
    support = desk.open()
    desk.clock.advance(hours=1)
    finance = desk.open(email="f@example.com")
    desk.transfer(finance, ADMIN, "finance", "invoices")
    nowhere = desk.open(department="nowhere", category="misc", email="n@example.com")

    assert [t.number for t in workflow.queue_everywhere(desk.ticket_desk(), staff=HE)] == [support, finance]  # two desks
    assert [t.number for t in workflow.queue_everywhere(desk.ticket_desk(), staff=FA)] == [support]         # support only
    assert [t.number for t in workflow.queue_everywhere(desk.ticket_desk(), staff=LEAD)] == [support]       # supervises it
    assert [t.number for t in workflow.queue_everywhere(desk.ticket_desk(), staff=ADMIN)] == [support, finance, nowhere]
    assert workflow.queue_everywhere(desk.ticket_desk(), staff=STRANGER) == []


def test_mine_lists_the_active_tickets_on_my_desk(desk):
    mine, theirs, closed = desk.open(), desk.open(email="b@example.com"), desk.open(email="c@example.com")
    desk.status(closed, FA, "closed")
    assert desk.get(theirs).assignee.id == "agent.he"
    assert [t.number for t in workflow.mine(desk.ticket_desk(), staff=FA)] == [mine]


def test_the_agent_view_has_the_timeline_the_customers_other_tickets_and_what_may_come_next(desk):
    older = []
    for i in range(22):
        older.append(desk.open(subject=f"#{i}"))
        if i < 18:
            desk.status(older[-1], LEAD, "closed")  # the open-ticket limit counts active tickets only
    number = desk.open()
    agent_desk.note(desk.ticket_desk(), number=number, staff=FA, text="یادداشت")
    view = agent_desk.view(desk.ticket_desk(), number=number, staff=EXPERT)
    assert [e.type for e in view.timeline] == [EventType.TICKET_CREATED, EventType.MESSAGE_ADDED,
                                               EventType.ASSIGNED, EventType.MESSAGE_ADDED]
    assert [m.visibility for m in view.messages] == [Visibility.PUBLIC, Visibility.INTERNAL]
    assert len(view.customer_tickets) == 20 and number not in [t.number for t in view.customer_tickets]
    assert view.customer_tickets[0].number == older[-1]  # newest first
    assert [s.value for s in view.allowed_statuses] == ["open", "awaiting_customer", "needs_info", "on_hold",
                                                        "resolved", "closed"]


def test_an_agents_profile_names_the_departments_they_supervise_and_the_groups_they_work_in(desk):
    assert workflow.profile(catalog=desk.catalog, staff=HE) == workflow.Profile(
        supervises=[], member_of=[("finance", "invoices"), ("support", "desk"), ("support", "experts")])
    assert workflow.profile(catalog=desk.catalog, staff=LEAD).supervises == ["support"]


def test_a_supervisor_reads_an_agents_trail_only_where_it_touches_a_department_they_supervise(desk):
    # agent.he works in support (supervised by lead) and in finance (which lead does not supervise).
    in_support = desk.open(subject="support")
    desk.take(in_support, HE)
    in_finance = desk.open(subject="finance", department="finance", category="invoice")
    assert desk.get(in_finance).assignee.id == "agent.he"

    def trail(who):
        return {e.ticket_number for e in workflow.handovers(desk.ticket_desk(), staff=who,
                                                             agent="agent.he")}

    assert trail(LEAD) == {in_support}          # finding 3: not the finance ticket lead cannot open
    assert trail(HE) == {in_support, in_finance}  # their own trail, whole
    assert trail(ADMIN) == {in_support, in_finance}


def test_a_transfer_out_of_a_department_stays_in_its_supervisors_view_of_the_trail(desk):
    number = desk.open()
    desk.transfer(number, ADMIN, "finance", "invoices", agent="agent.he", reason="an invoice")
    kinds = [e.data["kind"] for e in workflow.handovers(desk.ticket_desk(), staff=LEAD,
                                                         agent="agent.he")]
    assert kinds == ["transfer"]  # it left support: lead sees where it went, and nothing later in finance


def test_a_supervisor_of_another_department_reads_neither_its_group_trail_nor_its_tickets_trail(desk):
    number = desk.open(department="finance", category="invoice")
    with pytest.raises(Forbidden):
        workflow.handovers(desk.ticket_desk(), staff=LEAD, department="finance",
                           group="invoices")
    with pytest.raises(Forbidden):
        workflow.handovers(desk.ticket_desk(), staff=LEAD, ticket=number)


def test_trails_of_other_agents_and_groups_are_for_their_supervisors(desk):
    desk.open()
    with pytest.raises(Forbidden):
        workflow.handovers(desk.ticket_desk(), staff=HE, agent="agent.fa")
    with pytest.raises(Forbidden):
        workflow.handovers(desk.ticket_desk(), staff=STRANGER, department="support",
                           group="desk")
    with pytest.raises(Invalid):
        workflow.handovers(desk.ticket_desk(), staff=LEAD, department="support")
    assert len(workflow.handovers(desk.ticket_desk(), staff=LEAD, agent="agent.fa")) == 1


# ---------------------------------------------------------------- presence

def test_presence_shows_the_others_and_forgets_the_silent(desk):
    number = desk.open()

    def report(who, state):
        return agent_desk.report_presence(desk.ticket_desk(), desk.presence, number=number, staff=who, state=state)

    assert report(FA, "viewing") == []
    started = desk.clock.now()
    desk.clock.advance(seconds=10)
    [fa] = report(HE, "viewing")
    assert (fa.agent, fa.state.value, fa.since) == (FA.actor, "viewing", started)

    desk.clock.advance(seconds=10)
    report(FA, "viewing")  # still viewing: since stays
    assert report(HE, "viewing")[0].since == started
    report(FA, "replying")  # a new state starts now
    assert report(HE, "viewing")[0].since == desk.clock.now()

    desk.clock.advance(seconds=31)
    assert report(HE, "viewing") == []  # FA stopped reporting


def test_presence_is_refused_to_strangers_and_checks_the_state(desk):
    number = desk.open()
    board = dict(number=number)
    with pytest.raises(Forbidden):
        agent_desk.report_presence(desk.ticket_desk(), desk.presence, **board, staff=STRANGER, state="viewing")
    with pytest.raises(Invalid):
        agent_desk.report_presence(desk.ticket_desk(), desk.presence, **board, staff=FA, state="typing")
