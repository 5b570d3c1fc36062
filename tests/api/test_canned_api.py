"""Canned answers over HTTP against the moto stack (issue 15): saved per scope by whom the roles allow, refused
with field errors naming a bad placeholder, offered for a ticket in its language first, filled in for a ticket,
and a reply sent with one applies its actions and counts the use (an atomic counter in the table)."""
import uuid

import pytest

from tests.api.test_ticket_api import as_agent, call, open_ticket

NAMES = {"en": "Canned", "fa": "پاسخ آماده", "he": "תשובות מוכנות"}



class Org:
    def __init__(self, client, cognito):
        run = uuid.uuid4().hex[:6]
        self.client, self.run = client, run
        self.users = {role: f"canned.{role}.{run}@example.com" for role in ("admin", "lead", "fa", "he", "other")}
        names = {"admin": "Sam", "lead": "רונית", "fa": "مینا", "he": "אורי", "other": "Eve"}
        self.headers = {role: as_agent(cognito(user, groups=("agent", "admin") if role == "admin" else ("agent",),
                                               name=names[role])) for role, user in self.users.items()}
        self.desk, self.other, self.category = f"canned-desk-{run}", f"canned-other-{run}", f"cat-{run}"
        for department, groups, supervisors in [
            (self.desk, [("front", ["fa", "he"]), ("experts", ["he"])], ["lead"]),
            (self.other, [("team", ["other"])], []),
        ]:
            status, saved = self.call("put", f"/admin/departments/{department}", "admin", {
                "names": NAMES, "categories": [{"id": self.category, "names": NAMES}],
                "groups": [{"id": g, "names": NAMES, "members": [self.users[m] for m in members]}
                           for g, members in groups],
                "supervisors": [self.users[s] for s in supervisors]})
            assert status == 200, saved

    def call(self, method, path, who=None, body=None):
        return call(self.client, method, path, body, headers=self.headers[who] if who else None)

    def save(self, who, title, scope, bodies=None, actions=None):
        status, saved = self.call("post", "/agent/canned", who, {
            "title": title, "bodies": bodies or {"fa": "سلام {{customer.name}}", "he": "שלום {{customer.name}}"},
            "scope": scope, **({"actions": actions} if actions else {})})
        assert status == 201, saved
        return saved

    def open(self, language="he", name="מרים"):
        return open_ticket(self.client, department=self.desk, category=self.category, language=language,
                           customer={"name": name, "email": f"c.{uuid.uuid4().hex[:6]}@example.com"})["number"]

    def titles(self, who, query=""):
        status, found = self.call("get", f"/agent/canned{query}", who)
        assert status == 200, found
        return [a["title"] for a in found["answers"]]


@pytest.fixture(scope="module")
def org(client, cognito):
    return Org(client, cognito)


def test_an_unknown_placeholder_is_a_field_error_naming_it_and_nothing_is_saved(org):
    status, refused = org.call("post", "/agent/canned", "fa", {
        "title": f"broken {org.run}", "bodies": {"fa": "سلام {{customer.nam}}", "en": "Hi {{customer.name"},
        "scope": {"kind": "personal"}})
    assert status == 400
    assert refused["fields"] == {"bodies.fa": "unknown_placeholder", "bodies.en": "unknown_placeholder"}
    assert refused["placeholders"] == {"bodies.fa": ["customer.nam"], "bodies.en": ["{{customer.name"]}
    assert f"broken {org.run}" not in org.titles("fa")


def test_unknown_fields_and_scopes_are_field_errors(org):
    status, refused = org.call("post", "/agent/canned", "lead", {
        "title": "x", "bodies": {"fa": "x"}, "scope": {"kind": "group", "department": org.desk, "group": "nope"}})
    assert (status, refused["fields"]) == (400, {"scope.group": "unknown"})
    status, refused = org.call("post", "/agent/canned", "lead", {
        "title": "x", "bodies": {"fa": "x", "ar": "x"}, "scope": {"kind": "everyone"}, "macro": True})
    assert status == 400 and set(refused["fields"]) == {"bodies.ar", "macro"}


@pytest.mark.parametrize("who, scope", [
    ("fa", {"kind": "group", "department": "{desk}", "group": "front"}),
    ("fa", {"kind": "department", "department": "{desk}"}),
    ("lead", {"kind": "everyone"}),
    ("lead", {"kind": "department", "department": "{other}"}),
    ("other", {"kind": "group", "department": "{desk}", "group": "front"}),
])
def test_agents_and_supervisors_may_not_save_beyond_their_scopes(org, who, scope):
    scope = {k: v.format(desk=org.desk, other=org.other) for k, v in scope.items()}
    status, refused = org.call("post", "/agent/canned", who, {"title": "x", "bodies": {"fa": "x"}, "scope": scope})
    assert (status, refused["error"]) == (403, "forbidden")


def test_each_agent_is_offered_the_answers_of_their_scopes_only(org):
    run = org.run
    org.save("fa", f"mine {run}", {"kind": "personal"})
    org.save("lead", f"front {run}", {"kind": "group", "department": org.desk, "group": "front"})
    org.save("lead", f"experts {run}", {"kind": "group", "department": org.desk, "group": "experts"})
    org.save("lead", f"desk {run}", {"kind": "department", "department": org.desk})
    org.save("admin", f"all {run}", {"kind": "everyone"})
    q = f"?q={run}"
    assert sorted(org.titles("fa", q)) == sorted([f"mine {run}", f"front {run}", f"desk {run}", f"all {run}"])
    assert sorted(org.titles("he", q)) == sorted([f"front {run}", f"experts {run}", f"desk {run}", f"all {run}"])
    assert org.titles("other", q) == [f"all {run}"]
    assert sorted(org.titles("lead", q)) == sorted([f"front {run}", f"experts {run}", f"desk {run}", f"all {run}"])


def test_a_member_may_not_change_or_delete_a_groups_answer_and_a_stranger_does_not_see_it(org):
    saved = org.save("lead", f"locked {org.run}", {"kind": "group", "department": org.desk, "group": "front"})
    edit = {"title": "taken", "bodies": {"fa": "x"}, "scope": saved["scope"], "version": saved["version"]}
    assert org.call("put", f"/agent/canned/{saved['id']}", "fa", edit)[0] == 403
    assert org.call("delete", f"/agent/canned/{saved['id']}?version=1", "fa")[0] == 403
    assert org.call("get", f"/agent/canned/{saved['id']}", "other")[0] == 404
    assert org.call("delete", f"/agent/canned/{saved['id']}?version=1", "other")[0] == 404
    status, found = org.call("get", f"/agent/canned/{saved['id']}", "fa")
    assert (status, found["title"]) == (200, f"locked {org.run}")


def test_a_supervisor_edits_with_the_version_they_saw_and_a_stale_edit_is_refused(org):
    saved = org.save("lead", f"versioned {org.run}", {"kind": "department", "department": org.desk})
    edit = {"title": f"versioned 2 {org.run}", "bodies": {"he": "שלום"}, "scope": saved["scope"], "version": 1}
    status, changed = org.call("put", f"/agent/canned/{saved['id']}", "lead", edit)
    assert (status, changed["version"], changed["bodies"]) == (200, 2, {"he": "שלום"})
    status, refused = org.call("put", f"/agent/canned/{saved['id']}", "lead", {**edit, "title": "lost"})
    assert (status, refused["fields"]) == (409, {"version": "stale"})
    assert org.call("get", f"/agent/canned/{saved['id']}", "lead")[1]["title"] == f"versioned 2 {org.run}"


def test_moving_an_answer_to_another_scope_keeps_its_id_and_leaves_the_old_scope(org):
    saved = org.save("lead", f"moving {org.run}", {"kind": "group", "department": org.desk, "group": "experts"})
    status, moved = org.call("put", f"/agent/canned/{saved['id']}", "lead", {
        "title": saved["title"], "bodies": saved["bodies"], "version": 1,
        "scope": {"kind": "group", "department": org.desk, "group": "front"}})
    assert (status, moved["id"], moved["scope"]["group"]) == (200, saved["id"], "front")
    assert f"moving {org.run}" in org.titles("fa", f"?q=moving {org.run}")
    status, listed = org.call("get", f"/agent/canned?scope=group&department={org.desk}&group=experts", "lead")
    assert f"moving {org.run}" not in [a["title"] for a in listed["answers"]]
    assert org.call("delete", f"/agent/canned/{saved['id']}?version=1", "lead")[0] == 409  # it moved: version 2
    assert org.call("delete", f"/agent/canned/{saved['id']}", "lead")[1]["fields"] == {"version": "required"}
    assert org.call("delete", f"/agent/canned/{saved['id']}?version=2", "lead")[0] == 200
    assert org.call("get", f"/agent/canned/{saved['id']}", "lead")[0] == 404


def test_the_answer_in_the_tickets_language_comes_first_and_is_filled_in_for_the_ticket(org):
    run = org.run
    org.save("fa", f"greet en {run}", {"kind": "personal"}, bodies={"en": "Hello {{customer.name}}"})
    hebrew = org.save("fa", f"greet he {run}", {"kind": "personal"},
                      bodies={"he": "שלום {{customer.name}}, פנייה {{ticket.number}}: {{ticket.link}}",
                              "en": "Hello"})
    number = org.open(language="he", name="{{agent.name}} <b>")
    status, found = org.call("get", f"/agent/canned?q=greet {run}&ticket={number}", "fa")
    assert status == 200 and found["answers"][0]["id"] == hebrew["id"]
    status, filled = org.call("post", f"/agent/canned/{hebrew['id']}/render", "fa", {"ticket": number})
    assert status == 200, filled
    assert filled["language"] == "he" and not filled["fallback"]
    assert filled["text"].startswith(f"שלום {{{{agent.name}}}} <b>, פנייה {number}: http")
    assert filled["text"].endswith(f"#/tickets/{number}")


def test_render_and_reply_need_the_ticket_and_the_answer_to_be_the_agents(org):
    mine = org.save("fa", f"private {org.run}", {"kind": "personal"})
    number = org.open()
    assert org.call("post", f"/agent/canned/{mine['id']}/render", "he", {"ticket": number})[0] == 404
    assert org.call("post", f"/agent/canned/{mine['id']}/render", "other", {"ticket": number})[0] == 403
    everyone = org.save("admin", f"public {org.run}", {"kind": "everyone"})
    assert org.call("post", f"/agent/canned/{everyone['id']}/render", "other", {"ticket": number})[0] == 403
    status, refused = org.call("post", f"/agent/tickets/{number}/canned-replies", "other",
                               {"answer": everyone["id"], "text": "x", "version": 1})
    assert status == 403


def test_a_reply_with_an_answer_applies_its_actions_and_counts_each_use(org):
    answer = org.save("lead", f"escalate {org.run}", {"kind": "group", "department": org.desk, "group": "front"},
                      actions={"priority": "urgent", "status": "on_hold",
                               "transfer": {"department": org.desk, "group": "experts"}})
    number = org.open()
    status, ticket = org.call("get", f"/agent/tickets/{number}", "he")
    status, sent = org.call("post", f"/agent/tickets/{number}/canned-replies", "he",
                            {"answer": answer["id"], "text": "שלום מרים", "version": ticket["version"]})
    assert status == 201, sent
    assert (sent["message"]["text"], sent["not_applied"]) == ("שלום מרים", [])
    assert (sent["ticket"]["status"], sent["ticket"]["group"]) == ("on_hold", "experts")
    status, view = org.call("get", f"/agent/tickets/{number}", "lead")
    assert (view["priority"], view["customer_priority"]) == ("urgent", "high")
    assert org.call("get", f"/agent/canned/{answer['id']}", "lead")[1]["uses"] == 1


def test_a_stale_reply_with_an_answer_sends_nothing_and_counts_nothing(org):
    answer = org.save("fa", f"stale {org.run}", {"kind": "personal"}, actions={"status": "on_hold"})
    number = org.open()
    status, refused = org.call("post", f"/agent/tickets/{number}/canned-replies", "fa",
                               {"answer": answer["id"], "text": "x", "version": 999})
    assert status == 409
    status, view = org.call("get", f"/agent/tickets/{number}", "fa")
    assert view["status"] != "on_hold" and len(view["messages"]) == 1
    assert org.call("get", f"/agent/canned/{answer['id']}", "fa")[1]["uses"] == 0


def test_uses_are_counted_atomically_in_the_table(org):
    from chalicelib import bootstrap
    answer = org.save("fa", f"counted {org.run}", {"kind": "personal"})
    stored = bootstrap.canned_answers().get(answer["id"])
    for _ in range(3):
        bootstrap.canned_answers().count_use(stored)  # each an ADD on the item, never read-modify-write
    stale = bootstrap.canned_answers().get(answer["id"])
    assert stale.uses == 3
    from chalicelib.services.canned import StaleAnswer
    from dataclasses import replace
    bootstrap.canned_answers().replace(stored, replace(stored, title="renamed", version=2))
    assert bootstrap.canned_answers().get(answer["id"]).uses == 3  # an edit keeps the uses counted meanwhile
    with pytest.raises(StaleAnswer):
        bootstrap.canned_answers().replace(stored, replace(stored, title="lost", version=2))


def test_concurrent_uses_are_each_counted(org):
    from concurrent.futures import ThreadPoolExecutor

    from chalicelib import bootstrap
    answer = org.save("fa", f"raced {org.run}", {"kind": "personal"})
    stored = bootstrap.canned_answers().get(answer["id"])
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: bootstrap.canned_answers().count_use(stored), range(16)))
    assert bootstrap.canned_answers().get(answer["id"]).uses == 16
