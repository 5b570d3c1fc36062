"""The HTTP edge shared by every route: JSON bodies checked against a schema, domain errors mapped to
HTTP in this one place, CORS, and a registry of routes that /openapi.json is built from.

Chalice hands only ChaliceUnhandledError to middleware, so the mapping wraps each view instead.
"""
from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass

from chalice import Blueprint, CORSConfig, Response

from chalicelib.api import shapes
from chalicelib.api.auth import (ADMIN_GROUP, current_agent, customer_access, require_second_factor,
                                 signed_in_customer)
from chalicelib.domain.tickets import StaleTicket
from chalicelib.errors import DomainError, Forbidden, Invalid, NotFound
from chalicelib.observability import logger

STATUS = {"invalid": 400, "unauthorized": 401, "forbidden": 403, "not_found": 404, "conflict": 409,
          "limit_reached": 429, "unavailable": 503,
          "mfa_required": 403}

# CORS is configuration of API Gateway itself (the OPTIONS answers), so it is fixed when routes are
# declared: `chalice package` and Lambda both import with WEB_ORIGIN set. Both sites share that origin.
CORS = CORSConfig(allow_origin=os.environ.get("WEB_ORIGIN", "http://127.0.0.1:8080"),
                  allow_headers=["Authorization", "Content-Type", "X-Ticket-Key"], max_age=600)


@dataclass(frozen=True)
class RouteDoc:
    path: str
    method: str
    summary: str
    audience: str  # public | customer | session | agent | admin
    request: dict | None
    status: int


ROUTES: list[RouteDoc] = []


def error_response(error: DomainError) -> Response:
    body = {"error": error.code, "message": error.message}
    if error.fields:
        body["fields"] = error.fields
    body.update(error.details)
    if isinstance(error, StaleTicket):  # the agent's next decision needs the ticket as it is now
        body["ticket"] = shapes.agent_ticket_summary(error.ticket)
    return Response(status_code=STATUS[error.code], body=body)


def route(blueprint: Blueprint, path: str, *, method: str = "GET", summary: str, audience: str = "public",
          request: dict | None = None, status: int = 200, second_factor: bool = True):
    """Declare a JSON route. The view returns a dict and gets, as keyword arguments, the URL parameters,
    the validated body as `body` (when `request` is given), the verified `agent` (audience "agent": no
    agent route can forget to check; audience "admin": an agent in the admin group), the customer's
    `access` (audience "customer": ticket key and/or verified session, which the ticket services check) or
    the signed-in customer's `identity` (audience "session"). DomainErrors become their HTTP status.
    Admins and supervisors without a second factor get 403 mfa_required from agent and admin routes, except
    those declared `second_factor=False` (what the portal needs to send them to enroll)."""
    ROUTES.append(RouteDoc(path, method, summary, audience, request, status))

    def register(view):
        @functools.wraps(view)
        def handle(**params):
            try:
                headers = blueprint.current_request.headers
                if audience in ("agent", "admin"):  # credentials before anything else: no hints to strangers
                    params["agent"] = current_agent(headers)
                    if audience == "admin" and ADMIN_GROUP not in params["agent"].groups:
                        raise Forbidden("only admins may do this")
                    if second_factor:
                        require_second_factor(params["agent"])
                elif audience == "customer":
                    params["access"] = customer_access(headers)
                elif audience == "session":
                    params["identity"] = signed_in_customer(headers)
                if request is not None:
                    params["body"] = parse_body(blueprint.current_request.raw_body, request)
                return Response(status_code=status, body=view(**params))
            except DomainError as error:
                logger.info("request refused", extra={"error": error.code, "fields": sorted(error.fields)})
                return error_response(error)

        blueprint.route(path, methods=[method], cors=CORS)(handle)
        return view

    return register


_SCHEMA_CODES = {"required": "required", "minLength": "required", "maxLength": "too_long", "maxItems": "too_many",
                 "type": "invalid", "enum": "invalid", "pattern": "invalid", "format": "invalid",
                 "minimum": "invalid", "maximum": "too_large", "additionalProperties": "invalid"}


def parse_body(raw: bytes | None, schema: dict) -> dict:
    from aws_lambda_powertools.utilities.validation import validate  # heavy: imported on first use only
    from aws_lambda_powertools.utilities.validation.exceptions import SchemaValidationError

    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        raise Invalid("the body must be a JSON object", fields={"body": "invalid"}) from None
    try:
        validate(event=body, schema=schema)
    except SchemaValidationError as exc:
        fields = _field_errors(exc)
        raise Invalid("; ".join(f"{path}: {code}" for path, code in fields.items()), fields=fields) from None
    return body


def _field_errors(exc) -> dict[str, str]:
    """'data.customer.email' / 'data.attachments[1]' -> 'customer.email' / 'attachments.1'. fastjsonschema
    stops at the first broken rule; for `required` it names the parent and lists every missing field."""
    path = re.sub(r"\[(\d+)\]", r".\1", exc.name or "data").removeprefix("data").lstrip(".")
    if exc.rule == "required":
        missing = re.search(r"\[([^\]]*)\]", exc.message or "")
        names = re.findall(r"'([^']+)'", missing.group(1)) if missing else []
        if names:
            return {f"{path}.{name}".lstrip("."): "required" for name in sorted(names)}
    return {path or "body": _SCHEMA_CODES.get(exc.rule, "invalid")}


def ticket_number(raw: str) -> int:
    """A ticket number from the URL; anything else is simply a ticket that does not exist."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise NotFound("no such ticket")
    return int(raw)
