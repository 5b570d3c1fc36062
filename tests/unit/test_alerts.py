"""Who is alerted about which ticket event, by mail or SMS, respecting quiet hours and opt-outs."""
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.alerts import (
    AgentProfile, Alert, Channel, QuietHours, customer_quiet_hours, mentioned, plan, portal_link, sms_parts, sms_text,
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


# ---------------------------------------------------------------- the customer's SMS on an agent's reply

TEHRAN_MOBILE, ISRAELI_MOBILE = "+989121234567", "+972544445577"
# 19:30 UTC is 23:00 in Tehran (UTC+3:30) and 21:30 in Jerusalem (UTC+2): night for both;
# 18:15 UTC is 21:45 in Tehran but 20:15 in Jerusalem.
TEHRAN_23H = datetime(2026, 11, 23, 19, 30, tzinfo=timezone.utc)
EVENING = datetime(2026, 11, 23, 18, 15, tzinfo=timezone.utc)


def reply(*, by="agent", visibility="public", phone=TEHRAN_MOBILE, sms_updates=True, priority="normal",
          language="fa"):
    doc = event("ticket.message_added", priority=priority, actor=(by, f"{by}@example.com"),
                message={**note("پاسخ شما", author=f"{by}@example.com"), "visibility": visibility,
                         "author": {"kind": by, "id": f"{by}@example.com", "name": by}})
    doc["visibility"] = visibility
    doc["ticket"].update(language=language, sms_updates=sms_updates)
    doc["ticket"]["customer"]["phone"] = phone
    return doc


def test_a_customer_who_opted_in_gets_one_sms_in_the_ticket_language_when_an_agent_replies():
    assert alerts_of(reply()) == [Alert(Channel.SMS, TEHRAN_MOBILE, TEHRAN_MOBILE, "agent_replied", Language.FA)]


def test_the_customers_sms_is_keyed_by_their_phone_so_the_rate_limit_guards_the_phone():
    (alert,) = alerts_of(reply())
    assert alert.key == f"sms:{TEHRAN_MOBILE}"


@pytest.mark.parametrize("doc", [
    reply(sms_updates=False),               # did not opt in
    reply(phone=None),                      # no number to text (an old document, say)
    reply(visibility="internal"),           # an internal note is never the customer's business
    reply(by="customer"),                   # their own message
    reply(by="system"),                     # nobody replied
])
def test_no_sms_to_the_customer_unless_they_opted_in_and_an_agent_replied_publicly(doc):
    assert sms_to(alerts_of(doc)) == []


def test_a_document_without_the_flag_texts_nobody():
    doc = reply()
    del doc["ticket"]["sms_updates"]  # events written before customers could opt in
    assert alerts_of(doc) == []


def test_the_customers_night_in_their_phones_zone_holds_the_sms_back_unless_the_ticket_is_urgent():
    assert alerts_of(reply(), at=TEHRAN_23H) == []
    assert alerts_of(reply(priority="urgent"), at=TEHRAN_23H) == [
        Alert(Channel.SMS, TEHRAN_MOBILE, TEHRAN_MOBILE, "agent_replied", Language.FA)]


def test_an_israeli_number_keeps_jerusalem_hours_not_tehrans():
    assert customer_quiet_hours(ISRAELI_MOBILE).zone == "Asia/Jerusalem"
    assert customer_quiet_hours(TEHRAN_MOBILE).zone == "Asia/Tehran"
    # At the same instant it is 20:15 in Jerusalem (texted) and 21:45 in Tehran (held back).
    assert sms_to(alerts_of(reply(phone=ISRAELI_MOBILE, language="he"), at=EVENING)) == [ISRAELI_MOBILE]
    assert sms_to(alerts_of(reply(phone=TEHRAN_MOBILE), at=EVENING)) == []


@pytest.mark.parametrize("local_hour, quiet", [(20, False), (21, True), (23, True), (7, True), (8, False)])
def test_the_customers_night_runs_from_21_to_8_local_time(local_hour, quiet):
    at = datetime(2026, 11, 23, local_hour, 0, tzinfo=ZoneInfo("Asia/Tehran"))
    assert customer_quiet_hours(TEHRAN_MOBILE).covers(at) is quiet


@pytest.mark.parametrize("phone, zone", [
    ("+61412345678", "Australia/Adelaide"),  # several zones: the first phonenumbers names
    ("+12025550100", "America/New_York"),
    ("+88234567890", "UTC"),                  # international network, no zone known: UTC
])
def test_a_number_in_several_or_no_zones_takes_the_first_or_utc(phone, zone):
    assert customer_quiet_hours(phone).zone == zone


SITE_LINK = "https://help.example.com/customer/#/t/99999/" + "k" * 43  # a real key is 43 characters


@pytest.mark.parametrize("language, stop", [
    (Language.EN, "stop these texts"), (Language.FA, "لغو پیامک"), (Language.HE, "להפסקת הודעות")])
def test_the_customers_sms_is_short_links_their_ticket_and_says_how_to_stop(language, stop):
    text = sms_text("agent_replied", language, number=99999, subject="Printer " * 25, link=SITE_LINK)
    assert stop in text and text.endswith(SITE_LINK) and "99999" in text and "Printer" not in text
    assert sms_parts(text) <= 2  # Persian and Hebrew are UCS-2: 67 characters a part


@pytest.mark.parametrize("text, parts", [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),   # GSM 7-bit
    ("{" * 80, 1), ("{" * 81, 2),                                     # extension characters count twice
    ("پ" * 70, 1), ("پ" * 71, 2), ("پ" * 134, 2), ("a" * 134 + "پ", 3),  # one non-GSM character: all UCS-2
])
def test_sms_parts_count_like_the_networks(text, parts):
    assert sms_parts(text) == parts
