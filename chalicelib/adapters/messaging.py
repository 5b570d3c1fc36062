"""SNS (the ticket-events topic, SMS), SES (mail) and Secrets Manager (the link secret)."""
from __future__ import annotations

import json
from email.message import EmailMessage
from email.utils import formataddr

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.aws import client
from chalicelib.adapters.mime import OUTGOING
from chalicelib.domain.identity import deliverable
from chalicelib.domain.mail import MailContent
from chalicelib.services.ports import DeliveryFailed, EventBus, Mailer, SecretSource, SmsSender


class SnsEventBus(EventBus):
    def __init__(self, topic_arn: str):
        self.topic_arn = topic_arn

    def publish(self, document: dict) -> None:
        # Attributes let each queue subscribe to just the events it handles (SNS filter policies).
        attributes = {
            "event_type": document["type"],
            "visibility": document["visibility"],
            "author_kind": document["actor"]["kind"],
        }
        client("sns").publish(
            TopicArn=self.topic_arn, Message=json.dumps(document, ensure_ascii=False),
            MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()})


def build_mime(mail: MailContent, *, sender: str, message_id: str, thread_id: str, domain: str) -> EmailMessage:
    # OUTGOING folds long non-ASCII headers so that no space of a Persian or Hebrew subject is lost.
    message = EmailMessage(policy=OUTGOING)
    message["From"] = formataddr(("Helpdesk", sender))
    message["To"] = deliverable(mail.to)  # SES takes 7-bit addresses: an IDN domain goes in IDNA form
    message["Subject"] = mail.subject
    if mail.reply_to:
        message["Reply-To"] = formataddr(("Helpdesk", mail.reply_to))
    message["Message-ID"] = f"<{message_id}@{domain}>"
    if mail.in_reply_to:  # an answer to a mail we received: threaded under that mail, in the sender's client
        message["References"] = message["In-Reply-To"] = f"<{mail.in_reply_to}>"
    elif thread_id:  # every mail of a ticket refers to the same root id, so clients thread them together
        message["References"] = message["In-Reply-To"] = f"<{thread_id}@{domain}>"
    # RFC 3834: "auto-generated", or "auto-replied" for an answer to a received mail; either way, other
    # robots (vacation responders, our own intake) must not answer it.
    message["Auto-Submitted"] = mail.auto_submitted
    message.set_content(mail.text, charset="utf-8")
    message.add_alternative(mail.html, subtype="html", charset="utf-8")
    message["Content-Language"] = mail.language.value  # after the parts: making them moves Content-* headers
    return message


class SesMailer(Mailer):
    def __init__(self, sender: str):
        self.sender = sender

    def send(self, mail: MailContent, *, message_id: str, thread_id: str) -> None:
        domain = self.sender.rsplit("@", 1)[-1]
        mime = build_mime(mail, sender=self.sender, message_id=message_id, thread_id=thread_id, domain=domain)
        try:
            client("ses").send_raw_email(Source=self.sender, Destinations=[deliverable(mail.to)],
                                         RawMessage={"Data": mime.as_bytes()})
        except (BotoCoreError, ClientError) as exc:
            raise DeliveryFailed(f"SES did not take the mail: {exc}") from exc


class SnsSmsSender(SmsSender):
    """Direct SMS to a phone number (no topic): one-time codes, sent while the customer waits."""

    def send(self, phone: str, text: str) -> None:
        try:
            client("sns").publish(PhoneNumber=phone, Message=text, MessageAttributes={
                # Transactional: routed for delivery, not price (codes must arrive within minutes).
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}})
        except (BotoCoreError, ClientError) as exc:
            raise DeliveryFailed(f"SNS did not take the SMS: {exc}") from exc


class SecretsManagerSource(SecretSource):
    """Reads the secret once per container."""

    def __init__(self, secret_arn: str):
        self.secret_arn = secret_arn
        self._value: bytes | None = None

    def link_secret(self) -> bytes:
        if self._value is None:
            self._value = client("secretsmanager").get_secret_value(SecretId=self.secret_arn)["SecretString"].encode()
        return self._value
