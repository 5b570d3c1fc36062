"""Request bodies, typed (api/contract.Body): the checks, the error per field and /openapi.json are derived from them.
Shape (types, presence, sizes, the enums the domain accepts); the domain checks meaning (email syntax, catalog,
attachments). Every object names its fields (`additionalProperties: false`: an unknown field is a 400 naming it);
`x-multiline` marks long text, which may hold tabs and line breaks (api/http.body_problems); `x-enum` is an enum
the domain checks with its own error code: /openapi.json declares it as `enum` (api/openapi.documented)."""
from typing import Annotated, Any, Literal

from chalicelib.api.contract import UNSET, Body, Meta, UnsetType, long_text, text
from chalicelib.domain.attachments import ALLOWED_TYPES
from chalicelib.domain.permissions import AGENT_SETTABLE
from chalicelib.domain.routing import Strategy
from chalicelib.domain.tickets import Priority, Status


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


class PutSlaPolicy(Body):
    """Checked field by field in domain/sla.py (SlaPolicy.parse); the schema only bounds the shape and size (the
    number and sizes of tiers are bounded by the domain, which names the field)."""
    targets: dict[str, Any] | UnsetType = UNSET
    departments: Annotated[dict[str, Any], Meta(max_length=100)] | UnsetType = UNSET
    tiers: dict[str, Any] | UnsetType = UNSET
    calendar: Annotated[str, Meta(max_length=40)] | dict[str, Any] | UnsetType = UNSET
    warn_share: float | UnsetType = UNSET
    raise_priority: bool | UnsetType = UNSET
    reassign_to_supervisor: bool | UnsetType = UNSET


# ---------------------------------------------------------------- canned answers (api/canned.py, issue 15)
# The domain's limits written out (domain/canned.py: TITLE_MAX, BODY_MAX, ScopeKind), so that declaring the
# routes does not import the canned domain and its search text folding (cold start); tests/unit/test_contract.py
# holds them equal.
CANNED_TITLE_MAX = 120
CANNED_BODY_MAX = 10_000
ScopeKindName = Literal["personal", "group", "department", "everyone"]
AgentSettableStatus = Literal[tuple(s.value for s in Status if s in AGENT_SETTABLE)]


class CannedScope(Body):
    kind: ScopeKindName
    department: Identifier | UnsetType = UNSET
    group: Identifier | UnsetType = UNSET


class CannedTransfer(Body):
    department: Identifier
    group: Identifier


class CannedActions(Body):
    status: AgentSettableStatus | UnsetType = UNSET
    priority: PriorityName | UnsetType = UNSET
    transfer: CannedTransfer | UnsetType = UNSET


class CannedBodies(Body):
    """Placeholders in {{ }} (GET /agent/canned lists them); an unknown or malformed one is a 400 naming it."""
    fa: long_text(CANNED_BODY_MAX, min_length=0) | UnsetType = UNSET
    he: long_text(CANNED_BODY_MAX, min_length=0) | UnsetType = UNSET
    en: long_text(CANNED_BODY_MAX, min_length=0) | UnsetType = UNSET


class NewCannedAnswer(Body):
    title: text(CANNED_TITLE_MAX)
    bodies: CannedBodies
    scope: CannedScope
    actions: CannedActions | UnsetType = UNSET


class EditCannedAnswer(NewCannedAnswer, kw_only=True):
    version: Version


class RenderCannedAnswer(Body):
    ticket: TicketNumber


class CannedReply(Body):
    answer: Identifier
    text: MessageText
    version: Version
    attachments: Attachments = []


# ---------------------------------------------------------------- knowledge base (api/kb.py)
KbLanguage = LanguageCode
Slug = text(80)
ArticleTitle = text(200)
ArticleBody = long_text(100_000, min_length=0)
Tags = Annotated[list[Annotated[str, Meta(max_length=40)]], Meta(max_length=20)]
Visibility = Literal["public", "internal"]
Order = Annotated[int, Meta(ge=0, le=999_999)]


class NewArticle(Body):
    category: Identifier
    lang: KbLanguage
    title: ArticleTitle
    slug: Slug
    body: ArticleBody
    visibility: Visibility = "public"
    tags: Tags = []
    order: Order = 0


class EditArticleText(Body):
    title: ArticleTitle
    slug: Slug
    body: ArticleBody
    version: Version


class LanguageVersion(Body):
    lang: KbLanguage
    version: Version


class RestoreText(Body):
    lang: KbLanguage
    revision: Annotated[int, Meta(ge=1)]
    version: Version


class ArticleSettings(Body):
    """A field left out stays as it is."""
    version: Version
    category: Identifier | UnsetType = UNSET
    visibility: Visibility | UnsetType = UNSET
    tags: Tags | UnsetType = UNSET
    order: Order | UnsetType = UNSET


class KbNames(Body):
    fa: Annotated[str, Meta(max_length=100)] | UnsetType = UNSET
    he: Annotated[str, Meta(max_length=100)] | UnsetType = UNSET
    en: Annotated[str, Meta(max_length=100)] | UnsetType = UNSET


class KbCategory(Body):
    id: Identifier
    names: KbNames
    order: Annotated[int, Meta(ge=0, le=9999)] | UnsetType = UNSET
    parent: Annotated[str, Meta(max_length=40)] | None | UnsetType = UNSET  # null as GET answers it: top level


class PutKbCategories(Body):
    categories: Annotated[list[KbCategory], Meta(max_length=200)]


class Preview(Body):
    body: ArticleBody


class Vote(Body):
    helpful: bool


class ShownArticle(Body):
    lang: KbLanguage
    slug: Slug


class Deflection(Body):
    outcome: Literal["deflected", "filed"]
    articles: Annotated[list[ShownArticle], Meta(max_length=5)]


class DraftFromReply(Body):
    ticket: TicketNumber
    text: ArticleBody
    title: ArticleTitle
    category: Identifier
    lang: KbLanguage


class PublishFile(Body):
    upload_id: UploadId
