"""Customer mail in fa, he and en: subject, plain text (always) and an HTML part laid out RTL where needed."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from chalicelib.domain.tickets import Language

TEMPLATES: dict[str, dict[Language, dict[str, str]]] = {
    "received": {
        Language.EN: {
            "subject": "[#{number}] We received your request: {subject}",
            "greeting": "Hello {name},",
            "body": "Thank you for writing to us. Your ticket number is {number}; we will reply soon.",
            "action": "Follow your ticket",
        },
        Language.FA: {
            "subject": "[#{number}] درخواست شما دریافت شد: {subject}",
            "greeting": "{name} گرامی، سلام",
            "body": "از تماس شما سپاسگزاریم. شمارهٔ تیکت شما {number} است و به‌زودی پاسخ می‌دهیم.",
            "action": "پیگیری تیکت",
        },
        Language.HE: {
            "subject": "[#{number}] קיבלנו את פנייתך: {subject}",
            "greeting": "שלום {name},",
            "body": "תודה שפנית אלינו. מספר הפנייה שלך הוא {number}; נחזור אליך בהקדם.",
            "action": "למעקב אחר הפנייה",
        },
    },
    "agent_replied": {
        Language.EN: {
            "subject": "[#{number}] New reply: {subject}",
            "greeting": "Hello {name},",
            "body": "{agent} replied to your ticket:",
            "action": "Read and reply",
        },
        Language.FA: {
            "subject": "[#{number}] پاسخ تازه: {subject}",
            "greeting": "{name} گرامی، سلام",
            "body": "{agent} به تیکت شما پاسخ داد:",
            "action": "خواندن و پاسخ",
        },
        Language.HE: {
            "subject": "[#{number}] תשובה חדשה: {subject}",
            "greeting": "שלום {name},",
            "body": "{agent} השיב/ה לפנייתך:",
            "action": "לקריאה ולמענה",
        },
    },
}


@dataclass(frozen=True)
class MailContent:
    to: str
    subject: str
    text: str
    html: str
    language: Language


def render(template: str, language: Language, *, to: str, link: str, quote: str = "", **values) -> MailContent:
    strings = {k: v.format(**values) for k, v in TEMPLATES[template][language].items()}
    text_parts = [strings["greeting"], "", strings["body"]]
    if quote:
        text_parts += ["", quote]
    text_parts += ["", f"{strings['action']}: {link}"]
    direction = "rtl" if language.is_rtl else "ltr"
    align = "right" if language.is_rtl else "left"
    quote_html = (f'<blockquote dir="auto" style="white-space:pre-wrap;margin:1em 0;padding:0 1em;'
                  f'border-inline-start:3px solid #ccc">{escape(quote)}</blockquote>') if quote else ""
    html = (
        f'<!doctype html><html lang="{language.value}" dir="{direction}"><head><meta charset="utf-8"></head>'
        f'<body dir="{direction}" style="font-family:Vazirmatn,Tahoma,Arial,sans-serif;text-align:{align}">'
        f'<p>{escape(strings["greeting"])}</p><p>{escape(strings["body"])}</p>{quote_html}'
        f'<p><a href="{escape(link, quote=True)}">{escape(strings["action"])}</a></p></body></html>'
    )
    return MailContent(to=to, subject=strings["subject"], text="\n".join(text_parts), html=html, language=language)
