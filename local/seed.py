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

    opened = []
    for ticket in TICKETS:
        done = service.open_ticket(bootstrap.ticket_desk(), service.NewTicket(
            subject=ticket["subject"], department=ticket["department"], category=ticket["category"],
            priority=ticket["priority"], text=ticket["text"], language=ticket["language"],
            customer_name=ticket["customer"]["name"], customer_email=ticket["customer"]["email"], confirmed=True))
        opened.append({"number": done.number, "access_key": done.access_key, "link": done.link,
                       "language": ticket["language"], "subject": ticket["subject"]})
    return opened
