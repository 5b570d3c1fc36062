"""What the local stack "sent": moto records SES mail and direct SNS SMS instead of delivering them.
local.moto_server.MotoServer shows them at OUTBOX_PATH (`ses.Message` for send_email, `ses.RawMessage` for
send_raw_email, `sns.SMS`). For tests and for looking at mail by hand:

    from local.mailbox import mail_to
    [mail] = mail_to("http://127.0.0.1:5000", "maryam@example.com")
    mail.subject, mail.text, mail.html
"""
from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass

import requests

from local.moto_server import OUTBOX_PATH


@dataclass(frozen=True)
class Mail:
    source: str
    to: tuple[str, ...]
    subject: str
    text: str  # the text/plain part ('' if none)
    html: str  # the text/html part ('' if none)
    raw: str  # the MIME source ('' for send_email)


def _data(moto_url: str, to: str | None = None) -> dict:
    # The SES/SNS part of moto's /moto-api/data.json, served by local/moto_server.py (data.json itself also
    # serializes every DynamoDB item, which grows slow), with the older mail kept in a file (local/outbox.py).
    # `to` narrows it down loosely on the server, to what may be addressed to it.
    response = requests.get(f"{moto_url.rstrip('/')}{OUTBOX_PATH}", params={"to": to} if to else None, timeout=30)
    response.raise_for_status()
    return response.json()


def _from_raw(record: dict) -> Mail:
    raw = record.get("raw_data") or ""
    message = email.message_from_string(raw, policy=email.policy.default)
    parts = {}
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        parts[kind] = part.get_content() if part is not None and part.get_content_subtype() == kind else ""
    to = record.get("destinations") or []
    if not to and message["To"]:
        to = [address.addr_spec for address in message["To"].addresses]
    return Mail(source=record.get("source", ""), to=tuple(dict.fromkeys(to)), subject=str(message.get("Subject", "")),
                text=parts["plain"], html=parts["html"], raw=raw)


def _from_simple(record: dict) -> Mail:
    destinations = record.get("destinations") or {}
    to = [a for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in destinations.get(key, [])]
    body = record.get("body") or ""
    is_html = body.lstrip().startswith("<")
    return Mail(source=record.get("source", ""), to=tuple(dict.fromkeys(to)), subject=record.get("subject") or "",
                text="" if is_html else body, html=body if is_html else "", raw="")


def sent_mail(moto_url: str, to: str | None = None) -> list[Mail]:
    """Every mail sent through moto since it started (or since the local state was started over), oldest first
    (`send_email`'s before `send_raw_email`'s); with `to`, at least those sent to it."""
    ses = _data(moto_url, to).get("ses", {})
    return [_from_simple(r) for r in ses.get("Message", [])] + [_from_raw(r) for r in ses.get("RawMessage", [])]


def mail_to(moto_url: str, address: str) -> list[Mail]:
    address = address.lower()
    return [m for m in sent_mail(moto_url, address) if address in (a.lower() for a in m.to)]


def sent_sms(moto_url: str) -> list[dict]:
    """[{"phone_number", "message", "message_id"}] sent with sns.publish(PhoneNumber=...)."""
    return list(_data(moto_url).get("sns", {}).get("SMS", []))
