"""Texts on agent replies through the HTTP API (chalice.test.Client, moto): asked for on the form, shown on
the customer's ticket, turned on and off by the private link or the session, refused without a number."""

from tests.api.test_customer_api import a_mobile, an_address, sign_in, ticket_form
from tests.api.test_ticket_api import as_agent, call, with_mailed_link



def open_ticket(client, **overrides):
    status, opened = call(client, "post", "/tickets", ticket_form(**overrides))
    assert status == 201, opened
    return with_mailed_link(opened)


def with_phone(sms_updates=False):
    local, e164 = a_mobile()
    return {"customer": {"name": "مریم", "email": an_address(), "phone": local}, "sms_updates": sms_updates}, e164


def key_of(opened):
    return {"X-Ticket-Key": opened["access_key"]}


def toggle(client, opened, enabled, headers=None):
    return call(client, "put", f"/tickets/{opened['number']}/sms-updates", {"enabled": enabled},
                headers=key_of(opened) if headers is None else headers)


def test_texts_asked_for_on_the_form_show_on_the_customers_ticket_with_only_the_numbers_end(client):
    form, e164 = with_phone(sms_updates=True)
    opened = open_ticket(client, **form)
    status, ticket = call(client, "get", f"/tickets/{opened['number']}", headers=key_of(opened))
    assert status == 200 and ticket["sms_updates"] is True and ticket["sms_phone_ending"] == e164[-4:]
    assert e164 not in str(ticket)


def test_texts_without_a_mobile_number_are_a_field_error_and_no_ticket_is_numbered(client):
    before = open_ticket(client)
    assert call(client, "post", "/tickets", ticket_form(sms_updates=True)) == (400, {
        "error": "invalid", "message": "customer.phone: required_for_sms",
        "fields": {"customer.phone": "required_for_sms"}})
    assert open_ticket(client)["number"] == before["number"] + 1  # the refused form took no number


def test_sms_updates_must_be_a_boolean(client):
    assert call(client, "post", "/tickets", ticket_form(sms_updates="yes"))[1]["fields"] == {"sms_updates": "invalid"}
    opened = open_ticket(client, **with_phone()[0])
    assert toggle(client, opened, "on")[1]["fields"] == {"enabled": "invalid"}
    assert call(client, "put", f"/tickets/{opened['number']}/sms-updates", {}, headers=key_of(opened))[1]["fields"] \
        == {"enabled": "required"}


def test_the_private_link_turns_texts_on_and_off_and_agents_see_it_on_the_timeline(client, cognito):
    form, _ = with_phone()
    form["department"], form["category"] = "support", "technical"
    opened = open_ticket(client, **form)
    _, seen = call(client, "get", f"/tickets/{opened['number']}", headers=key_of(opened))
    assert seen["sms_updates"] is False

    assert toggle(client, opened, True) == (200, {"sms_updates": True})
    _, now_on = call(client, "get", f"/tickets/{opened['number']}", headers=key_of(opened))
    assert now_on["sms_updates"] is True and now_on["last_activity_at"] == seen["last_activity_at"]
    assert toggle(client, opened, False) == (200, {"sms_updates": False})

    status, agent_view = call(client, "get", f"/agent/tickets/{opened['number']}",
                              headers=as_agent(cognito("agent.one@example.com")))
    assert status == 200 and agent_view["sms_updates"] is False
    changes = [e for e in agent_view["timeline"] if e["type"] == "ticket.sms_updates_changed"]
    assert [(e["data"], e["visibility"], e["actor"]["kind"]) for e in changes] == [
        ({"enabled": True}, "internal", "customer"), ({"enabled": False}, "internal", "customer")]


def test_another_tickets_key_is_refused_like_a_missing_ticket(client):
    mine, theirs = open_ticket(client, **with_phone()[0]), open_ticket(client, **with_phone()[0])
    assert toggle(client, mine, True, headers=key_of(theirs))[0] == 404
    assert toggle(client, mine, True, headers={})[0] == 404
    assert call(client, "get", f"/tickets/{mine['number']}", headers=key_of(mine))[1]["sms_updates"] is False


def test_texts_cannot_be_turned_on_for_a_ticket_without_a_mobile_number(client):
    opened = open_ticket(client)
    status, refused = toggle(client, opened, True)
    assert status == 409 and refused["fields"] == {"customer.phone": "required_for_sms"}
    _, ticket = call(client, "get", f"/tickets/{opened['number']}", headers=key_of(opened))
    assert ticket["sms_updates"] is False and ticket["sms_phone_ending"] is None
    assert toggle(client, opened, False) == (200, {"sms_updates": False})


def test_the_signed_in_customer_turns_texts_on_by_session(client, aws_stack):
    form, _ = with_phone()
    opened = open_ticket(client, **form)
    session = sign_in(client, aws_stack, form["customer"]["email"])
    assert toggle(client, opened, True, headers=session) == (200, {"sms_updates": True})

    other = an_address()
    open_ticket(client, customer={"name": "Noa", "email": other})
    assert toggle(client, opened, False, headers=sign_in(client, aws_stack, other))[0] == 404
