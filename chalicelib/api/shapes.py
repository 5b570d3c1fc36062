"""JSON shapes of what the services return (docs/api.md): typed replies (api/contract.Reply, documented in
/openapi.json from the same definition) and, for those not yet typed, dicts."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from msgspec import structs

from chalicelib.api.contract import UNSET, Reply, UnsetType
from chalicelib.domain.catalog import Department
from chalicelib.domain.presence import Presence
from chalicelib.domain.routing import RoutingRule, Strategy
from chalicelib.domain.sla import Sla, Target
from chalicelib.domain.tickets import (
    AuthorKind, EventType, Language, Message, Priority, Status, Ticket, TicketEvent, Visibility,
)
from chalicelib.services.tickets import TicketView


class Author(Reply):
    kind: AuthorKind
    name: str


class FileRef(Reply):
    id: str
    filename: str
    content_type: str
    size: int


class MessageReply(Reply):
    id: str
    visibility: Visibility
    author: Author
    text: str
    created_at: datetime
    attachments: list[FileRef]


def message(m: Message) -> MessageReply:
    return MessageReply(id=m.id, visibility=m.visibility, author=Author(kind=m.author.kind, name=m.author.name),
                        text=m.text, created_at=m.created_at,
                        attachments=[FileRef(id=a.id, filename=a.filename, content_type=a.content_type, size=a.size)
                                     for a in m.attachments])


class RatingChoice(Reply):
    rating: str  # "good" | "bad"
    comment: str | None


class CustomerMessage(MessageReply):
    """Each agent reply also carries the customer's current rating (null: none yet) and what rates it."""
    rating: RatingChoice | None | UnsetType = UNSET
    rating_signature: str | UnsetType = UNSET


class CustomerName(Reply):
    name: str


class CustomerTicket(Reply):
    """The ticket as its customer sees it: public messages only, no address, only the end of the mobile number
    (whether texts can be turned on, without showing the whole number to whoever has the link)."""
    number: int
    subject: str
    status: Status
    priority: Priority
    department: str
    category: str
    language: Language
    customer: CustomerName
    created_at: datetime
    last_activity_at: datetime
    version: int
    sms_updates: bool
    confirmed: bool
    messages: list[CustomerMessage]
    sms_phone_ending: str | None
    reply_window_open: bool  # may the customer still write (else a new ticket follows this one)
    follows: int | None


def customer_ticket(view: TicketView, *, rating_signatures: dict[str, str], reply_window_open: bool) -> CustomerTicket:
    t, phone = view.ticket, view.ticket.customer.phone

    def shaped(m: Message) -> CustomerMessage:
        extra = {}
        if signature := rating_signatures.get(m.id):
            rated = view.ratings.get(m.id)
            extra = {"rating": RatingChoice(rating=rated.rating.value, comment=rated.comment) if rated else None,
                     "rating_signature": signature}
        return CustomerMessage(**structs.asdict(message(m)), **extra)

    return CustomerTicket(
        number=t.number, subject=t.subject, status=t.status, priority=t.priority, department=t.department,
        category=t.category, language=t.language, customer=CustomerName(name=t.customer.name), created_at=t.created_at,
        last_activity_at=t.last_activity_at, version=t.version, sms_updates=t.sms_updates, confirmed=t.confirmed,
        messages=[shaped(m) for m in view.messages], sms_phone_ending=phone[-4:] if phone else None,
        reply_window_open=reply_window_open, follows=t.follows)


# ---------------------------------------------------------------- agents (docs/api.md "Agent")

class Person(Reply):
    id: str
    name: str


def _actor(actor) -> Person:
    return Person(id=actor.id, name=actor.name)


class Contact(Reply):
    name: str
    email: str
    phone: str | None


class TargetState(Reply):
    """One SLA target: when it is due (null while paused or met), and whether it was breached or met."""
    due_at: datetime | None
    paused: bool
    breached: bool
    met_at: datetime | None


class AgentTicketSummary(Reply):
    """What agents see of a ticket in lists: who has it, both priorities, the SLA clocks and the customer tier
    they were promised under, and the version to act on."""
    number: int
    subject: str
    status: Status
    priority: Priority  # the effective one: the agents' if they set one, else the customer's
    customer_priority: Priority
    agent_priority: Priority | None
    department: str
    category: str
    group: str
    language: Language
    customer: Contact
    created_at: datetime
    last_activity_at: datetime
    version: int
    sms_updates: bool
    confirmed: bool
    assignee: Person | None
    follows: int | None
    sla: dict[Target, TargetState] | None
    sla_tier: str | None
    sender_verified: bool


def agent_ticket_summary(t: Ticket) -> AgentTicketSummary:
    return AgentTicketSummary(
        number=t.number, subject=t.subject, status=t.status, priority=t.effective_priority,
        customer_priority=t.priority, agent_priority=t.agent_priority, department=t.department,
        category=t.category, group=t.group, language=t.language,
        customer=Contact(name=t.customer.name, email=t.customer.email, phone=t.customer.phone),
        created_at=t.created_at, last_activity_at=t.last_activity_at, version=t.version, sms_updates=t.sms_updates,
        confirmed=t.confirmed, assignee=_actor(t.assignee) if t.assignee else None, follows=t.follows,
        sla=sla(t.sla) if t.sla else None, sla_tier=t.sla.tier if t.sla else None, sender_verified=t.sender_verified)


class TicketList(Reply):
    tickets: list[AgentTicketSummary]


def ticket_list(found) -> TicketList:
    return TicketList(tickets=[agent_ticket_summary(t) for t in found])


def sla(s: Sla) -> dict[Target, TargetState]:
    def target(name: Target) -> TargetState:
        state, due = s.targets[name], s.due_at(name)
        return TargetState(due_at=due, paused=state.met_at is None and not state.running, breached=state.breached,
                           met_at=state.met_at)
    return {name: target(name) for name in s.targets}


class TimelineActor(Reply):
    kind: AuthorKind
    id: str
    name: str


class TimelineEntry(Reply):
    id: str
    type: EventType
    at: datetime
    actor: TimelineActor
    visibility: Visibility
    data: dict
    message: MessageReply | UnsetType = UNSET


def timeline_entry(e: TicketEvent) -> TimelineEntry:
    return TimelineEntry(id=e.id, type=e.type, at=e.occurred_at,
                         actor=TimelineActor(kind=e.actor.kind, id=e.actor.id, name=e.actor.name),
                         visibility=e.visibility, data=e.data, message=message(e.message) if e.message else UNSET)


class CustomerTicketLine(Reply):
    number: int
    subject: str
    status: Status
    created_at: datetime
    confirmed: bool


class RatingSeen(Reply):
    rating: str
    comment: str | None
    at: datetime


class AgentTicketView(AgentTicketSummary):
    """The whole ticket as an agent works on it."""
    messages: list[MessageReply]
    timeline: list[TimelineEntry]
    customer_tickets: list[CustomerTicketLine]
    ratings: dict[str, RatingSeen]  # by reply id
    allowed_statuses: list[Status]


def agent_ticket_view(view) -> AgentTicketView:
    return AgentTicketView(
        **structs.asdict(agent_ticket_summary(view.ticket)), messages=[message(m) for m in view.messages],
        timeline=[timeline_entry(e) for e in view.timeline],
        customer_tickets=[CustomerTicketLine(number=t.number, subject=t.subject, status=t.status,
                                             created_at=t.created_at, confirmed=t.confirmed)
                          for t in view.customer_tickets],
        ratings={message_id: RatingSeen(rating=r.rating.value, comment=r.comment, at=r.at)
                 for message_id, r in view.ratings.items()},
        allowed_statuses=list(view.allowed_statuses))


class Place(Reply):
    department: str | None = None
    group: str | None = None
    agent: str | None = None


class Handover(Reply):
    id: str
    ticket_number: int
    at: datetime
    by: Person
    from_: Place | None = msgspec.field(name="from")
    to: Place | None
    reason: str
    kind: str | None  # "auto" | "take" | "assign" | "transfer"


class Handovers(Reply):
    handovers: list[Handover]


def handover(e: TicketEvent) -> Handover:
    def place(value) -> Place | None:
        return Place(**{k: value.get(k) for k in ("department", "group", "agent")}) if value else None
    return Handover(id=e.id, ticket_number=e.ticket_number, at=e.occurred_at, by=_actor(e.actor),
                    from_=place(e.data.get("from")), to=place(e.data.get("to")), reason=e.data.get("reason", ""),
                    kind=e.data.get("kind"))


class PresenceReply(Reply):
    agent: Person
    state: str
    since: datetime


class OthersHere(Reply):
    others: list[PresenceReply]


def presence(p: Presence) -> PresenceReply:
    return PresenceReply(agent=_actor(p.agent), state=p.state.value, since=p.since)


class OpenedTicket(Reply):
    """`access_key` and `link` only for a caller who proved the address (`confirmed`): else they go by mail."""
    number: int
    confirmed: bool
    access_key: str | UnsetType = UNSET
    link: str | UnsetType = UNSET


class UploadGrant(Reply):
    upload_id: str
    url: str
    fields: dict[str, str]
    expires_in: int


class DownloadLink(Reply):
    url: str
    expires_in: int


class SmsUpdatesState(Reply):
    sms_updates: bool


class CodeSentReply(Reply):
    channel: str  # "email" | "sms"
    expires_in: int


class SessionReply(Reply):
    token: str
    expires_in: int


class Health(Reply):
    status: str


class PublicDepartment(Reply):
    id: str
    names: dict[str, str]
    categories: list[Named]


class Limits(Reply):
    max_file_bytes: int
    max_message_bytes: int
    max_files: int
    allowed_types: list[str]


class Catalog(Reply):
    """What the new-ticket form offers."""
    departments: list[PublicDepartment]
    priorities: list[Priority]
    languages: list[Language]
    limits: Limits


class QuietHours(Reply):
    start: str  # HH:MM
    end: str
    zone: str


class AgentProfileReply(Reply):
    """An agent's alert settings; also a valid PUT body: no phone is "", no quiet hours leaves the key out."""
    agent: str
    language: Language
    phone: str
    on_call: list[str]  # "<department>/<group>"
    sms_opt_out: bool
    quiet_hours: QuietHours | UnsetType = UNSET


def agent_profile(profile) -> AgentProfileReply:
    quiet = profile.quiet_hours
    return AgentProfileReply(
        agent=profile.agent, language=profile.language, phone=profile.phone or "", on_call=sorted(profile.on_call),
        sms_opt_out=profile.sms_opt_out,
        quiet_hours=QuietHours(start=quiet.start.strftime("%H:%M"), end=quiet.end.strftime("%H:%M"), zone=quiet.zone)
        if quiet else UNSET)


class AccountReply(Reply):
    agent: str
    enabled: bool
    mfa: bool  # the agent uses a second factor


class SecondFactorState(Reply):
    required: bool  # the agent's role needs one (admin, or supervisor of a department)
    enrolled: bool


class Membership(Reply):
    department: str
    group: str


class Me(Reply):
    id: str
    name: str
    groups: list[str]
    admin: bool
    supervises: list[str]
    member_of: list[Membership]
    mfa: SecondFactorState


class RatingState(Reply):
    rating: str
    comment: str | None


class HistoryLine(Reply):
    """One line of the signed-in customer's ticket list."""
    number: int
    subject: str
    status: Status
    priority: Priority
    created_at: datetime
    last_activity_at: datetime
    confirmed: bool


class CustomerTickets(Reply):
    """The signed-in customer's tickets in the site's tabs (domain/history.py), newest first in each."""
    open: list[HistoryLine]
    awaiting: list[HistoryLine]
    closed: list[HistoryLine]


def customer_tickets(tabs) -> CustomerTickets:
    return CustomerTickets(**{tab.value: [HistoryLine(
        number=t.number, subject=t.subject, status=t.status, priority=t.priority, created_at=t.created_at,
        last_activity_at=t.last_activity_at, confirmed=t.confirmed) for t in found] for tab, found in tabs.items()})


class Named(Reply):
    id: str
    names: dict[str, str]  # by language: fa, he, en


class GroupReply(Reply):
    id: str
    names: dict[str, str]
    members: list[str]
    strategy: Strategy


class DepartmentReply(Reply):
    id: str
    names: dict[str, str]
    categories: list[Named]
    groups: list[GroupReply]
    supervisors: list[str]


def department(d: Department) -> DepartmentReply:
    return DepartmentReply(id=d.id, names=d.names, categories=[Named(id=c.id, names=c.names) for c in d.categories],
                           groups=[GroupReply(id=g.id, names=g.names, members=list(g.members), strategy=g.strategy)
                                   for g in d.groups],
                           supervisors=list(d.supervisors))


class RuleReply(Reply):
    category: str
    department: str
    group: str
    keywords: list[str]


class Rules(Reply):
    rules: list[RuleReply]


def routing_rule(r: RoutingRule) -> RuleReply:
    return RuleReply(category=r.category, department=r.department, group=r.group, keywords=list(r.keywords))


class PoliciesReply(Reply):
    """Limits and timings (a reply is a valid PUT /admin/policies body)."""
    max_open_tickets: int
    reply_window_days: int
    reminder_after_days: int
    auto_close_after_days: int
    archive_after_days: int


def policies(p) -> PoliciesReply:
    return PoliciesReply(**p.to_dict())


class OrganisationReply(Reply):
    """The organisation as agents see it (departments, groups, members, names); admins also get what only
    they edit (routing rules and policies)."""
    departments: list[DepartmentReply]
    agents: list[Person]
    rules: list[RuleReply] | UnsetType = UNSET
    policies: PoliciesReply | UnsetType = UNSET


def organisation(found, *, with_rules_and_policies: bool) -> OrganisationReply:
    shaped = OrganisationReply(departments=[department(d) for d in found.departments],
                               agents=[Person(id=username, name=name) for username, name in found.agents])
    if with_rules_and_policies:
        shaped.rules, shaped.policies = [routing_rule(r) for r in found.rules], policies(found.policies)
    return shaped


# ---------------------------------------------------------------- canned answers (api/canned.py)
class CannedScopeReply(Reply):
    kind: str
    agent: str | UnsetType = UNSET
    department: str | UnsetType = UNSET
    group: str | UnsetType = UNSET


class CannedTransferReply(Reply):
    department: str
    group: str


class CannedActionsReply(Reply):
    status: str | UnsetType = UNSET
    priority: str | UnsetType = UNSET
    transfer: CannedTransferReply | UnsetType = UNSET


def canned_actions(actions) -> CannedActionsReply:
    return msgspec.convert(actions.document(), CannedActionsReply)


class CannedAnswerReply(Reply):
    """`editable`: whether I may change it (in lists and after saving; absent from GET of one answer)."""
    id: str
    title: str
    bodies: dict[str, str]  # language -> text with {{ placeholders }}
    languages: list[str]
    scope: CannedScopeReply
    actions: CannedActionsReply
    uses: int
    version: int
    editable: bool | UnsetType = UNSET


def canned_answer(answer, *, editable: bool | None = None) -> CannedAnswerReply:
    return CannedAnswerReply(id=answer.id, title=answer.title, bodies={k.value: v for k, v in answer.bodies.items()},
                             languages=sorted(k.value for k in answer.bodies),
                             scope=msgspec.convert(answer.scope.document(), CannedScopeReply),
                             actions=canned_actions(answer.actions),
                             uses=answer.uses, version=answer.version,
                             editable=UNSET if editable is None else editable)


class CannedAnswers(Reply):
    answers: list[CannedAnswerReply]
    placeholders: list[str]


class CannedDeleted(Reply):
    id: str
    deleted: bool


class CannedRendered(Reply):
    id: str
    title: str
    text: str
    language: str
    fallback: bool  # not in the ticket's language: the first of en, fa, he the answer has
    actions: CannedActionsReply


class CannedReplied(Reply):
    message: MessageReply
    ticket: AgentTicketSummary
    not_applied: list[str]  # actions the ticket did not allow (it changed since the answer was chosen)


# ---------------------------------------------------------------- search (api/search.py)
class SearchAssignee(Reply):
    id: str
    name: str


def search_assignee(found: dict | None) -> SearchAssignee | None:
    return msgspec.convert(found, SearchAssignee) if found else None


class SearchHit(Reply):
    number: int
    subject: str
    status: str
    department: str
    assignee: SearchAssignee | None  # null for customers
    customer: str  # the customer's name
    updated_at: datetime
    snippet: str  # escaped HTML, matches in <mark>


class SearchResults(Reply):
    results: list[SearchHit]
    total: int  # exact
    next: str | None  # the cursor of the next page


# ---------------------------------------------------------------- reports (api/reports.py)
class ReportFigures(Reply):
    """A period's figures (views/reports: the figures, the days' series, busiest hours, handovers, comparison)."""
    dimension: str
    member: str | None
    from_: str = msgspec.field(name="from")
    to: str
    figures: dict[str, Any]
    series: list[dict[str, Any]]


class Ranking(Reply):
    list_: str = msgspec.field(name="list")
    from_: str = msgspec.field(name="from")
    to: str
    ranking: list[dict[str, Any]]


class Backlog(Reply):
    day: str
    backlog: int


class HelpCenterArticle(Reply):
    article_id: str
    lang: str
    title: str
    slug: str
    views: int
    helpful: int
    not_helpful: int
    helpful_share: float | None
    deflected: int
    filed: int


class HelpCenterReport(Reply):
    """Views, helpful votes and deflections per article language over a period (services/kb.help_center_report)."""
    from_: str = msgspec.field(name="from")
    to: str
    articles: list[HelpCenterArticle]
    totals: dict[str, int]


# ---------------------------------------------------------------- knowledge base (api/kb.py)
class KbCategoryReply(Reply):
    id: str
    names: dict[str, str]
    order: int
    parent: str | None


class KbCategories(Reply):
    categories: list[KbCategoryReply]


def kb_categories(found) -> KbCategories:
    return KbCategories(categories=[KbCategoryReply(id=c.id, names=c.names, order=c.order, parent=c.parent)
                                    for c in found])


class KbListed(Reply):
    slug: str
    title: str
    lang: str
    category: str


class KbListing(Reply):
    articles: list[KbListed]


class KbStaffListing(Reply):
    articles: list[dict[str, Any]]  # as KbListed, with the article's id, visibility and order


class KbHit(Reply):
    slug: str
    title: str
    snippet: str
    lang: str
    category: str
    id: str | UnsetType = UNSET  # staff only
    visibility: str | UnsetType = UNSET  # staff only


def kb_hit(hit, *, staff_view: bool = False) -> KbHit:
    found = KbHit(slug=hit.slug, title=hit.title, snippet=hit.snippet, lang=hit.lang, category=hit.category)
    if staff_view:
        found.id, found.visibility = hit.article_id, hit.visibility.value
    return found


class KbHits(Reply):
    results: list[KbHit]


class KbPage(Reply):
    id: str
    lang: str
    slug: str
    title: str
    html: str
    category: str
    tags: list[str]
    revision: int
    visibility: str
    published_at: str
    alternates: dict[str, dict[str, str]]  # the other languages: {slug, title}
    static_url: str
    url: str
    related: list[KbHit]


class KbText(Reply):
    title: str
    slug: str
    body: str
    revision: int
    by: str
    at: str


def kb_text(text) -> KbText | None:
    return None if text is None else KbText(title=text.title, slug=text.slug, body=text.body,
                                            revision=text.revision, by=text.by, at=text.at.isoformat())


class KbLanguageVersion(Reply):
    state: str
    pending: bool
    draft: KbText | None
    published: KbText | None


class KbArticle(Reply):
    id: str
    category: str
    visibility: str
    tags: list[str]
    author: str
    order: int
    version: int
    created_at: str
    versions: dict[str, KbLanguageVersion]


def kb_article(article) -> KbArticle:
    return KbArticle(id=article.id, category=article.category, visibility=article.visibility.value,
                     tags=list(article.tags), author=article.author, order=article.order, version=article.version,
                     created_at=article.created_at.isoformat(),
                     versions={lang: KbLanguageVersion(state=v.state.value, pending=v.pending, draft=kb_text(v.draft),
                                                       published=kb_text(v.published))
                               for lang, v in article.versions.items()})


class KbDraftFromReply(Reply):
    article: KbArticle
    flagged: list[Any]  # the customer's details found in the text


class KbPreview(Reply):
    html: str


class KbVoted(Reply):
    counted: bool


class KbRecorded(Reply):
    recorded: bool


class KbPending(Reply):
    id: str
    lang: str
    title: str
    by: str
    at: str


class KbReview(Reply):
    drafts: list[KbPending]


class KbHistoryEntry(Reply):
    action: str
    by: str
    at: str
    lang: str | None
    revision: int | None
    title: str | None
    data: Any


class KbHistory(Reply):
    history: list[KbHistoryEntry]


def kb_history_entry(entry) -> KbHistoryEntry:
    return KbHistoryEntry(action=entry.action.value, by=entry.by, at=entry.at.isoformat(), lang=entry.lang,
                          revision=entry.text.revision if entry.text else None,
                          title=entry.text.title if entry.text else None, data=entry.data)


class KbStats(Reply):
    stats: Any  # per published version: views, helpful votes, deflections


class KbLink(Reply):
    url: str
    title: str
    lang: str
    fallback: bool  # not in the language asked for


class KbFile(Reply):
    url: str
    content_type: str
    size: int
    markdown: str  # what to paste into an article


# ---------------------------------------------------------------- the SLA policy (api/admin.py)
class SlaPolicyReply(Reply):
    """The policy as domain/sla.py writes it (SlaPolicy.to_document); a valid PUT body as it is."""
    targets: dict[str, Any]
    departments: dict[str, Any]
    tiers: dict[str, Any]
    calendar: dict[str, Any]
    warn_share: float
    raise_priority: bool
    reassign_to_supervisor: bool
