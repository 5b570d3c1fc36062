"""Who is alerted about which ticket event, by mail or SMS, respecting quiet hours and opt-outs."""
from datetime import datetime, time, timezone

import pytest

from chalicelib.domain.alerts import (
    AgentProfile, Alert, Channel, QuietHours, mentioned, plan, portal_link, sms_text,
)
from chalicelib.domain.tickets import Language
from chalicelib.errors import Invalid

# 23:30 in Tehran (UTC+3:30), 21:00 in Jerusalem (UTC+2 in November), 20:00 UTC.
LATE = datetime(2026, 11, 23, 20, 0, tzinfo=timezone.utc)
NOON = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
TEHRAN_NIGHTS = QuietHours(start=time(22, 0), end=time(7, 0), zone="Asia/Tehran")

FA = AgentProfile(agent="agent.fa@example.com", language=Language.FA, phone="+989121234567",
                  quiet_hours=TEHRAN_NIGHTS, on_call=frozenset({"support/l1"}))
HE = AgentProfile(agent="agent.he@example.com", language=Language.HE, phone="+972541234567",
                  on_call=frozenset({"support/l1"}))
OPTED_OUT = AgentProfile(agent="out@example.com", phone="+12025550100", on_call=frozenset({"support/l1"}),
                         sms_opt_out=True)
NO_PHONE = AgentProfile(agent="nophone@example.com", on_call=frozenset({"support/l1"}))
OFF_DUTY = AgentProfile(agent="off@example.com", phone="+12025550101", on_call=frozenset({"billing/l1"}))
PROFILES = {p.agent: p for p in (FA, HE, OPTED_OUT, NO_PHONE, OFF_DUTY)}
MEMBERS = [p.agent for p in PROFILES.values()] + ["unknown@example.com"]


def event(kind, *, priority="normal", actor=("agent", "admin@example.com"), data=None, message=None,
          assignee=None):
    doc = {
        "event_id": "ev-1", "type": kind, "ticket_number": 1001, "occurred_at": NOON.isoformat(),
        "actor": {"kind": actor[0], "id": actor[1], "name": actor[1]}, "visibility": "internal",
        "data": data or {},
        "ticket": {"number": 1001, "subject": "چاپگر کار نمی‌کند", "status": "open", "priority": priority,
                   "department": "support", "group": "l1", "language": "he",
                   "assignee": {"kind": "agent", "id": assignee, "name": assignee} if assignee else None,
                   "customer": {"name": "מרים", "email": "miriam@example.com", "phone": None},
                   "link_salt": "salt"},
    }
    if message:
        doc["message"] = message
    return doc


def note(text, author="agent.he@example.com"):
    return {"id": "m1", "visibility": "internal", "author": {"kind": "agent", "id": author, "name": author},
            "text": text, "created_at": NOON.isoformat(), "attachments": []}


def sms_to(alerts):
    return [a.recipient for a in alerts if a.channel == Channel.SMS]


def alerts_of(doc, at=NOON, names=None):
    return plan(doc, profiles=PROFILES.get, group_members=MEMBERS, agent_names=names, now=at)


@pytest.mark.parametrize("at", [NOON, LATE])
def test_an_urgent_ticket_texts_the_on_call_agents_of_its_group_even_in_their_quiet_hours(at):
    alerts = alerts_of(event("ticket.created", priority="urgent"), at)
    assert alerts == [
        Alert(Channel.SMS, FA.agent, FA.phone, "urgent_ticket", Language.FA),
        Alert(Channel.SMS, HE.agent, HE.phone, "urgent_ticket", Language.HE),
    ]  # not the opted-out, the one without a phone, the one on call elsewhere, the one without a profile


@pytest.mark.parametrize("priority", ["low", "normal", "high"])
def test_a_ticket_that_is_not_urgent_texts_nobody(priority):
    assert alerts_of(event("ticket.created", priority=priority)) == []


def test_a_breach_mails_and_texts_the_supervisors():
    doc = event("ticket.sla_breached", actor=("system", "system"),
                data={"target": "first_response", "due_at": NOON.isoformat(),
                      "supervisors": [FA.agent, "unknown@example.com"]})
    assert alerts_of(doc) == [
        Alert(Channel.MAIL, FA.agent, FA.agent, "sla_breached", Language.FA),
        Alert(Channel.MAIL, "unknown@example.com", "unknown@example.com", "sla_breached", Language.EN),
        Alert(Channel.SMS, FA.agent, FA.phone, "sla_breached", Language.FA),
    ]


@pytest.mark.parametrize("priority, texted", [("high", []), ("urgent", [FA.agent])])
def test_quiet_hours_hold_back_a_breach_sms_unless_the_ticket_is_urgent(priority, texted):
    doc = event("ticket.sla_breached", priority=priority, data={"supervisors": [FA.agent]})
    alerts = alerts_of(doc, LATE)
    assert sms_to(alerts) == texted
    assert [a.channel for a in alerts if a.channel == Channel.MAIL] == [Channel.MAIL]  # mail is never held back


def test_an_opted_out_supervisor_gets_mail_but_no_sms_even_for_urgent_tickets():
    doc = event("ticket.sla_breached", priority="urgent", data={"supervisors": [OPTED_OUT.agent]})
    assert [(a.channel, a.recipient) for a in alerts_of(doc)] == [(Channel.MAIL, OPTED_OUT.agent)]


def test_a_warning_mails_the_assignee_and_nobody_when_unassigned():
    assert alerts_of(event("ticket.sla_warning", assignee=HE.agent)) == [
        Alert(Channel.MAIL, HE.agent, HE.agent, "sla_warning", Language.HE)]
    assert alerts_of(event("ticket.sla_warning")) == []


@pytest.mark.parametrize("actor, to, expected", [
    (("agent", "admin@example.com"), FA.agent, [FA.agent]),   # assigned by a supervisor
    (("system", "system"), FA.agent, [FA.agent]),             # routed automatically
    (("agent", FA.agent), FA.agent, []),                      # took it: no mail to oneself
    (("agent", "admin@example.com"), None, []),               # transferred to a group, nobody yet
])
def test_assignment_mails_the_new_assignee_unless_they_did_it(actor, to, expected):
    doc = event("ticket.assigned", actor=actor, data={"from": {"department": "support", "group": "l1", "agent": None},
                                                      "to": {"department": "support", "group": "l1", "agent": to},
                                                      "reason": "", "kind": "assign"})
    assert [a.recipient for a in alerts_of(doc)] == expected


NAMES = {FA.agent: "Ali Rezaei", HE.agent: "נועה", "ali@example.com": "Ali"}


@pytest.mark.parametrize("text, expected", [
    ("@agent.fa@example.com please check", [FA.agent]),
    ("ask @ali rezaei and @Ali.", [FA.agent, "ali@example.com"]),
    ("@نועה?", []),
    ("@נועה, תסתכלי", [HE.agent]),
    ("@alice knows", []),  # a longer handle is someone else
    ("mail ali@example.com", []),  # an address without @-mention is no mention
])
def test_mentions_by_address_or_display_name(text, expected):
    assert mentioned(text, NAMES) == expected


def test_a_note_mails_whom_it_mentions_but_not_its_author():
    doc = event("ticket.message_added", message=note("@agent.fa@example.com and @נועה see this"))
    assert alerts_of(doc, names=NAMES) == [Alert(Channel.MAIL, FA.agent, FA.agent, "mentioned", Language.FA)]


def test_a_public_reply_mentions_nobody():
    doc = event("ticket.message_added", message={**note("@Ali"), "visibility": "public"})
    assert alerts_of(doc, names=NAMES) == []


def test_asking_for_information_mails_the_customer_in_the_ticket_language():
    doc = event("ticket.status_changed", data={"from": "open", "to": "needs_info"})
    assert alerts_of(doc) == [Alert(Channel.MAIL, "miriam@example.com", "miriam@example.com", "needs_info",
                                    Language.HE)]
    assert alerts_of(event("ticket.status_changed", data={"from": "open", "to": "on_hold"})) == []


@pytest.mark.parametrize("start, end, at, quiet", [
    ("22:00", "07:00", LATE, True),     # 23:30 Tehran
    ("22:00", "07:00", NOON, False),    # 12:30 Tehran
    ("12:00", "13:00", NOON, True),     # same-day span
    ("12:30", "13:00", NOON, True),     # the start minute is quiet
    ("11:00", "12:30", NOON, False),    # the end minute is not
])
def test_quiet_hours_are_read_in_the_agents_zone(start, end, at, quiet):
    assert QuietHours.parse(start, end, "Asia/Tehran").covers(at) is quiet


@pytest.mark.parametrize("start, end, zone, field", [
    ("25:00", "07:00", "Asia/Tehran", "quiet_hours.start"),
    ("22:00", "7", "Asia/Tehran", "quiet_hours.end"),
    ("22:00", "07:00", "Mars/Olympus", "quiet_hours.zone"),
])
def test_bad_quiet_hours_are_refused_field_by_field(start, end, zone, field):
    with pytest.raises(Invalid) as refused:
        QuietHours.parse(start, end, zone)
    assert refused.value.fields == {field: "invalid" if field != "quiet_hours.zone" else "unknown"}


@pytest.mark.parametrize("language, word", [(Language.EN, "Urgent"), (Language.FA, "فوری"), (Language.HE, "דחופה")])
def test_sms_texts_are_short_in_every_language_and_carry_the_portal_link(language, word):
    link = portal_link("https://help.example/portal/", 1001)
    text = sms_text("urgent_ticket", language, number=1001, subject="x" * 200, link=link)
    assert word in text and text.endswith("https://help.example/portal/#/tickets/1001")
    assert len(text) < 160
