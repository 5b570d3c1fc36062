"""One typed definition per body (api/contract.py): the checks, the error per field and the documented schema
all come from it, so they cannot drift apart."""
import json

import pytest

from chalicelib.api import contract, schemas, shapes
from chalicelib.api.http import parse_body
from chalicelib.errors import Invalid


def raw(body) -> bytes:
    return json.dumps(body).encode()


FORM = {"subject": "چاپگر", "department": "support", "category": "billing", "priority": "high",
        "text": "سلام\nچاپگر روشن نمی‌شود", "language": "fa", "customer": {"name": "مریم", "email": "m@example.com"}}


def test_a_good_body_comes_back_typed_with_its_defaults():
    body = parse_body(raw(FORM), schemas.OpenTicket)
    assert isinstance(body, schemas.OpenTicket)
    assert (body.subject, body.customer.email, body.attachments, body.sms_updates) == ("چاپگر", "m@example.com",
                                                                                       [], False)
    assert body.follows is contract.UNSET and body.customer.phone is contract.UNSET


def test_every_bad_field_is_named_at_once_not_just_the_first():
    bad = {**FORM, "subject": "x" * 201, "priority": "asap", "customer": {"name": ""}, "attachments": ["a"] * 51}
    with pytest.raises(Invalid) as refused:
        parse_body(raw(bad), schemas.OpenTicket)
    assert refused.value.fields == {"subject": "too_long", "priority": "invalid", "customer.name": "required",
                                    "customer.email": "required", "attachments": "too_many"}


def test_unknown_fields_and_unsafe_characters_are_named_before_the_types_are_checked():
    with pytest.raises(Invalid) as refused:
        parse_body(raw({**FORM, "admin": True, "customer": {**FORM["customer"], "name": "Eve\u202e"}}),
                   schemas.OpenTicket)
    assert refused.value.fields == {"admin": "unknown_field", "customer.name": "invalid_character"}


def test_a_wrong_type_is_refused_even_where_json_would_coerce():
    with pytest.raises(Invalid) as refused:
        parse_body(raw({"version": True}), schemas.Take)  # a boolean is no version number
    assert refused.value.fields == {"version": "invalid"}
    with pytest.raises(Invalid) as refused:
        parse_body(raw([1, 2]), schemas.Take)
    assert refused.value.fields == {"body": "invalid"}


def test_a_body_nested_deeper_than_its_definition_allows_is_refused_before_parsing():
    with pytest.raises(Invalid) as refused:
        parse_body(b'{"version": [[[[[[[[1]]]]]]]]}', schemas.Take)
    assert refused.value.fields == {"body": "too_deep"}


def test_the_derived_schema_is_whole_closed_and_keeps_the_domains_marks():
    schema = contract.schema_of(schemas.OpenTicket)
    assert "$ref" not in json.dumps(schema) and "$defs" not in schema
    assert schema["additionalProperties"] is False and schema["properties"]["customer"]["additionalProperties"] is False
    assert schema["properties"]["priority"]["enum"] == sorted(["urgent", "high", "normal", "low"])
    assert schema["properties"]["text"]["x-multiline"] is True  # long text may hold line breaks
    assert "x-multiline" not in schema["properties"]["subject"]
    assert set(schema["required"]) == {"subject", "department", "category", "priority", "text", "language",
                                       "customer"}
    upload = contract.schema_of(schemas.StartUpload)["properties"]["content_type"]
    assert "application/pdf" in upload["x-enum"]  # documented as enum, refused by the domain with its own code


def test_a_typed_reply_encodes_enums_and_times_as_its_schema_says():
    from datetime import datetime, timezone

    reply = shapes.TargetState(due_at=datetime(2026, 12, 5, 8, 30, tzinfo=timezone.utc), paused=False,
                               breached=False, met_at=None)
    assert contract.to_builtins(reply) == {"due_at": "2026-12-05T08:30:00Z", "paused": False, "breached": False,
                                           "met_at": None}
    schema = contract.schema_of(shapes.AgentTicketSummary)
    assert schema["properties"]["status"]["enum"]  # the statuses, as the domain names them
    assert {"type": "null"} in schema["properties"]["assignee"]["anyOf"]


def test_a_rule_only_the_typed_definition_holds_is_still_named_by_its_field():
    # JSON Schema counts 1.0 as an integer; the typed definition does not: the field is named all the same.
    with pytest.raises(Invalid) as refused:
        parse_body(b'{"version": 1.0}', schemas.Take)
    assert refused.value.fields == {"version": "invalid"}
    with pytest.raises(Invalid) as refused:
        parse_body(raw({**FORM, "follows": {"number": 2.0}}), schemas.OpenTicket)
    assert refused.value.fields == {"follows.number": "invalid"}
