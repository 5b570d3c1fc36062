"""JSON Schemas of request bodies: used to validate requests and to document them in /openapi.json.
Shape only (types, presence, sizes); the domain checks meaning (email syntax, catalog, attachments)."""

UPLOAD_ID = {"type": "string", "maxLength": 64}
ATTACHMENTS = {"type": "array", "items": UPLOAD_ID, "maxItems": 50, "default": []}


def _object(required: list[str], properties: dict) -> dict:
    return {"type": "object", "required": required, "properties": properties}


START_UPLOAD = _object(["filename", "content_type", "size"], {
    "filename": {"type": "string", "minLength": 1, "maxLength": 255},
    "content_type": {"type": "string", "minLength": 1, "maxLength": 255},
    "size": {"type": "integer"},
})

OPEN_TICKET = _object(["subject", "department", "category", "priority", "text", "language", "customer"], {
    "subject": {"type": "string", "minLength": 1, "maxLength": 200},
    "department": {"type": "string", "minLength": 1, "maxLength": 64},
    "category": {"type": "string", "minLength": 1, "maxLength": 64},
    "priority": {"type": "string", "enum": ["low", "normal", "high", "urgent"]},
    "text": {"type": "string", "minLength": 1, "maxLength": 20000},
    "language": {"type": "string", "enum": ["fa", "he", "en"]},
    "customer": _object(["name", "email"], {
        "name": {"type": "string", "minLength": 1, "maxLength": 120},
        "email": {"type": "string", "minLength": 1, "maxLength": 254},
    }),
    "attachments": ATTACHMENTS,
})

MESSAGE = _object(["text"], {
    "text": {"type": "string", "minLength": 1, "maxLength": 20000},
    "attachments": ATTACHMENTS,
})

NOTE = _object(["text"], {"text": {"type": "string", "minLength": 1, "maxLength": 20000}})
