"""The customer's opt-in to an SMS when an agent replies: asked for on the form, turned on or off on the
ticket page, and sent (with their private link) when an agent answers in public."""
import pytest

from chalicelib.domain import links
from chalicelib.domain.alerts import Alert, Channel
from chalicelib.domain.events import to_document
from chalicelib.domain.sign_in import Channel as IdentityChannel
from chalicelib.domain.sign_in import CustomerAccess, Identity
from chalicelib.domain.tickets import EventType, Language, Visibility
from chalicelib.errors import Conflict, Invalid, NotFound
from chalicelib.services import alerts
from chalicelib.services import tickets as service
from tests.fakes import alert_desk
from tests.fakes import desk_of
from tests.fakes import FakeAgents, FakeMailer, FakeSecrets, FakeSms, FakeSmsQuota
from tests.unit.test_ticket_services import open_ticket, ports, reply_as_agent, reply_as_customer  # noqa: F401

SITE = "https://help.example/customer/"
MOBILE, E164 = "0912 123 4567", "+989121234567"


def toggle(ports, number, enabled, access):
    return service.set_sms_updates(desk_of(ports), number=number, access=access,
                                   enabled=enabled)


def by_key(opened):
    return CustomerAccess(key=opened.access_key)


def nothing_written(ports):
    return ports["tickets"].tickets == {} and ports["tickets"].counter == 1000


# ---------------------------------------------------------------- the form

def test_asking_for_texts_without_a_mobile_number_is_refused_on_the_phone_field_and_nothing_is_written(ports):
    with pytest.raises(Invalid) as refused:
        open_ticket(ports, sms_updates=True)
    assert refused.value.fields == {"customer.phone": "required_for_sms"}
    assert nothing_written(ports)


def test_every_bad_field_of_the_form_is_reported_at_once(ports):
    with pytest.raises(Invalid) as refused:
        open_ticket(ports, subject=" ", customer_email="nope", category="hardware", sms_updates=True,
                    customer_phone="  ")
    assert refused.value.fields == {"subject": "required", "customer.email": "invalid", "category": "unknown",
                                    "customer.phone": "required_for_sms"}
    assert nothing_written(ports)


def test_a_bad_address_and_a_bad_number_are_reported_together(ports):
    with pytest.raises(Invalid) as refused:
        open_ticket(ports, customer_name="", customer_email="nope", customer_phone="12", sms_updates=True)
    assert refused.value.fields == {"customer.name": "required", "customer.email": "invalid",
                                    "customer.phone": "invalid"}
    assert nothing_written(ports)


def test_a_bad_number_is_reported_as_such_even_when_texts_are_asked_for(ports):
    with pytest.raises(Invalid) as refused:
        open_ticket(ports, sms_updates=True, customer_phone="12")
    assert refused.value.fields == {"customer.phone": "invalid"}


def test_texts_asked_for_with_a_mobile_number_are_stored_and_travel_with_every_event(ports):
    opened = open_ticket(ports, sms_updates=True, customer_phone=MOBILE)
    ticket = ports["tickets"].get(opened.number)
    assert ticket.sms_updates and ticket.customer.phone == E164
    assert all(to_document(e, ticket)["ticket"]["sms_updates"] for e in ports["tickets"].timeline(opened.number))


def test_texts_are_off_unless_asked_for(ports):
    opened = open_ticket(ports, customer_phone=MOBILE)
    assert ports["tickets"].get(opened.number).sms_updates is False


# ---------------------------------------------------------------- the ticket page

def test_the_customer_turns_texts_on_and_off_by_the_private_link_and_the_timeline_records_it(ports):
    opened = open_ticket(ports, customer_phone=MOBILE)
    ports["clock"].advance(hours=2)
    before = ports["tickets"].get(opened.number)

    assert toggle(ports, opened.number, True, by_key(opened)).sms_updates is True
    assert toggle(ports, opened.number, False, by_key(opened)).sms_updates is False

    after = ports["tickets"].get(opened.number)
    assert after.sms_updates is False and after.version == before.version + 2
    *_, on, off = ports["tickets"].timeline(opened.number)
    assert [(e.type, e.data, e.visibility, e.actor.id) for e in (on, off)] == [
        (EventType.SMS_UPDATES_CHANGED, {"enabled": True}, Visibility.INTERNAL, "maryam@example.com"),
        (EventType.SMS_UPDATES_CHANGED, {"enabled": False}, Visibility.INTERNAL, "maryam@example.com")]


def test_a_choice_is_no_activity_and_does_not_restart_the_auto_close_clock(ports):
    opened = open_ticket(ports, customer_phone=MOBILE)
    reply_as_agent(ports, opened.number)  # waiting on the customer: reminder and auto-close count from here
    waiting = ports["tickets"].get(opened.number)
    ports["clock"].advance(days=3)
    toggle(ports, opened.number, True, by_key(opened))
    after = ports["tickets"].get(opened.number)
    assert (after.last_public_at, after.last_activity_at, after.timer, after.status) == \
        (waiting.last_public_at, waiting.last_activity_at, waiting.timer, waiting.status)


def test_the_signed_in_customer_turns_texts_on_too(ports):
    opened = open_ticket(ports, customer_phone=MOBILE)
    session = CustomerAccess(identity=Identity(IdentityChannel.SMS, E164))
    assert toggle(ports, opened.number, True, session).sms_updates is True


def test_another_tickets_key_or_another_customers_session_changes_nothing(ports):
    mine = open_ticket(ports, customer_phone=MOBILE)
    theirs = open_ticket(ports, customer_email="someone@example.com", customer_phone=MOBILE)
    stranger = CustomerAccess(identity=Identity(IdentityChannel.EMAIL, "someone.else@example.com"))
    for access in (by_key(theirs), stranger, CustomerAccess()):
        with pytest.raises(NotFound):
            toggle(ports, mine.number, True, access)
    assert ports["tickets"].get(mine.number).sms_updates is False and len(ports["tickets"].timeline(mine.number)) == 3


def test_texts_cannot_be_turned_on_without_a_mobile_number_but_off_always(ports):
    opened = open_ticket(ports)
    with pytest.raises(Conflict) as refused:
        toggle(ports, opened.number, True, by_key(opened))
    assert refused.value.fields == {"customer.phone": "required_for_sms"}
    assert toggle(ports, opened.number, False, by_key(opened)).sms_updates is False
    assert len(ports["tickets"].timeline(opened.number)) == 3  # created, message, assigned: nothing more


def test_asking_for_what_is_already_so_writes_nothing(ports):
    opened = open_ticket(ports, sms_updates=True, customer_phone=MOBILE)
    version = ports["tickets"].get(opened.number).version
    assert toggle(ports, opened.number, True, by_key(opened)).sms_updates is True
    assert ports["tickets"].get(opened.number).version == version


def test_a_lost_race_is_decided_again_on_the_fresh_ticket(ports):
    opened = open_ticket(ports, customer_phone=MOBILE)
    ports["tickets"].fail_next_saves = 1  # an agent's change won the race
    assert toggle(ports, opened.number, True, by_key(opened)).sms_updates is True
    assert ports["tickets"].get(opened.number).sms_updates is True


# ---------------------------------------------------------------- the SMS itself

@pytest.fixture
def providers(ports):
    return {"mailer": FakeMailer(), "sms": FakeSms(), "quota": FakeSmsQuota(), "agents": FakeAgents(),
            "secrets": FakeSecrets(), "site_url": SITE, "portal_url": "https://help.example/portal/",
            "mailbox": "help@example.com", "now": ports["clock"].now()}


def planned_for_last_event(ports, number, kind=EventType.MESSAGE_ADDED):
    ticket = ports["tickets"].get(number)
    *_, last = (e for e in ports["tickets"].timeline(number) if e.type == kind)
    doc = to_document(last, ticket)
    return doc, alerts.alerts_for_event(doc, alert_desk({"catalog": ports["catalog"]}), now=ports["clock"].now())


def test_an_agents_reply_texts_the_opted_in_customer_their_private_link(ports, providers):
    opened = open_ticket(ports, sms_updates=True, customer_phone=MOBILE, confirmed=True)
    reply_as_agent(ports, opened.number)
    doc, planned = planned_for_last_event(ports, opened.number)
    assert planned == [Alert(Channel.SMS, E164, E164, "agent_replied", Language.FA)]

    assert alerts.deliver(planned[0], doc, alert_desk(providers), now=providers["now"])
    ((phone, text),) = providers["sms"].sent
    assert phone == E164 and "لغو پیامک" in text
    assert text.endswith(links.ticket_link(SITE, opened.number, opened.access_key))  # the link that opens it
    assert providers["quota"].counts and all(recipient == E164 for recipient, _ in providers["quota"].counts)


def test_after_turning_texts_off_a_reply_texts_nobody_and_the_customers_own_message_never_does(ports):
    opened = open_ticket(ports, sms_updates=True, customer_phone=MOBILE)
    reply_as_customer(ports, opened)
    assert planned_for_last_event(ports, opened.number)[1] == []
    toggle(ports, opened.number, False, by_key(opened))
    reply_as_agent(ports, opened.number)
    assert planned_for_last_event(ports, opened.number)[1] == []


def test_the_choice_event_itself_alerts_nobody(ports):
    opened = open_ticket(ports, customer_phone=MOBILE)
    toggle(ports, opened.number, True, by_key(opened))
    assert planned_for_last_event(ports, opened.number, EventType.SMS_UPDATES_CHANGED)[1] == []


def test_the_rate_limit_counts_the_customers_phone(ports, providers):
    opened = open_ticket(ports, sms_updates=True, customer_phone=MOBILE, confirmed=True)
    reply_as_agent(ports, opened.number)
    doc, (alert,) = planned_for_last_event(ports, opened.number)
    sent = [alerts.deliver(alert, doc, alert_desk(providers), now=providers["now"]) for _ in range(6)]
    assert sent == [True] * 5 + [False] and len(providers["sms"].sent) == 5
    # Another ticket with the same number shares the phone's quota.
    other = open_ticket(ports, customer_email="other@example.com", sms_updates=True, customer_phone=MOBILE,
                        confirmed=True)
    reply_as_agent(ports, other.number)
    other_doc, (other_alert,) = planned_for_last_event(ports, other.number)
    assert alerts.deliver(other_alert, other_doc, alert_desk(providers), now=providers["now"]) is False
