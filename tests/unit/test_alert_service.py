"""Alerts decided from real event documents and delivered through fake providers."""
from datetime import time

import pytest

from chalicelib.domain import inbound, links
from chalicelib.domain.alerts import SMS_PER_WINDOW, AgentProfile, Alert, Channel, QuietHours
from chalicelib.domain.events import to_document
from chalicelib.domain.tickets import Language
from chalicelib.services import alerts as service
from chalicelib.services.ports import DeliveryFailed
from tests.fakes import alert_desk
from tests.fakes import open_ticket as fake_open_ticket
from tests.fakes import (
    FakeAgents, FakeFiles, FakeMailer, FakeSecrets, FakeSms, FakeSmsQuota, FixedClock, InMemoryAgentProfiles,
    InMemoryCatalog, InMemoryTickets,
)
from tests.unit.test_ticket_services import LIMITS, form

SITE, PORTAL = "https://help.example/customer/", "https://help.example/portal/"
FA = AgentProfile(agent="agent.fa", language=Language.FA, phone="+989121234567", on_call=frozenset({"support/desk"}),
                  quiet_hours=QuietHours(start=time(0, 0), end=time(23, 59), zone="Asia/Tehran"))
HE = AgentProfile(agent="agent.he", language=Language.HE, phone="+972541234567", sms_opt_out=True,
                  on_call=frozenset({"support/desk"}))


def documents(priority="urgent"):
    repo, clock = InMemoryTickets(), FixedClock()
    opened = fake_open_ticket(tickets=repo, catalog=InMemoryCatalog(), agents=FakeAgents(), files=FakeFiles(),
                                 secrets=FakeSecrets(), clock=clock, limits=LIMITS, site_url=SITE,
                                 **form(priority=priority))
    ticket = repo.get(opened.number)
    return opened, [to_document(e, ticket) for e in repo.timeline(opened.number)]


def decide(doc, profiles=None):
    return service.alerts_for_event(doc, alert_desk({"profiles": profiles or InMemoryAgentProfiles(FA, HE)}),
                                    now=FixedClock().now())


@pytest.fixture
def providers():
    return {"mailer": FakeMailer(), "sms": FakeSms(), "quota": FakeSmsQuota(), "agents": FakeAgents(),
            "secrets": FakeSecrets(), "site_url": SITE, "portal_url": PORTAL, "mailbox": "help@example.com",
            "now": FixedClock().now()}


def test_an_urgent_ticket_texts_its_groups_on_call_agents_in_their_language(providers):
    _, (created, *_) = documents()
    alerts = decide(created)
    assert alerts == [Alert(Channel.SMS, "agent.fa", FA.phone, "urgent_ticket", Language.FA)]  # HE opted out
    assert service.deliver(alerts[0], created, alert_desk(providers), now=providers["now"])
    ((phone, text),) = providers["sms"].sent
    assert phone == "+989121234567" and "فوری" in text and text.endswith(f"{PORTAL}#/tickets/1001")


def test_a_normal_ticket_texts_nobody_and_reads_no_profile_for_it():
    profiles = InMemoryAgentProfiles(FA, HE)
    _, (created, message, _) = documents(priority="normal")
    assert decide(created, profiles) == decide(message, profiles) == []
    assert profiles.reads == 0


def test_the_automatic_assignment_mails_the_assignee_with_a_portal_link(providers):
    _, (_, _, assigned) = documents()
    (alert,) = decide(assigned)
    assert service.deliver(alert, assigned, alert_desk(providers), now=providers["now"])
    ((content, message_id, thread),) = providers["mailer"].sent
    assert content.to == "agent.fa" and content.language == Language.FA and 'dir="rtl"' in content.html
    assert "مینا" in content.text and f"{PORTAL}#/tickets/1001" in content.text
    assert thread == "ticket-1001-agents" and message_id.startswith(f"ticket-1001-{assigned['event_id']}-")
    assert content.reply_to == ""  # agents answer in the portal


def test_needs_info_mails_the_customer_their_private_link(providers):
    opened, (created, *_) = documents()
    doc = {**created, "type": "ticket.status_changed", "visibility": "internal",
           "actor": {"kind": "agent", "id": "agent.he", "name": "אורי"}, "data": {"from": "open", "to": "needs_info"}}
    (alert,) = decide(doc)
    service.deliver(alert, doc, alert_desk(providers), now=providers["now"])
    ((content, _, thread),) = providers["mailer"].sent
    assert content.to == "maryam@example.com"
    assert thread == inbound.our_message_id(FakeSecrets().link_secret(), 1001, inbound.THREAD)
    assert links.ticket_link(SITE, 1001, opened.access_key) in content.text
    # A reply by mail threads back to the ticket, like replies to the customer's other mail.
    assert inbound.ticket_of_reply_address((content.reply_to,), "help@example.com", FakeSecrets().link_secret()) == 1001


def test_a_mention_quotes_the_note_to_the_agent_it_names(providers):
    _, (created, *_) = documents()
    doc = {**created, "type": "ticket.message_added", "visibility": "internal",
           "message": {"id": "m2", "visibility": "internal", "text": "@אורי can you call her?",
                       "author": {"kind": "agent", "id": "agent.fa", "name": "مینا"},
                       "created_at": created["occurred_at"], "attachments": []}}
    (alert,) = decide(doc)
    service.deliver(alert, doc, alert_desk(providers), now=providers["now"])
    ((content, _, _),) = providers["mailer"].sent
    assert content.to == "agent.he" and "@אורי can you call her?" in content.text and "مینا" in content.subject


def test_the_rate_limit_drops_texts_beyond_the_window_and_allows_them_again_later(providers):
    _, (created, *_) = documents()
    (alert,) = decide(created)
    sent = [service.deliver(alert, created, alert_desk(providers), now=providers["now"]) for _ in range(SMS_PER_WINDOW + 2)]
    assert sent == [True] * SMS_PER_WINDOW + [False, False]
    later = FixedClock()
    later.advance(minutes=10)
    assert service.deliver(alert, created, alert_desk(providers), now=later.now())
    assert len(providers["sms"].sent) == SMS_PER_WINDOW + 1


@pytest.mark.parametrize("broken", ["mailer", "sms"])
def test_a_provider_failure_raises_so_the_record_is_retried(providers, broken):
    _, (created, _, assigned) = documents()
    alert, doc = (decide(assigned)[0], assigned) if broken == "mailer" else (decide(created)[0], created)
    providers[broken] = FakeMailer(fail=True) if broken == "mailer" else FakeSms(fail=True)
    with pytest.raises(DeliveryFailed):
        service.deliver(alert, doc, alert_desk(providers), now=providers["now"])
