"""GET /openapi.json, built from the routes as they are declared (api/http.ROUTES)."""
from chalice import Blueprint

from chalicelib.api.http import ROUTES, route

docs_api = Blueprint(__name__)

# Customer routes take a ticket key or a session, or neither: a ticket route then answers 404 like a wrong
# key (no oracle), and the new-ticket form needs none.
SECURITY = {"agent": [{"cognito": []}], "admin": [{"cognito": []}], "customer": [{"ticketKey": []}, {"customerSession": []}, {}],
            "session": [{"customerSession": []}], "public": []}


# Error statuses every route of a kind may answer; a route names the rest (api/http.route `refusals`).
REFUSED_BY_AUDIENCE = {"public": (), "customer": (401,), "session": (401,), "agent": (401, 403), "admin": (401, 403)}
REASONS = {400: "Bad input: `fields` names each bad field", 401: "No valid credentials",
           403: "Signed in, but not allowed", 404: "No such thing (or not yours: the same answer)",
           409: "Conflicts with the current state (`ticket` holds it when the version was stale)",
           413: "The body is larger than the limit (`max_bytes`)", 429: "Too many requests or open tickets",
           503: "A provider we depend on failed; nothing was changed"}


def responses(doc) -> dict:
    """The statuses the route really answers: its success, and each refusal with the error body."""
    statuses = set(REFUSED_BY_AUDIENCE[doc.audience]) | set(doc.refusals)
    if doc.request or doc.query or _path_params(doc.path):
        statuses.add(400)  # a bad field or parameter (invalid_character included)
    if doc.request:
        statuses.add(413)
    if _path_params(doc.path):
        statuses.add(404)
    from chalicelib.api.contract import ErrorBody, schema_of

    success = schema_of(doc.response) if doc.response else {"type": "object"}
    answered = {str(doc.status): {"description": "OK", "content": {"application/json": {"schema": success}}}}
    for status in sorted(statuses):
        answered[str(status)] = {"description": REASONS[status],
                                 "content": {"application/json": {"schema": schema_of(ErrorBody)}}}
    return answered


def document() -> dict:
    paths: dict = {}
    for doc in ROUTES:
        operation = {
            "summary": doc.summary,
            "security": SECURITY[doc.audience],
            "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                           for name in _path_params(doc.path)]
                          + [{"name": name, "in": "query", "required": spec.get("required", False),
                              "schema": spec["schema"]} for name, spec in doc.query.items()],
            "responses": responses(doc),
        }
        if doc.request:
            operation["requestBody"] = {"required": True,
                                        "content": {"application/json": {"schema": documented(request_schema(doc))}}}
        paths.setdefault(doc.path, {})[doc.method.lower()] = operation
    return {
        "openapi": "3.1.0",  # JSON Schema as it is: a field that may be null is `anyOf [..., {"type": "null"}]`
        "info": {"title": "Helpdesk API", "version": "1.0.0"},
        "paths": paths,
        "components": {"securitySchemes": {
            "cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (Cognito access token)"},
            "ticketKey": {"type": "apiKey", "in": "header", "name": "X-Ticket-Key"},
            "customerSession": {"type": "http", "scheme": "bearer",
                                "bearerFormat": "JWT (POST /customer/sign-in/verify)"},
        }},
    }


def documented(schema):
    """A request schema as the spec shows it: `x-enum` (checked by the domain, with its own error code) is `enum`."""
    if isinstance(schema, dict):
        return {("enum" if key == "x-enum" else key): documented(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [documented(item) for item in schema]
    return schema


def request_schema(doc) -> dict:
    from chalicelib.api.contract import schema_of
    return schema_of(doc.request)


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


@route(docs_api, "/openapi.json", summary="This document")
def openapi():
    return document()
