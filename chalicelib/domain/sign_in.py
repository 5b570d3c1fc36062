"""Password-less sign-in for customers: a one-time code sent to the address or mobile number their
tickets were filed with, and what a verified identity (or a ticket key) may open.

Codes are stored only as HMAC-SHA256(link secret, "<identity>|<code>"), so a copy of the table reveals
no code. A code works for CODE_LIFETIME and MAX_ATTEMPTS guesses; an identity gets at most
MAX_CODES_PER_WINDOW codes per SEND_WINDOW (mail and SMS cost money and annoy people when abused).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain import links
from chalicelib.domain import identity as addresses
from chalicelib.domain.digits import local_digits
from chalicelib.domain.tickets import Language, Ticket
from chalicelib.errors import Invalid, LimitReached, Unauthorized

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
MAX_CODES_PER_WINDOW = 5
SEND_WINDOW = timedelta(hours=1)


class Channel(StrEnum):
    """Where an identity's code goes; also the prefix of its key."""
    EMAIL = "email"
    SMS = "sms"


@dataclass(frozen=True)
class Identity:
    """Who signed in: an address in its canonical form (domain/identity.py) or an E.164 mobile number."""
    channel: Channel
    address: str

    @property
    def key(self) -> str:
        return f"{'email' if self.channel == Channel.EMAIL else 'phone'}:{self.address}"

    @property
    def field(self) -> str:
        """The request field the customer typed it in."""
        return "email" if self.channel == Channel.EMAIL else "phone"

    @classmethod
    def from_key(cls, key: str) -> Identity:
        kind, _, address = key.partition(":")
        if not address or kind not in ("email", "phone"):
            raise ValueError(f"not an identity key: {key!r}")
        return cls(Channel.EMAIL if kind == "email" else Channel.SMS, address)

    def owns(self, ticket: Ticket) -> bool:
        if self.channel == Channel.EMAIL:
            return ticket.customer.key == self.address
        return ticket.customer.phone == self.address


def parse_identity(*, email: str | None, phone: str | None, language: Language) -> Identity:
    """Exactly one of an email address or a mobile number (read the local way of the UI language)."""
    email, phone = (email or "").strip(), (phone or "").strip()
    if email and phone:
        raise Invalid.field("phone", "not_both")
    if phone:
        from chalicelib.domain.phones import parse_phone
        return Identity(Channel.SMS, parse_phone(phone, "phone", language=language.value))
    if not email:
        raise Invalid.field("email", "required")
    return Identity(Channel.EMAIL, addresses.parse_email(email, "email").canonical)


def email_identity(address: str) -> Identity:
    """The identity a mail's sender (already parsed from its headers) claims: compared canonically."""
    return Identity(Channel.EMAIL, addresses.canonical(address))


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def parse_code(text: str) -> str:
    """The code as typed: spaces allowed, Persian and Arabic-Indic digits read as the same numbers."""
    typed = "".join(text.split())
    if len(typed) != CODE_DIGITS or not all(ch.isdecimal() for ch in typed):
        raise Invalid.field("code", "invalid")
    return "".join(str(unicodedata.decimal(ch)) for ch in typed)


def code_digest(secret: bytes, identity: Identity, code: str) -> str:
    return hmac.new(secret, f"{identity.key}|{code}".encode(), hashlib.sha256).hexdigest()


def digest_matches(stored: str, offered: str) -> bool:
    return hmac.compare_digest(stored.encode(), offered.encode())


@dataclass(frozen=True)
class CodeRecord:
    """What is stored for one identity: its current code (digest only) and its recent sends."""
    digest: str | None = None
    expires_at: datetime | None = None       # when the current code stops working
    attempts: int = 0                        # guesses made on the current code
    sent: tuple[datetime, ...] = ()          # when codes were issued within the send window
    keep_until: datetime | None = None       # nothing in the record matters after this (storage TTL)
    version: int = 0                         # 0: nothing stored yet

    def issued(self, digest: str, now: datetime, *, field: str) -> CodeRecord:
        """The record with a fresh code replacing any earlier one. Refused once the identity got its
        codes for the window: the answer tells when the oldest of them leaves the window."""
        recent = tuple(at for at in self.sent if now - at < SEND_WINDOW)
        if len(recent) >= MAX_CODES_PER_WINDOW:
            retry_after = int((min(recent) + SEND_WINDOW - now).total_seconds()) + 1
            raise LimitReached("too many codes were asked for; try again later", fields={field: "too_many"},
                               details={"retry_after": retry_after})
        return CodeRecord(digest=digest, expires_at=now + CODE_LIFETIME, attempts=0, sent=(*recent, now),
                          keep_until=now + SEND_WINDOW, version=self.version + 1)

    def restored_over(self, newer: CodeRecord) -> CodeRecord:
        """This (earlier) record written back over `newer`, whose code never reached the customer."""
        return replace(self, keep_until=max(filter(None, (self.keep_until, newer.keep_until))),
                       version=newer.version + 1)

    def accepts_attempt(self, now: datetime) -> bool:
        return (self.digest is not None and self.expires_at is not None and now < self.expires_at
                and self.attempts < MAX_ATTEMPTS)


def code_expired() -> Unauthorized:
    return Unauthorized("the code has expired; ask for a new one", fields={"code": "expired"})


def check_attempt(counted: CodeRecord | None, offered_digest: str) -> None:
    """Judge a guess already counted against the code (None: there was no live code to guess).
    Raises Unauthorized: `expired` (ask for a new code) or `wrong` with the attempts left."""
    if counted is None:
        raise code_expired()
    if not digest_matches(counted.digest, offered_digest):
        raise Unauthorized("wrong code", fields={"code": "wrong"},
                           details={"attempts_left": max(MAX_ATTEMPTS - counted.attempts, 0)})


@dataclass(frozen=True)
class CustomerAccess:
    """What a customer request proves: a ticket's private key, a signed-in identity, or neither."""
    key: str = ""
    identity: Identity | None = None

    def opens(self, ticket: Ticket) -> bool:
        if self.key and links.key_matches(self.key, ticket.link_hash):
            return True
        return self.identity is not None and self.identity.owns(ticket)

    def proves_address(self, ticket: Ticket) -> str | None:
        """How this request proves the ticket's address, or None: "link" (its key, which only ever reaches
        the address: the mail, or a session of that address), "sign_in" (a session signed in by a code sent
        to that address). A session of a mobile number opens the tickets filed with it but proves no address."""
        if self.key and links.key_matches(self.key, ticket.link_hash):
            return "link"
        if self.identity is not None and self.identity.channel == Channel.EMAIL and self.identity.owns(ticket):
            return "sign_in"
        return None


CODE_SMS = {
    Language.EN: "Help desk sign-in code: {code} (valid for {minutes} minutes). Do not share it.",
    Language.FA: "کد ورود میز خدمت: {code} (تا {minutes} دقیقه معتبر است). آن را به کسی ندهید.",
    Language.HE: "קוד כניסה למוקד התמיכה: {code} (בתוקף {minutes} דקות). אין למסור אותו לאיש.",
}
CODE_MINUTES = int(CODE_LIFETIME.total_seconds() // 60)


def code_sms(code: str, language: Language) -> str:
    # The code stays in ASCII digits (phones offer to fill it in); the minutes are in the reader's digits.
    return CODE_SMS[language].format(code=code, minutes=local_digits(CODE_MINUTES, language))
