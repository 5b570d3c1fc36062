"""The one typed definition of a body (a msgspec.Struct) and what is derived from it: the JSON Schema that
checks unknown fields and unsafe characters and names every bad field (api/http.parse_body), the decoding
into the typed body a view receives, the encoding of what a view returns, and the schemas /openapi.json shows.

A request type declares its rules with `Annotated[..., Meta(...)]` (lengths, bounds, patterns), enums with
`Literal[...]` or an Enum, an optional field with a default (`UNSET` when "absent" must stay absent). Long
text marks itself `x-multiline` (it may hold tabs and line breaks); `x-enum` documents as `enum` a value the
domain checks with its own error code."""
from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType, ValidationError  # noqa: F401  (re-exported)


class Body(Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True):
    """A request body: every field named (an unknown one is a 400 naming it)."""


class Reply(Struct, omit_defaults=False, kw_only=True):
    """A response body."""


def text(max_length: int, min_length: int = 1, **extra) -> Any:
    """A one-line string of `min_length`..`max_length` characters."""
    return Annotated[str, Meta(min_length=min_length, max_length=max_length, extra_json_schema=extra or None)]


def long_text(max_length: int, min_length: int = 1) -> Any:
    """Text that may hold tabs and line breaks (a message, a reason)."""
    return text(max_length, min_length, **{"x-multiline": True})


@lru_cache(maxsize=None)
def schema_of(kind: type) -> dict:
    """The JSON Schema of a typed body, every `$ref` resolved in place (the checks walk it, and OpenAPI shows it
    whole); an empty `required` left out."""
    generated = msgspec.json.schema(kind)
    definitions = generated.get("$defs", {})
    for name, definition in definitions.items():  # what a type's fields cannot say (exactly one of two fields)
        extra = getattr(kind, "__json_schema_extra__", None) if name == kind.__name__ else None
        definition.update(extra or {})

    def inline(node):
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return inline({**definitions[node["$ref"].rsplit("/", 1)[1]],
                           **{k: v for k, v in node.items() if k != "$ref"}})
        return {key: ({name: inline(field) for name, field in value.items()} if key == "properties" else inline(value))
                for key, value in node.items()
                if key != "title" and not (key == "required" and value == [])}  # a field named "title" stays

    return inline({k: v for k, v in generated.items() if k != "$defs"})


def decode(body: Any, kind: type) -> Any:
    """The parsed JSON body as `kind`; msgspec.ValidationError if it breaks a rule."""
    return msgspec.convert(body, kind)


def first_error_path(error: msgspec.ValidationError) -> str:
    """'Expected ... - at `$.customer.email`' / '`$.attachments[1]`' -> 'customer.email' / 'attachments.1'."""
    message = str(error)
    where = message.rsplit(" - at `", 1)[1].rstrip("`") if " - at `" in message else "$"
    return where.removeprefix("$").replace("[", ".").replace("]", "").lstrip(".") or "body"


def to_builtins(value: Any) -> Any:
    """What a view returned, as JSON-ready values (typed replies encoded by their definition, also inside dicts)."""
    return msgspec.to_builtins(value)


class ErrorBody(Reply):
    """Every refusal: a code, a sentence, each bad field with its code (400), and what the refusal adds (the
    limit, the ticket as it is now, ...)."""
    error: str
    message: str
    fields: dict[str, str] | UnsetType = UNSET
