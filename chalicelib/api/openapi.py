"""GET /openapi.json, built from the routes as they are declared (api/http.ROUTES)."""
from chalice import Blueprint

from chalicelib.api.http import ROUTES, route

docs_api = Blueprint(__name__)

ERROR = {"type": "object", "required": ["error", "message"], "properties": {
    "error": {"type": "string"}, "message": {"type": "string"},
    "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}
# Customer routes take a ticket key or a session, or neither: a ticket route then answers 404 like a wrong
# key (no oracle), and the new-ticket form needs none.
SECURITY = {"agent": [{"cognito": []}], "admin": [{"cognito": []}], "customer": [{"ticketKey": []}, {"customerSession": []}, {}],
            "session": [{"customerSession": []}], "public": []}


def document() -> dict:
    paths: dict = {}
    for doc in ROUTES:
        operation = {
            "summary": doc.summary,
            "security": SECURITY[doc.audience],
            "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                           for name in _path_params(doc.path)],
            "responses": {str(doc.status): {"description": "OK"},
                          "4XX": {"description": "Refused", "content": {"application/json": {"schema": ERROR}}}},
        }
        if doc.request:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": doc.request}}}
        paths.setdefault(doc.path, {})[doc.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "Helpdesk API", "version": "1.0.0"},
        "paths": paths,
        "components": {"securitySchemes": {
            "cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (Cognito access token)"},
            "ticketKey": {"type": "apiKey", "in": "header", "name": "X-Ticket-Key"},
            "customerSession": {"type": "http", "scheme": "bearer",
                                "bearerFormat": "JWT (POST /customer/sign-in/verify)"},
        }},
    }


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


@route(docs_api, "/openapi.json", summary="This document")
def openapi():
    return document()
