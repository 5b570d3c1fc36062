"""Search routes: agents search every ticket they may open, signed-in customers their own tickets' public text.
Thin: the services in views/search parse and authorize, the reader searches (docs/search.md)."""
from datetime import datetime, timezone

from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import shapes
from chalicelib.api.auth import ADMIN_GROUP, Agent
from chalicelib.api.http import route
from chalicelib.domain.permissions import Staff
from chalicelib.domain.sign_in import Channel, Identity

# views/search (query parsing, folding) loads on the first search, not at import (cold start).

search_api = Blueprint(__name__)

TEXT = {"type": "string", "maxLength": 128}
FLAG = {"type": "string", "enum": ["true", "false"]}
MOMENT = {"type": "string", "maxLength": 40}
QUERY = {"q": {"schema": {"type": "string", "maxLength": 500}}, "cursor": {"schema": {"type": "string", "maxLength": 64}},
         "sort": {"schema": {"type": "string", "enum": ["relevance", "newest", "sla"]}},
         "limit": {"schema": {"type": "string", "pattern": "^[0-9]{1,3}$"}}}
AGENT_QUERY = {**QUERY, "status": {"schema": TEXT}, "department": {"schema": TEXT}, "group": {"schema": TEXT},
               "assignee": {"schema": TEXT}, "priority": {"schema": TEXT}, "customer": {"schema": TEXT},
               "created_from": {"schema": MOMENT}, "created_to": {"schema": MOMENT},
               "updated_from": {"schema": MOMENT}, "updated_to": {"schema": MOMENT},
               "has_attachment": {"schema": FLAG}, "unconfirmed": {"schema": FLAG}}


def _query() -> dict:
    return search_api.current_request.query_params or {}


def _reply(request, page, *, agent: bool = True) -> shapes.SearchResults:
    from chalicelib.views.search.query import encode_cursor

    following = request.offset + len(page.hits)
    return shapes.SearchResults(
        results=[shapes.SearchHit(number=h.number, subject=h.subject, status=h.status, department=h.department,
                                  assignee=shapes.search_assignee(h.assignee) if agent else None,
                                  customer=h.customer, updated_at=datetime.fromtimestamp(h.updated, timezone.utc),
                                  snippet=h.snippet) for h in page.hits],
        total=page.total, next=encode_cursor(following) if following < page.total else None)


@route(search_api, "/agent/search", audience="agent", query=AGENT_QUERY, response=shapes.SearchResults,
       summary="Search every ticket I may open (admins: all): words, \"phrases\", -excluded, number; filters; "
               "sort by relevance, newest or SLA due; exact total, cursor pages")
def agent_search(agent: Agent):
    from chalicelib.views.search import service

    staff = Staff(actor=agent.actor, admin=ADMIN_GROUP in agent.groups)
    request, page = service.agent_search(_query(), staff=staff, catalog=bootstrap.catalog(),
                                         reader=bootstrap.search_reader())
    return _reply(request, page)


@route(search_api, "/customer/search", audience="session", query=QUERY, response=shapes.SearchResults,
       summary="Search the signed-in customer's own tickets (their public conversation)")
def customer_search(identity: Identity):
    from chalicelib.views.search import service

    by_mail = identity.channel == Channel.EMAIL
    request, page = service.customer_search(_query(), email=identity.address if by_mail else "",
                                            phone="" if by_mail else identity.address,
                                            reader=bootstrap.search_reader())
    return _reply(request, page, agent=False)
