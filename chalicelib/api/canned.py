"""Canned answers for agents (issue 15): manage them per scope, offer them for a ticket (the portal's `::`
type-ahead and picker), fill one in for a ticket, and send a reply with it (its actions applied)."""
from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import shapes
from chalicelib.api.auth import ADMIN_GROUP, Agent
from chalicelib.api.http import route, ticket_number
from chalicelib.api.schemas import ATTACHMENTS, IDENTIFIER, TICKET_NUMBER, USERNAME, VERSION, _long_text, _object
from chalicelib.domain.canned import BODY_MAX, PLACEHOLDERS, TITLE_MAX, CannedAnswer, ScopeKind
from chalicelib.domain.permissions import AGENT_SETTABLE, Staff
from chalicelib.domain.tickets import Priority, Status
from chalicelib.errors import Invalid
from chalicelib.services import canned
from chalicelib.settings import get_settings

canned_api = Blueprint(__name__)

SCOPE = _object(["kind"], {"kind": {"type": "string", "enum": [k.value for k in ScopeKind]},
                           "department": IDENTIFIER, "group": IDENTIFIER})
ACTIONS = _object([], {
    "status": {"type": "string", "enum": [s.value for s in Status if s in AGENT_SETTABLE]},
    "priority": {"type": "string", "enum": [p.value for p in Priority]},
    "transfer": _object(["department", "group"], {"department": IDENTIFIER, "group": IDENTIFIER}),
})
_ANSWER_FIELDS = {
    "title": {"type": "string", "minLength": 1, "maxLength": TITLE_MAX},
    # Placeholders: PLACEHOLDERS in {{ }}; an unknown or malformed one is a 400 naming it (details.placeholders).
    "bodies": _object([], {lang: _long_text(BODY_MAX, min_length=0) for lang in ("fa", "he", "en")}),
    "scope": SCOPE,
    "actions": ACTIONS,
}
NEW_ANSWER = _object(["title", "bodies", "scope"], _ANSWER_FIELDS)
EDIT_ANSWER = _object(["title", "bodies", "scope", "version"], {**_ANSWER_FIELDS, "version": VERSION})
RENDER = _object(["ticket"], {"ticket": TICKET_NUMBER})
CANNED_REPLY = _object(["answer", "text", "version"], {"answer": IDENTIFIER, "text": _long_text(20000),
                                                      "version": VERSION, "attachments": ATTACHMENTS})

QUERY_TEXT = {"type": "string", "minLength": 1, "maxLength": 128}


def _staff(agent: Agent) -> Staff:
    return Staff(actor=agent.actor, admin=ADMIN_GROUP in agent.groups)


def _query() -> dict:
    return canned_api.current_request.query_params or {}


def answer_shape(answer: CannedAnswer, *, editable: bool | None = None) -> dict:
    shape = {"id": answer.id, "title": answer.title, "bodies": {k.value: v for k, v in answer.bodies.items()},
             "languages": sorted(k.value for k in answer.bodies), "scope": answer.scope.document(),
             "actions": answer.actions.document(), "uses": answer.uses, "version": answer.version}
    if editable is not None:
        shape["editable"] = editable
    return shape


@route(canned_api, "/agent/canned", audience="agent", refusals=(403, 404),
       query={"q": {"schema": QUERY_TEXT}, "ticket": {"schema": {"type": "string", "pattern": "^[0-9]{1,12}$"}},
              "scope": {"schema": {"type": "string", "enum": [k.value for k in ScopeKind]}},
              "department": {"schema": QUERY_TEXT}, "group": {"schema": QUERY_TEXT}, "agent": {"schema": USERNAME}},
       summary="Canned answers in my scopes (or in one scope), matched on title and body; the ticket's language first")
def list_answers(agent: Agent):
    query = _query()
    scope = ({"kind": query["scope"], "department": query.get("department"), "group": query.get("group"),
              "agent": query.get("agent")} if query.get("scope") else None)
    found = canned.offered(answers=bootstrap.canned_answers(), catalog=bootstrap.catalog(),
                           tickets=bootstrap.tickets(), staff=_staff(agent), query=query.get("q", ""),
                           ticket=ticket_number(query["ticket"]) if query.get("ticket") else None, scope=scope)
    return {"answers": [answer_shape(o.answer, editable=o.editable) for o in found],
            "placeholders": list(PLACEHOLDERS)}


@route(canned_api, "/agent/canned", method="POST", status=201, request=NEW_ANSWER, audience="agent",
       refusals=(403,), summary="Save a new canned answer in a scope I may edit")
def create_answer(agent: Agent, body):
    answer = canned.create(answers=bootstrap.canned_answers(), catalog=bootstrap.catalog(), staff=_staff(agent),
                           body=body)
    return answer_shape(answer, editable=True)


@route(canned_api, "/agent/canned/{answer_id}", audience="agent", refusals=(404,), summary="One canned answer")
def get_answer(answer_id, agent: Agent):
    staff = _staff(agent)
    answer = canned.get(answers=bootstrap.canned_answers(), catalog=bootstrap.catalog(), staff=staff,
                        answer_id=answer_id)
    return answer_shape(answer)


@route(canned_api, "/agent/canned/{answer_id}", method="PUT", request=EDIT_ANSWER, audience="agent",
       refusals=(403, 404, 409), summary="Change a canned answer (naming the version I saw); it may move scope")
def update_answer(answer_id, agent: Agent, body):
    answer = canned.update(answers=bootstrap.canned_answers(), catalog=bootstrap.catalog(), staff=_staff(agent),
                           answer_id=answer_id, body=body, version=body["version"])
    return answer_shape(answer, editable=True)


@route(canned_api, "/agent/canned/{answer_id}", method="DELETE", audience="agent", refusals=(403, 404, 409),
       query={"version": {"schema": {"type": "string", "pattern": "^[0-9]{1,9}$"}, "required": True}},
       summary="Delete a canned answer (naming the version I saw)")
def delete_answer(answer_id, agent: Agent):
    version = _query().get("version", "")
    if not (version.isascii() and version.isdigit() and 0 < len(version) < 10):
        raise Invalid.field("version", "required" if not version else "invalid")
    canned.delete(answers=bootstrap.canned_answers(), catalog=bootstrap.catalog(), staff=_staff(agent),
                  answer_id=answer_id, version=int(version))
    return {"id": answer_id, "deleted": True}


@route(canned_api, "/agent/canned/{answer_id}/render", method="POST", request=RENDER, audience="agent",
       refusals=(403, 404), summary="The answer filled in for a ticket, in the ticket's language when it has it")
def render_answer(answer_id, agent: Agent, body):
    answer, filled = canned.render(answers=bootstrap.canned_answers(), catalog=bootstrap.catalog(),
                                   tickets=bootstrap.tickets(), staff=_staff(agent), answer_id=answer_id,
                                   ticket=body["ticket"], site_url=get_settings().customer_site_url)
    return {"id": answer.id, "title": answer.title, "text": filled.text, "language": filled.language.value,
            "fallback": filled.fallback, "actions": answer.actions.document()}


@route(canned_api, "/agent/tickets/{number}/canned-replies", method="POST", status=201, request=CANNED_REPLY,
       audience="agent", refusals=(404, 409),
       summary="Reply with a canned answer (the text as I edited it) and apply its actions; its use is counted")
def reply_with_answer(number, agent: Agent, body):
    applied = canned.reply_with(bootstrap.ticket_desk(), answers=bootstrap.canned_answers(), staff=_staff(agent),
                                answer_id=body["answer"], number=ticket_number(number), text=body["text"],
                                version=body["version"], attachments=body.get("attachments", []))
    return {"message": shapes.message(applied.message), "ticket": shapes.agent_ticket_summary(applied.ticket),
            "not_applied": list(applied.not_applied)}
