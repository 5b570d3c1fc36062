"""Canned answers for agents (issue 15): manage them per scope, offer them for a ticket (the portal's `::`
type-ahead and picker), fill one in for a ticket, and send a reply with it (its actions applied)."""
from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import schemas, shapes
from chalicelib.api.auth import Agent, staff
from chalicelib.api.contract import to_builtins
from chalicelib.api.http import route, ticket_number
from chalicelib.errors import Invalid
from chalicelib.settings import get_settings

# The canned domain and service (and the search folding they use) load on a route's first call, not at import.

canned_api = Blueprint(__name__)

QUERY_TEXT = {"type": "string", "minLength": 1, "maxLength": 128}


def _query() -> dict:
    return canned_api.current_request.query_params or {}


@route(canned_api, "/agent/canned", audience="agent", refusals=(403, 404), response=shapes.CannedAnswers,
       query={"q": {"schema": QUERY_TEXT}, "ticket": {"schema": {"type": "string", "pattern": "^[0-9]{1,12}$"}},
              "scope": {"schema": {"type": "string", "enum": list(schemas.ScopeKindName.__args__)}},
              "department": {"schema": QUERY_TEXT}, "group": {"schema": QUERY_TEXT},
              "agent": {"schema": {"type": "string", "minLength": 1, "maxLength": 128}}},
       summary="Canned answers in my scopes (or in one scope), matched on title and body; the ticket's language first")
def list_answers(agent: Agent):
    from chalicelib.domain.canned import PLACEHOLDERS
    from chalicelib.services import canned

    query = _query()
    scope = ({"kind": query["scope"], "department": query.get("department"), "group": query.get("group"),
              "agent": query.get("agent")} if query.get("scope") else None)
    found = canned.offered(answers=bootstrap.canned_answers(), catalog=bootstrap.catalog(),
                           tickets=bootstrap.tickets(), staff=staff(agent), query=query.get("q", ""),
                           ticket=ticket_number(query["ticket"]) if query.get("ticket") else None, scope=scope)
    return shapes.CannedAnswers(answers=[shapes.canned_answer(o.answer, editable=o.editable) for o in found],
                                placeholders=list(PLACEHOLDERS))


@route(canned_api, "/agent/canned", method="POST", status=201, request=schemas.NewCannedAnswer, audience="agent",
       refusals=(403,), response=shapes.CannedAnswerReply, summary="Save a new canned answer in a scope I may edit")
def create_answer(agent: Agent, body: schemas.NewCannedAnswer):
    from chalicelib.services import canned

    answer = canned.create(answers=bootstrap.canned_answers(), catalog=bootstrap.catalog(), staff=staff(agent),
                           body=to_builtins(body))
    return shapes.canned_answer(answer, editable=True)


@route(canned_api, "/agent/canned/{answer_id}", audience="agent", refusals=(404,), response=shapes.CannedAnswerReply,
       summary="One canned answer")
def get_answer(answer_id, agent: Agent):
    from chalicelib.services import canned

    answer = canned.get(answers=bootstrap.canned_answers(), catalog=bootstrap.catalog(), staff=staff(agent),
                        answer_id=answer_id)
    return shapes.canned_answer(answer)


@route(canned_api, "/agent/canned/{answer_id}", method="PUT", request=schemas.EditCannedAnswer, audience="agent",
       refusals=(403, 404, 409), response=shapes.CannedAnswerReply,
       summary="Change a canned answer (naming the version I saw); it may move scope")
def update_answer(answer_id, agent: Agent, body: schemas.EditCannedAnswer):
    from chalicelib.services import canned

    answer = canned.update(answers=bootstrap.canned_answers(), catalog=bootstrap.catalog(), staff=staff(agent),
                           answer_id=answer_id, body=to_builtins(body), version=body.version)
    return shapes.canned_answer(answer, editable=True)


@route(canned_api, "/agent/canned/{answer_id}", method="DELETE", audience="agent", refusals=(403, 404, 409),
       query={"version": {"schema": {"type": "string", "pattern": "^[0-9]{1,9}$"}, "required": True}},
       response=shapes.CannedDeleted, summary="Delete a canned answer (naming the version I saw)")
def delete_answer(answer_id, agent: Agent):
    from chalicelib.services import canned

    version = _query().get("version", "")
    if not (version.isascii() and version.isdigit() and 0 < len(version) < 10):
        raise Invalid.field("version", "required" if not version else "invalid")
    canned.delete(answers=bootstrap.canned_answers(), catalog=bootstrap.catalog(), staff=staff(agent),
                  answer_id=answer_id, version=int(version))
    return shapes.CannedDeleted(id=answer_id, deleted=True)


@route(canned_api, "/agent/canned/{answer_id}/render", method="POST",
       request=schemas.RenderCannedAnswer, audience="agent",
       refusals=(403, 404), response=shapes.CannedRendered,
       summary="The answer filled in for a ticket, in the ticket's language when it has it")
def render_answer(answer_id, agent: Agent, body: schemas.RenderCannedAnswer):
    from chalicelib.services import canned

    answer, filled = canned.render(answers=bootstrap.canned_answers(), catalog=bootstrap.catalog(),
                                   tickets=bootstrap.tickets(), staff=staff(agent), answer_id=answer_id,
                                   ticket=body.ticket, site_url=get_settings().customer_site_url)
    return shapes.CannedRendered(id=answer.id, title=answer.title, text=filled.text,
                                 language=filled.language.value, fallback=filled.fallback,
                                 actions=shapes.canned_actions(answer.actions))


@route(canned_api, "/agent/tickets/{number}/canned-replies", method="POST", status=201, request=schemas.CannedReply,
       audience="agent", refusals=(404, 409), response=shapes.CannedReplied,
       summary="Reply with a canned answer (the text as I edited it) and apply its actions; its use is counted")
def reply_with_answer(number, agent: Agent, body: schemas.CannedReply):
    from chalicelib.services import canned

    applied = canned.reply_with(bootstrap.ticket_desk(), answers=bootstrap.canned_answers(), staff=staff(agent),
                                answer_id=body.answer, number=ticket_number(number), text=body.text,
                                version=body.version, attachments=body.attachments)
    return shapes.CannedReplied(message=shapes.message(applied.message),
                                ticket=shapes.agent_ticket_summary(applied.ticket),
                                not_applied=list(applied.not_applied))
