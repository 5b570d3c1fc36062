"""Canned answers (issue 15): placeholders filled in and refused, values escaped for a plain-text reply (and once,
at the mail's edge, for its HTML part), who may use and edit each scope, what an agent is offered, actions
applied with the reply through the workflow's own permissions, and usage counted."""
from dataclasses import replace

import pytest

from chalicelib.domain import mail
from chalicelib.domain.attachments import Limits
from chalicelib.domain.canned import (
    Actions, CannedAnswer, Scope, ScopeKind, Transfer, fill, matches, may_edit, may_use, parse_answer,
    placeholder_problems, scopes_of,
)
from chalicelib.domain.catalog import Category, Department, Group
from chalicelib.domain.permissions import Staff
from chalicelib.domain.tickets import Actor, AuthorKind, EventType, Language, Priority, Status
from chalicelib.errors import Conflict, Forbidden, Invalid, NotFound
from chalicelib.services import canned
from chalicelib.services.canned import CannedAnswers, StaleAnswer
from tests.fakes import FakeAgents, FakeFiles, FakeSecrets, FixedClock, InMemoryCatalog, InMemoryTickets
from tests.fakes import desk_of
from tests.fakes import open_ticket as fake_open_ticket

NAMES = {"en": "Support", "fa": "پشتیبانی", "he": "תמיכה"}
SUPPORT = Department(id="support", names=NAMES, categories=(Category("technical", NAMES),),
                     groups=(Group("desk", NAMES, members=("agent.fa", "agent.he")),
                             Group("experts", NAMES, members=("expert",))),
                     supervisors=("lead",))
FINANCE = Department(id="finance", names={"en": "Finance"}, categories=(Category("invoice", NAMES),),
                     groups=(Group("invoices", NAMES, members=("biller",)),), supervisors=("boss",))
DEPARTMENTS = {d.id: d for d in (SUPPORT, FINANCE)}


def staff(username: str, admin: bool = False, name: str | None = None) -> Staff:
    return Staff(Actor(AuthorKind.AGENT, username, name or username), admin=admin)


FA, HE, EXPERT, LEAD, BOSS, BILLER, ADMIN = (staff("agent.fa", name="مینا"), staff("agent.he", name="אורי"),
                                             staff("expert"), staff("lead"), staff("boss"), staff("biller"),
                                             staff("admin", admin=True))
PERSONAL_FA = Scope(ScopeKind.PERSONAL, agent="agent.fa")
DESK = Scope(ScopeKind.GROUP, department="support", group="desk")
EXPERTS = Scope(ScopeKind.GROUP, department="support", group="experts")
SUPPORT_WIDE = Scope(ScopeKind.DEPARTMENT, department="support")
FINANCE_WIDE = Scope(ScopeKind.DEPARTMENT, department="finance")
EVERYONE = Scope(ScopeKind.EVERYONE)


class InMemoryCannedAnswers(CannedAnswers):
    def __init__(self):
        self.items: dict[str, CannedAnswer] = {}
        self.queried: list[str] = []

    def in_scope(self, scope):
        self.queried.append(scope.key)
        return [a for a in self.items.values() if a.scope.key == scope.key]

    def get(self, answer_id):
        return self.items.get(answer_id)

    def create(self, answer):
        assert answer.id not in self.items
        self.items[answer.id] = answer

    def replace(self, before, after):
        if self.items[before.id].version != before.version:
            raise StaleAnswer()
        self.items[after.id] = after

    def delete(self, answer):
        del self.items[answer.id]

    def count_use(self, answer):
        self.items[answer.id] = replace(self.items[answer.id], uses=self.items[answer.id].uses + 1)


def body(title="Thanks", scope=None, bodies=None, actions=None) -> dict:
    return {"title": title, "bodies": bodies or {"fa": "سلام {{customer.name}}، تیکت {{ticket.number}}",
                                                 "en": "Hello {{customer.name}}, ticket {{ticket.number}}"},
            "scope": scope or {"kind": "personal"}, **({"actions": actions} if actions else {})}


# ---------------------------------------------------------------- placeholders at save time

@pytest.mark.parametrize("text, refused", [
    ("Dear {{customer.name}}, see {{ticket.link}}", []),
    ("{{ customer.name }} and {{agent.name}} of {{department.name}}", []),
    ("Dear {{customer.nmae}}", ["customer.nmae"]),
    ("{{ticket.secret_key}} and {{customer.email}}", ["ticket.secret_key", "customer.email"]),
    ("Dear {{customer.name}", ["{{customer.name}"]),
    ("oops }} here", ["}}"]), ("a customer.name}} b", ["customer.name}}"]),
    ("{{}}", [""]),
])
def test_placeholders_are_known_ones_or_refused_by_name(text, refused):
    assert placeholder_problems(text) == refused


def test_an_unknown_placeholder_is_refused_at_save_naming_the_field_and_the_placeholder():
    with pytest.raises(Invalid) as refused:
        parse_answer(body(bodies={"en": "Hi {{customer.name}}", "he": "שלום {{customer.fullname}}"}), staff=FA,
                     departments=DEPARTMENTS, answer_id="a1")
    assert refused.value.fields == {"bodies.he": "unknown_placeholder"}
    assert refused.value.details == {"placeholders": {"bodies.he": ["customer.fullname"]}}
    assert "{{customer.fullname}}" in refused.value.message


def test_every_bad_field_of_an_answer_is_named_at_once():
    with pytest.raises(Invalid) as refused:
        parse_answer({"title": " ", "bodies": {"fa": "{{x}}"}, "scope": {"kind": "group", "department": "support",
                                                                       "group": "nope"},
                      "actions": {"status": "new", "transfer": {"department": "support", "group": "gone"}}},
                     staff=LEAD, departments=DEPARTMENTS, answer_id="a1")
    assert refused.value.fields == {"title": "required", "bodies.fa": "unknown_placeholder",
                                    "scope.group": "unknown", "actions.status": "not_allowed",
                                    "actions.transfer.group": "unknown"}


def test_an_answer_needs_a_body_in_some_language():
    with pytest.raises(Invalid) as refused:
        parse_answer(body(bodies={"fa": "  ", "en": ""}), staff=FA, departments=DEPARTMENTS, answer_id="a1")
    assert refused.value.fields == {"bodies": "required"}


def test_a_personal_answer_is_always_the_savers_own():
    answer = parse_answer(body(scope={"kind": "personal", "agent": "agent.he"}), staff=FA,
                          departments=DEPARTMENTS, answer_id="a1")
    assert answer.scope == PERSONAL_FA


# ---------------------------------------------------------------- filling in and escaping

def ticket_of(desk, *, name="مریم", language="fa", department="support", category="technical"):
    opened = fake_open_ticket(
        tickets=desk.tickets, catalog=desk.catalog, agents=FakeAgents(), files=FakeFiles(), secrets=FakeSecrets(),
        clock=desk.clock, limits=Limits(1000, 1000, 1), site_url="https://help.example/", subject="چاپگر",
        department=department, category=category, priority="normal", text="متن", language=language,
        customer_name=name, customer_email="maryam@example.com", attachments=[], confirmed=True)
    return desk.tickets.get(opened.number)


class Desk:
    def __init__(self):
        self.tickets, self.catalog, self.clock = InMemoryTickets(), InMemoryCatalog([SUPPORT, FINANCE]), FixedClock()
        self.answers, self.agents = InMemoryCannedAnswers(), FakeAgents()

    def save(self, who, **kwargs) -> CannedAnswer:
        return canned.create(answers=self.answers, catalog=self.catalog, staff=who, body=body(**kwargs))

    def offered(self, who, query="", ticket=None, scope=None):
        return [o.answer.title for o in canned.offered(answers=self.answers, catalog=self.catalog,
                                                       tickets=self.tickets, staff=who, query=query,
                                                       ticket=ticket, scope=scope)]

    def reply(self, who, answer, number, text="متن پاسخ"):
        desk = desk_of({"tickets": self.tickets, "catalog": self.catalog, "agents": self.agents, "clock": self.clock,
                        "files": FakeFiles(), "limits": Limits(1000, 1000, 1)})
        return canned.reply_with(desk, answers=self.answers, staff=who, answer_id=answer.id, number=number,
                                 text=text, version=self.tickets.get(number).version)


@pytest.fixture
def desk():
    return Desk()


def test_placeholders_are_filled_for_the_ticket_in_its_language(desk):
    ticket = ticket_of(desk)
    answer = parse_answer(body(bodies={"en": "Hi {{customer.name}}",
                                       "fa": "{{customer.name}} عزیز، {{agent.name}} از {{department.name}}: "
                                             "تیکت {{ticket.number}} {{ticket.link}}"}),
                          staff=FA, departments=DEPARTMENTS, answer_id="a1")
    filled = fill(answer, ticket=ticket, staff=FA, department=SUPPORT, link="https://help.example/#/tickets/1")
    assert filled.language == Language.FA and not filled.fallback
    assert filled.text == (f"مریم عزیز، مینا از پشتیبانی: تیکت {ticket.number} https://help.example/#/tickets/1")


def test_an_answer_without_the_tickets_language_falls_back_and_says_so(desk):
    answer = parse_answer(body(bodies={"he": "שלום", "en": "Hello"}), staff=FA, departments=DEPARTMENTS,
                          answer_id="a1")
    filled = fill(answer, ticket=ticket_of(desk, language="fa"), staff=FA, department=SUPPORT, link="")
    assert (filled.language, filled.text, filled.fallback) == (Language.EN, "Hello", True)


def test_a_value_is_never_read_for_placeholders_and_keeps_no_line_breaks_or_bidi_controls(desk):
    ticket = replace(ticket_of(desk), customer=replace(ticket_of(desk).customer,
                                                       name="{{agent.name}}\n\u202eevil\u2066 <b>x</b>"))
    answer = parse_answer(body(bodies={"fa": "Dear {{customer.name}}, from {{agent.name}}"}), staff=FA,
                          departments=DEPARTMENTS, answer_id="a1")
    text = fill(answer, ticket=ticket, staff=FA, department=SUPPORT, link="").text
    assert text == "Dear {{agent.name}} evil <b>x</b>, from مینا"  # literal, one line, no reordering, not HTML


def test_a_customer_name_with_markup_is_text_in_the_reply_and_escaped_once_in_the_html_mail(desk):
    ticket = replace(ticket_of(desk), customer=replace(ticket_of(desk).customer, name="<script>x()</script> & Co"))
    answer = parse_answer(body(bodies={"fa": "Dear {{customer.name}}"}), staff=FA, departments=DEPARTMENTS,
                          answer_id="a1")
    text = fill(answer, ticket=ticket, staff=FA, department=SUPPORT, link="").text
    assert text == "Dear <script>x()</script> & Co"
    sent = mail.render("agent_replied", Language.EN, to="m@example.com", link="https://help.example/", quote=text,
                       number=1005, subject="x", agent="Sam", name="Maryam")
    assert "&lt;script&gt;x()&lt;/script&gt; &amp; Co" in sent.html and "<script>" not in sent.html
    assert "&amp;amp;" not in sent.html and text in sent.text


# ---------------------------------------------------------------- who may use and edit

@pytest.mark.parametrize("who, scope, use, edit", [
    (FA, PERSONAL_FA, True, True),
    (HE, PERSONAL_FA, False, False),      # another agent's personal answers
    (LEAD, PERSONAL_FA, False, False),    # a supervisor neither
    (ADMIN, PERSONAL_FA, False, True),    # an admin may edit (not offered them in the reply box)
    (FA, DESK, True, False),              # a member uses the group's answers, a supervisor edits them
    (EXPERT, DESK, False, False),         # another group of the same department
    (LEAD, DESK, True, True),
    (BOSS, DESK, False, False),           # a supervisor of another department
    (FA, SUPPORT_WIDE, True, False),
    (BILLER, SUPPORT_WIDE, False, False),
    (LEAD, SUPPORT_WIDE, True, True),
    (BOSS, FINANCE_WIDE, True, True),
    (LEAD, FINANCE_WIDE, False, False),
    (FA, EVERYONE, True, False),
    (LEAD, EVERYONE, True, False),        # only admins edit what everyone uses
    (ADMIN, EVERYONE, True, True),
    (ADMIN, FINANCE_WIDE, True, True),
])
def test_who_may_use_and_edit_each_scope(who, scope, use, edit):
    assert may_use(who, scope, DEPARTMENTS) is use
    assert may_edit(who, scope, DEPARTMENTS) is edit


def test_an_agent_is_offered_a_handful_of_scopes_each_one_query():
    assert [s.key for s in scopes_of(FA, DEPARTMENTS)] == ["personal#agent.fa", "everyone", "department#support",
                                                          "group#support/desk"]
    assert [s.key for s in scopes_of(LEAD, DEPARTMENTS)] == ["personal#lead", "everyone", "department#support",
                                                            "group#support/desk", "group#support/experts"]


@pytest.mark.parametrize("who, scope", [
    (FA, {"kind": "group", "department": "support", "group": "desk"}),
    (FA, {"kind": "department", "department": "support"}),
    (FA, {"kind": "everyone"}),
    (LEAD, {"kind": "everyone"}),
    (LEAD, {"kind": "department", "department": "finance"}),
    (BOSS, {"kind": "group", "department": "support", "group": "desk"}),
])
def test_nothing_is_saved_in_a_scope_the_agent_may_not_edit(desk, who, scope):
    with pytest.raises(Forbidden):
        desk.save(who, scope=scope)
    assert desk.answers.items == {}


def test_another_agents_personal_answer_is_not_there_for_them_and_not_editable(desk):
    mine = desk.save(FA, title="mine")
    for action in (lambda: canned.get(answers=desk.answers, catalog=desk.catalog, staff=HE, answer_id=mine.id),
                   lambda: canned.delete(answers=desk.answers, catalog=desk.catalog, staff=HE, answer_id=mine.id,
                                         version=1),
                   lambda: canned.update(answers=desk.answers, catalog=desk.catalog, staff=LEAD, answer_id=mine.id,
                                         body=body(title="taken"), version=1)):
        with pytest.raises(NotFound):
            action()
    assert desk.answers.items[mine.id].title == "mine"


def test_a_member_uses_the_groups_answer_but_may_not_change_or_delete_it(desk):
    shared = desk.save(LEAD, title="desk answer", scope={"kind": "group", "department": "support", "group": "desk"})
    assert canned.get(answers=desk.answers, catalog=desk.catalog, staff=FA, answer_id=shared.id) == shared
    with pytest.raises(Forbidden):
        canned.update(answers=desk.answers, catalog=desk.catalog, staff=FA, answer_id=shared.id,
                      body=body(title="changed", scope={"kind": "group", "department": "support", "group": "desk"}),
                      version=1)
    with pytest.raises(Forbidden):
        canned.delete(answers=desk.answers, catalog=desk.catalog, staff=FA, answer_id=shared.id, version=1)
    assert desk.answers.items[shared.id].title == "desk answer"


def test_a_supervisor_may_not_move_their_groups_answer_to_everyone(desk):
    shared = desk.save(LEAD, scope={"kind": "group", "department": "support", "group": "desk"})
    with pytest.raises(Forbidden):
        canned.update(answers=desk.answers, catalog=desk.catalog, staff=LEAD, answer_id=shared.id,
                      body=body(scope={"kind": "everyone"}), version=1)
    assert desk.answers.items[shared.id].scope == DESK


def test_an_edit_naming_an_old_version_is_refused(desk):
    answer = desk.save(FA)
    canned.update(answers=desk.answers, catalog=desk.catalog, staff=FA, answer_id=answer.id, body=body(title="v2"),
                  version=1)
    with pytest.raises(Conflict):
        canned.update(answers=desk.answers, catalog=desk.catalog, staff=FA, answer_id=answer.id,
                      body=body(title="lost"), version=1)
    assert desk.answers.items[answer.id].title == "v2"
    with pytest.raises(Conflict):
        canned.delete(answers=desk.answers, catalog=desk.catalog, staff=FA, answer_id=answer.id, version=1)
    canned.delete(answers=desk.answers, catalog=desk.catalog, staff=FA, answer_id=answer.id, version=2)
    assert desk.answers.items == {}


# ---------------------------------------------------------------- offering

def test_the_type_ahead_matches_title_and_body_with_the_search_folding_in_the_tickets_language_first(desk):
    desk.save(FA, title="Printer", bodies={"en": "Restart the printer"})
    desk.save(FA, title="چاپگر", bodies={"fa": "لطفاً چاپگر را خاموش و روشن کنید"})
    desk.save(FA, title="Refund", bodies={"en": "Your refund is on its way"})
    ticket = ticket_of(desk, language="fa")
    assert desk.offered(FA, "print") == ["Printer"]
    assert desk.offered(FA, "روشن") == ["چاپگر"]
    assert desk.offered(FA, "روشن", ticket=ticket.number) == ["چاپگر"]
    assert desk.offered(FA, "كنيد") == ["چاپگر"]  # Arabic kaf and yeh find the Persian spelling
    assert desk.offered(FA, "", ticket=ticket.number)[0] == "چاپگر"


def test_the_type_ahead_uses_the_search_analysis_hebrew_prefixes_persian_zwnj_and_never_placeholder_words(desk):
    desk.save(FA, title="איפוס סיסמה", bodies={"he": "שלום {{customer.name}}, הסיסמה אופסה"})
    desk.save(FA, title="ورود", bodies={"fa": "می‌خواهید وارد شوید؟ {{ticket.link}}"})
    assert desk.offered(FA, "וסיסמה") == ["איפוס סיסמה"]       # a Hebrew prefix letter
    assert desk.offered(FA, "میخواهید") == ["ورود"]           # written without the ZWNJ
    assert desk.offered(FA, "customer") == [] and desk.offered(FA, "link") == []  # placeholders are not words
    assert desk.offered(FA, "סיסמה -אופסה") == []              # an exclusion counts against the body too
    assert sorted(desk.offered(FA, "!!")) == sorted(["איפוס סיסמה", "ورود"])  # nothing to look for yet: all
    with pytest.raises(Invalid) as refused:
        desk.offered(FA, "x" * 501)
    assert refused.value.fields == {"q": "too_long"}


def test_the_offer_reads_only_the_agents_scopes_and_never_anothers_personal_answers(desk):
    desk.save(HE, title="his own")
    desk.save(BOSS, title="finance", scope={"kind": "department", "department": "finance"})
    desk.save(LEAD, title="desk", scope={"kind": "group", "department": "support", "group": "desk"})
    desk.answers.queried.clear()
    assert desk.offered(FA) == ["desk"]
    assert desk.answers.queried == ["personal#agent.fa", "everyone", "department#support", "group#support/desk"]


def test_an_admin_sees_the_tickets_department_answers_but_a_stranger_not_the_ticket(desk):
    desk.save(LEAD, title="support hint", scope={"kind": "department", "department": "support"})
    number = ticket_of(desk).number
    assert desk.offered(ADMIN, ticket=number) == ["support hint"]
    with pytest.raises(Forbidden):
        desk.offered(BILLER, ticket=number)


def test_one_named_scope_is_listed_only_to_who_may_use_or_edit_it(desk):
    desk.save(BOSS, title="finance", scope={"kind": "department", "department": "finance"})
    assert desk.offered(BOSS, scope={"kind": "department", "department": "finance"}) == ["finance"]
    with pytest.raises(Forbidden):
        desk.offered(LEAD, scope={"kind": "department", "department": "finance"})
    desk.save(FA, title="fa's own")
    with pytest.raises(Forbidden):
        desk.offered(HE, scope={"kind": "personal", "agent": "agent.fa"})
    assert desk.offered(ADMIN, scope={"kind": "personal", "agent": "agent.fa"}) == ["fa's own"]


# ---------------------------------------------------------------- replying with an answer and its actions

def test_a_reply_with_an_answer_applies_its_actions_and_counts_the_use(desk):
    answer = desk.save(LEAD, scope={"kind": "group", "department": "support", "group": "desk"},
                       actions={"status": "on_hold", "priority": "high", "transfer": {"department": "support",
                                                                                      "group": "experts"}})
    number = ticket_of(desk).number
    applied = desk.reply(FA, answer, number, text="سلام مریم")
    ticket = desk.tickets.get(number)
    assert applied.message.text == "سلام مریم" and applied.not_applied == ()
    assert (ticket.status, ticket.effective_priority, ticket.group) == (Status.ON_HOLD, Priority.HIGH, "experts")
    kinds = [e.type for e in desk.tickets.timeline(number)]
    assert EventType.PRIORITY_CHANGED in kinds and EventType.ASSIGNED in kinds
    assert desk.answers.items[answer.id].uses == 1
    desk.reply(LEAD, answer, number)
    assert desk.answers.items[answer.id].uses == 2


def test_an_action_the_agent_may_not_do_sends_nothing_and_counts_nothing(desk):
    # A department member (not in the ticket's group) may reply but not transfer.
    member_elsewhere = staff("agent.x")
    catalog = InMemoryCatalog([replace(SUPPORT, groups=SUPPORT.groups + (Group("other", NAMES,
                                                                               members=("agent.x",)),)), FINANCE])
    desk.catalog = catalog
    answer = desk.save(ADMIN, scope={"kind": "everyone"},
                       actions={"transfer": {"department": "finance", "group": "invoices"}})
    number = ticket_of(desk).number
    before = desk.tickets.get(number)
    with pytest.raises(Forbidden):
        desk.reply(member_elsewhere, answer, number)
    assert desk.tickets.get(number) == before
    assert desk.answers.items[answer.id].uses == 0


def test_an_action_overtaken_by_another_agents_change_is_reported_not_forced(desk):
    answer = desk.save(ADMIN, scope={"kind": "everyone"}, actions={"priority": "low", "status": "on_hold"})
    number = ticket_of(desk).number
    saves = []
    original = desk.tickets.save

    def another_agent_first(before, after, events, attachments=()):
        saves.append(after.version)
        if len(saves) == 2:  # just before the priority change: someone else saved the ticket
            desk.tickets.fail_next_saves = 1
        return original(before, after, events, attachments)

    desk.tickets.save = another_agent_first
    applied = desk.reply(FA, answer, number)
    assert applied.not_applied == ("priority",)
    ticket = desk.tickets.get(number)
    assert ticket.effective_priority != Priority.LOW and ticket.status == Status.ON_HOLD
    assert desk.answers.items[answer.id].uses == 1  # the reply was sent with it


def test_a_transfer_to_a_group_removed_since_the_answer_was_saved_sends_nothing(desk):
    answer = desk.save(ADMIN, scope={"kind": "everyone"}, actions={"status": "on_hold",
                                                                   "transfer": {"department": "finance",
                                                                                "group": "invoices"}})
    desk.catalog.save(replace(FINANCE, groups=()))
    number = ticket_of(desk).number
    before = desk.tickets.get(number)
    with pytest.raises(Invalid) as refused:
        desk.reply(FA, answer, number)
    assert refused.value.fields == {"actions.transfer.group": "unknown"}
    assert desk.tickets.get(number) == before and desk.answers.items[answer.id].uses == 0


def test_an_answer_of_a_scope_the_agent_cannot_use_cannot_be_replied_with(desk):
    answer = desk.save(HE, title="his own")
    number = ticket_of(desk).number
    with pytest.raises(NotFound):
        desk.reply(FA, answer, number)
    with pytest.raises(NotFound):
        canned.render(answers=desk.answers, catalog=desk.catalog, tickets=desk.tickets, staff=FA,
                      answer_id=answer.id, ticket=number, site_url="https://help.example/")


def test_render_links_the_customer_site_page_never_the_private_key_link(desk):
    answer = desk.save(FA, bodies={"fa": "پیگیری: {{ticket.link}}"})
    number = ticket_of(desk).number
    _, filled = canned.render(answers=desk.answers, catalog=desk.catalog, tickets=desk.tickets, staff=FA,
                              answer_id=answer.id, ticket=number, site_url="https://help.example/customer/")
    assert filled.text == f"پیگیری: https://help.example/customer/#/tickets/{number}"
    assert desk.answers.items[answer.id].uses == 0  # inserting is not sending


def test_actions_round_trip_as_documents():
    actions = Actions(status=Status.RESOLVED, priority=Priority.LOW, transfer=Transfer("support", "desk"))
    assert Actions.from_document(actions.document()) == actions
    assert not Actions() and Actions.from_document(None) == Actions()


def test_matches_orders_by_language_then_title_hits_then_uses():
    a = CannedAnswer("a", "Refund policy", {Language.EN: "money back"}, EVERYONE, uses=1)
    b = CannedAnswer("b", "Shipping", {Language.EN: "refund when lost"}, EVERYONE, uses=9)
    c = CannedAnswer("c", "بازپرداخت refund", {Language.FA: "پول"}, EVERYONE)
    assert [x.id for x in matches([a, b, c], "refund")] == ["a", "c", "b"]
    assert [x.id for x in matches([a, b, c], "refund", Language.FA)] == ["c", "a", "b"]


def test_the_demo_answers_are_valid_and_cover_every_scope_and_language():
    from local import seed
    departments = {d["id"]: Department(id=d["id"], names=d["names"], categories=(),
                                       groups=tuple(Group(g["id"], g["names"], members=tuple(g["members"]))
                                                    for g in d["groups"]), supervisors=tuple(d["supervisors"]))
                   for d in seed.DEPARTMENTS}
    saved = [parse_answer(e, staff=staff(e["by"], admin=e["by"] == "admin@example.com"), departments=departments,
                          answer_id=e["id"]) for e in seed.CANNED]
    assert all(may_edit(staff(e["by"], admin=e["by"] == "admin@example.com"), a.scope, departments)
               for e, a in zip(seed.CANNED, saved))
    assert {a.scope.kind for a in saved} == set(ScopeKind)
    assert {lang for a in saved for lang in a.bodies} == set(Language)
