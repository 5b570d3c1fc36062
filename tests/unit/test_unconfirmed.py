"""Issue 11, finding 1: a stranger learns nothing about a customer's tickets and cannot lock them out.

Tickets filed without proof of the address are unconfirmed until the customer opens the private link from
the mail or signs in with a code; they take places of an allowance of their own (per address, per client
network), never of the customer's open-ticket limit; and a refusal to someone who proved nothing names no
ticket: the address is mailed its list instead."""
import json

import pytest

from chalicelib.domain import links, mail

from chalicelib.domain.client_network import UNKNOWN, network_of
from chalicelib.domain.events import OPEN_TICKETS_MAIL, to_document
from chalicelib.domain.policies import UnconfirmedAllowance
from chalicelib.domain.sign_in import Channel, CustomerAccess, Identity
from chalicelib.domain.tickets import EventType, Language, Status
from chalicelib.errors import LimitReached
from chalicelib.services import customers, notifications
from chalicelib.services.alerts import alerts_for_event
from chalicelib.services import tickets as service
from chalicelib.services.ports import SignInDesk
from chalicelib.services.workflow import change_status
from tests.fakes import alert_desk
from tests.fakes import desk_of
from tests.fakes import (
    FakeMailer, FakeSecrets, FakeSms, InMemoryRateLimiter, InMemorySignInCodes,
)
from tests.unit.test_ticket_services import AGENT, open_ticket, ports  # noqa: F401
from tests.unit.test_workflow import staff

EMAIL = "maryam@example.com"
HOME, OFFICE = "203.0.113.0/24", "198.51.100.0/24"
SITE = "https://help.example/customer/"
SESSION = Identity(Channel.EMAIL, EMAIL)
ALLOWANCE = UnconfirmedAllowance(per_address=3, per_network=20)


def anonymous(ports, *, email=EMAIL, network=HOME, **overrides):
    return open_ticket(ports, customer_email=email, client_network=network, unconfirmed=ALLOWANCE, **overrides)


def signed_in(ports, *, email=EMAIL, **overrides):
    return open_ticket(ports, customer_email=email, session=Identity(Channel.EMAIL, email.casefold()),
                       client_network=HOME, unconfirmed=ALLOWANCE, **overrides)


def refused(call) -> LimitReached:
    with pytest.raises(LimitReached) as caught:
        call()
    return caught.value


def open_by_link(ports, opened):
    return service.view_as_customer(desk_of(ports), number=opened.number,
                                    access=CustomerAccess(key=opened.access_key))


def confirmations(ports, number):
    return [e for e in ports["tickets"].timeline(number) if e.type == EventType.CONFIRMED]


# ---------------------------------------------------------------- who is confirmed at once

def test_a_ticket_filed_without_sign_in_is_unconfirmed_and_remembers_its_network(ports):
    opened = anonymous(ports)
    ticket = ports["tickets"].get(opened.number)
    assert opened.confirmed is False and ticket.confirmed is False and ticket.client_network == HOME
    assert confirmations(ports, opened.number) == []


def test_a_session_of_the_address_or_a_vouching_caller_files_confirmed_tickets(ports):
    assert signed_in(ports, email="Maryam@Example.com").confirmed  # the session's address, in any case
    assert open_ticket(ports, confirmed=True).confirmed  # mail intake of an authenticated sender, an import
    assert ports["tickets"].get(1001).client_network is None


@pytest.mark.parametrize("session", [Identity(Channel.EMAIL, "someone.else@example.com"),
                                     Identity(Channel.SMS, "+989121234567")])
def test_a_session_of_another_address_or_of_a_phone_proves_nothing_about_this_address(ports, session):
    opened = open_ticket(ports, session=session, customer_phone="+989121234567", client_network=HOME)
    assert opened.confirmed is False


# ---------------------------------------------------------------- the allowance, not the customer's limit

def test_an_address_has_three_places_for_unconfirmed_tickets_and_the_refusal_names_no_ticket(ports):
    filed = [anonymous(ports, subject=f"secret subject {n}", network=f"10.0.{n}.0/24") for n in range(3)]
    refusal = refused(lambda: anonymous(ports, network="10.0.9.0/24"))

    assert refusal.fields == {"customer.email": "unconfirmed_limit"}
    assert refusal.details == {"open_tickets_mailed": True}
    said = json.dumps({"message": refusal.message, "fields": refusal.fields, "details": refusal.details})
    assert not any(str(t.number) in said for t in filed) and "secret subject" not in said
    assert len(ports["tickets"].tickets) == 3  # the refused one wrote nothing


def test_a_stranger_filling_the_allowance_does_not_lock_the_customer_out(ports):
    for _ in range(3):
        anonymous(ports)
    refused(lambda: anonymous(ports))
    # The customer signs in with a code (which confirms the three: see below) or files signed in: up to the
    # open-ticket limit, and only then are they refused, with their list.
    mine = [signed_in(ports, subject=f"mine {n}") for n in range(5)]
    assert all(o.confirmed for o in mine)
    limit = refused(lambda: signed_in(ports))
    assert limit.fields == {"customer.email": "open_limit"}
    assert {t["number"] for t in limit.details["open_tickets"]} >= {o.number for o in mine}


def test_a_client_network_has_its_own_allowance_across_addresses(ports):
    for n in range(20):
        anonymous(ports, email=f"person{n}@example.com", network=OFFICE)
    refusal = refused(lambda: anonymous(ports, email="person99@example.com", network=OFFICE))
    assert refusal.fields == {"client": "network_limit"} and refusal.details == {}
    assert ports["tickets"].outbox == []  # nothing about an address to send
    assert anonymous(ports, email="person99@example.com", network=HOME).confirmed is False  # another network


def test_the_refused_address_is_mailed_its_open_tickets_at_most_once_an_hour(ports):
    mine = signed_in(ports, subject="my own ticket")
    for _ in range(3):
        anonymous(ports, subject="filler")
    refused(lambda: anonymous(ports, language="he"))
    refused(lambda: anonymous(ports))
    [document] = ports["tickets"].outbox
    assert document["type"] == OPEN_TICKETS_MAIL and document["visibility"] == "public"
    assert document["customer"] == {"email": EMAIL, "language": "he"}
    listed = {(t["number"], t["subject"], t["confirmed"]) for t in document["open_tickets"]}
    assert (mine.number, "my own ticket", True) in listed and len(listed) == 4

    ports["clock"].advance(minutes=61)
    refused(lambda: anonymous(ports))
    assert len(ports["tickets"].outbox) == 2


# ---------------------------------------------------------------- confirming

def test_opening_the_private_link_confirms_once_and_frees_the_allowance_place(ports):
    filed = [anonymous(ports) for _ in range(3)]
    view = open_by_link(ports, filed[0])
    assert view.ticket.confirmed and ports["tickets"].get(filed[0].number).confirmed
    open_by_link(ports, filed[0])
    [event] = confirmations(ports, filed[0].number)
    assert event.data == {"how": "link"} and event.visibility.value == "internal"
    assert anonymous(ports).confirmed is False  # its place is free again


def test_opening_with_a_phone_session_shows_the_ticket_but_does_not_confirm_it(ports):
    opened = anonymous(ports, customer_phone="+989121234567")
    access = CustomerAccess(identity=Identity(Channel.SMS, "+989121234567"))
    assert service.view_as_customer(desk_of(ports), number=opened.number, access=access).ticket
    assert not ports["tickets"].get(opened.number).confirmed


def test_a_confirmation_racing_another_write_still_happens_once(ports):
    opened = anonymous(ports)
    ports["tickets"].fail_next_saves = 1  # someone else saved first: re-read, decide again
    open_by_link(ports, opened)
    assert ports["tickets"].get(opened.number).confirmed and len(confirmations(ports, opened.number)) == 1


def test_signing_in_with_a_code_confirms_every_unconfirmed_ticket_of_the_address(ports):
    filed = [anonymous(ports) for _ in range(2)]
    other = anonymous(ports, email="other@example.com")
    codes, mailer = InMemorySignInCodes(), FakeMailer()
    limiter = InMemoryRateLimiter()
    desk = SignInDesk(codes=codes, secrets=ports["secrets"], mailer=mailer, sms=FakeSms(), clock=ports["clock"],
                      limiter=limiter, tickets=ports["tickets"], views=ports["tickets"])
    customers.request_code(desk, network="203.0.113.0/24", email=EMAIL, phone=None, language="fa")
    code = next(w for w in mailer.sent[-1][0].text.split() if w.isdigit() and len(w) == 6)
    customers.verify_code(desk, network="203.0.113.0/24", email=EMAIL, phone=None, language="fa", code=code)
    assert all(ports["tickets"].get(o.number).confirmed for o in filed)
    assert [e.data for e in confirmations(ports, filed[0].number)] == [{"how": "sign_in"}]
    assert not ports["tickets"].get(other.number).confirmed


def test_confirming_when_the_open_ticket_limit_is_full_confirms_and_the_limit_then_holds(ports):
    waiting = anonymous(ports)
    for _ in range(5):
        signed_in(ports)
    assert open_by_link(ports, waiting).ticket.confirmed  # the proof is never refused
    assert sum(1 for t in ports["tickets"].tickets.values() if t.holds_open_place) == 6
    assert refused(lambda: signed_in(ports)).fields == {"customer.email": "open_limit"}


def test_closing_an_unconfirmed_ticket_frees_its_place_and_agents_handle_it_as_usual(ports):
    filed = [anonymous(ports) for _ in range(3)]
    change_status(desk_of(ports), number=filed[0].number,
                  staff=staff("admin", admin=True), status="closed",
                  version=ports["tickets"].get(filed[0].number).version)
    assert ports["tickets"].get(filed[0].number).status == Status.CLOSED
    assert not anonymous(ports).confirmed


# ---------------------------------------------------------------- what reaches whom

def test_the_first_mail_of_an_unconfirmed_ticket_asks_to_confirm_with_the_link(ports):
    opened = anonymous(ports, language="he")
    ticket = ports["tickets"].get(opened.number)
    created = ports["tickets"].timeline(opened.number)[0]
    content = notifications.mail_for_event(to_document(created, ticket), secrets=FakeSecrets(), site_url=SITE)
    assert content.to == EMAIL and "לאשר" in content.subject and content.language == Language.HE
    assert links.ticket_link(SITE, opened.number, opened.access_key) in content.text
    assert 'dir="rtl"' in content.html


def test_the_open_tickets_mail_goes_to_the_address_in_its_language_and_marks_unconfirmed_ones(ports):
    signed_in(ports, subject="מדפסת")
    for _ in range(3):
        anonymous(ports, subject="filler")
    refused(lambda: anonymous(ports, language="he"))
    [document] = ports["tickets"].outbox
    mailer = FakeMailer()
    assert notifications.notify_customer(document, mailer=mailer, secrets=FakeSecrets(), site_url=SITE,
                                         mailbox="helpdesk@example.com")
    [(content, message_id, thread)] = mailer.sent
    assert content.to == EMAIL and content.subject == "הפניות הפתוחות שלך" and 'dir="rtl"' in content.html
    assert "[#1001] מדפסת" in content.text and content.text.count(mail.NOT_CONFIRMED[Language.HE]) == 3
    assert f"{SITE}#/tickets" in content.text and "#/t/" not in content.text  # no private link in it
    assert message_id == f"open-tickets-{document['event_id']}" and content.reply_to == ""


@pytest.mark.parametrize("language", list(Language))
def test_both_new_mails_exist_in_every_language(language):
    for template in ("received_unconfirmed", "open_tickets"):
        assert set(mail.TEMPLATES[template][language]) == set(mail.TEMPLATES[template][Language.EN])


def test_no_text_carries_the_private_link_of_an_unconfirmed_ticket(ports):
    opened = anonymous(ports, customer_phone="+989121234567", sms_updates=True)
    service.agent_reply(tickets=ports["tickets"], files=ports["files"], clock=ports["clock"], limits=ports["limits"],
                        number=opened.number, agent=AGENT, text="پاسخ", attachments=[])

    def planned():
        ticket = ports["tickets"].get(opened.number)
        *_, reply = (e for e in ports["tickets"].timeline(opened.number) if e.type == EventType.MESSAGE_ADDED)
        return alerts_for_event(to_document(reply, ticket), alert_desk({"catalog": ports["catalog"]}),
                                now=ports["clock"].now())

    assert [a for a in planned() if a.channel.value == "sms"] == []
    open_by_link(ports, opened)  # the address proved: texts as asked
    assert [a.recipient for a in planned() if a.channel.value == "sms"] == ["+989121234567"]


# ---------------------------------------------------------------- the client network

@pytest.mark.parametrize("ip,network", [
    ("203.0.113.77", "203.0.113.0/24"),
    ("203.0.113.1", "203.0.113.0/24"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:DB8:1:2::9", "2001:db8:1:2::/64"),
    ("::ffff:198.51.100.9", "198.51.100.0/24"),
    ("", UNKNOWN), (None, UNKNOWN), ("not-an-ip", UNKNOWN), ("203.0.113.0/24", UNKNOWN),
])
def test_a_client_counts_as_its_ipv4_24_or_ipv6_64(ip, network):
    assert network_of(ip) == network


def test_the_key_of_an_earlier_ticket_of_the_same_address_proves_it_for_the_follow_up(ports):
    earlier = open_ticket(ports, confirmed=True)
    proof = CustomerAccess(key=earlier.access_key)
    assert anonymous(ports, follows=earlier.number, follows_proof=proof).confirmed
    # ... but not for another address: the key proves only the address it was mailed to
    assert not anonymous(ports, email="someone@example.com", follows=earlier.number, follows_proof=proof).confirmed
