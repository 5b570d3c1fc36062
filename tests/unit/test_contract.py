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


def test_a_field_named_title_is_declared_not_taken_for_the_schema_keyword():
    # schema_of drops JSON Schema's "title" keyword; a body's own field of that name must stay declared, or
    # every article and canned answer would be refused with title: unknown_field.
    for kind in (schemas.NewArticle, schemas.EditCannedAnswer, shapes.CannedAnswerReply, shapes.KbText):
        assert "title" in contract.schema_of(kind)["properties"], kind
    body = parse_body(raw({"title": "راهنما", "slug": "x", "body": "", "version": 1}), schemas.EditArticleText)
    assert body.title == "راهنما"


def test_the_canned_limits_written_in_the_contract_are_the_domains():
    from chalicelib.domain import canned
    from chalicelib.domain.permissions import AGENT_SETTABLE
    from chalicelib.domain.tickets import Status

    assert (schemas.CANNED_TITLE_MAX, schemas.CANNED_BODY_MAX) == (canned.TITLE_MAX, canned.BODY_MAX)
    assert set(schemas.ScopeKindName.__args__) == {k.value for k in canned.ScopeKind}
    assert set(schemas.AgentSettableStatus.__args__) == {s.value for s in Status if s in AGENT_SETTABLE}


def test_a_bad_canned_answer_names_every_bad_field_at_once():
    bad = {"title": "", "bodies": {"fa": "x" * 10_001, "de": "Hallo"}, "scope": {"kind": "team"},
           "actions": {"status": "archived", "transfer": {"department": "sales"}}}
    with pytest.raises(Invalid) as refused:
        parse_body(raw(bad), schemas.NewCannedAnswer)
    assert refused.value.fields == {"bodies.de": "unknown_field"}  # unknown fields first, before any rule
    del bad["bodies"]["de"]
    with pytest.raises(Invalid) as refused:
        parse_body(raw(bad), schemas.NewCannedAnswer)
    assert refused.value.fields == {"title": "required", "bodies.fa": "too_long", "scope.kind": "invalid",
                                    "actions.status": "invalid", "actions.transfer.group": "required"}


def test_article_settings_left_out_stay_unset_and_a_category_as_get_answers_it_is_a_valid_put():
    settings = parse_body(raw({"version": 3, "tags": []}), schemas.ArticleSettings)
    assert (settings.tags, settings.category, settings.order) == ([], contract.UNSET, contract.UNSET)
    categories = parse_body(raw({"categories": [{"id": "billing", "names": {"fa": "صورتحساب"}, "order": 1,
                                                 "parent": None}]}), schemas.PutKbCategories)
    assert contract.to_builtins(categories.categories) == [{"id": "billing", "names": {"fa": "صورتحساب"},
                                                            "order": 1, "parent": None}]
    with pytest.raises(Invalid) as refused:
        parse_body(raw({"version": 0, "visibility": "secret", "order": -1}), schemas.ArticleSettings)
    assert refused.value.fields == {"version": "invalid", "visibility": "invalid", "order": "invalid"}


def test_the_replies_of_the_feature_routes_are_documented_by_their_definition():
    from chalicelib.api.http import ROUTES
    import app  # noqa: F401  (registers every route)

    untyped = sorted((d.method, d.path) for d in ROUTES if d.response is None)
    assert untyped == [("GET", "/openapi.json")]
    assert not [d for d in ROUTES if d.method in ("POST", "PUT") and not isinstance(d.request, type)]
    ranking = contract.to_builtins(shapes.Ranking(list_="solvers", from_="2026-11-01", to="2026-11-30", ranking=[]))
    assert ranking == {"list": "solvers", "from": "2026-11-01", "to": "2026-11-30", "ranking": []}
