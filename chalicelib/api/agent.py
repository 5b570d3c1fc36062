"""Routes for signed-in agents (Authorization: Bearer <Cognito access token>, verified by api/http.route)."""
from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import schemas, shapes
from chalicelib.api.auth import Agent
from chalicelib.api.http import route, ticket_number
from chalicelib.errors import Invalid
from chalicelib.services import tickets

agent_api = Blueprint(__name__)


@route(agent_api, "/agent/me", audience="agent", summary="The signed-in agent")
def me(agent: Agent):
    return {"id": agent.actor.id, "name": agent.actor.name, "groups": sorted(agent.groups)}


@route(agent_api, "/agent/queue", audience="agent", summary="Active tickets of a department, oldest first")
def queue(agent: Agent):
    department = (_request().query_params or {}).get("department", "")
    if not department:
        raise Invalid.field("department", "required")
    found = tickets.department_queue(tickets=bootstrap.tickets(), catalog=bootstrap.catalog(), department=department)
    return {"tickets": [shapes.ticket_summary(t) for t in found]}


@route(agent_api, "/agent/tickets/{number}", audience="agent", summary="The whole ticket, internal notes included")
def view_ticket(number, agent: Agent):
    return shapes.ticket_view(tickets.view_as_agent(bootstrap.tickets(), ticket_number(number)), for_agent=True)


@route(agent_api, "/agent/tickets/{number}/replies", method="POST", status=201, request=schemas.MESSAGE,
       audience="agent", summary="Reply to the customer")
def reply(number, agent: Agent, body):
    message = tickets.agent_reply(tickets=bootstrap.tickets(), files=bootstrap.files(), clock=bootstrap.clock(),
                                  limits=bootstrap.limits(), number=ticket_number(number), agent=agent.actor,
                                  text=body["text"], attachments=body.get("attachments", []))
    return shapes.message(message)


@route(agent_api, "/agent/tickets/{number}/notes", method="POST", status=201, request=schemas.NOTE, audience="agent",
       summary="Add an internal note (never shown to the customer)")
def note(number, agent: Agent, body):
    message = tickets.add_note(tickets=bootstrap.tickets(), clock=bootstrap.clock(), number=ticket_number(number),
                               agent=agent.actor, text=body["text"])
    return shapes.message(message)


@route(agent_api, "/agent/tickets/{number}/attachments/{attachment_id}", audience="agent",
       summary="A short-lived download link for any attachment of the ticket")
def attachment(number, attachment_id, agent: Agent):
    url, expires_in = tickets.attachment_for_agent(tickets=bootstrap.tickets(), files=bootstrap.files(),
                                                   number=ticket_number(number), attachment_id=attachment_id)
    return {"url": url, "expires_in": expires_in}


def _request():
    return agent_api.current_request
