"""JSON shapes of what the services return (docs/api.md)."""
from __future__ import annotations

from chalicelib.domain.catalog import Department
from chalicelib.domain.presence import Presence
from chalicelib.domain.routing import RoutingRule
from chalicelib.domain.sla import Sla, Target
from chalicelib.domain.tickets import Message, Ticket, TicketEvent
from chalicelib.services.agent_desk import AgentTicketView
from chalicelib.services.tickets import TicketView


def _time(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def message(m: Message) -> dict:
    return {"id": m.id, "visibility": m.visibility.value,
            "author": {"kind": m.author.kind.value, "name": m.author.name}, "text": m.text,
            "created_at": _time(m.created_at),
            "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size}
                            for a in m.attachments]}


def ticket_summary(t: Ticket, *, with_email: bool = True) -> dict:
    customer = {"name": t.customer.name}
    if with_email:
        customer["email"] = t.customer.email
    return {"number": t.number, "subject": t.subject, "status": t.status.value, "priority": t.priority.value,
            "department": t.department, "category": t.category, "language": t.language.value,
            "customer": customer, "created_at": _time(t.created_at), "last_activity_at": _time(t.last_activity_at),
            "version": t.version, "sms_updates": t.sms_updates, "confirmed": t.confirmed}


def ticket_view(view: TicketView, *, for_agent: bool, rating_signatures: dict[str, str] | None = None) -> dict:
    """`rating_signatures` (customer view): each agent reply gets its current rating and what rates it."""
    messages = [message(m) for m in view.messages]
    for shaped in messages:
        if signature := (rating_signatures or {}).get(shaped["id"]):
            rated = view.ratings.get(shaped["id"])
            shaped["rating"] = {"rating": rated.rating.value, "comment": rated.comment} if rated else None
            shaped["rating_signature"] = signature
    body = {**ticket_summary(view.ticket, with_email=for_agent), "messages": messages}
    if not for_agent:  # whether texts can be turned on, without showing the whole number to whoever has the link
        phone = view.ticket.customer.phone
        body["sms_phone_ending"] = phone[-4:] if phone else None
    return body


# ---------------------------------------------------------------- agents (docs/api.md "Agent")

def _actor(actor) -> dict:
    return {"id": actor.id, "name": actor.name}


def agent_ticket_summary(t: Ticket) -> dict:
    """What agents see of a ticket in lists: who has it, both priorities, the SLA clocks and the customer tier
    they were promised under, and the version to act on."""
    return {**ticket_summary(t), "priority": t.effective_priority.value, "customer_priority": t.priority.value,
            "agent_priority": t.agent_priority.value if t.agent_priority else None, "group": t.group,
            "assignee": _actor(t.assignee) if t.assignee else None, "follows": t.follows,
            "customer": {"name": t.customer.name, "email": t.customer.email, "phone": t.customer.phone},
            "sla": sla(t.sla) if t.sla else None, "sla_tier": t.sla.tier if t.sla else None,
            "sender_verified": t.sender_verified}


def sla(s: Sla) -> dict:
    """Per target: when it is due (null while paused or met), and whether it was breached or met."""
    def target(name: Target) -> dict:
        state, due = s.targets[name], s.due_at(name)
        return {"due_at": _time(due) if due else None, "paused": state.met_at is None and not state.running,
                "breached": state.breached, "met_at": _time(state.met_at) if state.met_at else None}
    return {name.value: target(name) for name in s.targets}


def timeline_entry(e: TicketEvent) -> dict:
    entry = {"id": e.id, "type": e.type.value, "at": _time(e.occurred_at),
             "actor": {"kind": e.actor.kind.value, "id": e.actor.id, "name": e.actor.name},
             "visibility": e.visibility.value, "data": e.data}
    if e.message:
        entry["message"] = message(e.message)
    return entry


def agent_ticket_view(view: AgentTicketView) -> dict:
    return {**agent_ticket_summary(view.ticket), "messages": [message(m) for m in view.messages],
            "timeline": [timeline_entry(e) for e in view.timeline],
            "customer_tickets": [{"number": t.number, "subject": t.subject, "status": t.status.value,
                                  "created_at": _time(t.created_at), "confirmed": t.confirmed}
                                 for t in view.customer_tickets],
            "ratings": {message_id: {"rating": r.rating.value, "comment": r.comment, "at": _time(r.at)}
                        for message_id, r in view.ratings.items()},
            "allowed_statuses": [s.value for s in view.allowed_statuses]}


def handover(e: TicketEvent) -> dict:
    return {"id": e.id, "ticket_number": e.ticket_number, "at": _time(e.occurred_at), "by": _actor(e.actor),
            "from": e.data.get("from"), "to": e.data.get("to"), "reason": e.data.get("reason", ""),
            "kind": e.data.get("kind")}


def presence(p: Presence) -> dict:
    return {"agent": _actor(p.agent), "state": p.state.value, "since": _time(p.since)}


def department(d: Department) -> dict:
    return {"id": d.id, "names": d.names, "categories": [{"id": c.id, "names": c.names} for c in d.categories],
            "groups": [{"id": g.id, "names": g.names, "members": list(g.members), "strategy": g.strategy.value}
                       for g in d.groups],
            "supervisors": list(d.supervisors)}


def routing_rule(r: RoutingRule) -> dict:
    return {"category": r.category, "department": r.department, "group": r.group, "keywords": list(r.keywords)}


def history_item(t: Ticket) -> dict:
    """One line of the signed-in customer's ticket list."""
    return {"number": t.number, "subject": t.subject, "status": t.status.value, "priority": t.priority.value,
            "created_at": _time(t.created_at), "last_activity_at": _time(t.last_activity_at), "confirmed": t.confirmed}


def organisation(found, *, with_rules_and_policies: bool) -> dict:
    """The organisation as agents see it (departments, groups, members, names); admins also get what only
    they edit (routing rules and policies)."""
    body = {"departments": [department(d) for d in found.departments],
            "agents": [{"id": username, "name": name} for username, name in found.agents]}
    if with_rules_and_policies:
        body.update(rules=[routing_rule(r) for r in found.rules], policies=found.policies.to_dict())
    return body
