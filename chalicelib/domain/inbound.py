"""Inbound mail, read without any AWS: parsing, loop detection, threading clues and the visible reply.

A mail becomes part of a ticket only by proof the sender was written to by us: the signed reply address
of that ticket, or a signed Message-ID of our own in In-Reply-To/References. Even then the service attaches it
only if the sender is the ticket's customer. A ticket number in the subject proves nothing and is ignored.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from chalicelib.domain import identity, links, mail_auth
# The body (charsets, HTML, files, the visible reply) is read in mail_body; its names stay importable here.
from chalicelib.domain.mail_body import CHARSET_ALIASES, MailPart, decode_text, html_to_text, strip_quoted  # noqa: F401
from chalicelib.domain.mail_body import body as _body
from chalicelib.domain.tickets import Language

class UnreadableMail(Exception):
    """Bytes that are not a mail we can act on; `reason` goes to the log and the raw mail is kept."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class InboundMail:
    message_id: str            # without angle brackets; "" if the mail had none
    sender: str                # the From address
    sender_name: str
    subject: str
    text: str                  # the whole body as text (HTML converted), quotes included
    references: tuple[str, ...]  # In-Reply-To and References ids, without angle brackets
    recipients: tuple[str, ...]  # To, Cc and Delivered-To addresses (where a reply token can be)
    parts: tuple[MailPart, ...]
    automated: str | None      # why this mail must not create tickets or replies, if so
    verdicts: mail_auth.Verdicts = mail_auth.Verdicts()  # what SES said about it (nothing: nothing proven)

    @property
    def sender_authenticated(self) -> bool:
        """SES proved the From domain (domain/mail_auth.py) and did not judge the mail spam."""
        return self.verdicts.authenticates(self.sender) and not self.verdicts.spam_suspect

    @property
    def visible_text(self) -> str:
        return strip_quoted(self.text)


def parse(raw: bytes) -> InboundMail:
    if not raw.strip():
        raise UnreadableMail("empty message")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; anything it still rejects is unreadable
        raise UnreadableMail(f"not a mail: {exc}") from exc
    if not message.keys():
        raise UnreadableMail("no headers")
    name, sender = parseaddr(_header(message, "From"))
    text, parts = _body(message)
    own_id = _ids(_header(message, "Message-ID"))
    return InboundMail(
        message_id=own_id[0] if own_id else "",
        sender=sender.strip(), sender_name=name.strip(), subject=" ".join(_header(message, "Subject").split()),
        text=text, references=tuple(_ids(_header(message, "In-Reply-To")) + _ids(_header(message, "References"))),
        recipients=tuple(a for _, a in getaddresses([_header(message, h) for h in ("To", "Cc", "Delivered-To")]) if a),
        parts=tuple(parts), automated=automated_reason(message, sender),
        verdicts=mail_auth.read_verdicts(list(message.raw_items())))


def _header(message: EmailMessage, name: str) -> str:
    # A malformed header must not make the whole mail unreadable: fall back to its raw text.
    try:
        return str(message.get(name, "") or "")
    except Exception:
        return str(message.get_all(name, [""])[0])


def _ids(value: str) -> list[str]:
    return re.findall(r"<([^<>\s]+)>", value)


_AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_DAEMONS = re.compile(r"^(mailer-daemon|mailer|postmaster|no-?reply|bounces?)([+@]|$)", re.I)
# The subjects responders write (Outlook's "Automatic reply:" and its older "Out of Office AutoReply:", Gmail's
# and others' "Out of office"), also in Persian and Hebrew. Anchored at the start, so that a person's subject
# about an out-of-office setting is still a person's mail.
# Direction marks a client may put around a subject: ignored when reading what a responder wrote.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_AUTO_SUBJECT = re.compile(
    r"^(automatic reply|auto[- ]?reply|out of (the )?office( auto ?reply)?|autoreply|"
    r"پاسخ خودکار|پاسخ خودكار|خارج از دفتر|خارج از محل کار|"
    r"תשובה אוטומטית|מענה אוטומטי|מחוץ למשרד|לא במשרד)\s*(:|$)", re.I)


def automated_reason(message: EmailMessage, sender: str) -> str | None:
    """Mail written by a machine (auto-replies, bounces, lists): answering it can start a mail loop."""
    if _header(message, "Auto-Submitted").strip().lower() not in ("", "no"):
        return "auto_submitted"
    if _header(message, "Precedence").strip().lower() in _AUTO_PRECEDENCE:
        return "precedence"
    if any(message.get(h) for h in ("X-Autoreply", "X-Autorespond")):
        return "auto_reply"
    if message.get("X-Auto-Response-Suppress"):  # Exchange/Outlook mark their own automatic mail with it
        return "auto_response_suppress"
    if message.get_content_type() == "multipart/report" or message.get("X-Failed-Recipients"):
        return "bounce"
    if "Return-Path" in message and _header(message, "Return-Path").strip() in ("<>", ""):
        return "null_sender"
    if not sender or _DAEMONS.match(sender):
        return "null_sender"
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "mailing_list"
    if _AUTO_SUBJECT.match(_BIDI.sub("", " ".join(_header(message, "Subject").split()))):
        return "auto_reply_subject"
    return None


# ---------------------------------------------------------------- language

def guess_language(text: str) -> Language:
    """The script most of the letters are in: Hebrew -> he, Persian/Arabic -> fa, anything else -> en."""
    hebrew = sum(1 for ch in text if "\u0590" <= ch <= "\u05ff")
    arabic = sum(1 for ch in text if "\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufdff")
    if not hebrew and not arabic:
        return Language.EN
    return Language.HE if hebrew > arabic else Language.FA


# ---------------------------------------------------------------- threading clues

def reply_address(mailbox: str, number: int, secret: bytes) -> str:
    """The per-ticket address replies go to: <local>+t<number>.<signature>@<domain>."""
    local, _, domain = mailbox.partition("@")
    return f"{local}+t{number}.{links.reply_signature(secret, number)}@{domain}"


_TOKEN = re.compile(r"^(?P<local>[^+@]+)\+t(?P<number>\d{1,12})\.(?P<sig>[0-9a-f]+)@(?P<domain>.+)$", re.I)


def ticket_of_reply_address(recipients: tuple[str, ...], mailbox: str, secret: bytes) -> int | None:
    """The ticket a correctly signed reply address among the recipients names; forged ones are ignored."""
    local, _, domain = mailbox.lower().partition("@")
    for recipient in recipients:
        found = _TOKEN.match(recipient.strip().lower())
        if not found or found["local"] != local or found["domain"] != domain:
            continue
        number = int(found["number"])
        if links.reply_signature_matches(secret, number, found["sig"]):
            return number
    return None


THREAD = "thread"  # the `unique` part of a ticket's root Message-ID, which every mail of it refers to


def our_message_id(secret: bytes, number: int, unique: str) -> str:
    """The local part of a Message-ID of ours for ticket `number`: ticket-<number>-<unique>.<signature>, where
    `unique` names the mail (an event id, or THREAD for the ticket's root) and the signature is an HMAC of the
    link secret over both (domain/links.py). Only an id with the right signature threads a mail."""
    return f"ticket-{number}-{unique}.{links.message_signature(secret, number, unique)}"


def ticket_of_references(references: tuple[str, ...], domain: str, secret: bytes) -> int | None:
    """The ticket whose mail (by our signed Message-IDs) this mail answers; the newest reference wins. An id
    without its signature, with a wrong one, or at another domain names nothing: anyone can write
    In-Reply-To: <ticket-<number>@our domain>, nobody without the secret can sign it."""
    pattern = re.compile(rf"^ticket-(\d{{1,12}})-([0-9a-z-]{{1,80}})\.([0-9a-f]{{32}})@{re.escape(domain.lower())}$")
    for reference in reversed(references):
        found = pattern.match(reference.lower())
        if found and links.message_signature_matches(secret, int(found[1]), found[2], found[3]):
            return int(found[1])
    return None


# ---------------------------------------------------------------- answers to mail that became no ticket

def refusal_id(key: str) -> str:
    """The local part of the Message-ID of our answer to the mail stored under `key`: the same on every try,
    so a send repeated after a failure is recognisably the same mail."""
    return f"refused-{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def answerable(mail: InboundMail, domain: str) -> bool:
    """Whether a mail that became no ticket may be answered: written by a person, from an address we can
    write to, and not itself an answer to one of our refusal answers (one answer per exchange, even with a
    responder that ignores Auto-Submitted: no loop)."""
    pattern = re.compile(rf"^refused-[0-9a-f]{{32}}@{re.escape(domain.lower())}$")
    return (not mail.automated and identity.receivable(mail.sender)
            and not any(pattern.match(reference.lower()) for reference in mail.references))


def part_id(key: str, index: int) -> str:
    """The attachment id (and object name) of the `index`-th part of the mail stored under `key`: the same on
    every try, so a retried mail overwrites its files instead of leaving copies behind."""
    return hashlib.sha256(f"{key}#{index}".encode()).hexdigest()[:32]


# ---------------------------------------------------------------- attachments a mail brought

# Said under the customer's text for each file not kept, so nobody wonders where it went (the raw mail,
# which agents can download, still has it).
NOT_KEPT = {
    Language.EN: "[Not attached: {name} ({reason}). The original mail has it.]",
    Language.FA: "[پیوست نشد: {name} ({reason}). در نامهٔ اصلی موجود است.]",
    Language.HE: "[לא צורף: {name} ({reason}). הקובץ נמצא בהודעה המקורית.]",
}


def with_not_kept(text: str, not_kept: list[tuple[str, str]], language: Language) -> str:
    """The customer's text followed by one line per file not kept, as (filename, reason code)."""
    notes = [NOT_KEPT[language].format(name=name, reason=reason) for name, reason in not_kept]
    return "\n\n".join([text, "\n".join(notes)]) if notes else text
