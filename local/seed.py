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
    """Categories and published articles through the knowledge base's own service (static pages included)."""
    from chalicelib import bootstrap
    from chalicelib.domain.kb import Editor
    from chalicelib.errors import DomainError
    from chalicelib.services import kb
    from chalicelib.settings import get_settings

    editor, clock = Editor(id="admin@example.com", admin=True), bootstrap.clock()
    store, site, origin = bootstrap.knowledge_base(), bootstrap.static_site(), get_settings().web_origin.rstrip("/")
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
                article = kb.publish(store, site, bootstrap.article_search(), editor, clock, article_id=article.id, lang=lang,
                                     version=article.version, site_origin=origin)
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


def seed_tickets() -> list[dict]:
    """Opens the demo tickets as an import would (confirmed: their customers need not prove their addresses
    first, see docs/api.md "Unconfirmed tickets"); returns number, access_key and link of each."""
    from chalicelib import bootstrap
    from chalicelib.services import tickets as service
    from chalicelib.settings import get_settings

    opened = []
    for ticket in TICKETS:
        done = service.open_ticket(
            tickets=bootstrap.tickets(), catalog=bootstrap.catalog(), agents=bootstrap.agents(),
            files=bootstrap.files(), secrets=bootstrap.secrets(), clock=bootstrap.clock(), limits=bootstrap.limits(),
            site_url=get_settings().customer_site_url, subject=ticket["subject"], department=ticket["department"],
            category=ticket["category"], priority=ticket["priority"], text=ticket["text"],
            language=ticket["language"], customer_name=ticket["customer"]["name"],
            customer_email=ticket["customer"]["email"], attachments=[], confirmed=True)
        opened.append({"number": done.number, "access_key": done.access_key, "link": done.link,
                       "language": ticket["language"], "subject": ticket["subject"]})
    return opened
