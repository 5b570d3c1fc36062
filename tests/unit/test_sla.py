"""SLA targets on a ticket: which clocks run in which status, exact pause and resume, what meets a target,
when the sweep must look again, and escalation that happens once per target."""
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.business_hours import PRESETS, Calendar, _day
from chalicelib.domain.escalation import checked
from chalicelib.domain.sla import Checkpoint, SlaPolicy, Target, sla_document, sla_from_document
from chalicelib.domain.tickets import (
    Actor, AuthorKind, Customer, EventType, Language, Priority, Status, Ticket,
)
from chalicelib.errors import Invalid

AGENT = Actor(kind=AuthorKind.AGENT, id="agent.fa@example.com", name="سارا")
BOSS = Actor(kind=AuthorKind.AGENT, id="admin@example.com", name="مدیر")
WEEKDAYS_9_TO_17 = Calendar(zone="UTC", hours={d: _day("09:00", "17:00") for d in range(5)})
WINDOW = timedelta(days=7)


def at(day, hour, minute=0):  # 2026-11-23 is a Monday
    return datetime(2026, 11, day, hour, minute, tzinfo=timezone.utc)


def ticket(priority="normal", opened=at(23, 9), policy=None, **changes) -> Ticket:
    policy = policy or SlaPolicy(calendar=WEEKDAYS_9_TO_17)
    return Ticket(number=1001, subject="چاپگر", department="support", category="billing",
                  priority=Priority(priority), language=Language.FA, customer=Customer("مریم", "m@example.com"),
                  status=Status.NEW, created_at=opened, last_activity_at=opened, link_salt="s", link_hash="h",
                  sla=policy.sla_for("support", priority, opened), **changes)


def test_default_targets_per_priority_in_business_hours():
    for priority, (first, resolution) in {"urgent": (1, 4), "high": (4, 12), "normal": (8, 24),
                                          "low": (24, 72)}.items():
        sla = ticket(priority).sla
        assert sla.due_at(Target.FIRST_RESPONSE) == WEEKDAYS_9_TO_17.add(at(23, 9), timedelta(hours=first))
        assert sla.due_at(Target.RESOLUTION) == WEEKDAYS_9_TO_17.add(at(23, 9), timedelta(hours=resolution))


def test_a_department_can_narrow_the_targets():
    policy = SlaPolicy.parse({"departments": {"support": {"normal": [2, 6]}}, "calendar": "24x7"})
    assert ticket(policy=policy).sla.due_at(Target.FIRST_RESPONSE) == at(23, 11)
    assert policy.hours_for("billing", "normal") == (8, 24)


def test_waiting_on_the_customer_pauses_and_their_reply_resumes_exactly():
    t = ticket("urgent")                                        # resolution: 4 h, due 13:00
    t = t.after_agent_reply(at(23, 10))                         # 1 h spent; awaiting the customer
    assert t.sla.due_at(Target.RESOLUTION) is None
    assert t.sla.targets[Target.RESOLUTION].clock.spent == timedelta(hours=1)
    t = t.after_customer_message(at(24, 16), WINDOW)            # Tuesday 16:00: 3 h left
    assert t.status == Status.OPEN
    assert t.sla.due_at(Target.RESOLUTION) == at(25, 11)        # 1 h Tuesday + 2 h Wednesday


@pytest.mark.parametrize("status", [Status.ON_HOLD, Status.NEEDS_INFO, Status.AWAITING_CUSTOMER])
def test_on_hold_and_waiting_statuses_pause_both_clocks(status):
    t = ticket().moved_to(Status.OPEN, at(23, 10)).moved_to(status, at(23, 11))
    assert t.sla.next_checkpoint is None
    assert t.sla.targets[Target.FIRST_RESPONSE].clock.spent == timedelta(hours=2)
    resumed = t.moved_to(Status.OPEN, at(23, 15))
    assert resumed.sla.due_at(Target.FIRST_RESPONSE) == at(24, 13)  # 6 h left from 15:00: 2 h + 4 h


def test_first_public_reply_meets_first_response_once():
    t = ticket().after_agent_reply(at(23, 12))
    assert t.sla.targets[Target.FIRST_RESPONSE].met_at == at(23, 12)
    t = t.after_customer_message(at(23, 13), WINDOW).after_agent_reply(at(23, 14))
    assert t.sla.targets[Target.FIRST_RESPONSE].met_at == at(23, 12)
    assert t.sla.due_at(Target.FIRST_RESPONSE) is None


def test_resolved_or_closed_meets_resolution_and_reopening_resumes_it():
    t = ticket().moved_to(Status.OPEN, at(23, 9)).moved_to(Status.RESOLVED, at(23, 13))
    assert t.sla.targets[Target.RESOLUTION].met_at == at(23, 13)
    reopened = t.after_customer_message(at(24, 9), WINDOW)
    assert reopened.sla.targets[Target.RESOLUTION].met_at is None
    assert reopened.sla.due_at(Target.RESOLUTION) == WEEKDAYS_9_TO_17.add(at(24, 9), timedelta(hours=20))
    closed = ticket().moved_to(Status.CLOSED, at(23, 10))
    assert closed.sla.targets[Target.RESOLUTION].met_at == at(23, 10) and closed.sla.next_checkpoint is None


def test_next_checkpoint_is_the_earliest_warning_or_breach_of_running_targets():
    t = ticket("urgent")                                     # first response 1 h: warning at 80 % = 09:48
    assert t.sla.next_checkpoint == at(23, 9, 48)
    warned = replace(t, sla=t.sla.marked(Target.FIRST_RESPONSE, Checkpoint.WARNING))
    assert warned.sla.next_checkpoint == at(23, 10)          # its breach
    breached = replace(warned, sla=warned.sla.marked(Target.FIRST_RESPONSE, Checkpoint.BREACH))
    assert breached.sla.next_checkpoint == at(23, 12, 12)    # resolution warning: 80 % of 4 h


def test_sla_survives_its_document():
    t = ticket().after_agent_reply(at(23, 10))
    assert sla_from_document(sla_document(t.sla)) == t.sla
    iran = ticket(policy=SlaPolicy(calendar=PRESETS["iran"])).sla
    assert sla_from_document(sla_document(iran)) == iran


# ---------------------------------------------------------------- a new priority, a new promise

def retarget(t: Ticket, priority: str, when: datetime, policy=None) -> Ticket:
    policy = policy or SlaPolicy(calendar=WEEKDAYS_9_TO_17)
    return replace(t, agent_priority=Priority(priority), sla=policy.retargeted(t.sla, t.department, priority, when))


def test_a_new_priority_retargets_both_clocks_keeping_the_time_spent():
    t = ticket("normal")                                          # 8 h / 24 h from Monday 09:00
    raised = retarget(t, "urgent", at(23, 9, 30))                 # 30 min spent: 30 min and 3 h 30 left
    assert raised.sla.due_at(Target.FIRST_RESPONSE) == at(23, 10)
    assert raised.sla.due_at(Target.RESOLUTION) == at(23, 13)
    assert raised.sla.targets[Target.FIRST_RESPONSE].clock.running_since == at(23, 9)
    assert raised.sla.next_checkpoint == at(23, 9, 48)            # 80 % of the new hour: the index key follows
    lowered = retarget(raised, "low", at(23, 9, 40))              # back and forth loses nothing
    assert lowered.sla.due_at(Target.FIRST_RESPONSE) == WEEKDAYS_9_TO_17.add(at(23, 9), timedelta(hours=24))


def test_retargeting_keeps_paused_and_met_clocks_as_they_are():
    t = ticket("normal").after_agent_reply(at(23, 11))            # first response met; resolution paused at 2 h
    raised = retarget(t, "urgent", at(24, 9))
    first, resolution = raised.sla.targets[Target.FIRST_RESPONSE], raised.sla.targets[Target.RESOLUTION]
    assert first.met_at == at(23, 11) and raised.sla.due_at(Target.FIRST_RESPONSE) is None
    assert not resolution.running and resolution.clock.spent == timedelta(hours=2)
    assert resolution.clock.target == timedelta(hours=4) and raised.sla.next_checkpoint is None
    resumed = raised.after_customer_message(at(24, 10), WINDOW)   # 2 h left of the urgent 4 h
    assert resumed.sla.due_at(Target.RESOLUTION) == at(24, 12)


def test_the_department_narrows_the_new_targets_too():
    policy = SlaPolicy.parse({"departments": {"support": {"urgent": [0.5, 2]}}, "calendar": "24x7"})
    t = ticket("normal", policy=policy)
    assert retarget(t, "urgent", at(23, 9), policy).sla.due_at(Target.FIRST_RESPONSE) == at(23, 9, 30)


def test_a_breached_target_stays_breached_with_its_due_time_and_is_not_breached_again():
    policy = SlaPolicy(calendar=WEEKDAYS_9_TO_17, raise_priority=False)
    breached, events = checked(ticket("urgent", policy=policy), at(23, 10, 5), policy=policy, supervisors=())
    assert [e.type for e in events] == [EventType.SLA_BREACHED]
    calmer = retarget(breached, "low", at(23, 10, 10), policy)    # 24 h would hide the miss: it does not
    state = calmer.sla.targets[Target.FIRST_RESPONSE]
    assert state.breached and calmer.sla.due_at(Target.FIRST_RESPONSE) == at(23, 10)
    assert calmer.sla.targets[Target.RESOLUTION].clock.target == timedelta(hours=72)  # not breached: retargeted
    again = retarget(calmer, "urgent", at(23, 10, 20), policy)
    assert checked(again, at(23, 10, 30), policy=policy, supervisors=())[1] == []


def test_a_warning_is_kept_unless_the_new_target_leaves_room_before_its_share_again():
    policy = SlaPolicy(calendar=WEEKDAYS_9_TO_17)
    warned, events = checked(ticket("urgent", policy=policy), at(23, 9, 50), policy=policy, supervisors=())
    assert [e.type for e in events] == [EventType.SLA_WARNING]
    # high: 4 h, warning at 3 h 12; 50 min spent is below it: the warning is due again, later
    high = retarget(warned, "high", at(23, 9, 55), policy)
    assert not high.sla.targets[Target.FIRST_RESPONSE].warned
    assert high.sla.next_checkpoint == at(23, 12, 12)
    rewarned, events = checked(high, at(23, 12, 15), policy=policy, supervisors=())
    assert [e.type for e in events] == [EventType.SLA_WARNING]
    # urgent again after 3 h 15 spent: past the share of the new 1 h, so the warning stays given (not repeated)
    # and the next sweep breaches first response; resolution (4 h, not warned yet) gets its first warning
    back = retarget(rewarned, "urgent", at(23, 12, 20), policy)
    assert back.sla.targets[Target.FIRST_RESPONSE].warned
    _, events = checked(back, at(23, 12, 21), policy=policy, supervisors=())
    assert [(e.type, e.data["target"]) for e in events] == [(EventType.SLA_BREACHED, "first_response"),
                                                           (EventType.SLA_WARNING, "resolution")]


def test_a_shorter_target_already_used_up_is_escalated_once_by_the_next_sweep():
    policy = SlaPolicy(calendar=WEEKDAYS_9_TO_17, raise_priority=False)
    late = retarget(ticket("low", policy=policy), "urgent", at(23, 14), policy)   # 5 h spent of 1 h
    assert late.sla.next_checkpoint == at(23, 9, 48)              # in the past: the sweep lists it now
    breached, events = checked(late, at(23, 14, 5), policy=policy, supervisors=())
    assert [(e.type, e.data["target"]) for e in events] == [(EventType.SLA_BREACHED, "first_response"),
                                                           (EventType.SLA_BREACHED, "resolution")]
    assert checked(breached, at(23, 14, 10), policy=policy, supervisors=())[1] == []


def test_the_escalations_own_raise_of_priority_keeps_the_promised_targets():
    """A breach raises the priority as a consequence of the promise; it is no new judgement, so the other
    target keeps the hours promised when the ticket was opened (an agent's change would retarget it)."""
    policy = SlaPolicy(calendar=WEEKDAYS_9_TO_17)
    t = ticket("high", policy=policy)                             # 4 h / 12 h
    raised, events = checked(t, at(23, 13), policy=policy, supervisors=())
    assert EventType.PRIORITY_CHANGED in [e.type for e in events] and raised.effective_priority == Priority.URGENT
    assert raised.sla.targets[Target.RESOLUTION].clock.target == timedelta(hours=12)  # not urgent's 4 h
    assert raised.sla.due_at(Target.RESOLUTION) == t.sla.due_at(Target.RESOLUTION)
    assert checked(raised, at(23, 13, 5), policy=policy, supervisors=())[1] == []    # nothing breached at once


# ---------------------------------------------------------------- the sweep's decision

def test_warning_once_then_breach_escalates_once():
    policy = SlaPolicy(calendar=WEEKDAYS_9_TO_17, reassign_to_supervisor=True)
    t = ticket("high", policy=policy, assignee=AGENT)          # first response 4 h: warn 12:12, due 13:00
    same, events = checked(t, at(23, 12), policy=policy, supervisors=("admin@example.com",), supervisor=BOSS)
    assert (same, events) == (t, [])

    warned, events = checked(t, at(23, 12, 30), policy=policy, supervisors=("admin@example.com",), supervisor=BOSS)
    assert [e.type for e in events] == [EventType.SLA_WARNING]
    assert events[0].data == {"target": "first_response", "due_at": at(23, 13).isoformat(), "department": "support",
                              "supervisors": ["admin@example.com"], "share": 0.8}
    assert warned.version == t.version + 1
    assert checked(warned, at(23, 12, 40), policy=policy, supervisors=(), supervisor=BOSS)[1] == []

    breached, events = checked(warned, at(23, 13), policy=policy, supervisors=("admin@example.com",), supervisor=BOSS)
    assert [e.type for e in events] == [EventType.SLA_BREACHED, EventType.PRIORITY_CHANGED, EventType.ASSIGNED]
    assert events[0].data["escalation"] == {"priority": {"from": "high", "to": "urgent"},
                                            "assignee": {"from": AGENT.id, "to": BOSS.id}}
    assert breached.effective_priority == Priority.URGENT and breached.assignee == BOSS
    assert events[2].data["reason"] == "sla_breached"
    assert checked(breached, at(23, 16), policy=policy, supervisors=(), supervisor=BOSS)[1] == []


def test_a_breach_found_late_is_not_preceded_by_its_warning():
    policy = SlaPolicy(calendar=WEEKDAYS_9_TO_17, raise_priority=False)
    t = ticket("urgent", policy=policy)
    after, events = checked(t, at(23, 10, 5), policy=policy, supervisors=())
    assert [(e.type, e.data["target"]) for e in events] == [(EventType.SLA_BREACHED, "first_response")]
    assert events[0].data["escalation"] == {"priority": None, "assignee": None}
    assert after.agent_priority is None


def test_paused_or_met_targets_are_never_escalated():
    policy = SlaPolicy(calendar=WEEKDAYS_9_TO_17)
    waiting = ticket("urgent", policy=policy).moved_to(Status.ON_HOLD, at(23, 9, 30))
    assert checked(waiting, at(30, 9), policy=policy, supervisors=())[1] == []
    answered = ticket("urgent", policy=policy).after_agent_reply(at(23, 9, 30)).moved_to(Status.CLOSED, at(23, 9, 40))
    assert checked(answered, at(30, 9), policy=policy, supervisors=())[1] == []


def test_tickets_without_sla_are_left_alone():
    t = replace(ticket(), sla=None)
    assert checked(t, at(30, 9), policy=SlaPolicy(), supervisors=()) == (t, [])
    assert t.moved_to(Status.OPEN, at(23, 10)).sla is None


# ---------------------------------------------------------------- the policy as admins send it

def test_policy_parse_keeps_defaults_and_reads_calendars():
    policy = SlaPolicy.parse({"targets": {"urgent": [0.5, 2]}, "calendar": "iran", "warn_share": 0.75})
    assert policy.targets["urgent"] == (0.5, 2.0) and policy.targets["low"] == (24, 72)
    assert policy.calendar == PRESETS["iran"] and policy.warn_share == 0.75
    custom = SlaPolicy.parse({"calendar": {"zone": "Asia/Jerusalem", "hours": {"6": [["09:00", "18:00"]]},
                                           "holidays": ["2026-09-12"]}})
    assert SlaPolicy.parse(custom.to_document()) == custom


def test_a_preset_with_holidays_round_trips_and_says_which_preset_it_is():
    policy = SlaPolicy.parse({"calendar": {"preset": "iran", "holidays": ["2027-03-21", "2027-03-22"]}})
    assert policy.calendar.zone == "Asia/Tehran" and policy.calendar.hours == PRESETS["iran"].hours
    assert sorted(policy.calendar.holidays) == [date(2027, 3, 21), date(2027, 3, 22)]
    doc = policy.to_document()
    assert doc["calendar"]["preset"] == "iran" and doc["calendar"]["holidays"] == ["2027-03-21", "2027-03-22"]
    assert SlaPolicy.parse(doc) == policy                      # what GET answers is a valid PUT body
    assert SlaPolicy().to_document()["calendar"]["preset"] == "24x7"
    custom = SlaPolicy(calendar=WEEKDAYS_9_TO_17).to_document()["calendar"]
    assert "preset" not in custom


@pytest.mark.parametrize("doc,field", [
    ({"calendar": {"preset": "mars"}}, "calendar.preset"),
    ({"calendar": {"preset": "iran", "holidays": ["2027-02-30"]}}, "calendar.holidays.0"),
    ({"calendar": {"preset": "iran", "holidays": "2027-03-21"}}, "calendar.holidays"),
    ({"calendar": {"preset": "24x7", "holidays": ["2027-03-21"]}}, "calendar.holidays"),
    ({"calendar": {"preset": "iran", "zone": "UTC"}}, "calendar.zone"),
    ({"calendar": {"preset": "iran", "colour": "red"}}, "calendar.colour"),
    ({"calendar": {"zone": "UTC", "always_open": True, "holidays": ["x"]}}, "calendar.holidays.0"),
])
def test_calendar_presets_and_holidays_are_refused_by_field(doc, field):
    with pytest.raises(Invalid) as refused:
        SlaPolicy.parse(doc)
    assert field in refused.value.fields


@pytest.mark.parametrize("doc,field", [
    ({"speed": 1}, "speed"),
    ({"targets": {"critical": [1, 2]}}, "targets.critical"),
    ({"targets": {"high": [5, 2]}}, "targets.high"),
    ({"targets": {"high": [0, 2]}}, "targets.high"),
    ({"warn_share": 1.5}, "warn_share"),
    ({"raise_priority": "yes"}, "raise_priority"),
    ({"calendar": "mars"}, "calendar"),
    ({"calendar": {"zone": "Mars/Olympus", "hours": {}}}, "calendar.zone"),
    ({"calendar": {"zone": "UTC", "hours": {"0": [["18:00", "09:00"]]}}}, "calendar.hours"),
    ({"calendar": {"zone": "UTC", "hours": {}}}, "calendar.hours"),
])
def test_policy_parse_refuses_bad_values_by_field(doc, field):
    with pytest.raises(Invalid) as refused:
        SlaPolicy.parse(doc)
    assert field in refused.value.fields
