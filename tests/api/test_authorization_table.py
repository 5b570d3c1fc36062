"""Every endpoint is authorized by a table that the tests walk (issue 11).

The operations come from /openapi.json; each is called, against the real app and the moto stack, by every kind
of caller, and the class of each answer is compared with TABLE below. An operation in the spec that is missing
from TABLE fails the test: a new endpoint cannot ship without saying who may call it.

Classes of answer:
  ok   the request got past authorization: 2xx, or 400/404/409/429 about the request itself (a bad field, a
       missing thing, a stale version, a limit). Bodies below are chosen so that the allowed call changes
       nothing lasting: agents' edits name a stale version (409 after the permission check), admins' global
       PUTs carry a field the domain refuses (400 after the admin check).
  401  no valid credentials for this kind of route
  403  signed in, not allowed
  404  hidden: the caller may not know the thing exists (a customer route answers a stranger like a missing
       ticket)

Callers: anonymous; customer (their own ticket A: its key and their session); customer_other (the same
credentials, asking for another customer's ticket B); agent (works in A's department), agent_other (works in
another department only); supervisor (of A's department), supervisor_other (of the other department only); admin.
"""
import time
import uuid
from datetime import datetime, timezone

import pytest

from tests.api.test_ticket_api import as_agent, call, open_ticket, upload
from tests.fakes import PDF

CALLERS = ("anonymous", "customer", "customer_other", "agent_other", "agent", "supervisor_other", "supervisor",
           "admin")
STALE = 10 ** 6  # a version no ticket here reaches: an allowed edit ends in 409 and changes nothing


def row(anonymous, customer, customer_other, agent_other, agent, supervisor_other, supervisor, admin):
    return dict(zip(CALLERS, (anonymous, customer, customer_other, agent_other, agent, supervisor_other, supervisor,
                              admin)))


EVERYONE = row(*["ok"] * 8)
# The new-ticket form: anyone, or a customer with their session; a Cognito token is no customer session.
CUSTOMER_FORM = row("ok", "ok", "ok", "401", "401", "401", "401", "401")
# Ticket routes for customers: key or session of the ticket's customer; a Cognito token is not a customer session.
CUSTOMER_TICKET = row("404", "ok", "404", "401", "401", "401", "401", "401")
CUSTOMER_SESSION = row("401", "ok", "ok", "401", "401", "401", "401", "401")
ANY_AGENT = row("401", "401", "401", "ok", "ok", "ok", "ok", "ok")
# A's department: its members, its supervisors and admins.
DEPARTMENT = row("401", "401", "401", "403", "ok", "403", "ok", "ok")
SUPERVISORS = row("401", "401", "401", "403", "403", "403", "ok", "ok")
ADMINS = row("401", "401", "401", "403", "403", "403", "403", "ok")
# The knowledge base's editors: admins and the supervisors of any department.
KB_EDITORS = row("401", "401", "401", "403", "403", "ok", "ok", "ok")

# (method, path) -> (expected class per caller, body or None, query string or "")
TABLE = {
    ("GET", "/health"): (EVERYONE, None, ""),
    ("GET", "/catalog"): (EVERYONE, None, ""),
    ("GET", "/openapi.json"): (EVERYONE, None, ""),
    ("POST", "/uploads"): (EVERYONE, {"filename": "a.pdf", "content_type": "application/pdf", "size": 10}, ""),
    ("POST", "/tickets"): (CUSTOMER_FORM, "new ticket", ""),
    # The signature in the rating link is the credential, whoever calls: a wrong one is no such reply.
    ("POST", "/ratings"): (row(*["404"] * 8), {"ticket": 1, "message": "m", "signature": "s", "rating": "good"}, ""),
    ("POST", "/customer/sign-in"): (EVERYONE, "sign-in", ""),
    # The code is the credential, whoever calls: a wrong one is 401 for everyone.
    ("POST", "/customer/sign-in/verify"): (row(*["401"] * 8), {"email": "nobody@example.com", "code": "000000"}, ""),
    ("GET", "/customer/tickets"): (CUSTOMER_SESSION, None, ""),
    ("GET", "/tickets/{number}"): (CUSTOMER_TICKET, None, ""),
    ("POST", "/tickets/{number}/messages"): (CUSTOMER_TICKET, {"text": "a customer's reply"}, ""),
    ("PUT", "/tickets/{number}/sms-updates"): (CUSTOMER_TICKET, {"enabled": False}, ""),
    ("GET", "/tickets/{number}/attachments/{attachment_id}"): (CUSTOMER_TICKET, None, ""),
    ("GET", "/agent/me"): (ANY_AGENT, None, ""),
    ("GET", "/agent/mine"): (ANY_AGENT, None, ""),
    ("GET", "/agent/org"): (ANY_AGENT, None, ""),
    ("GET", "/agent/profile"): (ANY_AGENT, None, ""),
    ("PUT", "/agent/profile"): (ANY_AGENT, {}, ""),
    ("GET", "/agent/queue"): (DEPARTMENT, None, "department={desk}"),
    ("GET", "/agent/queue/all"): (ANY_AGENT, None, ""),
    # Search: any agent, who finds only what they may open (tests/api/test_search_api.py); a customer's session.
    ("GET", "/agent/search"): (ANY_AGENT, None, "q=authz"),
    ("GET", "/customer/search"): (CUSTOMER_SESSION, None, "q=authz"),
    ("GET", "/agent/handovers"): (row("401", "401", "401", "403", "ok", "403", "ok", "ok"), None, "agent={agent}"),
    ("GET", "/agent/tickets/{number}"): (DEPARTMENT, None, ""),
    ("POST", "/agent/tickets/{number}/replies"): (DEPARTMENT, {"text": "x", "version": STALE}, ""),
    ("POST", "/agent/tickets/{number}/notes"): (DEPARTMENT, {"text": "x", "version": STALE}, ""),
    ("POST", "/agent/tickets/{number}/status"): (DEPARTMENT, {"status": "open", "version": STALE}, ""),
    ("POST", "/agent/tickets/{number}/priority"): (DEPARTMENT, {"priority": "high", "version": STALE}, ""),
    ("POST", "/agent/tickets/{number}/take"): (DEPARTMENT, {"version": STALE}, ""),
    ("POST", "/agent/tickets/{number}/assign"): (SUPERVISORS, {"agent": "{agent}", "version": STALE}, ""),
    ("POST", "/agent/tickets/{number}/transfer"): (
        DEPARTMENT, {"department": "{desk}", "group": "front", "reason": "x", "version": STALE}, ""),
    ("POST", "/agent/tickets/{number}/presence"): (DEPARTMENT, {"state": "viewing"}, ""),
    # Agent time (issue 16): whoever may add a note may log time on the ticket.
    ("POST", "/agent/tickets/{number}/time"): (DEPARTMENT, {"minutes": 5}, ""),
    ("GET", "/agent/tickets/{number}/attachments/{attachment_id}"): (DEPARTMENT, None, ""),
    # Canned answers (issue 15). {answer_id} is an answer of A's department (saved by its supervisor): its people
    # use it, its supervisors and admins edit it; to anyone else it does not exist. Saving: any agent (a personal
    # answer; the body's bad placeholder makes it a 400 after the check).
    ("GET", "/agent/canned"): (ANY_AGENT, None, "q=x"),
    ("POST", "/agent/canned"): (
        ANY_AGENT, {"title": "x", "bodies": {"en": "{{{{nope}}}}"}, "scope": {"kind": "personal"}}, ""),
    ("GET", "/agent/canned/{answer_id}"): (row("401", "401", "401", "404", "ok", "404", "ok", "ok"), None, ""),
    ("PUT", "/agent/canned/{answer_id}"): (
        row("401", "401", "401", "404", "403", "404", "ok", "ok"),
        {"title": "x", "bodies": {"en": "x"}, "scope": {"kind": "department", "department": "{desk}"},
         "version": STALE}, ""),
    ("DELETE", "/agent/canned/{answer_id}"): (row("401", "401", "401", "404", "403", "404", "ok", "ok"), None,
                                              f"version={STALE}"),
    ("POST", "/agent/canned/{answer_id}/render"): (DEPARTMENT, {"ticket": "{ticket}"}, ""),
    ("POST", "/agent/tickets/{number}/canned-replies"): (DEPARTMENT, {"answer": "{answer}", "text": "x",
                                                                     "version": STALE}, ""),
    ("GET", "/admin/org"): (ADMINS, None, ""),
    ("PUT", "/admin/departments/{department_id}"): (ADMINS, "scratch department", ""),
    ("PUT", "/admin/rules"): (ADMINS, {"rules": [{"category": "nope", "department": "nope", "group": "nope"}]}, ""),
    ("PUT", "/admin/policies"): (ADMINS, {"reminder_after_days": 3650, "auto_close_after_days": 1}, ""),
    ("GET", "/admin/sla"): (ADMINS, None, ""),
    ("PUT", "/admin/sla"): (ADMINS, {"warn_share": 2}, ""),
    ("GET", "/admin/agents/{agent_id}/profile"): (ADMINS, None, ""),
    ("PUT", "/admin/agents/{agent_id}/profile"): (ADMINS, {}, ""),
    # Reports (issue 16): a department's figures for its supervisors and admins; rankings span departments.
    ("GET", "/reports/figures"): (SUPERVISORS, None, "dimension=department&member={desk}"),
    ("GET", "/reports/backlog"): (SUPERVISORS, None, "dimension=department&member={desk}"),
    ("GET", "/reports/top"): (ADMINS, None, "list=solvers"),
    ("GET", "/reports/help-center"): (KB_EDITORS, None, ""),
    # Account actions act on a scratch agent of this module's own, so signing out or disabling harms no caller.
    ("GET", "/admin/agents/{agent_id}/account"): (ADMINS, None, ""),
    ("POST", "/admin/agents/{agent_id}/sign-out"): (ADMINS, {}, ""),
    ("POST", "/admin/agents/{agent_id}/disable"): (ADMINS, {}, ""),
    ("POST", "/admin/agents/{agent_id}/enable"): (ADMINS, {}, ""),
    # Knowledge base (issue 15): the help center is public; agents read internal articles and propose drafts
    # (an unknown category: refused after the check); editors' changes name a stale version (409).
    ("GET", "/kb/categories"): (EVERYONE, None, ""),
    ("GET", "/kb/articles"): (EVERYONE, None, "lang=en"),
    ("GET", "/kb/search"): (EVERYONE, None, "q=authz&lang=en"),
    ("GET", "/kb/articles/{lang}/{slug}"): (EVERYONE, None, ""),
    ("POST", "/kb/articles/{lang}/{slug}/votes"): (EVERYONE, {"helpful": True}, ""),
    ("POST", "/kb/deflections"): (EVERYONE, {"outcome": "filed", "articles": []}, ""),
    ("GET", "/agent/kb/articles"): (ANY_AGENT, None, "lang=en"),
    ("GET", "/agent/kb/search"): (ANY_AGENT, None, "q=authz&lang=en"),
    ("GET", "/agent/kb/articles/{article_id}"): (ANY_AGENT, None, ""),
    ("GET", "/agent/kb/articles/{article_id}/link"): (ANY_AGENT, None, "lang=en"),
    ("POST", "/agent/kb/articles"): (ANY_AGENT, {"category": "nope", "lang": "en", "title": "x", "slug": "x",
                                                 "body": "x"}, ""),
    ("POST", "/agent/kb/preview"): (ANY_AGENT, {"body": "x"}, ""),
    ("POST", "/agent/kb/drafts-from-reply"): (DEPARTMENT, "draft from reply", ""),
    ("PUT", "/agent/kb/articles/{article_id}/texts/{lang}"): (
        KB_EDITORS, {"title": "x", "slug": "x", "body": "x", "version": STALE}, ""),
    ("GET", "/agent/kb/review"): (KB_EDITORS, None, ""),
    ("GET", "/agent/kb/articles/{article_id}/history"): (KB_EDITORS, None, ""),
    ("GET", "/agent/kb/articles/{article_id}/stats"): (KB_EDITORS, None, ""),
    ("POST", "/agent/kb/articles/{article_id}/publish"): (KB_EDITORS, {"lang": "en", "version": STALE}, ""),
    ("POST", "/agent/kb/articles/{article_id}/archive"): (KB_EDITORS, {"lang": "en", "version": STALE}, ""),
    ("POST", "/agent/kb/articles/{article_id}/restore"): (
        KB_EDITORS, {"lang": "en", "revision": 1, "version": STALE}, ""),
    ("PUT", "/agent/kb/articles/{article_id}/settings"): (KB_EDITORS, {"version": STALE}, ""),
    ("POST", "/agent/kb/files"): (KB_EDITORS, {"upload_id": "0" * 32}, ""),
    ("PUT", "/agent/kb/categories"): (
        KB_EDITORS, {"categories": [{"id": "authz", "names": {"en": "A"}, "parent": "nope"}]}, ""),
}
ACCOUNT_ACTIONS = ("/account", "/sign-out", "/disable", "/enable")


def answer_class(status: int) -> str:
    if status in (401, 403):
        return str(status)
    if status == 404:
        return "404"
    if status < 300 or status in (400, 409, 429):
        return "ok"
    return f"unexpected {status}"



@pytest.fixture(scope="module")
def spec(client):
    return client.http.get("/openapi.json").json_body


class World:
    """Two departments of this module's own and a person of each kind; tickets A and B of two customers in the
    desk department, A with an attachment."""

    def __init__(self, client, aws_stack, cognito):
        from chalicelib import bootstrap
        from chalicelib.domain import sessions
        from chalicelib.domain.sign_in import Channel, Identity

        run = uuid.uuid4().hex[:6]
        self.client, self.run = client, run
        self.users = {kind: f"authz.{kind}.{run}@example.com" for kind in
                      ("agent", "agent_other", "supervisor", "supervisor_other", "admin", "scratch")}
        self.tokens = {kind: cognito(user, groups=("agent", "admin") if kind == "admin" else ("agent",))
                       for kind, user in self.users.items()}
        self.desk, self.other, self.category = f"authz-desk-{run}", f"authz-other-{run}", f"authz-{run}"
        names = {"en": "Authz", "fa": "مجوز", "he": "הרשאה"}
        for department, group, member, supervisor in [(self.desk, "front", "agent", "supervisor"),
                                                      (self.other, "team", "agent_other", "supervisor_other")]:
            status, saved = call(client, "put", f"/admin/departments/{department}", {
                "names": names, "categories": [{"id": self.category, "names": names}],
                "groups": [{"id": group, "names": names, "members": [self.users[member]]}],
                "supervisors": [self.users[supervisor]]}, headers=as_agent(self.tokens["admin"]))
            assert status == 200, saved
        self.customer = f"authz.customer.{run}@example.com"
        file_id = upload(client, PDF, "application/pdf", "invoice.pdf")
        self.a = open_ticket(client, department=self.desk, category=self.category, attachments=[file_id],
                             customer={"name": "Maryam", "email": self.customer})
        self.b = open_ticket(client, department=self.desk, category=self.category,
                             customer={"name": "Other", "email": f"authz.other.{run}@example.com"})
        status, view = call(client, "get", f"/agent/tickets/{self.a['number']}", headers=as_agent(self.tokens["admin"]))
        assert status == 200, view
        self.attachment = view["messages"][0]["attachments"][0]["id"]
        session = sessions.issue(bootstrap.secrets().link_secret(), Identity(Channel.EMAIL, self.customer),
                                 datetime.now(timezone.utc))
        self.customer_headers = {"X-Ticket-Key": self.a["access_key"], "Authorization": f"Bearer {session.token}"}
        status, answer = call(client, "post", "/agent/canned", {
            "title": "authz", "bodies": {"en": "Hello {{customer.name}}"},
            "scope": {"kind": "department", "department": self.desk}}, headers=as_agent(self.tokens["supervisor"]))
        assert status == 201, answer
        self.answer = answer["id"]
        self.article, self.slug = self._published_article()

    def _published_article(self) -> tuple[str, str]:
        """A public article of this module's own, published by the admin (in a category added to the others)."""
        admin = as_agent(self.tokens["admin"])
        kept = call(self.client, "get", "/kb/categories")[1]["categories"]
        status, answer = call(self.client, "put", "/agent/kb/categories", {"categories": [
            *kept, {"id": self.category, "names": {"en": "Authz"}, "order": 9999}]}, headers=admin)
        assert status == 200, answer
        status, article = call(self.client, "post", "/agent/kb/articles", {
            "category": self.category, "lang": "en", "title": "Authz article", "slug": f"authz-{self.run}",
            "body": "Authz"}, headers=admin)
        assert status == 201, article
        status, article = call(self.client, "post", f"/agent/kb/articles/{article['id']}/publish",
                               {"lang": "en", "version": article["version"]}, headers=admin)
        assert status == 200, article
        return article["id"], f"authz-{self.run}"

    def headers(self, caller: str) -> dict:
        if caller == "anonymous":
            return {}
        if caller.startswith("customer"):
            return dict(self.customer_headers)
        return as_agent(self.tokens[caller])

    def fill(self, text: str) -> str:
        return text.format(desk=self.desk, agent=self.users["agent"], run=self.run, answer=self.answer)

    def path(self, template: str, caller: str) -> str:
        number = self.b["number"] if caller == "customer_other" else self.a["number"]
        return template.format(number=number, attachment_id=self.attachment, department_id=f"authz-scratch-{self.run}",
                               answer_id=self.answer, article_id=self.article, lang="en", slug=self.slug,
                               agent_id=self.users["scratch" if template.endswith(ACCOUNT_ACTIONS) else "agent"])

    def body(self, body, caller: str):
        if body == "new ticket":
            return {"subject": "authz", "department": self.desk, "category": self.category, "priority": "normal",
                    "text": "x", "language": "en",
                    "customer": {"name": "N", "email": f"authz.new.{caller}.{uuid.uuid4().hex[:6]}@example.com"}}
        if body == "draft from reply":  # refused for its category once the agent may see the ticket
            return {"ticket": self.a["number"], "text": "x", "title": "x", "category": "nope", "lang": "en"}
        if body == "sign-in":
            return {"email": f"authz.sign-in.{uuid.uuid4().hex[:6]}@example.com"}
        if body == "scratch department":
            return {"names": {"en": "Scratch"}, "categories": [], "groups": [], "supervisors": []}
        if isinstance(body, dict):
            return {k: self.a["number"] if v == "{ticket}" else self.fill(v) if isinstance(v, str)
                    else {ik: self.fill(iv) if isinstance(iv, str) else iv for ik, iv in v.items()}
                    if isinstance(v, dict) else v for k, v in body.items()}
        return body


@pytest.fixture(scope="module")
def world(client, aws_stack, cognito):
    return World(client, aws_stack, cognito)


def operations(spec) -> list[tuple[str, str]]:
    return sorted((method.upper(), path) for path, ops in spec["paths"].items() for method in ops)


def test_every_operation_of_the_spec_is_in_the_table(spec):
    missing = [op for op in operations(spec) if op not in TABLE]
    assert not missing, f"add a row to TABLE for each new operation: {missing}"
    stale = [op for op in TABLE if op not in operations(spec)]
    assert not stale, f"rows for operations the app no longer serves: {stale}"


def test_every_operation_answers_every_caller_as_the_table_says(spec, world):
    started = time.monotonic()
    wrong = []
    for method, path in operations(spec):
        expected, body, query = TABLE[(method, path)]
        for caller in CALLERS:
            url = world.path(path, caller) + (f"?{world.fill(query)}" if query else "")
            status, answer = call(world.client, method.lower(), url, world.body(body, caller),
                                  headers=world.headers(caller))
            if answer_class(status) != expected[caller]:
                wrong.append(f"{method} {path} as {caller}: {status} {answer}, expected {expected[caller]}")
    assert not wrong, "\n".join(wrong)
    assert time.monotonic() - started < 120


def test_the_allowed_calls_reached_the_ticket_and_the_stale_edits_changed_nothing(world):
    """The table's "ok" for agents' edits is a 409 after the permission check: make sure it was, and that A was
    not moved, taken or re-prioritised by the walk."""
    status, ticket = call(world.client, "get", f"/agent/tickets/{world.a['number']}",
                          headers=as_agent(world.tokens["admin"]))
    assert status == 200
    assert (ticket["department"], ticket["group"], ticket["status"]) == (world.desk, "front", "new")
    status, listed = call(world.client, "get", "/agent/canned?scope=personal", headers=as_agent(world.tokens["agent"]))
    assert (status, listed["answers"]) == (200, [])  # the walk's POST /agent/canned saved nothing
    status, answer = call(world.client, "get", f"/agent/canned/{world.answer}", headers=as_agent(world.tokens["admin"]))
    assert (status, answer["title"], answer["version"], answer["uses"]) == (200, "authz", 1, 0)
    status, answer = call(world.client, "post", f"/agent/tickets/{world.a['number']}/take", {"version": STALE},
                          headers=as_agent(world.tokens["agent"]))
    assert (status, answer["error"]) == (409, "conflict")
