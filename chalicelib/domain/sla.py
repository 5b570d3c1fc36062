"""Service-level targets of a ticket: first response and resolution, counted in business hours.

A ticket carries its own SLA (targets, the calendar they count in, the clocks), so that every transition of the
ticket keeps the clocks true without asking anything outside: the clocks run while the ticket waits on the team
and pause while it waits on the customer or is on hold. The due time shown to agents is computed from the same
stored clock that the scheduled sweep acts on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain import identity
from chalicelib.domain.business_hours import PRESETS, Calendar, SlaClock
from chalicelib.errors import Invalid


class Target(StrEnum):
    FIRST_RESPONSE = "first_response"  # met by the first public agent reply
    RESOLUTION = "resolution"          # met when the ticket is resolved or closed


class Checkpoint(StrEnum):
    WARNING = "warning"
    BREACH = "breach"


PRIORITIES = ("urgent", "high", "normal", "low")  # Priority values, highest first
DEFAULT_TARGET_HOURS = {"urgent": (1, 4), "high": (4, 12), "normal": (8, 24), "low": (24, 72)}
DEFAULT_CALENDAR = "24x7"
MAX_HOLIDAYS = 400  # a few years of public holidays
MAX_TIERS = 20
MAX_TIER_ENTRIES = 1000  # addresses and domains in all tiers together: the policy stays one small item, read per ticket
ENTRY_MAX = 254
# A tier id starts with a letter: an id of digits only would be reordered by browsers' objects, and order matters.
TIER_ID = re.compile(r"[a-z][a-z0-9-]{0,39}")
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DOMAIN = re.compile(r"@[^@\s]+\.[^@\s]+")


# ---------------------------------------------------------------- calendars as data

def calendar_document(calendar: Calendar) -> dict:
    return {"zone": calendar.zone, "always_open": calendar.always_open,
            "hours": {str(day): [[s.isoformat("minutes"), e.isoformat("minutes")] for s, e in spans]
                      for day, spans in sorted(calendar.hours.items())},
            "holidays": sorted(d.isoformat() for d in calendar.holidays)}


def preset_of(calendar: Calendar) -> str | None:
    """The preset a calendar is, holidays aside (None: a calendar of its own)."""
    return next((name for name, preset in PRESETS.items() if replace(calendar, holidays=frozenset()) == preset), None)


def calendar_from_document(doc: dict | str, path: str = "calendar") -> Calendar:
    """A preset's name ("iran", "israel", "24x7"), a preset with holidays {preset, holidays} (what the admin form
    sends; zone, hours and always_open may be echoed but must be the preset's), or
    {zone, hours: {weekday Mon=0: [[from, to]]}, holidays}."""
    if isinstance(doc, str):
        if doc not in PRESETS:
            raise Invalid.field(path, "unknown")
        return PRESETS[doc]
    if not isinstance(doc, dict):
        raise Invalid.field(path, "invalid")
    if "preset" in doc:
        return _preset_with_holidays(doc, path)
    try:
        ZoneInfo(doc["zone"])
    except (KeyError, TypeError, ValueError, ZoneInfoNotFoundError):
        raise Invalid.field(f"{path}.zone", "invalid") from None
    try:
        hours = {int(day): tuple((time.fromisoformat(s), time.fromisoformat(e)) for s, e in spans)
                 for day, spans in (doc.get("hours") or {}).items()}
    except (AttributeError, TypeError, ValueError):
        raise Invalid.field(f"{path}.hours", "invalid") from None
    holidays = _holidays(doc.get("holidays", ()), path)
    always_open = bool(doc.get("always_open", False))
    if any(day not in range(7) for day in hours) or any(
            s >= e and e != time(0) for spans in hours.values() for s, e in spans):
        raise Invalid.field(f"{path}.hours", "invalid")
    if not always_open and not any(hours.values()):
        raise Invalid.field(f"{path}.hours", "no_working_time")
    return Calendar(zone=doc["zone"], hours=hours, holidays=holidays, always_open=always_open)


def _preset_with_holidays(doc: dict, path: str) -> Calendar:
    name = doc["preset"]
    if not isinstance(name, str) or name not in PRESETS:
        raise Invalid.field(f"{path}.preset", "unknown")
    preset, echoed = PRESETS[name], calendar_document(PRESETS[name])
    for key in doc:
        if key not in ("preset", "holidays", "zone", "hours", "always_open"):
            raise Invalid.field(f"{path}.{key}", "unknown")
        if key in ("zone", "hours", "always_open") and doc[key] != echoed[key]:
            raise Invalid.field(f"{path}.{key}", "invalid")  # a preset's hours are not edited here
    holidays = _holidays(doc.get("holidays", ()), path)
    if holidays and preset.always_open:
        raise Invalid.field(f"{path}.holidays", "invalid")  # a 24/7 desk has no days off
    return replace(preset, holidays=holidays)


def _holidays(doc, path: str) -> frozenset[date]:
    if not isinstance(doc, list | tuple):
        raise Invalid.field(f"{path}.holidays", "invalid")
    if len(doc) > MAX_HOLIDAYS:
        raise Invalid.field(f"{path}.holidays", "too_many")
    days = set()
    for i, text in enumerate(doc):
        try:
            days.add(date.fromisoformat(text))
        except (TypeError, ValueError):
            raise Invalid.field(f"{path}.holidays.{i}", "invalid") from None
    return frozenset(days)


# ---------------------------------------------------------------- the policy an admin edits

@dataclass(frozen=True)
class Tier:
    """Customers promised targets of their own. Customers have no account, so they are listed by what identifies
    them: exact addresses and whole domains ("@bigcorp.com", not its subdomains), kept case-folded."""

    customers: tuple[str, ...]
    targets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def includes(self, email: str) -> bool:
        """Compared in the canonical form of addresses (domain/identity.py), as the customer's tickets are."""
        address = identity.canonical(email)
        return address in self._keys or "@" + address.rpartition("@")[2] in self._keys

    @cached_property
    def _keys(self) -> frozenset[str]:
        return frozenset(_entry_key(entry) for entry in self.customers)


def _entry_key(entry: str) -> str:
    """A tier entry's comparison form: an address's canonical form, or "@" and a domain's."""
    return "@" + identity.domain_key(entry[1:]) if entry.startswith("@") else identity.canonical(entry)


@dataclass(frozen=True)
class SlaPolicy:
    """Targets per priority (hours of business time), optionally narrowed per department and per customer tier,
    and what a breach does."""

    targets: dict[str, tuple[float, float]] = field(default_factory=lambda: dict(DEFAULT_TARGET_HOURS))
    departments: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    tiers: dict[str, Tier] = field(default_factory=dict)  # in the admin's order: the first that lists a customer
    calendar: Calendar = PRESETS[DEFAULT_CALENDAR]
    warn_share: float = 0.8                # warn when this share of a target is used
    raise_priority: bool = True            # a breach raises the agents' priority one step
    reassign_to_supervisor: bool = False   # ... and puts the ticket on the department's first supervisor's desk

    def tier_of(self, email: str | None) -> str | None:
        """The customer's tier: the first one (in the policy's order) that lists their exact address or their
        address's domain, compared case-insensitively; None when no tier lists them."""
        if not email:
            return None
        return next((tier_id for tier_id, tier in self.tiers.items() if tier.includes(email)), None)

    def hours_for(self, department: str, priority: str, tier: str | None = None) -> tuple[float, float]:
        """[first response, resolution] hours, decided per priority, the narrowest promise first: the customer's
        tier, then the ticket's department, then the policy's targets. A tier or department that leaves a priority
        out falls back to the next one for that priority only; a tier's hours win even where the department's are
        shorter. A tier or department that is not (or no longer) in the policy promises nothing."""
        tiered = self.tiers[tier].targets if tier in self.tiers else {}
        return (tiered.get(priority) or self.departments.get(department, {}).get(priority)
                or self.targets[priority])

    def sla_for(self, department: str, priority: str, at: datetime, customer: str | None = None) -> Sla:
        """The SLA of a ticket opened now: both clocks start running, held to the customer's tier (by their email
        address) if they have one. The ticket keeps the tier it was served under (Sla.tier)."""
        tier = self.tier_of(customer)
        first, resolution = self.hours_for(department, priority, tier)
        return Sla(calendar=self.calendar, warn_share=self.warn_share, tier=tier, targets={
            Target.FIRST_RESPONSE: TargetClock(SlaClock(timedelta(hours=first)).start(at)),
            Target.RESOLUTION: TargetClock(SlaClock(timedelta(hours=resolution)).start(at))})

    def to_document(self) -> dict:
        return {"targets": _targets_document(self.targets),
                "departments": {d: _targets_document(t) for d, t in self.departments.items()},
                "tiers": {i: {"customers": list(t.customers), "targets": _targets_document(t.targets)}
                          for i, t in self.tiers.items()},
                "calendar": self._calendar_document(), "warn_share": self.warn_share,
                "raise_priority": self.raise_priority, "reassign_to_supervisor": self.reassign_to_supervisor}

    def _calendar_document(self) -> dict:
        document = calendar_document(self.calendar)
        if (preset := preset_of(self.calendar)) is not None:
            document["preset"] = preset  # the admin form picks a preset and lists holidays
        return document

    def retargeted(self, sla: Sla, department: str, priority: str, at: datetime) -> Sla:
        """A ticket's SLA after an agent set its priority or moved it to another department: the targets this
        policy promises for that priority (and department, and the tier the ticket was served under), counted
        with the clocks the ticket already has (see Sla.retargeted). The ticket's tier is not looked up again:
        the customer was promised it when the ticket was opened. A tier the admin has removed since promises
        nothing any more, so the ticket falls back to the department's and the policy's targets and leaves it."""
        tier = sla.tier if sla.tier in self.tiers else None
        first, resolution = self.hours_for(department, priority, tier)
        return replace(sla.retargeted(timedelta(hours=first), timedelta(hours=resolution), at), tier=tier)

    @classmethod
    def parse(cls, doc: dict) -> SlaPolicy:
        """Unknown keys refused; missing keys keep their defaults; priorities missing from `targets` too. Every
        problem is reported at once, by its field path, so the admin form can mark them all."""
        problems: dict[str, str] = {}
        known = {"targets", "departments", "tiers", "calendar", "warn_share", "raise_priority",
                 "reassign_to_supervisor"}
        for name in doc:
            if name not in known:
                problems[name] = "unknown"
        targets = {**DEFAULT_TARGET_HOURS, **_targets(doc.get("targets", {}), "targets", problems)}
        departments = {d: _targets(t, f"departments.{d}", problems) for d, t in (doc.get("departments") or {}).items()}
        tiers = _tiers(doc.get("tiers", {}), problems)
        warn_share = doc.get("warn_share", 0.8)
        if isinstance(warn_share, bool) or not isinstance(warn_share, int | float) or not 0 < warn_share < 1:
            problems["warn_share"] = "invalid"
        flags = {}
        for name in ("raise_priority", "reassign_to_supervisor"):
            if name in doc and not isinstance(doc[name], bool):
                problems[name] = "invalid"
            flags[name] = doc.get(name, getattr(cls, name))
        try:
            calendar = calendar_from_document(doc.get("calendar", DEFAULT_CALENDAR))
        except Invalid as exc:
            problems.update(exc.fields)
        if problems:
            raise Invalid("the SLA policy was not saved: " + "; ".join(f"{p}: {c}" for p, c in problems.items()),
                          fields=problems)
        return cls(targets=targets, departments=departments, tiers=tiers, calendar=calendar,
                   warn_share=float(warn_share), **flags)


def _targets_document(targets: dict[str, tuple[float, float]]) -> dict:
    return {p: list(h) for p, h in targets.items()}


def _targets(doc: dict, path: str, problems: dict[str, str]) -> dict[str, tuple[float, float]]:
    if not isinstance(doc, dict):
        problems[path] = "invalid"
        return {}
    parsed = {}
    for priority, hours in doc.items():
        if priority not in PRIORITIES:
            problems[f"{path}.{priority}"] = "unknown"
        elif (not isinstance(hours, list | tuple) or len(hours) != 2
              or any(isinstance(h, bool) or not isinstance(h, int | float) or not 0 < h <= 24 * 365 for h in hours)):
            problems[f"{path}.{priority}"] = "invalid"
        elif hours[0] > hours[1]:
            problems[f"{path}.{priority}"] = "first_response_after_resolution"
        else:
            parsed[priority] = (float(hours[0]), float(hours[1]))
    return parsed


def _tiers(doc, problems: dict[str, str]) -> dict[str, Tier]:
    """{<id>: {"customers": [address or "@domain"], "targets": {<priority>: [h, h]}}}, in the admin's order. An
    address or domain listed twice (in one tier or two) is refused where it comes again: only one tier could
    ever apply to it."""
    if not isinstance(doc, dict):
        problems["tiers"] = "invalid"
        return {}
    if len(doc) > MAX_TIERS:
        problems["tiers"] = "too_many"
        return {}
    tiers, seen = {}, set()
    for tier_id, tier in doc.items():
        path = f"tiers.{tier_id}"
        if not TIER_ID.fullmatch(tier_id) or not isinstance(tier, dict):
            problems[path] = "invalid"
            continue
        for key in tier:
            if key not in ("customers", "targets"):
                problems[f"{path}.{key}"] = "unknown"
        customers = _tier_customers(tier.get("customers"), f"{path}.customers", seen, problems)
        targets = _targets(tier.get("targets", {}), f"{path}.targets", problems)
        tiers[tier_id] = Tier(customers=customers, targets=targets)
    return tiers


def _tier_customers(entries, path: str, seen: set[str], problems: dict[str, str]) -> tuple[str, ...]:
    if not entries:
        problems[path] = "required"  # a tier nobody is in promises nothing: most likely a mistake
        return ()
    if not isinstance(entries, list | tuple):
        problems[path] = "invalid"
        return ()
    if len(seen) + len(entries) > MAX_TIER_ENTRIES:
        problems[path] = "too_many"
        return ()
    customers = []
    for i, entry in enumerate(entries):
        entry = entry.strip().casefold() if isinstance(entry, str) else None
        if not entry:
            problems[f"{path}.{i}"] = "invalid" if entry is None else "required"
        elif len(entry) > ENTRY_MAX:
            problems[f"{path}.{i}"] = "too_long"
        elif not (_ADDRESS.fullmatch(entry) or _DOMAIN.fullmatch(entry)):
            problems[f"{path}.{i}"] = "invalid"
        elif _entry_key(entry) in seen:
            problems[f"{path}.{i}"] = "duplicate"
        else:
            seen.add(_entry_key(entry))
            customers.append(entry)
    return tuple(customers)


# ---------------------------------------------------------------- the clocks on a ticket

@dataclass(frozen=True)
class TargetClock:
    clock: SlaClock
    warned: bool = False
    breached: bool = False
    met_at: datetime | None = None

    @property
    def running(self) -> bool:
        return not self.clock.paused


@dataclass(frozen=True)
class Sla:
    calendar: Calendar
    targets: dict[Target, TargetClock]
    warn_share: float = 0.8
    tier: str | None = None  # the customer tier (SlaPolicy.tiers) the targets were promised under

    def due_at(self, target: Target) -> datetime | None:
        """When the target is missed if the clock keeps running; None while paused or met."""
        return self.targets[target].clock.due(self.calendar)

    @property
    def earliest_due(self) -> datetime | None:
        """The next due time of a running target: what the agents' queues sort by."""
        return min((due for t in self.targets if (due := self.due_at(t)) is not None), default=None)

    def _moment(self, target: Target, checkpoint: Checkpoint) -> datetime | None:
        state = self.targets[target]
        if not state.running or state.breached or (checkpoint == Checkpoint.WARNING and state.warned):
            return None
        share = self.warn_share if checkpoint == Checkpoint.WARNING else 1.0
        spent_until = state.clock.target * share - state.clock.spent
        return self.calendar.add(state.clock.running_since, max(spent_until, timedelta(0)))

    def checkpoint_at(self, target: Target, checkpoint: Checkpoint) -> datetime | None:
        """When the target reaches that checkpoint if its clock keeps running; None if it never will."""
        return self._moment(target, checkpoint)

    @property
    def next_checkpoint(self) -> datetime | None:
        """The earliest warning or breach moment of the running targets: when the sweep must look again."""
        moments = [m for t in self.targets for c in Checkpoint if (m := self._moment(t, c)) is not None]
        return min(moments, default=None)

    def reached(self, at: datetime) -> list[tuple[Target, Checkpoint]]:
        """Checkpoints passed and not yet acted on; a breach makes its target's warning moot."""
        found = []
        for target in self.targets:
            breach = self._moment(target, Checkpoint.BREACH)
            warning = self._moment(target, Checkpoint.WARNING)
            if breach is not None and breach <= at:
                found.append((target, Checkpoint.BREACH))
            elif warning is not None and warning <= at:
                found.append((target, Checkpoint.WARNING))
        return found

    def marked(self, target: Target, checkpoint: Checkpoint) -> Sla:
        state = self.targets[target]
        marked = replace(state, warned=True, breached=state.breached or checkpoint == Checkpoint.BREACH)
        return replace(self, targets={**self.targets, target: marked})

    def retargeted(self, first_response: timedelta, resolution: timedelta, at: datetime) -> Sla:
        """The clocks held to new target durations (an agent changed the priority; the promise is now the new
        priority's), decided at `at`:
        - time already spent counts towards the new target; running or paused, met or not stay as they were
          (a met resolution reopened later counts towards the new target); calendar and warn share stay the
          ticket's, as the spent time was counted in them;
        - a breached target keeps its old target and due time: the promise was missed and stays missed, so a
          longer target cannot hide the breach and a shorter one cannot breach it a second time;
        - a warning already given stays given while the time spent is at or past the new target's warning share
          (no second warning for the same lateness); when the new target leaves the ticket below the share
          again (a longer target), it is cleared, so the sweep warns again as the new target nears;
        - a target not yet warned or breached simply gets new checkpoints: if the new, shorter target is already
          used up, the next sweep warns or escalates it, once, as for any ticket found late.
        The next checkpoint (the sparse `sla` index key) follows, as it is derived from these clocks."""
        durations = {Target.FIRST_RESPONSE: first_response, Target.RESOLUTION: resolution}
        targets = {}
        for target, state in self.targets.items():
            if state.breached:
                targets[target] = state
                continue
            clock = replace(state.clock, target=durations[target])
            spent = clock.target - clock.left(at, self.calendar)  # until `at`, running or not
            warned = state.warned and spent >= clock.target * self.warn_share
            targets[target] = replace(state, clock=clock, warned=warned)
        return replace(self, targets=targets)

    def following(self, *, running: bool, at: datetime, met: set[Target] = frozenset(),
                  reopened: set[Target] = frozenset()) -> Sla:
        """The clocks after a transition: `met` targets stop for good (until `reopened`), the others run or
        pause as the ticket's new status says."""
        targets = {}
        for target, state in self.targets.items():
            if target in met and state.met_at is None:
                state = replace(state, met_at=at)
            elif target in reopened and state.met_at is not None:
                state = replace(state, met_at=None)
            runs = running and state.met_at is None
            clock = state.clock.start(at) if runs else state.clock.pause(at, self.calendar)
            targets[target] = replace(state, clock=clock)
        return replace(self, targets=targets)


def sla_document(sla: Sla) -> dict:
    return {"calendar": calendar_document(sla.calendar), "warn_share": sla.warn_share, "tier": sla.tier,
            "targets": {t.value: {"target_s": s.clock.target.total_seconds(), "spent_s": s.clock.spent.total_seconds(),
                                  "running_since": _iso(s.clock.running_since), "warned": s.warned,
                                  "breached": s.breached, "met_at": _iso(s.met_at)}
                        for t, s in sla.targets.items()}}


def sla_from_document(doc: dict) -> Sla:
    """Tickets stored before customer tiers have no `tier`: they were served under none."""
    targets = {Target(name): TargetClock(
        clock=SlaClock(target=timedelta(seconds=s["target_s"]), spent=timedelta(seconds=s["spent_s"]),
                       running_since=_moment_from(s["running_since"])),
        warned=s["warned"], breached=s["breached"], met_at=_moment_from(s["met_at"]))
        for name, s in doc["targets"].items()}
    return Sla(calendar=calendar_from_document(doc["calendar"]), warn_share=doc["warn_share"], targets=targets,
               tier=doc.get("tier"))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment_from(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
