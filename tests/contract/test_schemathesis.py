"""A bounded schemathesis run against the local API (issue 11): requests generated from /openapi.json, a few
dozen calls per operation: each generated request sent by five callers (anonymous, a customer with their ticket's key and session, an
agent, a supervisor and an admin of the department of a ticket of this module's own), a fixed seed. Every
answer must be below 500 and conform to the spec: its status code is declared, its content type is JSON, its
body matches the declared schema.

The app is served by Chalice's local server in this process (local/api_server.py, as `make run` serves it)
against the session's moto stack. EXAMPLES bounds the run (about a minute on 2 cores)."""
import uuid
from datetime import datetime, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import (
    content_type_conformance, not_a_server_error, response_schema_conformance, status_code_conformance,
)

from tests.api.test_ticket_api import as_agent, call, open_ticket
from tests.conftest import free_port

EXAMPLES = 10
SEED = 20261204
CALLERS = ("anonymous", "customer", "agent", "supervisor", "admin")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api(aws_stack):
    from app import app
    from local.api_server import ApiServer

    server = ApiServer(app, port=free_port()).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def people(api, aws_stack, cognito):
    """A department of this module's own with an agent and a supervisor, an admin, and a customer's ticket."""
    from chalice.test import Client

    from app import app
    from chalicelib import bootstrap
    from chalicelib.domain import sessions
    from chalicelib.domain.sign_in import Channel, Identity

    run = uuid.uuid4().hex[:6]
    users = {kind: f"contract.{kind}.{run}@example.com" for kind in ("agent", "supervisor", "admin")}
    tokens = {kind: cognito(user, groups=("agent", "admin") if kind == "admin" else ("agent",))
              for kind, user in users.items()}
    desk, names = f"contract-{run}", {"en": "Contract", "fa": "قرارداد", "he": "חוזה"}
    customer = f"contract.customer.{run}@example.com"
    with Client(app) as client:
        status, saved = call(client, "put", f"/admin/departments/{desk}", {
            "names": names, "categories": [{"id": "general", "names": names}],
            "groups": [{"id": "front", "names": names, "members": [users["agent"]]}],
            "supervisors": [users["supervisor"]]}, headers=as_agent(tokens["admin"]))
        assert status == 200, saved
        ticket = open_ticket(client, department=desk, category="general",
                             customer={"name": "Maryam", "email": customer})
    session = sessions.issue(bootstrap.secrets().link_secret(), Identity(Channel.EMAIL, customer),
                             datetime.now(timezone.utc))
    headers = {"anonymous": {},
               "customer": {"X-Ticket-Key": ticket["access_key"], "Authorization": f"Bearer {session.token}"},
               **{kind: as_agent(token) for kind, token in tokens.items()}}
    return {"headers": headers, "ticket": ticket["number"]}


def _document() -> dict:
    # Built from the app's own routes, as GET /openapi.json answers it (tests/api/test_openapi.py checks that).
    # Schemathesis' lazy fixture loader does not run under pytest 9, so the schema is read at collection.
    import app  # noqa: F401  (registers every route)
    from chalicelib.api.openapi import document
    return document()


# Stateless, valid requests only (the fuzzing and examples phases): no coverage phase, whose unsupported methods
# (TRACE) only reach the local server, not the app; bad input has its own tests (tests/api/test_bad_input_api.py).
CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "generation": {"mode": "positive", "max-examples": EXAMPLES},
})
schema = schemathesis.openapi.from_dict(_document(), config=CONFIG)


@schema.parametrize()
@seed(SEED)
@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_contract(case, people, api):
    number = case.path_parameters.get("number") if case.path_parameters else None
    if number is not None and len(str(number)) % 2 == 0:
        case.path_parameters["number"] = str(people["ticket"])  # half the time a real ticket, else a stranger's
    for caller in CALLERS:  # each generated request, as each kind of caller
        case.call_and_validate(base_url=api, headers=people["headers"][caller], checks=CHECKS)
