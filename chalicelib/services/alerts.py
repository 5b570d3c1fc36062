"""Alerts beyond the customer's usual mail: SMS to on-call agents and supervisors, agents' mail (assigned,
mentioned, SLA), the customer's "needs info" mail and, if they opted in, their SMS on an agent's reply.
Runs behind the alerts queue (events/alerts.py).

`alerts_for_event` decides (domain/alerts.py) and `deliver` sends one alert; the caller makes each
delivery happen once per (event, channel, recipient), so a failed provider fails the record and the
redelivered record sends only what is still missing. Agents' profiles, the group's members and
display names are read only for the events that need them.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime

from chalicelib.domain import alerts, links, mail
from chalicelib.domain.alerts import Alert, Channel
from chalicelib.domain.imports import is_imported
from chalicelib.domain.inbound import THREAD, our_message_id, reply_address
from chalicelib.domain.tickets import EventType, Priority, Visibility
from chalicelib.services.ports import (
    AgentDirectory, AlertDesk, CatalogRepository, SecretSource,
)


def alerts_for_event(doc: dict, desk: AlertDesk, *, now: datetime) -> list[Alert]:
    profiles, catalog, agents = desk.profiles, desk.catalog, desk.agents
    if is_imported(doc):  # history from another desk: nobody is texted or mailed about it today
        return []
    ticket = doc["ticket"]
    members: list[str] = []
    if doc["type"] == EventType.TICKET_CREATED and ticket["priority"] == Priority.URGENT and ticket["group"]:
        members = _members(catalog, ticket["department"], ticket["group"])
    names = None
    if doc["type"] == EventType.MESSAGE_ADDED and doc["message"]["visibility"] == Visibility.INTERNAL:
        names = dict(agents.agents())
    known: dict[str, alerts.AgentProfile | None] = {}

    def profile_of(agent: str) -> alerts.AgentProfile | None:
        if agent not in known:
            known[agent] = profiles.get(agent)
        return known[agent]

    return alerts.plan(doc, profiles=profile_of, group_members=members, agent_names=names, now=now)


def _members(catalog: CatalogRepository, department_id: str, group_id: str) -> list[str]:
    department = next((d for d in catalog.departments() if d.id == department_id), None)
    group = department.group(group_id) if department else None
    return list(group.members) if group else []


def deliver(alert: Alert, doc: dict, desk: AlertDesk, *, now: datetime) -> bool:
    """Send one alert; False when the recipient's SMS quota is used up (the alert is dropped, not retried:
    a flood of texts is worse than a missing one, and the mail side still tells them). Raises
    DeliveryFailed when the provider does not take it. The customer's mail answers to the ticket's signed
    address at `mailbox`, like their other mail, so a reply by mail lands on the ticket; the customer's SMS
    carries their private link (where they also stop the texts), agents' the portal's."""
    mailer, sms, quota, agents, secrets = desk.mailer, desk.sms, desk.quota, desk.agents, desk.secrets
    site_url, portal_url, mailbox = desk.site_url, desk.portal_url, desk.mailbox
    ticket = doc["ticket"]
    number = ticket["number"]
    if alert.channel == Channel.SMS:
        if not quota.take(alert.recipient, now):
            return False
        if alert.template in alerts.CUSTOMER_SMS_TEMPLATES:
            link = links.ticket_link(site_url, number, links.derive_key(secrets.link_secret(), number,
                                                                        ticket["link_salt"]))
        else:
            link = alerts.portal_link(portal_url, number)
        sms.send(alert.address, alerts.sms_text(alert.template, alert.language, number=number,
                                                subject=ticket["subject"], link=link))
        return True
    content = _mail(alert, doc, agents=agents, secrets=secrets, site_url=site_url, portal_url=portal_url)
    to_customer = alert.recipient == ticket["customer"]["email"]
    if to_customer:
        content = replace(content, reply_to=reply_address(mailbox, number, secrets.link_secret()))
    # The customer's mail threads with their other mail of the ticket (signed ids: an answer to it threads into
    # the ticket, a made-up id does not); agents' alerts thread apart.
    recipient_tag = hashlib.sha256(alert.recipient.encode()).hexdigest()[:12]
    if to_customer:
        secret = secrets.link_secret()
        message_id = our_message_id(secret, number, f"{doc['event_id']}-{recipient_tag}")
        thread = our_message_id(secret, number, THREAD)
    else:
        message_id, thread = f"ticket-{number}-{doc['event_id']}-{recipient_tag}", f"ticket-{number}-agents"
    mailer.send(content, message_id=message_id, thread_id=thread)
    return True


def _mail(alert: Alert, doc: dict, *, agents: AgentDirectory, secrets: SecretSource, site_url: str,
          portal_url: str) -> mail.MailContent:
    ticket = doc["ticket"]
    number = ticket["number"]
    values = {"number": number, "subject": ticket["subject"], "due_at": doc["data"].get("due_at") or "",
              "author": doc["message"]["author"]["name"] if "message" in doc else ""}
    if alert.template == "needs_info":
        key = links.derive_key(secrets.link_secret(), number, ticket["link_salt"])
        return mail.render(alert.template, alert.language, to=alert.address,
                           link=links.ticket_link(site_url, number, key), name=ticket["customer"]["name"], **values)
    quote = doc["message"]["text"] if alert.template == "mentioned" else ""
    return mail.render(alert.template, alert.language, to=alert.address,
                       link=alerts.portal_link(portal_url, number), quote=quote,
                       name=agents.display_name(alert.recipient), **values)
