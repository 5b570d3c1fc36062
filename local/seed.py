"""Demo data for `make run`: the catalog, agents' accounts, and a few tickets in fa, en and he.

The catalog goes through the backend's service, the accounts through Cognito's admin API (as an admin
would invite agents), and the tickets through the ticket service as an import would (validated, confirmed,
and flowing through the stream, the publisher and the mail worker like any customer's ticket).
"""
from __future__ import annotations

import logging


log = logging.getLogger(__name__)

DEMO_PASSWORD = "Demo-pass-2026!"  # the pool wants 12+ characters with upper, lower, digit and symbol

SUPERVISOR = "supervisor@example.com"
DEPARTMENTS = [
    {"id": "support", "names": {"en": "Technical support", "fa": "پشتیبانی فنی", "he": "תמיכה טכנית"},
     "categories": [
         {"id": "sign-in", "names": {"en": "Signing in", "fa": "ورود به حساب", "he": "התחברות"}},
         {"id": "bug", "names": {"en": "Something is broken", "fa": "خطا در سامانه", "he": "תקלה"}},
     ],
     "groups": [
         {"id": "first-line", "names": {"en": "First line", "fa": "خط اول", "he": "קו ראשון"},
          "members": ["agent.fa@example.com", "agent.he@example.com"], "strategy": "round_robin"},
         {"id": "experts", "names": {"en": "Experts", "fa": "کارشناسان", "he": "מומחים"},
          "members": ["admin@example.com"], "strategy": "fewest_open"},
     ],
     "supervisors": [SUPERVISOR]},
    {"id": "billing", "names": {"en": "Billing", "fa": "امور مالی", "he": "חיובים"},
     "categories": [
         {"id": "invoice", "names": {"en": "Invoices", "fa": "صورت‌حساب", "he": "חשבוניות"}},
         {"id": "refund", "names": {"en": "Refunds", "fa": "بازپرداخت", "he": "החזרים"}},
     ],
     "groups": [
         {"id": "billing-desk", "names": {"en": "Billing desk", "fa": "میز مالی", "he": "דלפק חיובים"},
          "members": ["agent.fa@example.com", "agent.he@example.com"], "strategy": "fewest_open"},
     ],
     "supervisors": [SUPERVISOR]},
    {"id": "sales", "names": {"en": "Sales", "fa": "فروش", "he": "מכירות"},
     "categories": [
         {"id": "quote", "names": {"en": "Price quote", "fa": "پیش‌فاکتور", "he": "הצעת מחיר"}},
         {"id": "plans", "names": {"en": "Plans and licences", "fa": "طرح‌ها و مجوزها", "he": "תוכניות ורישוי"}},
     ],
     "groups": [
         {"id": "sales-team", "names": {"en": "Sales team", "fa": "تیم فروش", "he": "צוות מכירות"},
          "members": ["agent.fa@example.com"], "strategy": "round_robin"},
     ],
     "supervisors": []},
]

# Sign-in trouble about passwords goes straight to the experts; other sign-in tickets to the first line.
RULES = [
    {"category": "sign-in", "department": "support", "group": "experts", "keywords": ["password", "رمز", "סיסמה"]},
    {"category": "sign-in", "department": "support", "group": "first-line", "keywords": []},
]

# `name` is what customers see on the agent's replies (chalicelib/adapters/directory.py reads it).
# `mfa`: the account has an authenticator app (admins and supervisors must); its code: `python -m local.totp`.
AGENTS = [
    {"email": "admin@example.com", "name": "Sam Taylor", "groups": ["admin", "agent"], "mfa": True},
    {"email": "agent.fa@example.com", "name": "مینا کریمی", "groups": ["agent"]},
    {"email": "agent.he@example.com", "name": "אורי כהן", "groups": ["agent"]},
    {"email": SUPERVISOR, "name": "רונית לוי", "groups": ["agent"], "mfa": True},  # supervises support, billing
]

TICKETS = [
    {"subject": "نمی‌توانم وارد حسابم شوم", "department": "support", "category": "sign-in", "priority": "high",
     "language": "fa", "customer": {"name": "مریم احمدی", "email": "maryam@example.com"},
     "text": "سلام،\nاز دیروز نمی‌توانم وارد حسابم شوم و پیام «رمز عبور نادرست است» می‌آید، "
             "در حالی که رمزم را عوض نکرده‌ام. سفارش ۱۴۰۲ هم در حساب من است.\nممنون"},
    {"subject": "Quote for 25 agent seats", "department": "sales", "category": "quote", "priority": "normal",
     "language": "en", "customer": {"name": "John Smith", "email": "john@example.com"},
     "text": "Hi,\nCould you send us a price quote for 25 agent seats, billed yearly?\nThanks, John"},
    {"subject": "חויבתי פעמיים על החשבונית", "department": "billing", "category": "refund", "priority": "urgent",
     "language": "he", "customer": {"name": "נועה לוי", "email": "noa@example.com"},
     "text": "שלום,\nחויבתי פעמיים על החשבונית של חודש נובמבר. אשמח לקבל החזר על החיוב הכפול.\nתודה, נועה"},
    {"subject": "خطا هنگام بارگذاری فایل", "department": "support", "category": "bug", "priority": "normal",
     "language": "fa", "customer": {"name": "علی رضایی", "email": "ali@example.com"},
     "text": "هنگام پیوست کردن فایل PDF خطای ۵۰۰ می‌گیرم. مرورگرم کروم است."},
]


def seed_catalog() -> None:
    """Departments and rules through the admin's own checks: their members must be agents, so after seed_agents."""
    from chalicelib import bootstrap
    from chalicelib.services import organisation

    for d in DEPARTMENTS:  # puts: seeding twice changes nothing
        organisation.save_department(catalog=bootstrap.catalog(), agents=bootstrap.agents(), department_id=d["id"],
                                     names=d["names"], categories=d["categories"], groups=d["groups"],
                                     supervisors=d["supervisors"])
    organisation.save_rules(catalog=bootstrap.catalog(), rules=RULES)
    # The demo desk works Iranian business hours (Saturday to Wednesday, Thursday mornings); breaches also go
    # to the department's first supervisor.
    organisation.save_sla_policy(catalog=bootstrap.catalog(), values={"calendar": "iran", "reassign_to_supervisor": True})


# Alert settings: the first line is on call for urgent tickets; the supervisor hears of breaches by SMS.
PROFILES = {
    "agent.fa@example.com": {"language": "fa", "phone": "09121234567", "on_call": ["support/first-line"],
                             "quiet_hours": {"start": "22:00", "end": "07:00", "zone": "Asia/Tehran"}},
    "agent.he@example.com": {"language": "he", "phone": "054-444-5566", "on_call": ["support/first-line"]},
    SUPERVISOR: {"language": "he", "phone": "054-444-5577",
                 "quiet_hours": {"start": "23:00", "end": "06:00", "zone": "Asia/Jerusalem"}},
}


# ---- knowledge base and help center (issue 15): categories (one nested), articles in fa/he/en, some internal
KB_CATEGORIES = [
    {"id": "getting-started", "names": {"en": "Getting started", "fa": "شروع کار", "he": "צעדים ראשונים"}, "order": 1},
    {"id": "account", "names": {"en": "Your account", "fa": "حساب کاربری", "he": "החשבון שלך"}, "order": 2},
    {"id": "passwords", "names": {"en": "Passwords", "fa": "گذرواژه", "he": "סיסמאות"}, "order": 1,
     "parent": "account"},
    {"id": "orders", "names": {"en": "Orders and refunds", "fa": "سفارش و بازپرداخت", "he": "הזמנות והחזרים"},
     "order": 3},
    {"id": "internal", "names": {"en": "For agents", "fa": "ویژه کارشناسان", "he": "לנציגים"}, "order": 9},
]
# (category, visibility, tags, {lang: (title, slug, body)})
KB_ARTICLES = [
    ("getting-started", "public", ["ticket"], {
        "en": ("How to open a ticket", "open-a-ticket",
               "Choose a **department** and a category, describe the problem and send.\n\n"
               "You get a private link by mail to follow your ticket."),
        "fa": ("چگونه درخواست ثبت کنیم", "ثبت-درخواست",
               "یک **واحد** و دسته را انتخاب کنید، مشکل را شرح دهید و بفرستید.\n\nپیوند پیگیری با ایمیل می‌رسد."),
        "he": ("איך פותחים פנייה", "פתיחת-פנייה",
               "בחרו **מחלקה** וקטגוריה, תארו את הבעיה ושלחו.\n\nקישור פרטי למעקב יישלח אליכם בדואר."),
    }),
    ("passwords", "public", ["password", "sign-in"], {
        "en": ("Resetting your password", "reset-password",
               "1. Open the sign-in page\n2. Choose *Forgot password*\n3. Follow the mail we send you."),
        "fa": ("بازیابی گذرواژه", "بازیابی-گذرواژه",
               "۱. صفحه ورود را باز کنید\n۲. «فراموشی گذرواژه» را بزنید\n۳. دستور ایمیل را دنبال کنید."),
        "he": ("איפוס סיסמה", "איפוס-סיסמה", "1. פתחו את דף הכניסה\n2. בחרו *שכחתי סיסמה*\n3. עקבו אחרי ההודעה."),
    }),
    ("account", "public", ["email"], {
        "en": ("Changing the e-mail address of your account", "change-email",
               "Write to us from the **old** address and name the new one; we confirm both."),
        "fa": ("تغییر نشانی ایمیل حساب", "تغییر-ایمیل", "از نشانی **قبلی** به ما بنویسید و نشانی تازه را بگویید."),
    }),
    ("orders", "public", ["refund", "return"], {
        "en": ("Returning a product", "return-a-product",
               "You have **14 days** to return a product in its box. Open a ticket in *Orders and refunds*."),
        "fa": ("بازگرداندن کالای خریداری‌شده", "بازگرداندن-کالا",
               "تا **هفت روز** پس از تحویل می‌توانید کالا را در جعبه اصلی بازگردانید. "
               "در دسته «سفارش و بازپرداخت» درخواست ثبت کنید."),
        "he": ("החזרת מוצר", "החזרת-מוצר", "אפשר להחזיר מוצר באריזתו המקורית תוך **14 יום**."),
    }),
    ("orders", "public", ["invoice"], {
        "en": ("Where is my invoice?", "invoice", "Invoices are attached to the mail that confirms the payment."),
        "he": ("איפה החשבונית שלי?", "חשבונית", "החשבונית מצורפת לדואר שמאשר את התשלום."),
    }),
    ("internal", "internal", ["escalation"], {
        "en": ("Escalating to the second line", "escalation",
               "Transfer to *Experts* with a reason. Urgent tickets: call the supervisor on duty."),
        "fa": ("ارجاع به خط دوم", "ارجاع-خط-دوم", "به گروه «کارشناسان» با ذکر دلیل منتقل کنید."),
    }),
    ("internal", "internal", ["refund"], {
        "he": ("נוהל החזר כספי לנציגים", "נוהל-החזר", "החזרים מעל 500 ש\"ח דורשים אישור אחראי משמרת."),
    }),
]


def seed_kb() -> int:
    """Categories and published articles through the knowledge base's own service (the static pages and the
    article index follow from the article events, which the event runner delivers)."""
    from chalicelib import bootstrap
    from chalicelib.domain.kb import Editor
    from chalicelib.errors import DomainError
    from chalicelib.services import kb

    editor, clock = Editor(id="admin@example.com", admin=True), bootstrap.clock()
    store = bootstrap.knowledge_base()
    kb.save_categories(store, editor, KB_CATEGORIES)
    count = 0
    for category, visibility, tags, texts in KB_ARTICLES:
        try:
            (lang, (title, slug, body)), *others = texts.items()
            article = kb.create_article(store, editor, clock, category=category, visibility=visibility, tags=tags,
                                        lang=lang, title=title, slug=slug, body=body)
            for lang, (title, slug, body) in others:
                article = kb.edit_text(store, editor, clock, article_id=article.id, lang=lang, title=title,
                                       slug=slug, body=body, version=article.version)
            for lang in texts:
                # the static pages and the article index follow from the article events (the event runner)
                article = kb.publish(store, editor, clock, article_id=article.id, lang=lang, version=article.version)
                count += 1
        except DomainError as exc:  # seeded before (the same addresses): keep what is there
            log.info("knowledge base article not seeded: %s", exc.message)
    return count


def seed_profiles() -> None:
    """After seed_catalog: on-call duty is checked against the groups."""
    from chalicelib import bootstrap
    from chalicelib.services import agent_profiles

    for agent, values in PROFILES.items():
        agent_profiles.save_profile(profiles=bootstrap.agent_profiles(), catalog=bootstrap.catalog(), agent=agent,
                                    values=values)


def seed_agents(cognito, user_pool_id: str, password: str = DEMO_PASSWORD, client_id: str | None = None) -> list[dict]:
    """Agents with permanent passwords (no first-sign-in password change) in their groups; those marked `mfa`
    enrolled in an authenticator app as the portal's page would (needs the app client's id)."""
    for agent in AGENTS:
        try:
            cognito.admin_create_user(
                UserPoolId=user_pool_id, Username=agent["email"], MessageAction="SUPPRESS",
                UserAttributes=[{"Name": "email", "Value": agent["email"]},
                                {"Name": "email_verified", "Value": "true"},
                                {"Name": "name", "Value": agent["name"]}])
        except cognito.exceptions.UsernameExistsException:
            pass
        cognito.admin_set_user_password(UserPoolId=user_pool_id, Username=agent["email"], Password=password,
                                        Permanent=True)
        for group in agent["groups"]:
            cognito.admin_add_user_to_group(UserPoolId=user_pool_id, Username=agent["email"], GroupName=group)
        if agent.get("mfa") and client_id:
            from local import totp

            tokens = totp.sign_in(cognito, client_id, agent["email"], password)
            if "SOFTWARE_TOKEN_MFA" not in cognito.admin_get_user(UserPoolId=user_pool_id, Username=agent["email"]).get(
                    "UserMFASettingList", []):
                totp.enroll(cognito, tokens["AccessToken"])
    return [{**agent, "password": password} for agent in AGENTS]


# Canned answers (issue 15): a handful in each scope and language, saved by whom each scope's roles allow. Ids are
# fixed, so seeding twice changes nothing.
CANNED = [
    {"id": "demo-thanks", "by": "admin@example.com", "title": "Thanks, solved / ممنون، حل شد / תודה, נפתר",
     "scope": {"kind": "everyone"}, "actions": {"status": "resolved"},
     "bodies": {"en": "Hello {{customer.name}},\n\nGlad we could help: ticket {{ticket.number}} is solved. "
                      "If anything is still wrong, just reply.\n\n{{agent.name}}",
                "fa": "{{customer.name}} گرامی، سلام\n\nخوشحالیم که مشکل حل شد: تیکت {{ticket.number}} بسته شد. "
                      "اگر هنوز مشکلی هست، کافی است پاسخ دهید.\n\n{{agent.name}}",
                "he": "שלום {{customer.name}},\n\nשמחנו לעזור: פנייה {{ticket.number}} נפתרה. "
                      "אם משהו עדיין לא תקין, פשוט השיבו.\n\n{{agent.name}}"}},
    {"id": "demo-more-info", "by": "admin@example.com", "title": "Need more details / اطلاعات بیشتر / פרטים נוספים",
     "scope": {"kind": "everyone"}, "actions": {"status": "needs_info"},
     "bodies": {"en": "Hello {{customer.name}},\n\nCould you send us a screenshot and the time it happened?",
                "fa": "{{customer.name}} گرامی،\n\nلطفاً یک تصویر از صفحه و زمان رخ دادن مشکل را بفرستید.",
                "he": "שלום {{customer.name}},\n\nנשמח לצילום מסך ולשעה שבה זה קרה."}},
    {"id": "demo-password", "by": SUPERVISOR, "title": "Reset the password / بازنشانی رمز / איפוס סיסמה",
     "scope": {"kind": "department", "department": "support"},
     "bodies": {"en": "Hello {{customer.name}},\n\nUse “Forgot password” on the sign-in page; the link arrives "
                      "within minutes. Follow your request at {{ticket.link}}\n\n{{department.name}}",
                "fa": "{{customer.name}} گرامی،\n\nدر صفحهٔ ورود «رمز را فراموش کرده‌ام» را بزنید؛ پیوند تا چند "
                      "دقیقهٔ دیگر می‌رسد. پیگیری درخواست: {{ticket.link}}\n\n{{department.name}}",
                "he": "שלום {{customer.name}},\n\nלחצו על „שכחתי סיסמה” בדף הכניסה; הקישור יגיע בתוך דקות. "
                      "מעקב אחר הפנייה: {{ticket.link}}\n\n{{department.name}}"}},
    {"id": "demo-refund", "by": SUPERVISOR, "title": "Refund on its way / بازپرداخت / החזר בדרך",
     "scope": {"kind": "department", "department": "billing"},
     "bodies": {"en": "Hello {{customer.name}},\n\nWe refunded the double charge; it shows on your card within "
                      "5 business days.",
                "fa": "{{customer.name}} گرامی،\n\nمبلغ دوبار کسر شده بازگردانده شد و تا ۵ روز کاری به حساب شما "
                      "می‌رسد.",
                "he": "שלום {{customer.name}},\n\nהחזרנו את החיוב הכפול; הוא יופיע בכרטיס בתוך 5 ימי עסקים."}},
    {"id": "demo-escalate", "by": SUPERVISOR, "title": "To the experts / ارجاع به کارشناسان / העברה למומחים",
     "scope": {"kind": "group", "department": "support", "group": "first-line"},
     "actions": {"priority": "high", "transfer": {"department": "support", "group": "experts"}},
     "bodies": {"en": "Hello {{customer.name}},\n\nI passed ticket {{ticket.number}} to our experts; they will "
                      "write to you soon.",
                "fa": "{{customer.name}} گرامی،\n\nتیکت {{ticket.number}} را به کارشناسان سپردم؛ به‌زودی با شما "
                      "مکاتبه می‌کنند.",
                "he": "שלום {{customer.name}},\n\nהעברתי את פנייה {{ticket.number}} למומחים שלנו; הם יכתבו לך "
                      "בקרוב."}},
    {"id": "demo-greeting-fa", "by": "agent.fa@example.com", "title": "سلام گرم",
     "scope": {"kind": "personal"},
     "bodies": {"fa": "سلام {{customer.name}} عزیز، {{agent.name}} هستم و پیگیر درخواست شما هستم."}},
    {"id": "demo-greeting-he", "by": "agent.he@example.com", "title": "ברכה אישית",
     "scope": {"kind": "personal"},
     "bodies": {"he": "שלום {{customer.name}}, כאן {{agent.name}}. אני מטפל בפנייה שלך.",
                "en": "Hi {{customer.name}}, {{agent.name}} here. I am looking into it."}},
]


def seed_canned() -> None:
    """After seed_catalog: scopes name its departments and groups; each answer checked like one typed."""
    from chalicelib import bootstrap
    from chalicelib.domain.canned import parse_answer
    from chalicelib.domain.permissions import Staff
    from chalicelib.domain.tickets import Actor, AuthorKind

    departments = {d.id: d for d in bootstrap.catalog().departments()}
    answers = bootstrap.canned_answers()
    for entry in CANNED:
        if answers.get(entry["id"]) is not None:
            continue
        staff = Staff(Actor(AuthorKind.AGENT, entry["by"], entry["by"]), admin=entry["by"] == "admin@example.com")
        answers.create(parse_answer(entry, staff=staff, departments=departments, answer_id=entry["id"]))


def seed_tickets() -> list[dict]:
    """Opens the demo tickets as an import would (confirmed: their customers need not prove their addresses
    first, see docs/api.md "Unconfirmed tickets"); returns number, access_key and link of each."""
    from chalicelib import bootstrap
    from chalicelib.services import tickets as service

    opened = []
    for ticket in TICKETS:
        done = service.open_ticket(bootstrap.ticket_desk(), service.NewTicket(
            subject=ticket["subject"], department=ticket["department"], category=ticket["category"],
            priority=ticket["priority"], text=ticket["text"], language=ticket["language"],
            customer_name=ticket["customer"]["name"], customer_email=ticket["customer"]["email"], confirmed=True))
        opened.append({"number": done.number, "access_key": done.access_key, "link": done.link,
                       "language": ticket["language"], "subject": ticket["subject"]})
    return opened


class _At:
    """A clock standing at a chosen moment: the demo history is written as it would have happened."""

    def __init__(self, moment):
        self.moment = moment

    def now(self):
        return self.moment


REPORT_HISTORY_DAYS = 28
REPLIES = {"fa": "سلام، مشکل برطرف شد. لطفاً دوباره امتحان کنید.", "he": "שלום, התקלה תוקנה. אנא נסו שוב.",
           "en": "Hi, this is fixed now. Please try again."}


def seed_report_history(days: int = REPORT_HISTORY_DAYS) -> int:
    """A few weeks of past tickets for the reports page (issue 16), each opened, answered, sometimes rated and
    closed at its own past moments through the same services and domain, so their events flow to the stats queue
    like any ticket's and the charts have something to show. Returns how many tickets were written."""
    import random
    from dataclasses import replace
    from datetime import datetime, timedelta, timezone

    from chalicelib import bootstrap
    from chalicelib.domain.presence import Interval
    from chalicelib.domain.ratings import Rating, rated_event
    from chalicelib.domain.tickets import Actor, AuthorKind, EventType, Status, TicketEvent, Visibility, new_id
    from chalicelib.services import tickets as service
    from chalicelib.services.agent_desk import time_spent_event

    chance = random.Random(16)  # the same history at every start
    timing = random.Random(1616)  # agent time: its own draws, so the rest of the history stays as it was
    repo, written = bootstrap.tickets(), 0
    agents = [a for a in AGENTS if a["email"] != SUPERVISOR]
    start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(days=days)
    for day in range(days):
        for _ in range(chance.randint(1, 4)):
            sample = chance.choice(TICKETS)
            opened_at = start + timedelta(days=day, hours=chance.randint(5, 15), minutes=chance.randint(0, 59))
            done = service.open_ticket(replace(bootstrap.ticket_desk(), clock=_At(opened_at)), service.NewTicket(
                subject=sample["subject"], department=sample["department"], category=sample["category"],
                priority=sample["priority"], text=sample["text"], language=sample["language"],
                customer_name=sample["customer"]["name"], customer_email=sample["customer"]["email"],
                confirmed=True))
            who = chance.choice(agents)
            agent = Actor(kind=AuthorKind.AGENT, id=who["email"], name=who["name"])
            replied_at = opened_at + timedelta(minutes=chance.randint(10, 600))
            reply = service.agent_reply(tickets=repo, files=bootstrap.files(), clock=_At(replied_at),
                                        limits=bootstrap.limits(), number=done.number, agent=agent,
                                        text=REPLIES[sample["language"]], attachments=[])
            # Agent time: the page open while the reply was written, and now and then a call logged by hand.
            worked = Interval(agent, done.number, replied_at - timedelta(minutes=timing.randint(2, 25)), replied_at)
            extra = [time_spent_event(worked)]
            if timing.random() < 0.3:
                extra.append(TicketEvent(id=new_id(), ticket_number=done.number, type=EventType.TIME_LOGGED,
                                         occurred_at=replied_at + timedelta(minutes=1), actor=agent,
                                         visibility=Visibility.INTERNAL,
                                         data={"minutes": timing.choice((5, 10, 15, 30)), "note": ""}))
            repo.record(repo.get(done.number), extra)
            ticket, at = repo.get(done.number), replied_at + timedelta(hours=chance.randint(1, 20))
            if chance.random() < 0.7:  # rated by the customer
                event = rated_event(ticket, reply, Rating.GOOD if chance.random() < 0.8 else Rating.BAD, None, at)
                after = replace(ticket, version=ticket.version + 1)
                repo.save(ticket, after, [event])
                ticket = after
            closed = replace(ticket.moved_to(Status.CLOSED, at + timedelta(minutes=5)), version=ticket.version + 1)
            repo.save(ticket, closed, closed.status_events(ticket, agent, at + timedelta(minutes=5)))
            written += 1
    return written
