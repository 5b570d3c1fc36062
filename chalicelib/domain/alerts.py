"""Who hears about a ticket event beyond the customer's usual mail, by mail or SMS, and in which language.

A pure decision: given the event document, the contact profiles of the agents it may concern and the
time, `plan` lists the alerts to send. Quiet hours hold back SMS (never mail) unless the ticket is
urgent; an agent who opted out of SMS gets none, urgent or not. A customer who opted in (the ticket's
`sms_updates`) gets an SMS when an agent replies publicly, except in the night of their phone's zone. The
per-recipient SMS rate limit is a counter the sender takes atomically (SMS_PER_WINDOW), not part of this
decision.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.digits import local_digits
from chalicelib.domain.phones import parse_phone, time_zone
from chalicelib.domain.tickets import AuthorKind, EventType, Language, Priority, Status, Visibility
from chalicelib.errors import Invalid

SMS_PER_WINDOW = 5
SMS_WINDOW = timedelta(minutes=10)
SMS_SUBJECT_CHARS = 40  # a text stays within one or two SMS parts, even in Persian or Hebrew (UCS-2)


class Channel(StrEnum):
    MAIL = "mail"
    SMS = "sms"


@dataclass(frozen=True)
class QuietHours:
    """Local hours (in the agent's zone) when no SMS should wake them; may span midnight (22:00-07:00)."""
    start: time
    end: time
    zone: str

    @classmethod
    def parse(cls, start: str, end: str, zone: str, path: str = "quiet_hours") -> QuietHours:
        """Every bad part reported at once: `<path>.start|end` invalid (not HH:MM), `<path>.zone` unknown."""
        hours = {part: _clock_time(text) for part, text in (("start", start), ("end", end))}
        problems = {f"{path}.{part}": "invalid" for part, value in hours.items() if value is None}
        if not _known_zone(zone):
            problems[f"{path}.zone"] = "unknown"
        if problems:
            raise Invalid("invalid quiet hours", fields=problems)
        return cls(start=hours["start"], end=hours["end"], zone=zone)

    def covers(self, at: datetime) -> bool:
        local = at.astimezone(ZoneInfo(self.zone)).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def _clock_time(text: str) -> time | None:
    if not re.fullmatch(r"\d{2}:\d{2}", text or ""):
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        return None


def _known_zone(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class AgentProfile:
    """An agent's contact settings. `on_call` names the work groups ("<department>/<group>") whose urgent
    tickets the agent wants by SMS."""
    agent: str  # the agent's email, their id everywhere
    language: Language = Language.EN
    phone: str | None = None  # E.164
    quiet_hours: QuietHours | None = None
    on_call: frozenset[str] = field(default_factory=frozenset)
    sms_opt_out: bool = False

    def takes_sms(self, at: datetime, *, urgent: bool) -> bool:
        if self.phone is None or self.sms_opt_out:
            return False
        return urgent or self.quiet_hours is None or not self.quiet_hours.covers(at)


def parse_profile(agent: str, values: dict) -> AgentProfile:
    """An agent's profile from the fields a person edited (shape checked by the API's schema), every bad
    field reported at once. A number without +country is read the way the profile's language writes it."""
    problems: dict[str, str] = {}
    language = values.get("language", "en")
    if language not in set(Language):
        problems["language"], language = "invalid", "en"
    phone = quiet = None
    if values.get("phone"):
        try:
            phone = parse_phone(values["phone"], "phone", language=language)
        except Invalid as exc:
            problems.update(exc.fields)
    if q := values.get("quiet_hours"):
        try:
            quiet = QuietHours.parse(q.get("start", ""), q.get("end", ""), q.get("zone", ""))
        except Invalid as exc:
            problems.update(exc.fields)
    for i, key in enumerate(values.get("on_call", [])):
        if key.count("/") != 1 or not all(key.split("/")):
            problems[f"on_call.{i}"] = "invalid"
    if problems:
        raise Invalid("invalid profile", fields=problems)
    return AgentProfile(agent=agent, language=Language(language), phone=phone, quiet_hours=quiet,
                        on_call=frozenset(values.get("on_call", [])), sms_opt_out=bool(values.get("sms_opt_out")))


def on_call_key(department: str, group: str) -> str:
    return f"{department}/{group}"


@dataclass(frozen=True)
class Alert:
    channel: Channel
    # Whose quota and idempotency key it is: the agent's email, the customer's email (mail), or for an SMS to
    # the customer their phone number itself, so the rate limit guards the phone whoever typed it on a form.
    recipient: str
    address: str  # where it goes: the email, or an E.164 number
    template: str
    language: Language

    @property
    def key(self) -> str:
        """What makes a delivery unique within one event (idempotency: one per event, recipient, channel)."""
        return f"{self.channel.value}:{self.recipient}"


ProfileOf = Callable[[str], AgentProfile | None]


def plan(doc: dict, *, profiles: ProfileOf, group_members: Iterable[str] = (),
         agent_names: Mapping[str, str] | None = None, now: datetime) -> list[Alert]:
    """The alerts an event document calls for. `profiles` looks up an agent's profile (agents without one
    get mail in English and no SMS); `group_members` are the members of the ticket's work group (asked for
    urgent tickets only); `agent_names` maps agent emails to display names (for mentions in notes)."""
    ticket = doc["ticket"]
    urgent = ticket["priority"] == Priority.URGENT
    kind = doc["type"]
    if kind == EventType.TICKET_CREATED and urgent:
        on_call = on_call_key(ticket["department"], ticket["group"] or "")
        return [_sms(p, "urgent_ticket") for a in group_members
                if (p := profiles(a)) and on_call in p.on_call and p.takes_sms(now, urgent=True)]
    if kind == EventType.SLA_BREACHED:
        supervisors = doc["data"].get("supervisors", [])
        return ([_mail(a, profiles, "sla_breached") for a in supervisors]
                + [_sms(p, "sla_breached") for a in supervisors
                   if (p := profiles(a)) and p.takes_sms(now, urgent=urgent)])
    if kind == EventType.SLA_WARNING and ticket["assignee"]:
        return [_mail(ticket["assignee"]["id"], profiles, "sla_warning")]
    if kind == EventType.ASSIGNED:
        to = (doc["data"].get("to") or {}).get("agent")
        return [_mail(to, profiles, "assigned_to_you")] if to and to != doc["actor"]["id"] else []
    if kind == EventType.MESSAGE_ADDED and doc["message"]["visibility"] == Visibility.INTERNAL:
        author = doc["message"]["author"]["id"]
        return [_mail(a, profiles, "mentioned")
                for a in mentioned(doc["message"]["text"], agent_names or {}) if a != author]
    if (kind == EventType.STATUS_CHANGED and doc["data"].get("to") == Status.NEEDS_INFO
            and doc["actor"]["kind"] == AuthorKind.AGENT):
        customer = ticket["customer"]["email"]
        return [Alert(Channel.MAIL, customer, customer, "needs_info", Language(ticket["language"]))]
    if kind == EventType.MESSAGE_ADDED and doc["message"]["author"]["kind"] == AuthorKind.AGENT:
        return _customer_sms(ticket, "agent_replied", now, urgent=urgent)  # public: notes were handled above
    return []


# The customer's night: 21:00-08:00 where their phone rings (see customer_quiet_hours).
CUSTOMER_QUIET_START, CUSTOMER_QUIET_END = time(21, 0), time(8, 0)
CUSTOMER_SMS_TEMPLATES = frozenset({"agent_replied"})  # texts to the customer: they carry the private link


def customer_quiet_hours(phone: str) -> QuietHours:
    """When a customer's SMS is held back (not sent: the customer still gets the mail). A customer has no
    profile to tell us when they sleep, so the night (21:00-08:00) is read in the zone their number belongs
    to (phonenumbers: the first zone of a country with several, UTC when the number has none): an Iranian
    mobile sleeps in Tehran, an Israeli one in Jerusalem, whatever the agent's clock says."""
    zone = time_zone(phone)
    return QuietHours(start=CUSTOMER_QUIET_START, end=CUSTOMER_QUIET_END, zone=zone if _known_zone(zone) else "UTC")


def customer_takes_sms(phone: str, at: datetime, *, urgent: bool) -> bool:
    """Outside the customer's night, or at any hour when the ticket is urgent: what they asked us to hurry."""
    return urgent or not customer_quiet_hours(phone).covers(at)


def _customer_sms(ticket: dict, template: str, at: datetime, *, urgent: bool) -> list[Alert]:
    phone = ticket["customer"].get("phone")
    if not (ticket.get("sms_updates") and phone) or not customer_takes_sms(phone, at, urgent=urgent):
        return []
    # Texts carry the private link, and the number of an unconfirmed ticket is whatever its filer typed:
    # the link (which confirms, and shows the replies) must reach only the address until it is proven.
    if ticket.get("confirmed") is False:
        return []
    return [Alert(Channel.SMS, phone, phone, template, Language(ticket["language"]))]


def _mail(agent: str, profiles: ProfileOf, template: str) -> Alert:
    profile = profiles(agent)
    return Alert(Channel.MAIL, agent, agent, template, profile.language if profile else Language.EN)


def _sms(profile: AgentProfile, template: str) -> Alert:
    return Alert(Channel.SMS, profile.agent, profile.phone, template, profile.language)


def mentioned(text: str, agent_names: Mapping[str, str]) -> list[str]:
    """Agents a note names with @<email> or @<display name> (case-insensitive), in the order of `agent_names`."""
    folded = text.casefold()
    return [agent for agent, name in agent_names.items()
            if _names(folded, agent.casefold()) or (name and _names(folded, name.casefold()))]


def _names(folded_text: str, handle: str) -> bool:
    # "@ali" must not match "@alice": the handle ends at a non-word character or the end of the text.
    return re.search(rf"@{re.escape(handle)}(?![\w@])", folded_text) is not None


SMS_TEXTS: dict[str, dict[Language, str]] = {
    "urgent_ticket": {
        Language.EN: "Urgent ticket #{number}: {subject} {link}",
        Language.FA: "تیکت فوری #{number}: {subject} {link}",
        Language.HE: "פנייה דחופה #{number}: {subject} {link}",
    },
    "sla_breached": {
        Language.EN: "SLA missed on ticket #{number}: {subject} {link}",
        Language.FA: "مهلت SLA تیکت #{number} گذشت: {subject} {link}",
        Language.HE: "חריגת SLA בפנייה #{number}: {subject} {link}",
    },
    # To the customer: no subject (their private link is long, and Persian or Hebrew makes every part 67
    # characters), and the link's page is where the texts are stopped. Two parts with a site address of up
    # to about 35 characters (tests/unit/test_alerts.py).
    "agent_replied": {
        Language.EN: "Ticket {number}: an agent replied. Read it, or stop these texts: {link}",
        Language.FA: "پاسخ تیکت {number} رسید. دیدن یا لغو پیامک: {link}",
        Language.HE: "תשובה בפנייה {number}. לצפייה או להפסקת הודעות: {link}",
    },
}


def portal_link(portal_url: str, number: int) -> str:
    return f"{portal_url.rstrip('/')}/#/tickets/{number}"


def sms_text(template: str, language: Language, *, number: int, subject: str, link: str) -> str:
    short = subject if len(subject) <= SMS_SUBJECT_CHARS else subject[:SMS_SUBJECT_CHARS - 1] + "…"
    # The number in the reader's digits (as the UI writes it); the link and the subject as they are.
    return SMS_TEXTS[template][language].format(number=local_digits(number, language), subject=short, link=link)


# GSM 03.38: a text of these characters is sent 7 bits a character (160 in one part, 153 per part of several;
# the extension characters take two); any other character makes the whole text UCS-2 (70, or 67 per part).
_GSM_BASIC = frozenset("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                       "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM_EXTENSION = frozenset("^{}\\[~]|€\f")


def sms_parts(text: str) -> int:
    """How many SMS parts a text is sent as (what it costs, and how it arrives)."""
    if all(c in _GSM_BASIC or c in _GSM_EXTENSION for c in text):
        size, single, multi = sum(2 if c in _GSM_EXTENSION else 1 for c in text), 160, 153
    else:
        size, single, multi = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if size <= single else math.ceil(size / multi)
