"""Agent time over HTTP (issue 16): POST /agent/tickets/{number}/time logs an internal time entry, and the
portal's presence reports, closed by leaving or by an idle gap, become one internal `ticket.time_spent` event.
Neither gives the ticket a new version (nobody's open page turns stale); who may do it is in
test_authorization_table.py."""
from datetime import datetime, timezone

import pytest

from tests.api.test_workflow_api import Org
from tests.fakes import FixedClock


@pytest.fixture(scope="module")
def org(client, cognito):
    org = Org(client, cognito)
    org.build()
    return org


@pytest.fixture
def clock(monkeypatch):
    from chalicelib import bootstrap

    fixed = FixedClock(datetime.now(timezone.utc).replace(microsecond=0))
    monkeypatch.setattr(bootstrap, "clock", lambda: fixed)
    return fixed


def events(org, number, kind, who="lead"):
    return [e for e in org.ticket(number, who)["timeline"] if e["type"] == kind]


def test_an_agent_logs_time_as_an_internal_entry_without_a_new_version(org):
    number = org.open()
    version = org.ticket(number)["version"]
    status, entry = org.call("post", f"/agent/tickets/{number}/time", "fa", {"minutes": 25, "note": "تماس تلفنی"})
    assert status == 201, entry
    assert (entry["type"], entry["visibility"], entry["actor"]["id"], entry["data"]) == \
        ("ticket.time_logged", "internal", org.users["fa"], {"minutes": 25, "note": "تماس تلفنی"})
    assert [e["id"] for e in events(org, number, "ticket.time_logged")] == [entry["id"]]
    assert org.ticket(number)["version"] == version
    status, _ = org.call("post", f"/agent/tickets/{number}/notes", "fa", {"text": "x", "version": version})
    assert status == 201  # the page's version is still good


@pytest.mark.parametrize("body, field", [
    ({"minutes": 0}, "minutes"), ({"minutes": 24 * 60 + 1}, "minutes"), ({"minutes": "5"}, "minutes"),
    ({"minutes": 2.5}, "minutes"), ({}, "minutes"), ({"minutes": 5, "note": "x" * 501}, "note"),
    ({"minutes": 5, "note": "a\u202eb"}, "note"), ({"minutes": 5, "hours": 1}, "hours"),
])
def test_a_bad_time_entry_gets_a_field_error_and_writes_nothing(org, body, field):
    number = org.open()
    status, error = org.call("post", f"/agent/tickets/{number}/time", "fa", body)
    assert status == 400 and field in error["fields"], error
    assert events(org, number, "ticket.time_logged") == []


def test_presence_until_leaving_is_one_time_spent_event(org, clock):
    number = org.open()
    version = org.ticket(number)["version"]
    for _ in range(3):
        assert org.call("post", f"/agent/tickets/{number}/presence", "fa", {"state": "viewing"})[0] == 200
        clock.advance(seconds=10)
    assert events(org, number, "ticket.time_spent") == []  # still on the page
    for _ in range(2):  # the page's last word, sent twice
        assert org.call("post", f"/agent/tickets/{number}/presence", "fa", {"state": "left"})[0] == 200
    [spent] = events(org, number, "ticket.time_spent")
    assert (spent["visibility"], spent["actor"]["id"], spent["data"]["seconds"]) == ("internal", org.users["fa"], 30)
    assert org.ticket(number)["version"] == version
    _, here = org.call("post", f"/agent/tickets/{number}/presence", "he", {"state": "viewing"})
    assert here["others"] == []  # gone for the others too


def test_an_idle_gap_ends_the_interval_at_the_last_report(org, clock):
    number = org.open()
    org.call("post", f"/agent/tickets/{number}/presence", "fa", {"state": "viewing"})
    clock.advance(seconds=10)
    org.call("post", f"/agent/tickets/{number}/presence", "fa", {"state": "replying"})
    clock.advance(minutes=30)  # away: not counted
    org.call("post", f"/agent/tickets/{number}/presence", "fa", {"state": "viewing"})
    assert [e["data"]["seconds"] for e in events(org, number, "ticket.time_spent")] == [10]


def test_presence_refuses_an_unknown_state(org):
    number = org.open()
    status, error = org.call("post", f"/agent/tickets/{number}/presence", "fa", {"state": "away"})
    assert status == 400 and "state" in error["fields"]
