"""What a search asks for, and who may see what: the pure half of a search (the engine adapter executes it).

Authorization is a filter of the query itself, the same rule as opening a ticket (domain/permissions.py):
an agent may open a ticket of a department they supervise or work in, or one on their own desk; admins
open all. Customers find only their own tickets, and only by their public text (never internal notes).
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from enum import StrEnum

from chalicelib.domain import identity as identities
from chalicelib.domain.catalog import Department
from chalicelib.domain.permissions import Staff, supervises, works_in
from chalicelib.domain.tickets import Priority, Status
from chalicelib.errors import Invalid

PAGE = 25
MAX_PAGE = 100


class Sort(StrEnum):
    RELEVANCE = "relevance"  # BM25, subject boosted; newest first on ties (an empty query: newest)
    NEWEST = "newest"        # created, newest first
    SLA = "sla"              # earliest SLA due first; tickets without a running clock last


@dataclass(frozen=True)
class Scope:
    """Which documents a searcher may find, and which of their fields."""
    everything: bool = False             # admins
    departments: frozenset[str] = frozenset()
    agent: str = ""                      # their own desk, whatever its department
    customer: str = ""                   # a customer's key (canonical address) ...
    customer_phone: str = ""             # ... or their mobile number
    internal: bool = False               # internal notes and internal attachment names are searched and shown

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.departments or self.agent or self.customer or self.customer_phone)


def agent_scope(staff: Staff, departments: list[Department]) -> Scope:
    if staff.admin:
        return Scope(everything=True, internal=True)
    mine = frozenset(d.id for d in departments if supervises(staff, d) or works_in(staff, d))
    return Scope(departments=mine, agent=staff.id, internal=True)


def customer_scope(*, email: str = "", phone: str = "") -> Scope:
    return Scope(customer=identities.canonical(email) if email else "", customer_phone=phone)


@dataclass(frozen=True)
class Filters:
    status: frozenset[str] = frozenset()
    department: frozenset[str] = frozenset()
    group: str = ""
    assignee: str | None = None          # an agent id, "" = unassigned, None = anyone
    priority: frozenset[str] = frozenset()
    customer: str = ""
    created: tuple[int | None, int | None] = (None, None)  # epoch seconds, inclusive
    updated: tuple[int | None, int | None] = (None, None)
    has_attachment: bool | None = None
    unconfirmed: bool | None = None


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: Filters = field(default_factory=Filters)
    sort: Sort = Sort.RELEVANCE
    offset: int = 0
    limit: int = PAGE


def _choices(params: dict, name: str, allowed: set[str]) -> frozenset[str]:
    raw = (params.get(name) or "").strip()
    values = frozenset(v.strip() for v in raw.split(",") if v.strip())
    if not values <= allowed:
        raise Invalid.field(name, "invalid")
    return values


def _flag(params: dict, name: str) -> bool | None:
    raw = (params.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw not in ("true", "false", "1", "0"):
        raise Invalid.field(name, "invalid")
    return raw in ("true", "1")


def _moment(params: dict, name: str, *, end: bool) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        if len(raw) == 10:  # a day: from its start, to its end
            day = date.fromisoformat(raw)
            moment = datetime.combine(day, time.max if end else time.min, tzinfo=timezone.utc)
        else:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
    except ValueError:
        raise Invalid.field(name, "invalid") from None
    return int(moment.timestamp())


def _range(params: dict, name: str) -> tuple[int | None, int | None]:
    low, high = _moment(params, f"{name}_from", end=False), _moment(params, f"{name}_to", end=True)
    if low is not None and high is not None and low > high:
        raise Invalid.field(f"{name}_to", "before_from")
    return low, high


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        offset = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Invalid.field("cursor", "invalid") from None
    if kind != "o" or offset < 0:
        raise Invalid.field("cursor", "invalid")
    return offset


def parse_request(params: dict, *, me: str = "") -> SearchRequest:
    """The query string of a search, every bad parameter named (field-level 400s, never a 500)."""
    problems: dict[str, str] = {}

    def attempt(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Invalid as exc:
            problems.update(exc.fields)
            return None

    q = params.get("q") or ""
    if len(q) > 500:
        problems["q"] = "too_long"
    status = attempt(_choices, params, "status", {s.value for s in Status}) or frozenset()
    priority = attempt(_choices, params, "priority", {p.value for p in Priority}) or frozenset()
    department = frozenset(d.strip() for d in (params.get("department") or "").split(",") if d.strip())
    assignee_raw = (params.get("assignee") or "").strip()
    assignee = {"": None, "me": me, "unassigned": ""}.get(assignee_raw, assignee_raw)
    customer = (params.get("customer") or "").strip()
    if customer:
        customer = identities.canonical(customer) if "@" in customer else customer
    created = attempt(_range, params, "created") or (None, None)
    updated = attempt(_range, params, "updated") or (None, None)
    has_attachment = attempt(_flag, params, "has_attachment")
    unconfirmed = attempt(_flag, params, "unconfirmed")
    sort_raw = (params.get("sort") or "relevance").strip()
    if sort_raw not in {s.value for s in Sort}:
        problems["sort"] = "invalid"
    offset = attempt(decode_cursor, params["cursor"]) if params.get("cursor") else 0
    limit = PAGE
    if params.get("limit"):
        try:
            limit = int(params["limit"])
            if not 1 <= limit <= MAX_PAGE:
                raise ValueError
        except ValueError:
            problems["limit"] = "invalid"
    if problems:
        raise Invalid("; ".join(f"{k}: {v}" for k, v in problems.items()), fields=problems)
    return SearchRequest(
        q=q, sort=Sort(sort_raw), offset=offset or 0, limit=limit,
        filters=Filters(status=status, department=department, group=(params.get("group") or "").strip(),
                        assignee=assignee, priority=priority, customer=customer, created=created,
                        updated=updated, has_attachment=has_attachment, unconfirmed=unconfirmed))
