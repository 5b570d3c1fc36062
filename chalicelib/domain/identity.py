"""A customer's email address in one normalized form. Pure Python (email-validator, no DNS at request time).

Three forms of one address:
- `EmailAddress.display`: as the customer wrote it (case kept), cleaned of what cannot be part of a mail
  address (Unicode format characters such as the zero-width space, soft hyphen or bidi marks; compatibility
  forms such as full-width letters are read as the letters they stand for; a trailing dot is dropped).
  Stored on the ticket and shown; mail goes to it (see `deliverable`).
- `canonical(address)`: how an address is compared and keyed (tickets of a customer, sign-in identity,
  SLA tiers, mail senders): NFKC, format characters removed, case-folded, the domain IDNA-encoded, no
  trailing dot. For a plain ASCII address it is its lower-case form, as keys were before this module.
- `limit_key(address)`: the canonical form with the local part's `+tag` folded, so `a+x@d` and `a@d` share
  one open-ticket limit.

Addresses that cannot receive mail are refused (`<field>: invalid`): no domain with a dot, a domain label
starting with a hyphen, an IP literal, a quoted local part, a reserved name (.test, .invalid, .localhost,
.local, .onion, .arpa), a local part that is not 7-bit ASCII (Amazon SES does not support SMTPUTF8), or
anything email-validator finds unsafe. Internationalized domains are accepted and mailed in IDNA form.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from chalicelib.errors import Invalid

EMAIL_MAX = 254       # RFC 5321 path limit, applied to the cleaned address by email-validator
RAW_MAX = 2 * EMAIL_MAX  # what we read of the typed text at all (format characters are removed first)


@dataclass(frozen=True)
class EmailAddress:
    display: str     # as written, cleaned
    canonical: str   # compared and keyed
    limit_key: str   # canonical with +tags folded: the open-ticket limit's key


def _is_format(ch: str) -> bool:
    # Cf: zero-width space/joiners, soft hyphen, BOM, LRM/RLM, bidi embeddings, overrides and isolates...
    return unicodedata.category(ch) == "Cf"


def clean(text: str) -> str:
    """The address as written, minus format characters, in NFKC, trimmed, without a trailing dot."""
    text = unicodedata.normalize("NFKC", "".join(ch for ch in text if not _is_format(ch))).strip()
    return text[:-1] if text.endswith(".") else text


def _domain_key(domain: str) -> str:
    domain = domain.strip().rstrip(".").casefold()
    if domain.isascii():
        return domain
    import idna  # a dependency of email-validator
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        return domain  # not a name that validation would accept: compared as it is, matching nothing real


def canonical(address: str) -> str:
    """The comparison form of any address (also ones stored before validation was strict, or a mail's
    sender): total, idempotent, never raises."""
    text = clean(address).rstrip(".")
    local, at, domain = text.rpartition("@")
    return f"{_fold(local)}@{_domain_key(domain)}" if at else _fold(text)


def _fold(text: str) -> str:
    """NFKC and case-folding until neither changes anything (each can undo the other's normal form)."""
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", text.casefold())
        if folded == text:
            break
        text = folded
    return text


def limit_key(address: str) -> str:
    """The canonical form with a `+tag` of the local part folded (`a+x@d` -> `a@d`)."""
    key = canonical(address)
    local, at, domain = key.rpartition("@")
    base = local.partition("+")[0]
    return f"{base}@{domain}" if at and base else key


def domain_key(domain: str) -> str:
    """The comparison form of a bare domain (SLA tiers list whole domains as `@domain`)."""
    return _domain_key(unicodedata.normalize("NFKC", "".join(ch for ch in domain if not _is_format(ch))))


def parse_email(text: str, field: str = "email") -> EmailAddress:
    """A customer's typed address, or Invalid.field(field, "required" | "invalid")."""
    from email_validator import EmailNotValidError, validate_email  # only paths that see an address load it

    if not isinstance(text, str) or not text.strip():
        raise Invalid.field(field, "required")
    if len(text) > RAW_MAX:
        raise Invalid.field(field, "invalid")
    cleaned = clean(text)
    try:
        checked = validate_email(cleaned, check_deliverability=False, allow_smtputf8=False,
                                 allow_quoted_local=False, allow_domain_literal=False, allow_display_name=False,
                                 globally_deliverable=True)
    except (EmailNotValidError, UnicodeError):
        raise Invalid.field(field, "invalid") from None
    display = checked.normalized  # local part as typed; domain lower-cased (Unicode form for IDN)
    return EmailAddress(display=display, canonical=canonical(display), limit_key=limit_key(display))


def receivable(address: str) -> bool:
    """Whether mail can be written to the address at all (the rules of parse_email)."""
    try:
        parse_email(address)
    except Invalid:
        return False
    return True


def deliverable(address: str) -> str:
    """The form a mail service accepts: the domain IDNA-encoded (SES takes 7-bit ASCII addresses only)."""
    local, at, domain = address.strip().rpartition("@")
    if not at or domain.isascii():
        return address.strip()
    return f"{local}@{_domain_key(domain)}"
