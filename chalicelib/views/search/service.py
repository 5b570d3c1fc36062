"""Search use cases: parse, authorize, ask the reader, shape nothing (the API shapes the reply)."""
from __future__ import annotations

from dataclasses import replace

from chalicelib.domain import search_text
from chalicelib.domain.permissions import Staff
from chalicelib.services.ports import CatalogRepository
from chalicelib.views.search.ports import Page, SearchReader
from chalicelib.views.search.query import SearchRequest, Sort, agent_scope, customer_scope, parse_request


def _parsed(q: str):
    """None for an empty query (a filtered list); bad queries raise Invalid naming `q`."""
    parsed = search_text.parse_query(q)
    return None if parsed.is_empty else parsed


def agent_search(params: dict, *, staff: Staff, catalog: CatalogRepository, reader: SearchReader
                 ) -> tuple[SearchRequest, Page]:
    """Every ticket the agent may open (the rule of opening one) that matches; admins search all."""
    request = parse_request(params, me=staff.id)
    parsed = _parsed(request.q)
    return request, reader.search(request, agent_scope(staff, catalog.departments()), parsed)


def customer_search(params: dict, *, email: str = "", phone: str = "", reader: SearchReader
                    ) -> tuple[SearchRequest, Page]:
    """A signed-in customer's own tickets, by their public text only; the filters are not theirs to use."""
    request = parse_request({k: params[k] for k in ("q", "cursor", "sort", "limit") if params.get(k)})
    request = replace(request, sort=request.sort if request.sort != Sort.SLA else Sort.RELEVANCE)
    parsed = _parsed(request.q)
    return request, reader.search(request, customer_scope(email=email, phone=phone), parsed)
