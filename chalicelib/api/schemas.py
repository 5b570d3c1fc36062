"""JSON Schemas of request bodies: used to validate requests and to document them in /openapi.json.
Shape (types, presence, sizes, the enums the domain accepts); the domain checks meaning (email syntax, catalog,
attachments). Every object names its fields (`additionalProperties: false`: an unknown field is a 400 naming it);
`x-multiline` marks long text, which may hold tabs and line breaks (api/http.body_problems); `x-enum` is an enum
the domain checks with its own error code: /openapi.json declares it as `enum` (api/openapi.documented)."""
from chalicelib.domain.attachments import ALLOWED_TYPES
from chalicelib.domain.permissions import AGENT_SETTABLE
from chalicelib.domain.routing import Strategy
from chalicelib.domain.tickets import Priority, Status

UPLOAD_ID = {"type": "string", "maxLength": 64}
ATTACHMENTS = {"type": "array", "items": UPLOAD_ID, "maxItems": 50, "default": []}


def _object(required: list[str], properties: dict) -> dict:
    shape = {"type": "object", "properties": properties, "additionalProperties": False}
    return {**shape, "required": required} if required else shape  # OpenAPI 3.0: a `required` list is never empty


def _long_text(max_length: int, min_length: int = 1) -> dict:
    return {"type": "string", "minLength": min_length, "maxLength": max_length, "x-multiline": True}


START_UPLOAD = _object(["filename", "content_type", "size"], {
    "filename": {"type": "string", "minLength": 1, "maxLength": 255},
    # Documented as an enum; refused by the domain, which names it file.content_type: not_allowed (the form's text).
    "content_type": {"type": "string", "minLength": 1, "maxLength": 255, "x-enum": sorted(ALLOWED_TYPES)},
    "size": {"type": "integer", "minimum": 1},  # the most is a setting: GET /catalog says it (limits)
})

PHONE = {"type": "string", "maxLength": 32}
TICKET_NUMBER = {"type": "integer", "minimum": 1, "maximum": 999_999_999_999}
LANGUAGE = {"type": "string", "enum": ["fa", "he", "en"]}
# Exactly one of email and phone: the domain says which is missing or extra.
IDENTITY = {"email": {"type": "string", "maxLength": 254}, "phone": PHONE, "language": LANGUAGE}

OPEN_TICKET = _object(["subject", "department", "category", "priority", "text", "language", "customer"], {
    "subject": {"type": "string", "minLength": 1, "maxLength": 200},
    "department": {"type": "string", "minLength": 1, "maxLength": 64},
    "category": {"type": "string", "minLength": 1, "maxLength": 64},
    "priority": {"type": "string", "enum": [p.value for p in Priority]},
    "text": _long_text(20000),
    "language": LANGUAGE,
    "customer": _object(["name", "email"], {
        "name": {"type": "string", "minLength": 1, "maxLength": 120},
        "email": {"type": "string", "minLength": 1, "maxLength": 254},
        "phone": PHONE,
    }),
    "attachments": ATTACHMENTS,
    "sms_updates": {"type": "boolean", "default": False},  # an SMS when an agent replies (needs customer.phone)
    # The earlier ticket this one continues: its key proves it is the customer's (or their session does).
    "follows": _object(["number"], {
        "number": TICKET_NUMBER,
        "key": {"type": "string", "maxLength": 128},
    }),
})

MESSAGE = _object(["text"], {
    "text": _long_text(20000),
    "attachments": ATTACHMENTS,
})

NOTE = _object(["text"], {"text": _long_text(20000)})

SMS_UPDATES = _object(["enabled"], {"enabled": {"type": "boolean"}})

RATE = _object(["ticket", "message", "signature", "rating"], {
    "ticket": {"type": "integer", "minimum": 1, "maximum": 999_999_999_999},
    "message": {"type": "string", "minLength": 1, "maxLength": 64},
    "signature": {"type": "string", "minLength": 1, "maxLength": 128},
    "rating": {"type": "string", "enum": ["good", "bad"]},
    "comment": _long_text(2000, min_length=0),
})

# Exactly one of email and phone (the domain names the field: email required, phone not_both).
ONE_ADDRESS = [{"required": ["email"], "not": {"required": ["phone"]}},
               {"required": ["phone"], "not": {"required": ["email"]}}]
SIGN_IN = {**_object([], IDENTITY), "oneOf": ONE_ADDRESS}

VERIFY_SIGN_IN = {**_object(["code"], {**IDENTITY, "code": {"type": "string", "minLength": 1, "maxLength": 16}}),
                  "oneOf": ONE_ADDRESS}

# ---------------------------------------------------------------- agents' workflow and the admin's organisation
VERSION = {"type": "integer", "minimum": 1}  # the ticket version the agent saw
USERNAME = {"type": "string", "minLength": 1, "maxLength": 128}
IDENTIFIER = {"type": "string", "minLength": 1, "maxLength": 40}

AGENT_REPLY = _object(["text"], {**MESSAGE["properties"], "version": VERSION})
AGENT_NOTE = _object(["text"], {**NOTE["properties"], "version": VERSION})
# The statuses an agent may ever set; which of them the ticket allows now is its allowed_statuses (else 400).
CHANGE_STATUS = _object(["status", "version"], {
    "status": {"type": "string", "enum": [s.value for s in Status if s in AGENT_SETTABLE]}, "version": VERSION})
CHANGE_PRIORITY = _object(["priority", "version"], {"priority": {"type": "string", "enum": [p.value for p in Priority]},
                                                    "version": VERSION})
TAKE = _object(["version"], {"version": VERSION})
ASSIGN = _object(["agent", "version"], {"agent": USERNAME, "version": VERSION,
                                        "reason": _long_text(500, min_length=0)})
TRANSFER = _object(["department", "group", "reason", "version"], {
    "department": IDENTIFIER, "group": IDENTIFIER, "agent": USERNAME, "category": IDENTIFIER,
    "reason": _long_text(500), "version": VERSION,
})
PRESENCE = _object(["state"], {"state": {"type": "string", "enum": ["viewing", "replying"]}})

NAMES = _object([], {lang: {"type": "string", "maxLength": 200} for lang in ("fa", "he", "en")})
DEPARTMENT = _object(["names", "categories", "groups", "supervisors"], {
    "names": NAMES,
    "categories": {"type": "array", "maxItems": 50, "items": _object(["id", "names"], {
        "id": {"type": "string", "maxLength": 64}, "names": NAMES})},
    "groups": {"type": "array", "maxItems": 50, "items": _object(["id", "names", "members"], {
        "id": {"type": "string", "maxLength": 64}, "names": NAMES,
        "members": {"type": "array", "maxItems": 500, "items": USERNAME},
        "strategy": {"type": "string", "enum": [s.value for s in Strategy]}})},
    "supervisors": {"type": "array", "maxItems": 100, "items": USERNAME},
})
RULES = _object(["rules"], {"rules": {"type": "array", "maxItems": 500, "items": _object(
    ["category", "department", "group"], {
        "category": IDENTIFIER, "department": IDENTIFIER, "group": IDENTIFIER,
        "keywords": {"type": "array", "maxItems": 50, "items": {"type": "string", "maxLength": 200}}})}})
POLICIES = _object([], {name: {"type": "integer", "minimum": 1, "maximum": 3650} for name in (
    "max_open_tickets", "reply_window_days", "reminder_after_days", "auto_close_after_days", "archive_after_days")})
# Checked field by field in domain/sla.py (SlaPolicy.parse); the schema only bounds the shape and size.
SLA_POLICY = {"type": "object", "additionalProperties": False, "properties": {
    "targets": {"type": "object"}, "departments": {"type": "object", "maxProperties": 100},
    "tiers": {"type": "object"},  # their number and sizes are bounded by the domain, which names the field
    "calendar": {"oneOf": [{"type": "string", "maxLength": 40}, {"type": "object"}]}, "warn_share": {"type": "number"},
    "raise_priority": {"type": "boolean"}, "reassign_to_supervisor": {"type": "boolean"}}}

CLOCK_TIME = {"type": "string", "pattern": "^[0-9]{2}:[0-9]{2}$"}  # HH:MM; the domain checks the hour and minute
# The shape GET answers is a valid PUT body: no phone is "", no quiet hours is the key left out.
AGENT_PROFILE = {"type": "object", "additionalProperties": False, "properties": {
    "agent": {"type": "string", "maxLength": 128},  # as GET answers it; ignored (the URL or the token says whose)
    "language": LANGUAGE,
    "phone": PHONE,
    "quiet_hours": _object(["start", "end", "zone"], {
        "start": CLOCK_TIME, "end": CLOCK_TIME, "zone": {"type": "string", "maxLength": 64}}),
    "on_call": {"type": "array", "maxItems": 50,
                "items": {"type": "string", "maxLength": 130, "pattern": "^[^/]+/[^/]+$"}},  # "<department>/<group>"
    "sms_opt_out": {"type": "boolean"},
}}

# Actions that need nothing but the URL (an admin's sign-out / disable / enable of an agent): `{}`.
NO_FIELDS = {"type": "object", "properties": {}, "additionalProperties": False}
