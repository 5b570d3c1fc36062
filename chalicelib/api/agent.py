"""Routes for signed-in agents (Authorization: Bearer <Cognito access token>, verified by api/http.route)."""
from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import schemas, shapes
from chalicelib.api.auth import Agent, staff
from chalicelib.api.http import route, ticket_number
from chalicelib.errors import Invalid
from chalicelib.services import accounts, agent_desk, workflow

agent_api = Blueprint(__name__)


def _query() -> dict:
    return agent_api.current_request.query_params or {}


@route(agent_api, "/agent/me", audience="agent", second_factor=False, response=shapes.Me,
       summary="The signed-in agent, their departments and groups, and whether their role needs a second factor")
def me(agent: Agent):
    signed_in = staff(agent)
    found = workflow.profile(catalog=bootstrap.catalog(), staff=signed_in)
    mfa = accounts.second_factor(accounts=bootstrap.accounts(), catalog=bootstrap.catalog(), staff=signed_in)
    return shapes.Me(id=agent.actor.id, name=agent.actor.name, groups=sorted(agent.groups), admin=signed_in.admin,
                     supervises=found.supervises,
                     member_of=[shapes.Membership(department=d, group=g) for d, g in found.member_of],
                     mfa=shapes.SecondFactorState(required=mfa.required, enrolled=mfa.enrolled))


QUERY_TEXT = {"type": "string", "minLength": 1, "maxLength": 128}
TICKET_QUERY = {"type": "string", "pattern": "^[0-9]{1,12}$"}


@route(agent_api, "/agent/queue", audience="agent", refusals=(404,), response=shapes.TicketList,
       query={"department": {"schema": QUERY_TEXT, "required": True}, "group": {"schema": QUERY_TEXT}},
       summary="Active tickets of a department (optionally of one group), oldest first")
def queue(agent: Agent):
    department = _query().get("department", "")
    if not department:
        raise Invalid.field("department", "required")
    found = workflow.queue(bootstrap.ticket_desk(), staff=staff(agent), department=department,
                           group=_query().get("group") or None)
    return shapes.ticket_list(found)


@route(agent_api, "/agent/queue/all", audience="agent", response=shapes.TicketList,
       summary="Active tickets of every department I work in or supervise (admins: all), earliest due first")
def queue_everywhere(agent: Agent):
    found = workflow.queue_everywhere(bootstrap.ticket_desk(), staff=staff(agent))
    return shapes.ticket_list(found)


@route(agent_api, "/agent/mine", audience="agent", response=shapes.TicketList,
       summary="Active tickets assigned to me, oldest first")
def mine(agent: Agent):
    found = workflow.mine(bootstrap.ticket_desk(), staff=staff(agent))
    return shapes.ticket_list(found)


# One form at a time: agent=, department= with group=, or ticket= (else 400 naming what is missing).
@route(agent_api, "/agent/handovers", audience="agent", refusals=(404,), response=shapes.Handovers,
       query={"agent": {"schema": QUERY_TEXT}, "department": {"schema": QUERY_TEXT}, "group": {"schema": QUERY_TEXT},
              "ticket": {"schema": TICKET_QUERY}},
       summary="Hand-over trail of an agent, a work group (department and group) or a ticket, newest first")
def handovers(agent: Agent):
    query = _query()
    ticket = ticket_number(query["ticket"]) if query.get("ticket") else None
    found = workflow.handovers(bootstrap.ticket_desk(), staff=staff(agent),
                               agent=query.get("agent") or None, department=query.get("department") or None,
                               group=query.get("group") or None, ticket=ticket)
    return shapes.Handovers(handovers=[shapes.handover(e) for e in found])


@route(agent_api, "/agent/tickets/{number}", audience="agent", response=shapes.AgentTicketView,
       summary="The whole ticket: messages, internal notes, timeline, the customer's other tickets")
def view_ticket(number, agent: Agent):
    view = agent_desk.view(bootstrap.ticket_desk(), number=ticket_number(number), staff=staff(agent))
    return shapes.agent_ticket_view(view)


@route(agent_api, "/agent/tickets/{number}/replies", method="POST", status=201, request=schemas.AgentReply,
       audience="agent", refusals=(409,), response=shapes.MessageReply, summary="Reply to the customer")
def reply(number, agent: Agent, body: schemas.AgentReply):
    message = agent_desk.reply(bootstrap.ticket_desk(), number=ticket_number(number),
                               staff=staff(agent), text=body.text, attachments=body.attachments,
                               version=body.version or None)
    return shapes.message(message)


@route(agent_api, "/agent/tickets/{number}/notes", method="POST", status=201, request=schemas.AgentNote,
       audience="agent", refusals=(409,), response=shapes.MessageReply,
       summary="Add an internal note (never shown to the customer)")
def note(number, agent: Agent, body: schemas.AgentNote):
    message = agent_desk.note(bootstrap.ticket_desk(), number=ticket_number(number), staff=staff(agent),
                              text=body.text, version=body.version or None)
    return shapes.message(message)


@route(agent_api, "/agent/tickets/{number}/status", method="POST", request=schemas.ChangeStatus, audience="agent",
       refusals=(409,), response=shapes.AgentTicketSummary,
       summary="Move the ticket to another status (allowed_statuses)")
def change_status(number, agent: Agent, body: schemas.ChangeStatus):
    ticket = workflow.change_status(bootstrap.ticket_desk(), number=ticket_number(number), staff=staff(agent),
                                    status=body.status, version=body.version)
    return shapes.agent_ticket_summary(ticket)


@route(agent_api, "/agent/tickets/{number}/priority", method="POST", request=schemas.ChangePriority,
       audience="agent", refusals=(409,), response=shapes.AgentTicketSummary,
       summary="Set the agents' priority (the customer's stays as they chose it)")
def change_priority(number, agent: Agent, body: schemas.ChangePriority):
    ticket = workflow.change_priority(bootstrap.ticket_desk(), number=ticket_number(number), staff=staff(agent),
                                      priority=body.priority, version=body.version)
    return shapes.agent_ticket_summary(ticket)


@route(agent_api, "/agent/tickets/{number}/take", method="POST", request=schemas.Take, audience="agent", refusals=(409,),
       response=shapes.AgentTicketSummary,
       summary="Take the ticket onto my desk")
def take(number, agent: Agent, body: schemas.Take):
    ticket = workflow.take(bootstrap.ticket_desk(), number=ticket_number(number), staff=staff(agent),
                           version=body.version)
    return shapes.agent_ticket_summary(ticket)


@route(agent_api, "/agent/tickets/{number}/assign", method="POST", request=schemas.Assign, audience="agent", refusals=(409,),
       response=shapes.AgentTicketSummary,
       summary="Give the ticket to a member of its group (supervisors and admins)")
def assign(number, agent: Agent, body: schemas.Assign):
    ticket = workflow.assign(bootstrap.ticket_desk(), number=ticket_number(number), staff=staff(agent),
                             agent=body.agent, version=body.version, reason=body.reason)
    return shapes.agent_ticket_summary(ticket)


@route(agent_api, "/agent/tickets/{number}/transfer", method="POST", request=schemas.Transfer, audience="agent",
       refusals=(409,), response=shapes.AgentTicketSummary,
       summary="Transfer the ticket to another group or department, with the reason")
def transfer(number, agent: Agent, body: schemas.Transfer):
    ticket = workflow.transfer(bootstrap.ticket_desk(), number=ticket_number(number), staff=staff(agent),
                               department=body.department, group=body.group, agent=body.agent or None,
                               category=body.category or None, reason=body.reason, version=body.version)
    return shapes.agent_ticket_summary(ticket)


@route(agent_api, "/agent/tickets/{number}/presence", method="POST", request=schemas.ReportPresence, audience="agent",
       response=shapes.OthersHere,
       summary="I have this ticket open (viewing or replying) or left it; who else has? (also measures agent time)")
def presence(number, agent: Agent, body: schemas.ReportPresence):
    others = agent_desk.report_presence(bootstrap.ticket_desk(), bootstrap.presence(), number=ticket_number(number),
                                        staff=staff(agent), state=body.state)
    return shapes.OthersHere(others=[shapes.presence(p) for p in others])


@route(agent_api, "/agent/tickets/{number}/time", method="POST", status=201, request=schemas.LogTime,
       audience="agent", response=shapes.TimelineEntry,
       summary="Log time worked on the ticket (minutes, optional note): an internal entry counted in the reports")
def log_time(number, agent: Agent, body: schemas.LogTime):
    event = agent_desk.log_time(bootstrap.ticket_desk(), number=ticket_number(number), staff=staff(agent),
                                minutes=body.minutes, note=body.note or "")
    return shapes.timeline_entry(event)


@route(agent_api, "/agent/tickets/{number}/attachments/{attachment_id}", audience="agent",
       response=shapes.DownloadLink, summary="A short-lived download link for any attachment of the ticket")
def attachment(number, attachment_id, agent: Agent):
    url, expires_in = agent_desk.attachment(bootstrap.ticket_desk(), number=ticket_number(number),
                                            staff=staff(agent), attachment_id=attachment_id)
    return shapes.DownloadLink(url=url, expires_in=expires_in)
