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
            "rate_prompt": "Was this reply helpful?",
            "rate_good": "Yes, it helped",
            "rate_bad": "No, it did not help",
        },
        Language.FA: {
            "subject": "[#{number}] پاسخ تازه: {subject}",
            "greeting": "{name} گرامی، سلام",
            "body": "{agent} به تیکت شما پاسخ داد:",
            "action": "خواندن و پاسخ",
            "rate_prompt": "این پاسخ به شما کمک کرد؟",
            "rate_good": "بله، کمک کرد",
            "rate_bad": "نه، کمکی نکرد",
        },
        Language.HE: {
            "subject": "[#{number}] תשובה חדשה: {subject}",
            "greeting": "שלום {name},",
            "body": "{agent} השיב/ה לפנייתך:",
            "action": "לקריאה ולמענה",
            "rate_prompt": "האם התשובה עזרה לך?",
            "rate_good": "כן, עזרה",
            "rate_bad": "לא, לא עזרה",
        },
    },
    "reminder": {
        Language.EN: {
            "subject": "[#{number}] We are waiting for your reply: {subject}",
            "greeting": "Hello {name},",
            "body": "We are still waiting for your answer on ticket {number}. If we do not hear from you, "
                    "we will close it in a few days.",
            "action": "Reply",
        },
        Language.FA: {
            "subject": "[#{number}] منتظر پاسخ شما هستیم: {subject}",
            "greeting": "{name} گرامی، سلام",
            "body": "هنوز منتظر پاسخ شما دربارهٔ تیکت {number} هستیم. اگر پاسخی نرسد، تیکت تا چند روز دیگر "
                    "بسته می‌شود.",
            "action": "پاسخ دادن",
        },
        Language.HE: {
            "subject": "[#{number}] אנחנו ממתינים לתשובתך: {subject}",
            "greeting": "שלום {name},",
            "body": "אנחנו עדיין ממתינים לתשובתך בפנייה {number}. אם לא נשמע ממך, הפנייה תיסגר בעוד כמה ימים.",
            "action": "למענה",
        },
    },
    "closed_no_reply": {
        Language.EN: {
            "subject": "[#{number}] Ticket closed: {subject}",
            "greeting": "Hello {name},",
            "body": "We closed ticket {number} because we did not hear back from you. If you still need help, "
                    "reply on the ticket in the coming days and it opens again; after that, you can open a new "
                    "ticket that refers to it.",
            "action": "Open your ticket",
        },
        Language.FA: {
            "subject": "[#{number}] تیکت بسته شد: {subject}",
            "greeting": "{name} گرامی، سلام",
            "body": "چون پاسخی از شما دریافت نکردیم، تیکت {number} را بستیم. اگر هنوز به کمک نیاز دارید، در "
                    "چند روز آینده روی همین تیکت پاسخ دهید تا دوباره باز شود؛ پس از آن می‌توانید تیکت تازه‌ای "
                    "با ارجاع به آن باز کنید.",
            "action": "مشاهدهٔ تیکت",
        },
        Language.HE: {
            "subject": "[#{number}] הפנייה נסגרה: {subject}",
            "greeting": "שלום {name},",
            "body": "סגרנו את פנייה {number} כי לא שמענו ממך. אם עדיין דרושה לך עזרה, השב/י בפנייה בימים "
                    "הקרובים והיא תיפתח מחדש; לאחר מכן אפשר לפתוח פנייה חדשה שמפנה אליה.",
            "action": "לצפייה בפנייה",
        },
    },
    "sign_in_code": {
        Language.EN: {
            "subject": "Your sign-in code",
            "greeting": "Hello,",
            "body": "Your code to sign in to the help desk is {code}. It works for {minutes} minutes. "
                    "If you did not ask for it, ignore this mail: nobody can sign in without the code.",
        },
        Language.FA: {
            "subject": "کد ورود شما",
            "greeting": "سلام،",
            "body": "کد ورود شما به میز خدمت {code} است و تا {minutes} دقیقه معتبر است. اگر شما آن را "
                    "نخواسته‌اید، این نامه را نادیده بگیرید: بدون این کد کسی نمی‌تواند وارد شود.",
        },
        Language.HE: {
            "subject": "קוד הכניסה שלך",
            "greeting": "שלום,",
            "body": "קוד הכניסה שלך למוקד התמיכה הוא {code}. הוא בתוקף {minutes} דקות. אם לא ביקשת אותו, "
                    "אפשר להתעלם מהודעה זו: בלי הקוד איש אינו יכול להיכנס.",
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


def render(template: str, language: Language, *, to: str, link: str = "", quote: str = "",
           rating_links: dict[str, str] | None = None, **values) -> MailContent:
    """`rating_links` ({"good": url, "bad": url}) adds the one-click rating of a reply."""
    strings = {k: v.format(**values) for k, v in TEMPLATES[template][language].items()}
    text_parts = [strings["greeting"], "", strings["body"]]
    if quote:
        text_parts += ["", quote]
    if link:  # a sign-in code needs none
        text_parts += ["", f"{strings['action']}: {link}"]
    rating_html = ""
    if rating_links:
        text_parts += ["", strings["rate_prompt"], f"{strings['rate_good']}: {rating_links['good']}",
                       f"{strings['rate_bad']}: {rating_links['bad']}"]
        rating_html = (f'<p>{escape(strings["rate_prompt"])} '
                       f'<a href="{escape(rating_links["good"], quote=True)}">{escape(strings["rate_good"])}</a>'
                       f' · <a href="{escape(rating_links["bad"], quote=True)}">{escape(strings["rate_bad"])}</a></p>')
    direction = "rtl" if language.is_rtl else "ltr"
    align = "right" if language.is_rtl else "left"
    action_html = f'<p><a href="{escape(link, quote=True)}">{escape(strings["action"])}</a></p>' if link else ""
    quote_html = (f'<blockquote dir="auto" style="white-space:pre-wrap;margin:1em 0;padding:0 1em;'
                  f'border-inline-start:3px solid #ccc">{escape(quote)}</blockquote>') if quote else ""
    html = (
        f'<!doctype html><html lang="{language.value}" dir="{direction}"><head><meta charset="utf-8"></head>'
        f'<body dir="{direction}" style="font-family:Vazirmatn,Tahoma,Arial,sans-serif;text-align:{align}">'
        f'<p>{escape(strings["greeting"])}</p><p>{escape(strings["body"])}</p>{quote_html}'
        f'{action_html}{rating_html}</body></html>'
    )
    return MailContent(to=to, subject=strings["subject"], text="\n".join(text_parts), html=html, language=language)
