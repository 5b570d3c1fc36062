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
    "needs_info": {
        Language.EN: {
            "subject": "[#{number}] We need more information: {subject}",
            "greeting": "Hello {name},",
            "body": "To go on with ticket {number} we need a few more details from you. Please read our last "
                    "message and reply on the ticket.",
            "action": "Reply",
        },
        Language.FA: {
            "subject": "[#{number}] به اطلاعات بیشتری نیاز داریم: {subject}",
            "greeting": "{name} گرامی، سلام",
            "body": "برای ادامهٔ کار روی تیکت {number} به جزئیات بیشتری از شما نیاز داریم. لطفاً آخرین پیام ما "
                    "را بخوانید و روی تیکت پاسخ دهید.",
            "action": "پاسخ دادن",
        },
        Language.HE: {
            "subject": "[#{number}] נדרש לנו מידע נוסף: {subject}",
            "greeting": "שלום {name},",
            "body": "כדי להמשיך בטיפול בפנייה {number} נדרשים לנו עוד כמה פרטים ממך. נא לקרוא את הודעתנו "
                    "האחרונה ולהשיב בפנייה.",
            "action": "למענה",
        },
    },
    # Agents' mail: the link opens the ticket in the portal.
    "assigned_to_you": {
        Language.EN: {
            "subject": "[#{number}] Assigned to you: {subject}",
            "greeting": "Hello {name},",
            "body": "Ticket {number} is now on your desk.",
            "action": "Open the ticket",
        },
        Language.FA: {
            "subject": "[#{number}] به شما سپرده شد: {subject}",
            "greeting": "{name} گرامی، سلام",
            "body": "تیکت {number} اکنون روی میز شماست.",
            "action": "باز کردن تیکت",
        },
        Language.HE: {
            "subject": "[#{number}] הועבר אליך: {subject}",
            "greeting": "שלום {name},",
            "body": "פנייה {number} נמצאת עכשיו אצלך.",
            "action": "לפתיחת הפנייה",
        },
    },
    "mentioned": {
        Language.EN: {
            "subject": "[#{number}] {author} mentioned you: {subject}",
            "greeting": "Hello {name},",
            "body": "{author} mentioned you in an internal note on ticket {number}:",
            "action": "Open the ticket",
        },
        Language.FA: {
            "subject": "[#{number}] {author} از شما نام برد: {subject}",
            "greeting": "{name} گرامی، سلام",
            "body": "{author} در یادداشتی داخلی روی تیکت {number} از شما نام برد:",
            "action": "باز کردن تیکت",
        },
        Language.HE: {
            "subject": "[#{number}] {author} הזכיר/ה אותך: {subject}",
            "greeting": "שלום {name},",
            "body": "{author} הזכיר/ה אותך בהערה פנימית בפנייה {number}:",
            "action": "לפתיחת הפנייה",
        },
    },
    "sla_warning": {
        Language.EN: {
            "subject": "[#{number}] Service target due soon: {subject}",
            "greeting": "Hello {name},",
            "body": "Ticket {number} must be handled by {due_at} (UTC) to meet its service target.",
            "action": "Open the ticket",
        },
        Language.FA: {
            "subject": "[#{number}] مهلت خدمت نزدیک است: {subject}",
            "greeting": "{name} گرامی، سلام",
            "body": "برای رسیدن به هدف خدمت، تیکت {number} باید تا {due_at} (UTC) رسیدگی شود.",
            "action": "باز کردن تیکت",
        },
        Language.HE: {
            "subject": "[#{number}] יעד השירות מתקרב: {subject}",
            "greeting": "שלום {name},",
            "body": "יש לטפל בפנייה {number} עד {due_at} (UTC) כדי לעמוד ביעד השירות.",
            "action": "לפתיחת הפנייה",
        },
    },
    "sla_breached": {
        Language.EN: {
            "subject": "[#{number}] Service target missed: {subject}",
            "greeting": "Hello {name},",
            "body": "Ticket {number} missed its service target (due {due_at} UTC). As a supervisor of its "
                    "department, please look at it.",
            "action": "Open the ticket",
        },
        Language.FA: {
            "subject": "[#{number}] مهلت خدمت از دست رفت: {subject}",
            "greeting": "{name} گرامی، سلام",
            "body": "مهلت خدمت تیکت {number} ({due_at} UTC) گذشته است. به‌عنوان سرپرست این بخش، لطفاً آن را "
                    "بررسی کنید.",
            "action": "باز کردن تیکت",
        },
        Language.HE: {
            "subject": "[#{number}] יעד השירות הוחמץ: {subject}",
            "greeting": "שלום {name},",
            "body": "פנייה {number} לא עמדה ביעד השירות (עד {due_at} UTC). כאחראי/ת המחלקה, נא לבדוק אותה.",
            "action": "לפתיחת הפנייה",
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
    reply_to: str = ""  # the ticket's signed reply address (domain/inbound.py), so replies by mail thread


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
