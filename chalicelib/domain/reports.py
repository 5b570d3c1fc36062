"""Management reports: every figure defined once, here, from the event documents (domain/events.py). Pure Python.

The aggregator (views/reports) never sums over tickets. Each event document is turned, on its own, into
`contributions`: small integer counters to ADD to the day buckets it touches, keyed by dimension, member and
local day of the desk's zone. Everything a report shows is then derived from sums of such counters
(`Figures`), so the live aggregator and a replay from the timelines give the same numbers whatever the order
in which the events arrive.

Durations (first response, resolution) go into fixed log-scale histograms (`BINS` bins, `STEPS` per doubling,
from one minute up), each with its count and exact sum: the mean is exact, the median and the 90th percentile
are read from the bins (within 1/STEPS of a doubling, ~19 %). Business time is the ticket's own SLA clock (its
calendar, paused while waiting on the customer or on hold); calendar time is wall-clock time since creation.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from chalicelib.domain import identity

# ---------------------------------------------------------------- keys

DESK = "desk"
# "priority" (the ticket's priority when the event happened) and "channel" (how the ticket came: web, mail, import;
# in the ticket snapshot, missing on older documents = web) make the portal's filters true filters: one more bucket
# update each per ticket-level event, inside the event's one transaction. Created tickets are also broken down by
# channel (`created.channel.*`).
DIMENSIONS = ("desk", "department", "group", "agent", "customer", "category", "tier", "priority", "channel")
RANK = "rank"                 # per-day top lists, members below: one item per day, one counter per ranked member
RANK_SOLVERS = "solvers"      # tickets solved, per agent ("top solver")
RANK_CUSTOMERS = "customers"  # "costly customers": by agent time (list RANK_CUSTOMER_TIME), ties by agent replies
RANK_CUSTOMER_TIME = "customer_time"  # agent seconds (presence intervals and time entries), per customer
RANK_AGENTS_RATED = "rated_good"  # good ratings per agent
TOTAL = "total"               # the running-total item of a dimension's member (current backlog), not a day
ALL = "all"                   # the desk's one member

SOLVED_STATUSES = frozenset({"resolved", "closed", "archived"})


@dataclass(frozen=True, order=True)
class BucketKey:
    dimension: str
    member: str
    day: str  # ISO date of the local day in the desk's zone, or TOTAL


Contributions = dict[BucketKey, Counter]


def local_day(moment: datetime, zone: str) -> date:
    """The desk's day a moment belongs to (a report's days are local days, not UTC days)."""
    return moment.astimezone(ZoneInfo(zone)).date()


# ---------------------------------------------------------------- words

# A word: letters, digits and combining marks (harakat, Hebrew points) kept together; ZWNJ/ZWJ join the parts of
# one Persian word (می‌خواهم is one word); an apostrophe or geresh inside a word keeps it one (don't, צ'יפס).
# Hebrew maqaf, hyphens, spaces and punctuation separate words.
_LETTER = r"[^\W_]|[\u0300-\u036f\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u064b-\u065f\u0670]"
_WORD = re.compile(rf"(?:{_LETTER})+(?:[\u200c\u200d'’\u05f3\u05f4](?:{_LETTER})+)*")


def word_count(text: str) -> int:
    return sum(1 for _ in _WORD.finditer(text or ""))


# ---------------------------------------------------------------- histograms

FIRST_BOUND_S = 60.0  # bin 0 holds durations under a minute
STEPS = 4             # bins per doubling
BINS = 84             # the last bin is open-ended (from ~1.9 years)


def bin_of(seconds: float) -> int:
    if seconds < FIRST_BOUND_S:
        return 0
    return min(BINS - 1, 1 + int(math.floor(STEPS * math.log2(seconds / FIRST_BOUND_S) + 1e-9)))


def bin_bounds(index: int) -> tuple[float, float]:
    if index == 0:
        return 0.0, FIRST_BOUND_S
    low = FIRST_BOUND_S * 2 ** ((index - 1) / STEPS)
    return low, FIRST_BOUND_S * 2 ** (index / STEPS)


def duration_counters(prefix: str, seconds: float) -> Counter:
    seconds = max(0.0, seconds)
    return Counter({f"{prefix}.n": 1, f"{prefix}.sum": int(round(seconds)), f"{prefix}.h{bin_of(seconds)}": 1})


@dataclass(frozen=True)
class Distribution:
    count: int
    mean: float | None
    median: float | None
    p90: float | None

    def to_document(self) -> dict:
        return {"count": self.count, "mean_s": _round(self.mean), "median_s": _round(self.median),
                "p90_s": _round(self.p90)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def distribution(counters: Mapping[str, int], prefix: str) -> Distribution:
    count = int(counters.get(f"{prefix}.n", 0))
    if count <= 0:
        return Distribution(0, None, None, None)
    bins = [int(counters.get(f"{prefix}.h{i}", 0)) for i in range(BINS)]
    return Distribution(count, counters.get(f"{prefix}.sum", 0) / count, _quantile(bins, count, 0.5),
                        _quantile(bins, count, 0.9))


def _quantile(bins: list[int], count: int, q: float) -> float | None:
    """The value at rank ceil(q·count), interpolated inside its bin (linearly in the first, geometrically in the
    log-scale ones)."""
    rank, before = max(1, math.ceil(q * count)), 0
    for index, in_bin in enumerate(bins):
        if in_bin and before + in_bin >= rank:
            low, high = bin_bounds(index)
            share = (rank - before - 0.5) / in_bin
            return low + (high - low) * share if index == 0 else low * (high / low) ** share
        before += in_bin
    return None


# ---------------------------------------------------------------- an event's contributions

def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _ticket_members(ticket: dict, agent: str | None) -> list[tuple[str, str]]:
    """The dimensions' members a ticket-level figure is filed under; `agent` is whom it is credited to."""
    members = [(DESK, ALL), ("department", ticket["department"])]
    if ticket.get("group"):
        members.append(("group", f"{ticket['department']}/{ticket['group']}"))
    if ticket.get("category"):
        members.append(("category", ticket["category"]))
    if ticket.get("priority"):
        members.append(("priority", ticket["priority"]))
    members.append(("channel", ticket.get("channel") or "web"))
    sla = ticket.get("sla") or {}
    if sla.get("tier"):
        members.append(("tier", sla["tier"]))
    members.append(("customer", identity.canonical(ticket["customer"]["email"])))
    if agent:
        members.append(("agent", agent))
    return members


def _assignee(ticket: dict) -> str | None:
    return (ticket.get("assignee") or {}).get("id")


class _Sink:
    def __init__(self, day: str):
        self.day = day
        self.out: Contributions = defaultdict(Counter)

    def add(self, members: Iterable[tuple[str, str]], counters: Mapping[str, int], day: str | None = None) -> None:
        for dimension, member in members:
            self.out[BucketKey(dimension, member, day or self.day)].update(counters)

    def result(self) -> Contributions:
        return {key: Counter({k: v for k, v in counters.items() if v}) for key, counters in self.out.items()
                if any(counters.values())}


def contributions(doc: dict, zone: str) -> Contributions:
    """What one event document adds to the report buckets (empty: nothing). Pure and order-free: the same
    document always gives the same counters, so applying each event once gives the same totals in any order."""
    at = _moment(doc["occurred_at"])
    sink = _Sink(local_day(at, zone).isoformat())
    handler = _HANDLERS.get(doc["type"])
    if handler:
        handler(doc, at, zone, sink)
    return sink.result()


def _created(doc: dict, at: datetime, zone: str, sink: _Sink) -> None:
    ticket = doc["ticket"]
    local = at.astimezone(ZoneInfo(zone))
    # The snapshot's channel; documents written before it existed name it only in the created event's data.
    channel = ticket.get("channel") or (doc.get("data") or {}).get("channel") or "web"
    counters = Counter({"created": 1, f"created.channel.{channel}": 1, f"created.priority.{ticket['priority']}": 1})
    sink.add(_ticket_members({**ticket, "channel": channel}, None), counters)
    # Busiest hours, categories and the backlog: the desk's and the department's (not every dimension's).
    sink.add([(DESK, ALL), ("department", ticket["department"])],
             Counter({f"hour.{local.weekday()}.{local.hour:02d}": 1, "backlog.delta": 1,
                      f"created.category.{ticket.get('category', '')}": 1}))
    sink.add([(DESK, ALL), ("department", ticket["department"])], Counter({"backlog": 1}), day=TOTAL)


def _message(doc: dict, at: datetime, zone: str, sink: _Sink) -> None:
    message, ticket = doc.get("message") or {}, doc["ticket"]
    author = message.get("author") or {}
    if author.get("kind") != "agent":
        return
    agent = author["id"]
    if message.get("visibility") != "public":
        sink.add([(DESK, ALL), ("department", ticket["department"]), ("agent", agent)], Counter({"notes": 1}))
        return
    words = word_count(message.get("text", ""))
    members = _ticket_members(ticket, agent)
    sink.add(members, Counter({"replies": 1, "words": words}))
    sink.add([(RANK, RANK_CUSTOMERS)], Counter({identity.canonical(ticket["customer"]["email"]): 1}))
    # The ticket's first public agent reply (documents written before the reports carry no count: no timing).
    if int(ticket.get("agent_replies") or 0) == 1 and ticket.get("created_at"):
        calendar_s = (at - _moment(ticket["created_at"])).total_seconds()
        sla = (ticket.get("sla") or {}).get("first_response")
        business_s = sla["spent_s"] if sla else calendar_s
        counters = duration_counters("frt.c", calendar_s) + duration_counters("frt.b", business_s)
        if sla:
            counters["sla.first_response.breached" if sla["breached"] else "sla.first_response.met"] += 1
        sink.add(members, counters)


def _status(doc: dict, at: datetime, zone: str, sink: _Sink) -> None:
    data, ticket = doc.get("data") or {}, doc["ticket"]
    before, after = data.get("from"), data.get("to")
    solved = after in SOLVED_STATUSES and before not in SOLVED_STATUSES
    reopened = before in SOLVED_STATUSES and after not in SOLVED_STATUSES
    if not (solved or reopened):
        return
    agent = _assignee(ticket)
    members = _ticket_members(ticket, agent)
    replies = int(ticket.get("agent_replies") or 0)
    backlog = [(DESK, ALL), ("department", ticket["department"])]
    if reopened:
        counters = Counter({"reopened": 1})
        if replies == 1:
            counters["fcr"] = -1  # solved at first contact, but the customer came back: no longer counts
        sink.add(members, counters)
        sink.add(backlog, Counter({"backlog.delta": 1}))
        sink.add(backlog, Counter({"backlog": 1}), day=TOTAL)
        return
    counters = Counter({"solved": 1, "solve.replies": replies, "fcr": 1 if replies == 1 else 0})
    sla = (ticket.get("sla") or {}).get("resolution")
    if ticket.get("created_at"):  # documents written before the reports: counted, not timed
        calendar_s = (at - _moment(ticket["created_at"])).total_seconds()
        business_s = sla["spent_s"] if sla else calendar_s
        counters += duration_counters("res.c", calendar_s) + duration_counters("res.b", business_s)
    if sla:
        counters["sla.resolution.breached" if sla["breached"] else "sla.resolution.met"] += 1
    sink.add(members, counters)
    sink.add(backlog, Counter({"backlog.delta": -1}))
    sink.add(backlog, Counter({"backlog": -1}), day=TOTAL)
    if agent:
        sink.add([(RANK, RANK_SOLVERS)], Counter({agent: 1}))


def _rated(doc: dict, at: datetime, zone: str, sink: _Sink) -> None:
    data, ticket = doc.get("data") or {}, doc["ticket"]
    if data.get("change") == "comment":
        return
    agent = (data.get("agent") or {}).get("id")  # the author of the rated reply, never the assignee
    counters = Counter({f"rating.{data['rating']}": 1})
    if data.get("previous"):
        counters[f"rating.{data['previous']}"] -= 1
    sink.add(_ticket_members(ticket, agent), counters)
    if agent and (good := counters.get("rating.good", 0)):
        sink.add([(RANK, RANK_AGENTS_RATED)], Counter({agent: good}))


def _assigned(doc: dict, at: datetime, zone: str, sink: _Sink) -> None:
    data = doc.get("data") or {}
    before, after = data.get("from") or {}, data.get("to") or {}
    kind = data.get("kind", "")
    if kind == "auto" or not (before.get("agent") or before.get("group")):
        return  # routing a new ticket is not a hand-over
    desk = Counter({"handovers": 1, f"handovers.{kind}": 1})
    from_group = f"{before.get('department')}/{before.get('group')}" if before.get("group") else None
    to_group = f"{after.get('department')}/{after.get('group')}" if after.get("group") else None
    if from_group != to_group:
        desk[f"flow.group.{from_group or '-'}>{to_group or '-'}"] += 1
    if before.get("agent") != after.get("agent"):
        desk[f"flow.agent.{before.get('agent') or '-'}>{after.get('agent') or '-'}"] += 1
    sink.add([(DESK, ALL)], desk)
    if before.get("agent") and before.get("agent") != after.get("agent"):
        sink.add([("agent", before["agent"])], Counter({"handed_over": 1}))
    if after.get("agent") and before.get("agent") != after.get("agent"):
        sink.add([("agent", after["agent"])], Counter({"received": 1}))
    if from_group and from_group != to_group:
        sink.add([("group", from_group)], Counter({"handed_over": 1}))
    if to_group and from_group != to_group:
        sink.add([("group", to_group)], Counter({"received": 1}))
    if before.get("department") and after.get("department") and before["department"] != after["department"] \
            and doc["ticket"].get("status") not in SOLVED_STATUSES:
        for department, step in ((before["department"], -1), (after["department"], 1)):
            sink.add([("department", department)], Counter({"backlog.delta": step}))
            sink.add([("department", department)], Counter({"backlog": step}), day=TOTAL)


def _breached(doc: dict, at: datetime, zone: str, sink: _Sink) -> None:
    data, ticket = doc.get("data") or {}, doc["ticket"]
    escalation = data.get("escalation") or {}
    counters = Counter({"sla.breaches": 1, f"sla.{data.get('target', 'unknown')}.breaches": 1,
                        "escalated": 1 if (escalation.get("priority") or escalation.get("assignee")) else 0})
    sink.add(_ticket_members(ticket, _assignee(ticket)), counters)


def _time(doc: dict, at: datetime, zone: str, sink: _Sink) -> None:
    """Agent time, credited to the agent who spent it (the event's actor) on the day the interval ended or the
    entry was made: a presence interval (`ticket.time_spent`, idle already cut off) or a time entry."""
    data, ticket, actor = doc.get("data") or {}, doc["ticket"], doc.get("actor") or {}
    if actor.get("kind") != "agent":
        return
    spent = doc["type"] == "ticket.time_spent"
    seconds = int(data.get("seconds") or 0) if spent else 60 * int(data.get("minutes") or 0)
    if seconds <= 0:
        return
    sink.add(_ticket_members(ticket, actor["id"]),
             Counter({"time.s": seconds, "time.presence.s" if spent else "time.logged.s": seconds}))
    sink.add([(RANK, RANK_CUSTOMER_TIME)], Counter({identity.canonical(ticket["customer"]["email"]): seconds}))


_HANDLERS = {
    "ticket.created": _created,
    "ticket.message_added": _message,
    "ticket.status_changed": _status,
    "ticket.rated": _rated,
    "ticket.assigned": _assigned,
    "ticket.sla_breached": _breached,
    "ticket.time_spent": _time,
    "ticket.time_logged": _time,
}


def merge(parts: Iterable[Mapping[str, int]]) -> Counter:
    total: Counter = Counter()
    for part in parts:
        for name, value in part.items():
            total[name] += int(value)
    return total


# ---------------------------------------------------------------- figures from summed counters

def _share(part: int, whole: int) -> float | None:
    return None if not whole else round(part / whole, 4)


def figures(counters: Mapping[str, int]) -> dict:
    """Every key figure of a period from the sum of its day buckets."""
    c = Counter({k: int(v) for k, v in counters.items()})
    solved = c["solved"]
    frt_met, frt_breached = c["sla.first_response.met"], c["sla.first_response.breached"]
    res_met, res_breached = c["sla.resolution.met"], c["sla.resolution.breached"]
    good, bad = c["rating.good"], c["rating.bad"]
    return {
        "created": c["created"], "solved": solved, "reopened": c["reopened"],
        "backlog_change": c["backlog.delta"],
        "by_channel": _prefixed(c, "created.channel."), "by_priority": _prefixed(c, "created.priority."),
        "by_category": _prefixed(c, "created.category."),
        "first_response": {"business": distribution(c, "frt.b").to_document(),
                           "calendar": distribution(c, "frt.c").to_document()},
        "resolution": {"business": distribution(c, "res.b").to_document(),
                       "calendar": distribution(c, "res.c").to_document()},
        "replies_until_solved": None if not solved else round(c["solve.replies"] / solved, 2),
        "first_contact_resolution": _share(c["fcr"], solved), "reopen_rate": _share(c["reopened"], solved),
        "sla": {"first_response_met": _share(frt_met, frt_met + frt_breached),
                "resolution_met": _share(res_met, res_met + res_breached),
                "breaches": c["sla.breaches"], "escalations": c["escalated"]},
        "satisfaction": {"good": good, "bad": bad, "good_share": _share(good, good + bad)},
        "replies": c["replies"], "notes": c["notes"],
        "words_per_reply": None if not c["replies"] else round(c["words"] / c["replies"], 1),
        "handovers": c["handovers"], "handed_over": c["handed_over"], "received": c["received"],
        "agent_time": {"seconds": c["time.s"], "presence_s": c["time.presence.s"], "logged_s": c["time.logged.s"]},
    }


def _prefixed(c: Mapping[str, int], prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: v for k, v in sorted(c.items()) if k.startswith(prefix) and v}


def busiest_hours(c: Mapping[str, int]) -> list[list[int]]:
    """Tickets created, [weekday Mon=0][hour] in the desk's zone."""
    return [[int(c.get(f"hour.{day}.{hour:02d}", 0)) for hour in range(24)] for day in range(7)]


def handover_flow(c: Mapping[str, int], level: str = "group") -> list[dict]:
    """Hand-overs from → to (level "group" or "agent"), most first."""
    prefix = f"flow.{level}."
    flows = [(*k[len(prefix):].split(">", 1), v) for k, v in c.items() if k.startswith(prefix) and v]
    return [{"from": a, "to": b, "count": n} for a, b, n in sorted(flows, key=lambda f: (-f[2], f[0], f[1]))]


def backlog_at_end(current: int, deltas_after: Iterable[int]) -> int:
    """The backlog at the end of a day: today's running total less what changed on the days after it."""
    return current - sum(deltas_after)


def ranking(counters: Mapping[str, int], limit: int = 10, ties: Mapping[str, int] | None = None) -> list[dict]:
    """Members by their summed count, most first; ties by `ties` (then by name)."""
    ties = ties or {}
    ranked = sorted(((m, int(v)) for m, v in counters.items() if v), key=lambda mv: (-mv[1], -ties.get(mv[0], 0), mv[0]))
    return [{"member": m, "count": v} for m, v in ranked[:limit]]


def costly_customers(seconds: Mapping[str, int], replies: Mapping[str, int], limit: int = 10) -> list[dict]:
    """Customers by the agent time spent on them, most first; ties (and customers without measured time) by
    agent replies, then by name. `count` is the agent seconds."""
    members = {m for m, v in seconds.items() if v} | {m for m, v in replies.items() if v}
    ranked = sorted(members, key=lambda m: (-int(seconds.get(m, 0)), -int(replies.get(m, 0)), m))
    return [{"member": m, "count": int(seconds.get(m, 0)), "agent_seconds": int(seconds.get(m, 0)),
             "replies": int(replies.get(m, 0))} for m in ranked[:limit]]
