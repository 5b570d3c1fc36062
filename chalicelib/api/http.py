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
from chalicelib.domain.text import has_unsafe_characters
from chalicelib.errors import DomainError, Forbidden, Invalid, NotFound, TooLarge
from chalicelib.observability import logger
from chalicelib.settings import get_settings

STATUS = {"invalid": 400, "unauthorized": 401, "forbidden": 403, "not_found": 404, "conflict": 409,
          "too_large": 413, "limit_reached": 429, "unavailable": 503, "mfa_required": 403}

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
    request: type | None  # the typed body (api/contract.Body)
    status: int
    response: type | None  # the typed success body (api/contract.Reply), when declared
    query: dict  # name -> {"schema": ..., "required": bool}
    refusals: tuple[int, ...]  # statuses beyond those every route of its kind may answer (409, 429, 503)


ROUTES: list[RouteDoc] = []


def error_response(error: DomainError) -> Response:
    body = {"error": error.code, "message": error.message}
    if error.fields:
        body["fields"] = error.fields
    body.update(error.details)
    if isinstance(error, StaleTicket):  # the agent's next decision needs the ticket as it is now
        body["ticket"] = _encoded(shapes.agent_ticket_summary(error.ticket))
    return Response(status_code=STATUS[error.code], body=body)


def route(blueprint: Blueprint, path: str, *, method: str = "GET", summary: str, audience: str = "public",
          request: type | None = None, status: int = 200, response: type | None = None,
          query: dict | None = None, refusals: tuple[int, ...] = (), second_factor: bool = True):
    """Declare a JSON route. The view returns a dict or a typed reply (`response`, documented with its schema)
    and gets, as keyword arguments, the URL parameters, the validated body as `body` (when `request` is given:
    an instance of that typed body, api/contract.py), the verified
    `agent` (audience "agent": no agent route can forget to check; audience "admin": an agent in the admin
    group), the customer's
    `access` (audience "customer": ticket key and/or verified session, which the ticket services check) or
    the signed-in customer's `identity` (audience "session"). `query` documents the query parameters the view
    reads (each {"schema", "required"}); `refusals` the error statuses it may answer beyond those of every route
    of its kind (see api/openapi.py). DomainErrors become their HTTP status.
    Admins and supervisors without a second factor get 403 mfa_required from agent and admin routes, except
    those declared `second_factor=False` (what the portal needs to send them to enroll)."""
    ROUTES.append(RouteDoc(path, method, summary, audience, request, status, response, query or {}, refusals))
    query_names = tuple(query or {})

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
                check_parameters(params, {name: value for name, value in
                                          (blueprint.current_request.query_params or {}).items()
                                          if name in query_names})
                if request is not None:
                    params["body"] = parse_body(blueprint.current_request.raw_body, request)
                answer = view(**params)
                return Response(status_code=status, body=_encoded(answer))
            except DomainError as error:
                logger.info("request refused", extra={"error": error.code, "fields": sorted(error.fields)})
                return error_response(error)

        blueprint.route(path, methods=[method], cors=CORS)(handle)
        return view

    return register


_SCHEMA_CODES = {"required": "required", "minLength": "required", "maxLength": "too_long", "maxItems": "too_many",
                 "type": "invalid", "enum": "invalid", "pattern": "invalid", "format": "invalid",
                 "minimum": "invalid", "maximum": "too_large", "additionalProperties": "invalid"}


def _encoded(answer):
    from chalicelib.api.contract import to_builtins
    return to_builtins(answer)


def parse_body(raw: bytes | None, kind: type):
    """The request body checked before any of it is used: its size (413), its nesting (no deeper than its
    schema needs: checked before parsing, so no RecursionError), JSON, every unknown field and every string with
    a character no text may hold (all named at once), then the rules of `kind`, a typed body (api/contract.py:
    the schema is derived from it, and the body comes back as an instance of it)."""
    from chalicelib.api import contract

    schema = contract.schema_of(kind)
    body = _read_json(raw, schema)
    try:
        return contract.decode(body, kind)
    except contract.ValidationError as exc:  # msgspec stops at the first broken rule: name every one at once
        fields = _every_field_error(body, schema) or {contract.first_error_path(exc): "invalid"}
        raise Invalid("; ".join(f"{path}: {code}" for path, code in fields.items()), fields=fields) from None


def _read_json(raw: bytes | None, schema: dict):
    """The size, nesting and JSON of a body, then its unknown fields and unsafe characters (all named)."""
    raw = raw or b""
    limit = get_settings().max_json_body_bytes
    if len(raw) > limit:
        raise TooLarge(f"the body is larger than {limit} bytes", fields={"body": "too_large"},
                       details={"max_bytes": limit})
    try:
        text = raw.decode("utf-8")
        if json_depth(text) > schema_depth(schema):
            raise Invalid("the body is nested deeper than this request allows", fields={"body": "too_deep"})
        body = json.loads(text)
    except (ValueError, RecursionError):
        raise Invalid("the body must be a JSON object", fields={"body": "invalid"}) from None
    if isinstance(body, dict):
        problems = body_problems(body, schema)
        if problems:
            raise Invalid("; ".join(f"{path}: {code}" for path, code in problems.items()), fields=problems)
    return body


def check_parameters(path_params: dict, query: dict | None) -> None:
    """URL and query parameters holding a character no text may hold are refused, each named."""
    problems = {name: "invalid_character" for name, value in {**(query or {}), **path_params}.items()
                if isinstance(value, str) and has_unsafe_characters(value)}
    if problems:
        raise Invalid("; ".join(f"{name}: invalid_character" for name in sorted(problems)), fields=problems)


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")
FREE_FORM_DEPTH = 5  # an object whose keys the schema leaves open (SLA tiers, calendar hours: 4 levels) nests this deep


def json_depth(text: str) -> int:
    """How deeply the JSON text nests objects and arrays, counted without parsing it (strings skipped)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def schema_depth(schema: dict) -> int:
    """How deeply a body valid by `schema` may nest objects and arrays."""
    options = schema.get("oneOf") or schema.get("anyOf") or []
    if options and "type" not in schema:
        return max(schema_depth(option) for option in options)
    kind = schema.get("type")
    if kind == "array":
        return 1 + schema_depth(schema.get("items") or {})
    if kind == "object":
        if "properties" not in schema:
            return FREE_FORM_DEPTH
        inner = [schema_depth(p) for p in schema["properties"].values()]
        if isinstance(schema.get("additionalProperties"), dict):
            inner.append(schema_depth(schema["additionalProperties"]))
        return 1 + max(inner, default=0)
    return 0


def body_problems(value, schema: dict, path: str = "") -> dict[str, str]:
    """Every field the schema does not declare (`unknown_field`) and every string holding a lone surrogate, a
    control character or a bidirectional control (`invalid_character`; long text, marked `x-multiline`, may
    hold tabs and line breaks), by dotted path."""
    problems: dict[str, str] = {}
    if isinstance(value, str):
        if has_unsafe_characters(value, multiline=bool(schema.get("x-multiline"))):
            problems[path or "body"] = "invalid_character"
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems.update(body_problems(item, schema.get("items") or {}, f"{path}.{index}".lstrip(".")))
    elif isinstance(value, dict):
        declared = schema.get("properties")
        for key, item in value.items():
            where = f"{path}.{_printable(key)}".lstrip(".")
            if declared is not None and key not in declared and schema.get("additionalProperties") is False:
                problems[where] = "unknown_field"
            elif has_unsafe_characters(key):
                problems[where] = "invalid_character"
            else:
                inner = (declared or {}).get(key)
                if inner is None and isinstance(schema.get("additionalProperties"), dict):
                    inner = schema["additionalProperties"]
                problems.update(body_problems(item, inner or {}, where))
    return problems


def _printable(name: str) -> str:
    return name if not has_unsafe_characters(name) else name.encode("utf-8", "backslashreplace").decode("ascii",
                                                                                                     "backslashreplace")


def _every_field_error(body, schema: dict) -> dict[str, str]:
    """Every broken rule of the body, not just the first (msgspec, which checks bodies on the way in, stops at
    the first): a form gets all its bad fields marked at once. Run only once a body was refused, so
    the jsonschema import costs nothing on the way a good request takes."""
    from jsonschema.validators import validator_for

    fields: dict[str, str] = {}
    for error in validator_for(schema)(schema).iter_errors(body):
        path = ".".join(str(part) for part in error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    fields.setdefault(f"{path}.{name}".lstrip("."), "required")
        elif error.validator == "oneOf" and isinstance(error.instance, dict) and all(
                "required" in option for option in error.validator_value):
            names = [name for option in error.validator_value for name in option["required"]]
            present = [name for name in names if name in error.instance]
            if not present:
                fields.setdefault(f"{path}.{names[0]}".lstrip("."), "required")
            for name in present[1:]:
                fields.setdefault(f"{path}.{name}".lstrip("."), "not_both")
        else:
            fields.setdefault(path or "body", _SCHEMA_CODES.get(error.validator, "invalid"))
    return fields


def ticket_number(raw: str) -> int:
    """A ticket number from the URL; anything else is simply a ticket that does not exist."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise NotFound("no such ticket")
    return int(raw)
