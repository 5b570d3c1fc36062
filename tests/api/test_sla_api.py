"""SLA over HTTP: admins read and replace the policy (checked by field, admins only) and the next ticket follows it;
agents see each ticket's due times in their queues, sorted by the earliest due time, and a priority change moves
them to the new priority's targets. A customer in a tier gets the tier's targets, and agents see the tier."""
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest

from tests.api.test_workflow_api import Org


@pytest.fixture(scope="module")
def org(client, cognito):  # noqa: F811
    org = Org(client, cognito)
    org.build()
    return org


def test_the_admin_reads_and_replaces_the_sla_policy(org):
    status, before = org.call("get", "/admin/sla", "admin")
    assert status == 200 and before["targets"]["urgent"] == [1, 4] and before["warn_share"] == 0.8
    try:
        status, saved = org.call("put", "/admin/sla", "admin", {"calendar": "iran", "targets": {"urgent": [0.5, 2]},
                                                                "reassign_to_supervisor": True})
        assert status == 200, saved
        assert saved["calendar"]["zone"] == "Asia/Tehran" and saved["targets"]["urgent"] == [0.5, 2]
        assert saved["targets"]["low"] == [24, 72] and saved["reassign_to_supervisor"] is True
        assert org.call("get", "/admin/sla", "admin")[1] == saved
    finally:
        org.call("put", "/admin/sla", "admin", before)


@pytest.mark.parametrize("body,fields", [
    ({"targets": {"urgent": [4, 1]}}, {"targets.urgent": "first_response_after_resolution"}),
    ({"calendar": "mars"}, {"calendar": "unknown"}),
    ({"warn_share": 2}, {"warn_share": "invalid"}),
    ({"speed": 1}, {"speed": "unknown_field"}),  # refused at the edge: the schema names every field
])
def test_a_bad_sla_policy_is_refused_by_field_and_not_saved(org, body, fields):
    _, before = org.call("get", "/admin/sla", "admin")
    status, error = org.call("put", "/admin/sla", "admin", body)
    assert status == 400 and error["fields"] == fields
    assert org.call("get", "/admin/sla", "admin")[1] == before


@pytest.mark.parametrize("method,body", [("get", None), ("put", {})])
def test_the_sla_policy_is_for_admins_only(org, method, body):
    status, error = org.call(method, "/admin/sla", "lead", body)
    assert (status, error["error"]) == (403, "forbidden")
    assert org.call(method, "/admin/sla", None, body)[0] == 401


def test_queues_show_due_times_and_put_the_earliest_first(org):
    low = org.open("کم‌اهمیت")
    urgent = open_with_priority(org, "urgent")
    status, queue = org.call("get", f"/agent/queue?department={org.desk}", "lead")
    assert status == 200
    numbers = [t["number"] for t in queue["tickets"]]
    assert numbers.index(urgent) < numbers.index(low)
    shown = next(t for t in queue["tickets"] if t["number"] == urgent)["sla"]
    assert set(shown) == {"first_response", "resolution"}
    assert shown["first_response"]["due_at"].endswith("Z") and shown["first_response"]["paused"] is False
    assert shown["first_response"]["breached"] is False and shown["first_response"]["met_at"] is None


def test_a_reply_meets_first_response_and_pauses_resolution(org):
    number = org.open()
    ticket = org.ticket(number)
    status, _ = org.call("post", f"/agent/tickets/{number}/replies", "lead",
                         {"text": "در حال بررسی هستیم", "version": ticket["version"]})
    assert status in (200, 201)
    shown = org.ticket(number)["sla"]
    assert shown["first_response"]["met_at"] and shown["first_response"]["due_at"] is None
    assert shown["resolution"] == {"due_at": None, "paused": True, "breached": False, "met_at": None}


@contextmanager
def sla_policy(org, body):
    _, before = org.call("get", "/admin/sla", "admin")
    status, saved = org.call("put", "/admin/sla", "admin", body)
    assert status == 200, saved
    try:
        yield saved
    finally:
        org.call("put", "/admin/sla", "admin", before)


def hours_after_opening(ticket, target) -> float:
    due = datetime.fromisoformat(ticket["sla"][target]["due_at"])
    return (due - datetime.fromisoformat(ticket["created_at"])) / timedelta(hours=1)


def test_a_saved_policy_applies_to_the_next_ticket(org):
    with sla_policy(org, {"calendar": "24x7", "targets": {"urgent": [3, 9]}}):
        ticket = org.ticket(open_with_priority(org, "urgent"))
    assert (hours_after_opening(ticket, "first_response"), hours_after_opening(ticket, "resolution")) == (3, 9)


def test_an_agents_priority_change_shows_the_new_priority_due_times(org):
    with sla_policy(org, {"calendar": "24x7", "departments": {org.desk: {"urgent": [2, 5]}}}):
        number = open_with_priority(org, "normal")
        before = org.ticket(number)
        assert hours_after_opening(before, "first_response") == 8
        status, changed = org.call("post", f"/agent/tickets/{number}/priority", "lead",
                                   {"priority": "urgent", "version": before["version"]})
        assert status == 200, changed
    shown = org.ticket(number)                                     # the ticket view the portal reads
    assert shown["sla"] == changed["sla"] and shown["priority"] == "urgent"
    assert (hours_after_opening(shown, "first_response"), hours_after_opening(shown, "resolution")) == (2, 5)
    assert shown["sla"]["first_response"]["breached"] is False


TIERS = {"vip": {"customers": ["CEO@BigCorp.example", "@partner.example"], "targets": {"urgent": [0.25, 1]}},
         "gold": {"customers": ["@bigcorp.example"], "targets": {"normal": [2, 6]}}}


def test_customer_tiers_round_trip_and_a_tier_customers_ticket_shows_its_tier_and_due_times(org):
    with sla_policy(org, {"calendar": "24x7", "tiers": TIERS}) as saved:
        assert saved["tiers"] == {
            "vip": {"customers": ["ceo@bigcorp.example", "@partner.example"], "targets": {"urgent": [0.25, 1]}},
            "gold": {"customers": ["@bigcorp.example"], "targets": {"normal": [2, 6]}}}
        assert org.call("get", "/admin/sla", "admin")[1] == saved          # GET answers what PUT stored, in order
        number = open_ticket_as(org, f"dana.{uuid.uuid4().hex[:8]}@BigCorp.example", "normal")
        plain = open_ticket_as(org, f"dana.{uuid.uuid4().hex[:8]}@example.com", "normal")
        shown, other = org.ticket(number), org.ticket(plain)
        assert shown["sla_tier"] == "gold" and other["sla_tier"] is None
        assert hours_after_opening(shown, "first_response") == 2 and hours_after_opening(other, "first_response") == 8
        status, changed = org.call("post", f"/agent/tickets/{number}/priority", "lead",
                                   {"priority": "urgent", "version": shown["version"]})
        assert status == 200 and changed["sla_tier"] == "gold"          # gold leaves urgent out: the policy's 1 h
        assert hours_after_opening(changed, "first_response") == 1
    queue = org.call("get", f"/agent/queue?department={org.desk}", "lead")[1]["tickets"]
    assert next(t for t in queue if t["number"] == number)["sla_tier"] == "gold"  # recorded, kept after a new policy


@pytest.mark.parametrize("tiers,fields", [
    ({"vip": {"customers": ["ceo@bigcorp.example", "not an address"]}}, {"tiers.vip.customers.1": "invalid"}),
    ({"vip": {"customers": ["@bigcorp.example"], "targets": {"urgent": [3, 1]}}, "Gold Tier": {"customers": []}},
     {"tiers.vip.targets.urgent": "first_response_after_resolution", "tiers.Gold Tier": "invalid"}),
    ([], {"tiers": "invalid"}),
])
def test_a_bad_tier_is_refused_with_its_field_paths_and_nothing_is_saved(org, tiers, fields):
    _, before = org.call("get", "/admin/sla", "admin")
    status, error = org.call("put", "/admin/sla", "admin", {"tiers": tiers})
    assert (status, error["error"], error["fields"]) == (400, "invalid", fields)
    assert org.call("get", "/admin/sla", "admin")[1] == before


def open_ticket_as(org, email, priority):
    from tests.api.test_ticket_api import open_ticket
    return open_ticket(org.client, department=org.desk, category=org.category, subject="قرارداد",
                       priority=priority, customer={"name": "دانا", "email": email})["number"]


def open_with_priority(org, priority):
    from tests.api.test_ticket_api import open_ticket
    return open_ticket(org.client, department=org.desk, category=org.category, subject="فوری",
                       priority=priority)["number"]
