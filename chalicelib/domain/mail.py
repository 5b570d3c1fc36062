"""Customer mail in fa, he and en: subject, plain text (always) and an HTML part laid out RTL where needed."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from html import escape

from chalicelib.domain.digits import local_digits
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
    # A ticket filed without sign-in: the link in this mail is what proves the address (and confirms it).
    "received_unconfirmed": {
        Language.EN: {
            "subject": "[#{number}] Please confirm your request: {subject}",
            "greeting": "Hello {name},",
            "body": "We received a request with this address; its number is {number}. Please open the link below "
                    "to confirm that you sent it: until then it waits for your confirmation.",
            "after": "If you did not send it, ignore this mail: nobody else can follow the request or read "
                     "our replies without this link.",
            "action": "Confirm and follow your request",
        },
        Language.FA: {
            "subject": "[#{number}] لطفاً درخواست خود را تأیید کنید: {subject}",
            "greeting": "{name} گرامی، سلام",
            "body": "درخواستی با این نشانی دریافت کردیم؛ شمارهٔ آن {number} است. لطفاً پیوند زیر را باز کنید تا "
                    "تأیید شود که آن را شما فرستاده‌اید؛ تا آن زمان درخواست در انتظار تأیید شماست.",
            "after": "اگر شما آن را نفرستاده‌اید، این نامه را نادیده بگیرید: بدون این پیوند کسی نمی‌تواند "
                     "درخواست را پیگیری کند یا پاسخ‌های ما را بخواند.",
            "action": "تأیید و پیگیری درخواست",
        },
        Language.HE: {
            "subject": "[#{number}] נא לאשר את פנייתך: {subject}",
            "greeting": "שלום {name},",
            "body": "קיבלנו פנייה עם כתובת זו; מספרה {number}. נא לפתוח את הקישור שלמטה כדי לאשר ששלחת אותה: "
                    "עד אז היא ממתינה לאישורך.",
            "after": "אם לא שלחת אותה, אפשר להתעלם מהודעה זו: בלי הקישור הזה איש אינו יכול לעקוב אחר הפנייה "
                     "או לקרוא את תשובותינו.",
            "action": "לאישור ולמעקב אחר הפנייה",
        },
    },
    # Someone (perhaps the customer) was refused a new ticket without sign-in: the list goes to the address only.
    "open_tickets": {
        Language.EN: {
            "subject": "Your open requests",
            "greeting": "Hello,",
            "body": "Someone, perhaps you, tried to open a new request with this address on our website, but as "
                    "many requests with it as we allow are still waiting for confirmation. The open requests "
                    "with this address:",
            "after": "To open a new request, sign in on our website with a code that we send to this address: "
                     "signing in confirms the requests that wait, and requests you open signed in are not held "
                     "back this way. If it was not you, you can ignore this mail.",
            "action": "Sign in",
        },
        Language.FA: {
            "subject": "درخواست‌های باز شما",
            "greeting": "سلام،",
            "body": "کسی، شاید خود شما، خواست با این نشانی در وب‌سایت ما درخواست تازه‌ای باز کند، اما بیشترین "
                    "شمار مجاز درخواست‌ها با این نشانی هنوز در انتظار تأیید است. درخواست‌های باز با این نشانی:",
            "after": "برای باز کردن درخواست تازه، در وب‌سایت ما با کدی که به این نشانی می‌فرستیم وارد شوید: "
                     "ورود، درخواست‌های در انتظار را تأیید می‌کند و درخواست‌هایی که پس از ورود باز می‌کنید این‌گونه "
                     "محدود نمی‌شوند. اگر شما نبودید، این نامه را نادیده بگیرید.",
            "action": "ورود",
        },
        Language.HE: {
            "subject": "הפניות הפתוחות שלך",
            "greeting": "שלום,",
            "body": "מישהו, אולי את/ה, ניסה לפתוח פנייה חדשה עם כתובת זו באתר שלנו, אך המספר המרבי של פניות "
                    "עם כתובת זו עדיין ממתין לאישור. הפניות הפתוחות עם כתובת זו:",
            "after": "כדי לפתוח פנייה חדשה, יש להיכנס לאתר שלנו עם קוד שנשלח לכתובת זו: הכניסה מאשרת את הפניות "
                     "הממתינות, ופניות שנפתחות לאחר כניסה אינן מוגבלות כך. אם לא היית זה/זו, אפשר להתעלם מהודעה זו.",
            "action": "לכניסה",
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
    # Answers to a person's mail that could not become a ticket (services/intake.py): said once, in the
    # language of the mail, why, and what to do instead. `items` lists the open tickets.
    "mail_refused_open_limit": {
        Language.EN: {
            "subject": "No new ticket opened: {subject}",
            "greeting": "Hello {name},",
            "body": "Thank you for writing to us. You already have {count} open tickets, the most we keep open for "
                    "one customer, so your mail did not open a new one. Your open tickets:",
            "after": "To add to one of them, reply to one of our mails about it: your reply is added to that "
                     "ticket. Once one of them is closed, you can write to us again.",
            "action": "See your tickets",
        },
        Language.FA: {
            "subject": "تیکت تازه‌ای باز نشد: {subject}",
            "greeting": "{name} گرامی، سلام",
            "body": "از نامهٔ شما سپاسگزاریم. شما هم‌اکنون {count} تیکت باز دارید که بیشترین تعداد مجاز برای هر "
                    "مشتری است؛ برای همین از این نامه تیکت تازه‌ای باز نشد. تیکت‌های باز شما:",
            "after": "برای افزودن مطلبی به یکی از آن‌ها، به یکی از نامه‌های ما دربارهٔ همان تیکت پاسخ دهید تا "
                     "پاسخ شما به آن تیکت افزوده شود. وقتی یکی از آن‌ها بسته شد، می‌توانید دوباره برای ما بنویسید.",
            "action": "مشاهدهٔ تیکت‌های شما",
        },
        Language.HE: {
            "subject": "לא נפתחה פנייה חדשה: {subject}",
            "greeting": "שלום {name},",
            "body": "תודה שכתבת לנו. יש לך כבר {count} פניות פתוחות, המספר המרבי ללקוח אחד, ולכן ההודעה שלך לא "
                    "פתחה פנייה חדשה. הפניות הפתוחות שלך:",
            "after": "כדי להוסיף לאחת מהן, יש להשיב לאחת מההודעות שלנו בנוגע אליה: התשובה תתווסף לאותה פנייה. "
                     "כשאחת מהן תיסגר, אפשר לכתוב לנו שוב.",
            "action": "לצפייה בפניות שלך",
        },
    },
    "mail_refused": {
        Language.EN: {
            "subject": "We could not open a ticket from your mail: {subject}",
            "greeting": "Hello {name},",
            "body": "Thank you for writing to us. We could not open a ticket from your mail: {reason}",
            "after": "You can write to us on the form on our website instead.",
            "action": "Open the form",
        },
        Language.FA: {
            "subject": "از نامهٔ شما تیکتی باز نشد: {subject}",
            "greeting": "{name} گرامی، سلام",
            "body": "از نامهٔ شما سپاسگزاریم. نتوانستیم از این نامه تیکتی باز کنیم: {reason}",
            "after": "می‌توانید به‌جای نامه، از فرم وب‌سایت ما برایمان بنویسید.",
            "action": "باز کردن فرم",
        },
        Language.HE: {
            "subject": "לא הצלחנו לפתוח פנייה מההודעה שלך: {subject}",
            "greeting": "שלום {name},",
            "body": "תודה שכתבת לנו. לא הצלחנו לפתוח פנייה מההודעה שלך: {reason}",
            "after": "במקום זאת אפשר לכתוב לנו בטופס שבאתר שלנו.",
            "action": "לפתיחת הטופס",
        },
    },
    "mail_reply_refused": {
        Language.EN: {
            "subject": "[#{number}] Your reply was not added: {subject}",
            "greeting": "Hello {name},",
            "body": "Thank you for writing to us. We could not add your mail to ticket {number}: {reason}",
            "after": "You can write to us on the form on our website instead.",
            "action": "Open the form",
        },
        Language.FA: {
            "subject": "[#{number}] پاسخ شما افزوده نشد: {subject}",
            "greeting": "{name} گرامی، سلام",
            "body": "از نامهٔ شما سپاسگزاریم. نتوانستیم این نامه را به تیکت {number} بیفزاییم: {reason}",
            "after": "می‌توانید به‌جای نامه، از فرم وب‌سایت ما برایمان بنویسید.",
            "action": "باز کردن فرم",
        },
        Language.HE: {
            "subject": "[#{number}] התשובה שלך לא נוספה: {subject}",
            "greeting": "שלום {name},",
            "body": "תודה שכתבת לנו. לא הצלחנו להוסיף את ההודעה שלך לפנייה {number}: {reason}",
            "after": "במקום זאת אפשר לכתוב לנו בטופס שבאתר שלנו.",
            "action": "לפתיחת הטופס",
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


# Why a mail was refused, in plain words (after "We could not ...: "), by the reason's code.
REFUSAL_REASONS: dict[str, dict[Language, str]] = {
    "too_long": {
        Language.EN: "your message is longer than we can take by mail. Please make it shorter.",
        Language.FA: "متن نامهٔ شما بلندتر از آن است که از راه نامه بپذیریم. لطفاً آن را کوتاه‌تر کنید.",
        Language.HE: "ההודעה שלך ארוכה מכפי שאנחנו יכולים לקבל בדואר. נא לקצר אותה.",
    },
    "no_department": {
        Language.EN: "we cannot take new requests by mail at the moment.",
        Language.FA: "در حال حاضر نمی‌توانیم درخواست تازه را از راه نامه بپذیریم.",
        Language.HE: "כרגע איננו יכולים לקבל פניות חדשות בדואר.",
    },
    "other": {
        Language.EN: "we could not read it as a request.",
        Language.FA: "نتوانستیم آن را به‌عنوان درخواست بخوانیم.",
        Language.HE: "לא הצלחנו לקרוא אותה כפנייה.",
    },
}


# Values that are numbers a person reads (not typed back, not part of a link): in the reader's digits.
READER_NUMBERS = frozenset({"number", "count", "minutes", "due_at"})


def _readable(key: str, value: object) -> object:
    # A due time arrives as ISO 8601 (2026-11-23T11:00:00+00:00); the mail says "(UTC)" after it.
    if key == "due_at" and isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc)
        return moment.strftime("%Y-%m-%d %H:%M")
    return value


# How a ticket waiting for confirmation is marked in the open-tickets mail's list.
NOT_CONFIRMED = {Language.EN: "not confirmed yet", Language.FA: "هنوز تأیید نشده", Language.HE: "טרם אושרה"}


def open_tickets_mail(language: Language, *, to: str, site_url: str, open_tickets: Sequence[dict]) -> MailContent:
    """The list of an address's open tickets ({"number", "subject", "confirmed"}), sent to that address when
    a request without sign-in was refused; the action signs in (no ticket's private link: opening one
    would confirm a ticket the owner may not have filed)."""
    items = [f"[#{t['number']}] {t['subject']}" + ("" if t.get("confirmed", True) else f" ({NOT_CONFIRMED[language]})")
             for t in open_tickets]
    return render("open_tickets", language, to=to, link=f"{site_url.rstrip('/')}/#/tickets", items=items)


@dataclass(frozen=True)
class MailContent:
    to: str
    subject: str
    text: str
    html: str
    language: Language
    reply_to: str = ""  # the ticket's signed reply address (domain/inbound.py), so replies by mail thread
    # An answer to a mail we received: that mail's Message-ID (no angle brackets; "" if it had none) goes to
    # In-Reply-To/References instead of the ticket's thread, and Auto-Submitted says "auto-replied" (RFC 3834).
    in_reply_to: str = ""
    auto_submitted: str = "auto-generated"


def render(template: str, language: Language, *, to: str, link: str = "", quote: str = "",
           items: Sequence[str] = (), rating_links: dict[str, str] | None = None, **values) -> MailContent:
    """`items`: lines listed under the body (e.g. open tickets); a template's optional "after" paragraph
    follows them. `rating_links` ({"good": url, "bad": url}) adds the one-click rating of a reply.
    Numbers we write (`READER_NUMBERS`) are in the reader's digits; the subject keeps ASCII digits in its
    "[#1005]" tag, and links, codes and the texts people wrote stay as they are."""
    read = {k: local_digits(_readable(k, v), language) if k in READER_NUMBERS and v is not None else v
            for k, v in values.items()}
    strings = {k: v.format(**(values if k == "subject" else read)) for k, v in TEMPLATES[template][language].items()}
    text_parts = [strings["greeting"], "", strings["body"]]
    if items:
        text_parts += ["", *(f"- {item}" for item in items)]
    if quote:
        text_parts += ["", quote]
    if "after" in strings:
        text_parts += ["", strings["after"]]
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
    # Each item in its own direction: a Latin subject in a Persian list stays readable.
    items_html = ("<ul>" + "".join(f'<li dir="auto">{escape(item)}</li>' for item in items) + "</ul>") if items else ""
    after_html = f'<p>{escape(strings["after"])}</p>' if "after" in strings else ""
    html = (
        f'<!doctype html><html lang="{language.value}" dir="{direction}"><head><meta charset="utf-8"></head>'
        f'<body dir="{direction}" style="font-family:Vazirmatn,Tahoma,Arial,sans-serif;text-align:{align}">'
        f'<p>{escape(strings["greeting"])}</p><p>{escape(strings["body"])}</p>{items_html}{quote_html}'
        f'{after_html}{action_html}{rating_html}</body></html>'
    )
    return MailContent(to=to, subject=strings["subject"], text="\n".join(text_parts), html=html, language=language)


def refusal_answer(language: Language, *, to: str, name: str, subject: str, site_url: str, reason: str = "",
                   answers: str = "", open_limit: int | None = None, open_tickets: Sequence[tuple[int, str]] = (),
                   number: int | None = None) -> MailContent:
    """The one answer to a person's mail that could not become a ticket (or join one). With `open_limit`
    (the customer's open-ticket limit was reached) it names their open tickets, (number, subject), and
    how to add to one; otherwise it says why in words, by the intake's `reason` code ("no_department",
    "text:too_long", ...), `number` being the ticket a refused reply named. `answers` is the refused mail's
    Message-ID. It is an automatic reply (RFC 3834: Auto-Submitted: auto-replied), so robots leave it be."""
    site = site_url.rstrip("/")
    if open_limit is not None:
        content = render("mail_refused_open_limit", language, to=to, link=f"{site}/#/tickets",
                         items=[f"[#{local_digits(n, language)}] {s}" for n, s in open_tickets], name=name, subject=subject,
                         count=open_limit)
    else:
        codes = {part.rpartition(":")[2] for part in reason.split(",")}
        because = next((c for c in REFUSAL_REASONS if c in codes), "other")
        template = "mail_reply_refused" if number is not None else "mail_refused"
        content = render(template, language, to=to, link=f"{site}/", name=name, subject=subject, number=number,
                         reason=REFUSAL_REASONS[because][language])
    return replace(content, in_reply_to=answers, auto_submitted="auto-replied")
