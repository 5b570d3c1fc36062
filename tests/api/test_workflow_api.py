"""The workflow over HTTP with real Cognito tokens (the agent's id is their Cognito username): the admin builds
the organisation, new tickets are routed and dealt, agents act with the version they saw, supervisors assign,
transfers leave a trail, presence, and every forbidden path refused."""
import uuid

import pytest

from tests.api.test_ticket_api import _token, as_agent, call, open_ticket

NAMES = {"en": "Workflow", "fa": "گردش کار", "he": "זרימת עבודה"}



class Org:
    """Two departments of this module's own (unique ids) and the people working there."""

    def __init__(self, client, cognito):
        run = uuid.uuid4().hex[:6]
        self.client, self.run = client, run
        self.users = {role: f"wf.{role}.{run}@example.com" for role in ("admin", "lead", "fa", "he", "stranger")}
        names = {"admin": "Sam", "lead": "רונית", "fa": "مینا", "he": "אורי", "stranger": "Eve"}
        self.headers = {role: as_agent(cognito(username, groups=("agent", "admin") if role == "admin" else ("agent",),
                                               name=names[role]))
                        for role, username in self.users.items()}
        self.desk, self.other = f"wf-desk-{run}", f"wf-other-{run}"
        self.category = f"cat-{run}"
        self.other_categories = [f"sales-{run}", f"quotes-{run}"]  # none of them the desk's

    def department(self, department_id, groups, supervisors=(), categories=None):
        return {"names": NAMES, "categories": [{"id": c, "names": NAMES} for c in categories or [self.category]],
                "groups": [{"id": group_id, "names": NAMES, "members": [self.users[m] for m in members],
                            "strategy": strategy} for group_id, members, strategy in groups],
                "supervisors": [self.users[s] for s in supervisors]}

    def build(self):
        for department_id, body in [
            (self.desk, self.department(self.desk, [("front", ["fa", "he"], "round_robin"),
                                                    ("experts", ["he"], "fewest_open")], supervisors=["lead"])),
            (self.other, self.department(self.other, [("team", ["he"], "round_robin")],
                                         categories=self.other_categories)),
        ]:
            status, saved = self.call("put", f"/admin/departments/{department_id}", "admin", body)
            assert status == 200, saved

    def call(self, method, path, who=None, body=None):
        return call(self.client, method, path, body, headers=self.headers[who] if who else None)

    def open(self, subject="چاپگر کار نمی‌کند"):
        return open_ticket(self.client, department=self.desk, category=self.category, subject=subject)["number"]

    def ticket(self, number, who="lead"):
        status, ticket = self.call("get", f"/agent/tickets/{number}", who)
        assert status == 200, ticket
        return ticket


@pytest.fixture(scope="module")
def org(client, cognito):
    org = Org(client, cognito)
    org.build()
    return org


# ---------------------------------------------------------------- the admin's organisation

def test_the_admin_reads_the_organisation_with_every_agent(org):
    status, found = org.call("get", "/admin/org", "admin")
    assert status == 200
    desk = next(d for d in found["departments"] if d["id"] == org.desk)
    assert desk["supervisors"] == [org.users["lead"]]
    assert desk["groups"][0] == {"id": "front", "names": NAMES, "members": [org.users["fa"], org.users["he"]],
                                 "strategy": "round_robin"}
    assert {"id": org.users["he"], "name": "אורי"} in found["agents"]
    assert set(found["policies"]) == {"max_open_tickets", "reply_window_days", "reminder_after_days",
                                      "auto_close_after_days", "archive_after_days"}


def test_a_bad_department_gets_field_errors_and_is_not_saved(org):
    body = org.department("wf-broken", [("front", ["fa"], "round_robin")])
    body["names"] = {"fa": "x", "en": "x"}
    body["groups"][0]["members"].append("nobody@example.com")
    status, error = org.call("put", f"/admin/departments/wf-broken-{org.run}", "admin", body)
    assert status == 400 and error["fields"] == {"names.he": "required", "groups.0.members.1": "unknown"}
    _, found = org.call("get", "/admin/org", "admin")
    assert f"wf-broken-{org.run}" not in [d["id"] for d in found["departments"]]


def test_rules_route_new_tickets_and_must_point_somewhere(org):
    _, before = org.call("get", "/admin/org", "admin")
    rule = {"category": org.category, "department": org.other, "group": "team", "keywords": ["فاکتور"]}
    try:
        status, saved = org.call("put", "/admin/rules", "admin", {"rules": [*before["rules"], rule]})
        assert status == 200 and saved["rules"][-1] == rule
        ticket = org.ticket(org.open(subject="فاكتور اشتباه"), who="admin")  # Arabic kaf: the same word
        assert (ticket["department"], ticket["group"], ticket["assignee"]["id"]) == (org.other, "team",
                                                                                    org.users["he"])
        status, error = org.call("put", "/admin/rules", "admin", {"rules": [{**rule, "group": "nope"}]})
        assert status == 400 and error["fields"] == {"rules.0.group": "unknown"}
    finally:
        org.call("put", "/admin/rules", "admin", {"rules": before["rules"]})


def test_policies_are_checked_and_saved(org):
    _, before = org.call("get", "/admin/org", "admin")
    status, error = org.call("put", "/admin/policies", "admin", {"reminder_after_days": 9})
    assert status == 400 and error["fields"] == {"reminder_after_days": "not_before_close"}
    try:
        status, saved = org.call("put", "/admin/policies", "admin", {**before["policies"], "max_open_tickets": 6})
        assert status == 200 and saved["max_open_tickets"] == 6
    finally:
        org.call("put", "/admin/policies", "admin", before["policies"])


@pytest.mark.parametrize("method,path,body", [
    ("get", "/admin/org", None),
    ("put", "/admin/departments/x", {"broken": True}),  # even a broken body: 403 before anything is read
    ("put", "/admin/rules", {"rules": []}),
    ("put", "/admin/policies", {}),
])
def test_admin_routes_are_for_admins_only(org, method, path, body):
    status, error = org.call(method, path, "lead", body)
    assert (status, error["error"]) == (403, "forbidden")
    assert org.call(method, path, None, body)[0] == 401


# ---------------------------------------------------------------- routing, dealing, the agent's view

def test_a_new_ticket_is_dealt_to_the_groups_members_in_turn(org):
    first, second = org.open(), org.open()
    owners = {org.ticket(first)["assignee"]["id"], org.ticket(second)["assignee"]["id"]}
    assert owners == {org.users["fa"], org.users["he"]}


def test_the_agent_view_has_summary_timeline_and_what_may_come_next(org):
    number = org.open()
    ticket = org.ticket(number, who="he")
    assert ticket["group"] == "front" and ticket["assignee"]["name"] in ("مینا", "אורי")
    assert (ticket["priority"], ticket["customer_priority"], ticket["agent_priority"]) == ("high", "high", None)
    assert ticket["customer"]["email"].endswith("@example.com") and "phone" in ticket["customer"]
    assert ticket["follows"] is None and ticket["version"] == 1 and ticket["ratings"] == {}
    assert "archived" not in ticket["allowed_statuses"] and "open" in ticket["allowed_statuses"]
    created, first_message, placed = ticket["timeline"]
    assert created["type"] == "ticket.created" and first_message["message"]["text"]
    assert placed["type"] == "ticket.assigned" and placed["visibility"] == "internal"
    assert placed["actor"]["kind"] == "system" and placed["data"]["kind"] == "auto"
    assert [m["visibility"] for m in ticket["messages"]] == ["public"]


def test_me_says_what_i_supervise_and_where_i_work(org):
    _, me = org.call("get", "/agent/me", "he")
    assert me["id"] == org.users["he"] and me["admin"] is False and me["supervises"] == []
    assert {(m["department"], m["group"]) for m in me["member_of"]} == {(org.desk, "front"), (org.desk, "experts"),
                                                                        (org.other, "team")}
    _, lead = org.call("get", "/agent/me", "lead")
    assert lead["supervises"] == [org.desk] and lead["member_of"] == []


# ---------------------------------------------------------------- acting with the version one saw

def test_status_and_priority_changes_need_the_version_and_keep_the_customers_priority(org):
    number = org.open()
    status, changed = org.call("post", f"/agent/tickets/{number}/priority", "fa",
                               {"priority": "urgent", "version": 1})
    assert status == 200 and (changed["priority"], changed["customer_priority"], changed["agent_priority"]) == (
        "urgent", "high", "urgent")
    status, moved = org.call("post", f"/agent/tickets/{number}/status", "fa", {"status": "on_hold", "version": 2})
    assert status == 200 and moved["status"] == "on_hold" and moved["version"] == 3
    status, refused = org.call("post", f"/agent/tickets/{number}/status", "fa", {"status": "needs_info", "version": 3})
    assert status == 409 and refused["fields"] == {"status": "not_allowed"}


def test_the_second_of_two_agents_gets_409_stale_with_the_fresh_ticket(org):
    number = org.open()
    seen = org.ticket(number, who="fa")["version"]
    assert org.call("post", f"/agent/tickets/{number}/status", "he", {"status": "open", "version": seen})[0] == 200
    status, stale = org.call("post", f"/agent/tickets/{number}/status", "fa",
                             {"status": "resolved", "version": seen})
    assert status == 409 and stale["error"] == "conflict" and stale["fields"] == {"version": "stale"}
    assert stale["ticket"]["status"] == "open" and stale["ticket"]["version"] == seen + 1
    assert stale["ticket"]["assignee"] is not None and "customer_priority" in stale["ticket"]
    status, _ = org.call("post", f"/agent/tickets/{number}/replies", "fa", {"text": "پاسخ", "version": seen})
    assert status == 409
    assert org.ticket(number)["status"] == "open"  # the stale writes changed nothing
    assert org.call("post", f"/agent/tickets/{number}/notes", "fa", {"text": "یادداشت", "version": seen + 1})[0] == 201


def test_take_assign_and_transfer_leave_a_trail(org):
    number = org.open()
    dealt = org.ticket(number)
    taker, owner = ("fa", "he") if dealt["assignee"]["id"] == org.users["he"] else ("he", "fa")
    status, taken = org.call("post", f"/agent/tickets/{number}/take", taker, {"version": dealt["version"]})
    assert status == 200 and taken["assignee"]["id"] == org.users[taker]
    status, assigned = org.call("post", f"/agent/tickets/{number}/assign", "lead",
                                {"agent": org.users[owner], "version": taken["version"], "reason": "زبان فارسی"})
    assert status == 200 and assigned["assignee"]["id"] == org.users[owner]
    status, moved = org.call("post", f"/agent/tickets/{number}/transfer", owner,
                             {"department": org.other, "group": "team", "reason": "مربوط به تیم دیگر",
                              "version": assigned["version"]})
    assert status == 200 and (moved["department"], moved["group"], moved["assignee"]["id"]) == (
        org.other, "team", org.users["he"])
    assert moved["category"] == org.other_categories[0]  # none chosen: the target's default, never the desk's

    status, trail = org.call("get", f"/agent/handovers?ticket={number}", "he")
    assert status == 200
    assert [h["kind"] for h in trail["handovers"]] == ["transfer", "assign", "take", "auto"]
    transfer = trail["handovers"][0]
    assert transfer["by"]["id"] == org.users[owner] and transfer["reason"] == "مربوط به تیم دیگر"
    assert transfer["from"] == {"department": org.desk, "group": "front", "agent": org.users[owner]}
    assert transfer["to"] == {"department": org.other, "group": "team", "agent": org.users["he"]}
    assert transfer["ticket_number"] == number and transfer["at"].endswith("Z")

    _, by_agent = org.call("get", f"/agent/handovers?agent={org.users['he']}", "he")
    assert transfer["id"] in [h["id"] for h in by_agent["handovers"]]
    _, by_group = org.call("get", f"/agent/handovers?department={org.other}&group=team", "he")
    assert by_group["handovers"][0]["id"] == transfer["id"]
    _, mine = org.call("get", "/agent/mine", "he")
    assert number in [t["number"] for t in mine["tickets"]]


def test_assign_and_transfer_refusals(org):
    number = org.open()
    version = org.ticket(number)["version"]
    path = f"/agent/tickets/{number}"
    assert org.call("post", f"{path}/assign", "fa", {"agent": org.users["he"], "version": version})[0] == 403
    status, error = org.call("post", f"{path}/assign", "lead", {"agent": org.users["stranger"], "version": version})
    assert status == 400 and error["fields"] == {"agent": "not_member"}
    status, error = org.call("post", f"{path}/transfer", "fa", {"department": org.other, "group": "team",
                                                                "version": version})
    assert status == 400 and error["fields"] == {"reason": "required"}
    status, error = org.call("post", f"{path}/transfer", "fa", {"department": org.other, "group": "nope",
                                                                "reason": "x", "version": version})
    assert status == 400 and error["fields"] == {"group": "unknown"}
    status, error = org.call("post", f"{path}/transfer", "fa", {"department": org.other, "group": "team",
                                                                "category": org.category, "reason": "x",
                                                                "version": version})
    assert status == 400 and error["fields"] == {"category": "unknown"}  # the desk's category is not the other's
    assert org.ticket(number)["department"] == org.desk


def test_a_transfer_takes_the_category_chosen_for_the_target_department(org):
    number = org.open()
    status, moved = org.call("post", f"/agent/tickets/{number}/transfer", "lead",
                             {"department": org.other, "group": "team", "category": org.other_categories[1],
                              "reason": "پیش‌فاکتور", "version": org.ticket(number)["version"]})
    assert status == 200 and (moved["department"], moved["category"]) == (org.other, org.other_categories[1])
    assert org.ticket(number, who="he")["category"] == org.other_categories[1]


# ---------------------------------------------------------------- queues, presence, strangers

def test_the_queue_filters_by_group_and_is_closed_to_strangers(org):
    number = org.open()
    _, everything = org.call("get", f"/agent/queue?department={org.desk}", "fa")
    assert number in [t["number"] for t in everything["tickets"]]
    _, experts = org.call("get", f"/agent/queue?department={org.desk}&group=experts", "fa")
    assert number not in [t["number"] for t in experts["tickets"]]
    assert org.call("get", f"/agent/queue?department={org.desk}", "stranger")[0] == 403


def test_a_stranger_can_neither_see_nor_touch_a_ticket(org):
    number = org.open()
    path = f"/agent/tickets/{number}"
    for method, route, body in [("get", "", None), ("post", "/replies", {"text": "x"}),
                                ("post", "/notes", {"text": "x"}),
                                ("post", "/status", {"status": "open", "version": 1}),
                                ("post", "/take", {"version": 1}),
                                ("post", "/presence", {"state": "viewing"}),
                                ("get", "/attachments/" + "a" * 32, None)]:
        status, error = org.call(method, path + route, "stranger", body)
        assert (status, error["error"]) == (403, "forbidden"), route
    assert org.call("get", f"/agent/handovers?ticket={number}", "stranger")[0] == 403
    assert org.call("get", f"/agent/handovers?agent={org.users['fa']}", "stranger")[0] == 403


def test_a_supervisor_sees_hand_overs_only_of_the_departments_they_supervise(org):
    """Finding 3: lead supervises the desk only; he works in both departments. Every query form is checked."""
    in_desk = org.open()
    in_other = open_ticket(org.client, department=org.other, category=org.other_categories[0],
                           subject="other")["number"]
    assert org.ticket(in_other, "admin")["assignee"]["id"] == org.users["he"]  # the other team's only member

    status, trail = org.call("get", f"/agent/handovers?agent={org.users['he']}", "lead")
    assert status == 200 and in_other not in [h["ticket_number"] for h in trail["handovers"]]
    _, own = org.call("get", f"/agent/handovers?agent={org.users['he']}", "he")
    _, whole = org.call("get", f"/agent/handovers?agent={org.users['he']}", "admin")
    assert in_other in [h["ticket_number"] for h in own["handovers"]]
    assert in_other in [h["ticket_number"] for h in whole["handovers"]]
    assert org.call("get", f"/agent/handovers?department={org.other}&group=team", "lead")[0] == 403
    assert org.call("get", f"/agent/handovers?ticket={in_other}", "lead")[0] == 403
    status, desk = org.call("get", f"/agent/handovers?ticket={in_desk}", "lead")
    assert status == 200 and [h["kind"] for h in desk["handovers"]] == ["auto"]


def test_presence_shows_who_else_has_the_ticket_open(org):
    number = org.open()
    path = f"/agent/tickets/{number}/presence"
    assert org.call("post", path, "fa", {"state": "viewing"}) == (200, {"others": []})
    status, seen = org.call("post", path, "he", {"state": "replying"})
    [fa] = seen["others"]
    assert fa["agent"] == {"id": org.users["fa"], "name": "مینا"} and fa["state"] == "viewing"
    _, seen = org.call("post", path, "fa", {"state": "viewing"})
    assert [(o["agent"]["id"], o["state"]) for o in seen["others"]] == [(org.users["he"], "replying")]
    status, error = org.call("post", path, "fa", {"state": "typing"})
    assert status == 400 and error["fields"] == {"state": "invalid"}
    assert org.ticket(number)["timeline"][-1]["type"] == "ticket.assigned"  # presence is not on the timeline


def test_a_token_of_an_account_removed_from_the_pool_is_refused(org, aws_stack):
    ghost = as_agent(_token(aws_stack, username=f"ghost-{uuid.uuid4().hex}"))  # well signed, nobody behind it
    status, error = call(org.client, "get", "/agent/me", headers=ghost)
    assert (status, error["error"]) == (401, "unauthorized")
