"""Request bodies: typed (api/contract.Body, from which the checks and /openapi.json are derived) or, for those
not yet typed, JSON Schemas used the same way.
Shape (types, presence, sizes, the enums the domain accepts); the domain checks meaning (email syntax, catalog,
attachments). Every object names its fields (`additionalProperties: false`: an unknown field is a 400 naming it);
`x-multiline` marks long text, which may hold tabs and line breaks (api/http.body_problems); `x-enum` is an enum
the domain checks with its own error code: /openapi.json declares it as `enum` (api/openapi.documented)."""
from typing import Annotated, Literal

from chalicelib.api.contract import UNSET, Body, Meta, UnsetType, long_text, text
from chalicelib.domain.attachments import ALLOWED_TYPES
from chalicelib.domain.permissions import AGENT_SETTABLE
from chalicelib.domain.routing import Strategy
from chalicelib.domain.tickets import Priority, Status


# ---------------------------------------------------------------- JSON Schema building blocks
# For route modules still written with dict schemas (`route(..., request=<dict>)`) until they are typed.

def _object(required: list[str], properties: dict) -> dict:
    shape = {"type": "object", "properties": properties, "additionalProperties": False}
    return {**shape, "required": required} if required else shape


def _long_text(max_length: int, min_length: int = 1) -> dict:
    return {"type": "string", "minLength": min_length, "maxLength": max_length, "x-multiline": True}


PHONE = {"type": "string", "maxLength": 32}
LANGUAGE = {"type": "string", "enum": ["fa", "he", "en"]}
NAMES = _object([], {lang: {"type": "string", "maxLength": 200} for lang in ("fa", "he", "en")})
VERSION = {"type": "integer", "minimum": 1}
ATTACHMENTS = {"type": "array", "items": {"type": "string", "maxLength": 64}, "maxItems": 50, "default": []}
TICKET_NUMBER = {"type": "integer", "minimum": 1, "maximum": 999_999_999_999}
USERNAME = {"type": "string", "minLength": 1, "maxLength": 128}
IDENTIFIER = {"type": "string", "minLength": 1, "maxLength": 40}


# ---------------------------------------------------------------- typed bodies


class StartUpload(Body):
    filename: text(255)
    # Documented as an enum; refused by the domain, which names it file.content_type: not_allowed (the form's text).
    content_type: text(255, **{"x-enum": sorted(ALLOWED_TYPES)})
    size: Annotated[int, Meta(ge=1)]  # the most is a setting: GET /catalog says it (limits)


Phone = Annotated[str, Meta(max_length=32)]
TicketNumber = Annotated[int, Meta(ge=1, le=999_999_999_999)]
UploadId = Annotated[str, Meta(max_length=64)]
Attachments = Annotated[list[UploadId], Meta(max_length=50)]
LanguageCode = Literal["fa", "he", "en"]
PriorityName = Literal[tuple(p.value for p in Priority)]
MessageText = long_text(20000)


class NewCustomer(Body):
    name: text(120)
    email: text(254)
    phone: Phone | UnsetType = UNSET


class Follows(Body):
    """The earlier ticket this one continues: its key proves it is the customer's (or their session does)."""
    number: TicketNumber
    key: Annotated[str, Meta(max_length=128)] = ""


class OpenTicket(Body):
    subject: text(200)
    department: text(64)
    category: text(64)
    priority: PriorityName
    text: MessageText
    language: LanguageCode
    customer: NewCustomer
    attachments: Attachments = []
    sms_updates: bool = False  # an SMS when an agent replies (needs customer.phone)
    follows: Follows | UnsetType = UNSET


class NewMessage(Body):
    text: MessageText
    attachments: Attachments = []


class SmsUpdates(Body):
    enabled: bool


class Rate(Body):
    ticket: TicketNumber
    message: text(64)
    signature: text(128)
    rating: Literal["good", "bad"]
    comment: long_text(2000, min_length=0) | UnsetType = UNSET


# Exactly one of email and phone (the domain names the field: email required, phone not_both).
ONE_ADDRESS = [{"required": ["email"], "not": {"required": ["phone"]}},
               {"required": ["phone"], "not": {"required": ["email"]}}]


class SignIn(Body):
    __json_schema_extra__ = {"oneOf": ONE_ADDRESS}
    email: Annotated[str, Meta(max_length=254)] | UnsetType = UNSET
    phone: Phone | UnsetType = UNSET
    language: LanguageCode = "en"

    def __post_init__(self):
        if (self.email is UNSET) == (self.phone is UNSET):
            raise ValueError("exactly one of email and phone")  # named by the schema's oneOf (api/http.py)


class VerifySignIn(SignIn, kw_only=True):
    code: text(16)

# ---------------------------------------------------------------- agents' workflow and the admin's organisation
Version = Annotated[int, Meta(ge=1)]  # the ticket version the agent saw
Username = text(128)
Identifier = text(40)


class AgentReply(NewMessage):
    version: Version | UnsetType = UNSET


class AgentNote(Body):
    text: MessageText
    version: Version | UnsetType = UNSET


class ChangeStatus(Body):
    # The statuses an agent may ever set; which of them the ticket allows now is its allowed_statuses (else 400).
    status: Literal[tuple(s.value for s in Status if s in AGENT_SETTABLE)]
    version: Version


class ChangePriority(Body):
    priority: PriorityName
    version: Version


class Take(Body):
    version: Version


class Assign(Body):
    agent: Username
    version: Version
    reason: long_text(500, min_length=0) = ""


class Transfer(Body):
    department: Identifier
    group: Identifier
    reason: long_text(500)
    version: Version
    agent: Username | UnsetType = UNSET
    category: Identifier | UnsetType = UNSET


class ReportPresence(Body):
    state: Literal["viewing", "replying", "left"]  # "left": the agent left the page (closes their time interval)


class LogTime(Body):
    minutes: Annotated[int, Meta(ge=1, le=24 * 60)]
    note: long_text(500, 0) | UnsetType = UNSET


Name = Annotated[str, Meta(max_length=200)]
Key = Annotated[str, Meta(max_length=64)]


class Names(Body):
    fa: Name | UnsetType = UNSET
    he: Name | UnsetType = UNSET
    en: Name | UnsetType = UNSET


class NewCategory(Body):
    id: Key
    names: Names


class NewGroup(Body):
    id: Key
    names: Names
    members: Annotated[list[Username], Meta(max_length=500)]
    strategy: Strategy | UnsetType = UNSET


class PutDepartment(Body):
    names: Names
    categories: Annotated[list[NewCategory], Meta(max_length=50)]
    groups: Annotated[list[NewGroup], Meta(max_length=50)]
    supervisors: Annotated[list[Username], Meta(max_length=100)]


class Rule(Body):
    category: Identifier
    department: Identifier
    group: Identifier
    keywords: Annotated[list[Name], Meta(max_length=50)] | UnsetType = UNSET


class PutRules(Body):
    rules: Annotated[list[Rule], Meta(max_length=500)]


Days = Annotated[int, Meta(ge=1, le=3650)]


class PutPolicies(Body):
    """Limits and timings; a field left out keeps its default."""
    max_open_tickets: Days | UnsetType = UNSET
    reply_window_days: Days | UnsetType = UNSET
    reminder_after_days: Days | UnsetType = UNSET
    auto_close_after_days: Days | UnsetType = UNSET
    archive_after_days: Days | UnsetType = UNSET


# Checked field by field in domain/sla.py (SlaPolicy.parse); the schema only bounds the shape and size.
SLA_POLICY = {"type": "object", "additionalProperties": False, "properties": {
    "targets": {"type": "object"}, "departments": {"type": "object", "maxProperties": 100},
    "tiers": {"type": "object"},  # their number and sizes are bounded by the domain, which names the field
    "calendar": {"oneOf": [{"type": "string", "maxLength": 40}, {"type": "object"}]}, "warn_share": {"type": "number"},
    "raise_priority": {"type": "boolean"}, "reassign_to_supervisor": {"type": "boolean"}}}

ClockTime = Annotated[str, Meta(pattern="^[0-9]{2}:[0-9]{2}$")]  # HH:MM; the domain checks the hour and minute


class QuietHours(Body):
    start: ClockTime
    end: ClockTime
    zone: Annotated[str, Meta(max_length=64)]


class PutAgentProfile(Body):
    """The shape GET answers is a valid PUT body: no phone is "", no quiet hours is the key left out."""
    # `agent` as GET answers it; ignored (the URL or the token says whose)
    agent: Annotated[str, Meta(max_length=128)] | UnsetType = UNSET
    language: LanguageCode | UnsetType = UNSET
    phone: Phone | UnsetType = UNSET
    quiet_hours: QuietHours | UnsetType = UNSET
    on_call: Annotated[list[Annotated[str, Meta(max_length=130, pattern="^[^/]+/[^/]+$")]],  # "<department>/<group>"
                       Meta(max_length=50)] | UnsetType = UNSET
    sms_opt_out: bool | UnsetType = UNSET


class NoFields(Body):
    """Actions that need nothing but the URL (an admin's sign-out / disable / enable of an agent): `{}`."""
