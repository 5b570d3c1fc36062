"""Canned answers (issue 15): a title, a body per language with placeholders, optional actions applied with the
reply (status, priority, transfer to a group), and a scope (personal, work group, department, everyone) that
decides who may use the answer and who may edit it. Pure Python, table-tested in tests/unit/test_canned.py.

Placeholders are `{{customer.name}}`, `{{ticket.number}}`, `{{ticket.link}}`, `{{agent.name}}` and
`{{department.name}}`. An unknown or malformed one is refused when the answer is saved, naming it.

What "escaped when inserted" means here: a reply is plain text (the portal puts it in a textarea's value; the
customer site and the mail's text part show it as text; the mail's HTML part escapes all of it at its own edge,
domain/mail.py). So a value is made safe *for plain text*: filled in one pass (a customer named
`{{agent.name}}` stays literally that, never expanded), control and bidirectional characters removed (a name
cannot reorder or hide the text around it), line breaks folded to a space (a name cannot start a line that
looks like something the agent wrote) and its length capped. HTML-escaping it here would be wrong: the mail
would then show `&lt;` to the customer, since the HTML part escapes again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from chalicelib.domain.catalog import Department
from chalicelib.domain.permissions import AGENT_SETTABLE, Staff, supervises, works_in
from chalicelib.domain import search_text
from chalicelib.domain.search_text import SearchQuery, parse_query
from chalicelib.domain.text import has_unsafe_characters, without_unsafe_characters
from chalicelib.domain.tickets import Language, Priority, Status, Ticket, parse_enum
from chalicelib.errors import FieldProblems, Invalid

TITLE_MAX = 120
BODY_MAX = 10_000
VALUE_MAX = 200  # a filled-in value longer than this is cut (with an ellipsis)
PLACEHOLDERS = ("customer.name", "ticket.number", "ticket.link", "agent.name", "department.name")
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
LANGUAGE_ORDER = (Language.EN, Language.FA, Language.HE)  # fallbacks after the ticket's own language


class ScopeKind(StrEnum):
    PERSONAL = "personal"
    GROUP = "group"
    DEPARTMENT = "department"
    EVERYONE = "everyone"


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    agent: str | None = None        # personal: the owner
    department: str | None = None   # group, department
    group: str | None = None        # group

    @property
    def key(self) -> str:
        """The partition of the answers of this scope (one Query lists them)."""
        if self.kind == ScopeKind.PERSONAL:
            return f"personal#{self.agent}"
        if self.kind == ScopeKind.GROUP:
            return f"group#{self.department}/{self.group}"
        if self.kind == ScopeKind.DEPARTMENT:
            return f"department#{self.department}"
        return "everyone"

    def document(self) -> dict:
        return {k: v for k, v in {"kind": self.kind.value, "agent": self.agent, "department": self.department,
                                  "group": self.group}.items() if v is not None}

    @classmethod
    def from_document(cls, doc: dict) -> Scope:
        return cls(kind=ScopeKind(doc["kind"]), agent=doc.get("agent"), department=doc.get("department"),
                   group=doc.get("group"))


@dataclass(frozen=True)
class Transfer:
    department: str
    group: str


@dataclass(frozen=True)
class Actions:
    """Applied with the reply, each through the same workflow use case (and permission) as the portal's button."""
    status: Status | None = None
    priority: Priority | None = None
    transfer: Transfer | None = None

    def __bool__(self) -> bool:
        return any((self.status, self.priority, self.transfer))

    def document(self) -> dict:
        doc: dict = {}
        if self.status:
            doc["status"] = self.status.value
        if self.priority:
            doc["priority"] = self.priority.value
        if self.transfer:
            doc["transfer"] = {"department": self.transfer.department, "group": self.transfer.group}
        return doc

    @classmethod
    def from_document(cls, doc: dict | None) -> Actions:
        doc = doc or {}
        transfer = doc.get("transfer")
        return cls(status=Status(doc["status"]) if doc.get("status") else None,
                   priority=Priority(doc["priority"]) if doc.get("priority") else None,
                   transfer=Transfer(transfer["department"], transfer["group"]) if transfer else None)


@dataclass(frozen=True)
class CannedAnswer:
    id: str
    title: str
    bodies: dict[Language, str]
    scope: Scope
    actions: Actions = field(default_factory=Actions)
    created_by: str = ""
    uses: int = 0
    version: int = 1

    def language_for(self, wanted: Language) -> Language:
        """The ticket's language if the answer has it, else the first of LANGUAGE_ORDER it has."""
        if wanted in self.bodies:
            return wanted
        return next(lang for lang in LANGUAGE_ORDER if lang in self.bodies)


# ---------------------------------------------------------------- checking what an editor typed

def placeholder_problems(body: str) -> list[str]:
    """The unknown placeholders of `body` (their names as written) and malformed braces (the fragment)."""
    problems = [m.group(1) for m in _PLACEHOLDER.finditer(body) if m.group(1) not in PLACEHOLDERS]
    rest = _PLACEHOLDER.sub("", body)
    for stray in re.finditer(r"\{\{|\}\}", rest):  # the word the stray brace opens or closes
        if stray.group() == "{{":
            problems.append(re.match(r"\S{0,40}", rest[stray.start():]).group())
        else:
            problems.append(re.search(r"\S{0,40}$", rest[:stray.end()]).group())
    return problems


def _clean_title(title) -> str:
    if not isinstance(title, str) or not title.strip():
        raise Invalid.field("title", "required")
    if has_unsafe_characters(title):
        raise Invalid.field("title", "invalid_character")
    if len(title.strip()) > TITLE_MAX:
        raise Invalid.field("title", "too_long")
    return title.strip()


def parse_bodies(raw) -> tuple[dict[Language, str], dict[str, list[str]]]:
    """The bodies by language; every problem is raised at once. Returns the bodies and, for the error's details,
    the placeholders refused per field."""
    if not isinstance(raw, dict) or not any(isinstance(v, str) and v.strip() for v in raw.values()):
        raise Invalid.field("bodies", "required")
    problems = FieldProblems()
    refused: dict[str, list[str]] = {}
    bodies: dict[Language, str] = {}
    for lang, body in raw.items():
        path = f"bodies.{lang}"
        if lang not in Language.__members__.values():
            problems[path] = "unknown_language"
            continue
        if not isinstance(body, str) or not body.strip():
            continue  # an empty language is simply not offered
        if has_unsafe_characters(body, multiline=True):
            problems[path] = "invalid_character"
        elif len(body.strip()) > BODY_MAX:
            problems[path] = "too_long"
        elif bad := placeholder_problems(body):
            problems[path] = "unknown_placeholder"
            refused[path] = bad
        else:
            bodies[Language(lang)] = body.strip()
    if problems:
        raise Invalid(_message(problems, refused), fields=dict(problems),
                      details={"placeholders": refused} if refused else None)
    return bodies, refused


def _message(problems: dict[str, str], refused: dict[str, list[str]]) -> str:
    """'bodies.he: unknown_placeholder {{customer.fullname}}; title: required'"""
    return "; ".join(f"{p}: {c}" + "".join(f" {{{{{n}}}}}" if "{" not in n and "}" not in n else f" {n}"
                                           for n in refused.get(p, ())) for p, c in problems.items())


def parse_actions(raw, departments: dict[str, Department]) -> Actions:
    """Status among those an agent may set, a priority, a transfer to an existing group."""
    raw = raw or {}
    problems = FieldProblems()
    status = problems.check(parse_enum, Status, raw["status"], "actions.status") if raw.get("status") else None
    if status is not None and status not in AGENT_SETTABLE:
        problems["actions.status"] = "not_allowed"
    priority = (problems.check(parse_enum, Priority, raw["priority"], "actions.priority")
                if raw.get("priority") else None)
    transfer = None
    if raw.get("transfer"):
        department = departments.get(raw["transfer"].get("department") or "")
        if department is None:
            problems["actions.transfer.department"] = "unknown"
        elif department.group(raw["transfer"].get("group") or "") is None:
            problems["actions.transfer.group"] = "unknown"
        else:
            transfer = Transfer(department.id, raw["transfer"]["group"])
    problems.raise_any()
    return Actions(status=status, priority=priority, transfer=transfer)


def parse_scope(raw, staff: Staff, departments: dict[str, Department]) -> Scope:
    """The scope an answer is saved in; a personal answer is always the saver's own."""
    raw = raw or {}
    kind = parse_enum(ScopeKind, raw.get("kind") or "", "scope.kind")
    if kind == ScopeKind.PERSONAL:
        return Scope(ScopeKind.PERSONAL, agent=staff.id)
    if kind == ScopeKind.EVERYONE:
        return Scope(ScopeKind.EVERYONE)
    department = departments.get(raw.get("department") or "")
    if department is None:
        raise Invalid.field("scope.department", "unknown")
    if kind == ScopeKind.DEPARTMENT:
        return Scope(ScopeKind.DEPARTMENT, department=department.id)
    if department.group(raw.get("group") or "") is None:
        raise Invalid.field("scope.group", "unknown")
    return Scope(ScopeKind.GROUP, department=department.id, group=raw["group"])


def parse_answer(raw: dict, *, staff: Staff, departments: dict[str, Department], answer_id: str,
                 previous: CannedAnswer | None = None) -> CannedAnswer:
    """An answer as typed, every bad field reported at once."""
    problems = FieldProblems()
    title = problems.check(_clean_title, raw.get("title"))
    details: dict = {}
    try:
        bodies, _ = parse_bodies(raw.get("bodies"))
    except Invalid as exc:
        problems.update(exc.fields)
        details.update(exc.details)
        bodies = {}
    scope = problems.check(parse_scope, raw.get("scope"), staff, departments)
    actions = problems.check(parse_actions, raw.get("actions"), departments)
    if problems:
        raise Invalid(_message(problems, details.get("placeholders", {})), fields=dict(problems),
                      details=details or None)
    if previous is not None and scope.kind == ScopeKind.PERSONAL:
        scope = previous.scope if previous.scope.kind == ScopeKind.PERSONAL else scope  # keep the owner
    return CannedAnswer(id=answer_id, title=title, bodies=bodies, scope=scope, actions=actions,
                        created_by=previous.created_by if previous else staff.id,
                        uses=previous.uses if previous else 0, version=previous.version if previous else 1)


# ---------------------------------------------------------------- who may use and edit

def may_use(staff: Staff, scope: Scope, departments: dict[str, Department]) -> bool:
    """Personal: its owner; a group's: its members, its department's supervisors, admins; a department's: the
    people working in it, its supervisors, admins; everyone's: every agent."""
    if scope.kind == ScopeKind.EVERYONE:
        return True
    if scope.kind == ScopeKind.PERSONAL:
        return scope.agent == staff.id
    if staff.admin:
        return True
    department = departments.get(scope.department or "")
    if department is None:
        return False
    if supervises(staff, department):
        return True
    if scope.kind == ScopeKind.DEPARTMENT:
        return works_in(staff, department)
    group = department.group(scope.group or "")
    return group is not None and staff.id in group.members


def may_edit(staff: Staff, scope: Scope, departments: dict[str, Department]) -> bool:
    """Agents their personal answers; supervisors those of their departments and their groups; admins all."""
    if staff.admin:
        return True
    if scope.kind == ScopeKind.PERSONAL:
        return scope.agent == staff.id
    if scope.kind == ScopeKind.EVERYONE:
        return False
    department = departments.get(scope.department or "")
    return department is not None and supervises(staff, department)


def scopes_of(staff: Staff, departments: dict[str, Department], ticket: Ticket | None = None) -> list[Scope]:
    """The scopes whose answers the agent is offered: their own, everyone's, every department they work in or
    supervise with its groups they are in (all its groups where they supervise), and the ticket's department and
    group where they may use those. One Query each: the count follows the organisation, never the tickets."""
    found = [Scope(ScopeKind.PERSONAL, agent=staff.id), Scope(ScopeKind.EVERYONE)]
    for department in sorted(departments.values(), key=lambda d: d.id):
        leads = supervises(staff, department)
        if leads or works_in(staff, department):
            found.append(Scope(ScopeKind.DEPARTMENT, department=department.id))
        found += [Scope(ScopeKind.GROUP, department=department.id, group=g.id) for g in department.groups
                  if leads or staff.id in g.members]
    if ticket is not None:
        for extra in (Scope(ScopeKind.DEPARTMENT, department=ticket.department),
                      Scope(ScopeKind.GROUP, department=ticket.department, group=ticket.group)):
            if ticket.department and (extra.kind == ScopeKind.DEPARTMENT or ticket.group) \
                    and extra not in found and may_use(staff, extra, departments):
                found.append(extra)
    return found


# ---------------------------------------------------------------- finding and filling in

_LENIENT = frozenset({"no_words", "only_stop_words", "only_excluded"})  # while typing `::` these list everything


def search_query(query: str | None) -> SearchQuery:
    """The type-ahead's query, parsed as search parses one (search_text.parse_query): a query with nothing to look
    for yet (only punctuation or stop words) lists every answer instead of refusing; too long or holding control
    characters is refused (field `q`)."""
    try:
        return parse_query(query or "")
    except Invalid as exc:
        if set(exc.fields.values()) <= _LENIENT:
            return SearchQuery()
        raise


def _searchable(text: str) -> str:
    return _PLACEHOLDER.sub(" ", text)  # `{{customer.name}}` is no word of the answer


def matches(answers: list[CannedAnswer], query: str | SearchQuery, language: Language | None = None
            ) -> list[CannedAnswer]:
    """The answers matching the query in title and bodies with the search's own analysis and rules
    (search_text.matches: every word by one of its variants, the last as a prefix while typing, phrases,
    exclusions); those with a body in the ticket's language first, then those matching on the title alone, then
    the most used."""
    parsed = search_query(query) if isinstance(query, str) else query

    def rank(answer: CannedAnswer) -> int | None:
        if parsed.is_empty:
            return 0
        whole = "\n".join([answer.title, *(_searchable(b) for b in answer.bodies.values())])
        if not search_text.matches(whole, parsed):  # exclusions count against the whole answer
            return None
        return 2 if search_text.matches(answer.title, parsed) else 1

    scored = [(r, a) for a in answers if (r := rank(a)) is not None]
    scored.sort(key=lambda pair: (language is not None and language not in pair[1].bodies, -pair[0],
                                  -pair[1].uses, pair[1].title.casefold(), pair[1].id))
    return [a for _, a in scored]


def _safe_value(value: str) -> str:
    value = without_unsafe_characters(str(value), multiline=False)
    value = re.sub(r"\s+", " ", value).strip()
    return value if len(value) <= VALUE_MAX else value[:VALUE_MAX - 1] + "…"


@dataclass(frozen=True)
class Filled:
    text: str
    language: Language
    fallback: bool  # the answer has no body in the ticket's language


def department_name(department: Department | None, language: Language) -> str:
    if department is None:
        return ""
    names = department.names
    fallback = next((names[other.value] for other in LANGUAGE_ORDER if names.get(other.value)), "")
    return names.get(language.value) or fallback or department.id


def fill(answer: CannedAnswer, *, ticket: Ticket, staff: Staff, department: Department | None,
         link: str) -> Filled:
    """The answer's body in the ticket's language (else a fallback) with every placeholder filled in, each value
    made safe for plain text (see the module's note) and never itself read for placeholders."""
    language = answer.language_for(ticket.language)
    values = {"customer.name": ticket.customer.name, "ticket.number": str(ticket.number), "ticket.link": link,
              "agent.name": staff.actor.name, "department.name": department_name(department, ticket.language)}
    safe = {name: _safe_value(value) for name, value in values.items()}
    text = _PLACEHOLDER.sub(lambda m: safe.get(m.group(1), m.group(0)), answer.bodies[language])
    return Filled(text=text, language=language, fallback=language != ticket.language)


def counted(answer: CannedAnswer) -> CannedAnswer:
    return replace(answer, uses=answer.uses + 1)
