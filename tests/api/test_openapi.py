"""/openapi.json describes exactly the routes the app serves, and is a valid OpenAPI 3 document."""
import pytest
from chalice.test import Client
from openapi_spec_validator import validate


def test_openapi_matches_the_routes_and_validates():
    from app import app
    with Client(app) as client:
        document = client.http.get("/openapi.json").json_body
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    served = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert documented == served
    validate(document)


def test_every_body_taking_route_documents_its_schema():
    from app import app
    with Client(app) as client:
        document = client.http.get("/openapi.json").json_body
    for path, ops in document["paths"].items():
        if "post" in ops:
            assert ops["post"]["requestBody"]["content"]["application/json"]["schema"]["type"] == "object", path


TYPED = [("/tickets", "post", "201"), ("/uploads", "post", "201"), ("/agent/queue", "get", "200"),
         ("/agent/tickets/{number}", "get", "200"), ("/agent/tickets/{number}/replies", "post", "201"),
         ("/agent/tickets/{number}/take", "post", "200"), ("/tickets/{number}/messages", "post", "201"),
         ("/ratings", "post", "200")]


def _document():
    from app import app
    with Client(app) as client:
        return client.http.get("/openapi.json").json_body


@pytest.mark.parametrize("path, method, status", TYPED)
def test_typed_routes_document_their_answers_with_enums_and_required_fields(path, method, status):
    schema = _document()["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    assert schema["type"] == "object" and schema["required"] and schema["properties"], (path, schema)


def test_every_refusal_documents_the_error_body_with_its_fields():
    refusal = _document()["paths"]["/tickets"]["post"]["responses"]["400"]["content"]["application/json"]["schema"]
    assert refusal["required"] == ["error", "message"]
    assert refusal["properties"]["fields"] == {"type": "object", "additionalProperties": {"type": "string"}}


def test_request_enums_come_from_the_typed_definition():
    body = _document()["paths"]["/agent/tickets/{number}/status"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    assert "closed" in body["properties"]["status"]["enum"] and "new" not in body["properties"]["status"]["enum"]
    assert body["additionalProperties"] is False and body["required"] == ["status", "version"]


def test_what_the_routes_answer_matches_what_they_document(aws_stack, cognito):
    """A customer's filing and an agent's work on it, each answer checked against its documented schema."""
    from jsonschema import Draft202012Validator

    from app import app
    from tests.api.test_ticket_api import as_agent, call, ticket_form, with_mailed_link

    document = _document()

    def conforms(path, method, status, body):
        schema = document["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
        errors = [e.message for e in Draft202012Validator(schema).iter_errors(body)]
        assert not errors, (path, errors)

    with Client(app) as client:
        status, opened = call(client, "post", "/tickets", ticket_form())
        conforms("/tickets", "post", status, opened)
        opened = with_mailed_link(opened)
        number, agent = opened["number"], as_agent(cognito("agent.one@example.com"))  # works in support
        status, queue = call(client, "get", "/agent/queue?department=support", headers=agent)
        assert status == 200
        conforms("/agent/queue", "get", status, queue)
        status, reply = call(client, "post", f"/agent/tickets/{number}/replies", {"text": "سلام"}, headers=agent)
        assert status == 201
        conforms("/agent/tickets/{number}/replies", "post", status, reply)
        status, seen = call(client, "get", f"/agent/tickets/{number}", headers=agent)
        assert status == 200 and seen["timeline"] and seen["sla"]
        conforms("/agent/tickets/{number}", "get", status, seen)
        status, taken = call(client, "post", f"/agent/tickets/{number}/take", {"version": seen["version"]},
                             headers=agent)
        assert status == 200
        conforms("/agent/tickets/{number}/take", "post", status, taken)
        status, stale = call(client, "post", f"/agent/tickets/{number}/status",  # decided on an older version
                             {"status": "on_hold", "version": taken["version"] - 1}, headers=agent)
        assert status == 409 and stale["ticket"]["version"] == taken["version"]
        conforms("/agent/tickets/{number}/status", "post", status, stale)
        key = {"X-Ticket-Key": opened["access_key"]}
        status, answer = call(client, "post", f"/tickets/{number}/messages", {"text": "ممنون"}, headers=key)
        assert status == 201
        conforms("/tickets/{number}/messages", "post", status, answer)
