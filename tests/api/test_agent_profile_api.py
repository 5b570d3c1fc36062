"""Alert settings over HTTP: an agent edits their own, an admin anyone's, field errors name the field,
and nobody else gets in."""
import uuid

import pytest

from tests.api.test_ticket_api import as_agent, call



@pytest.fixture(scope="module")
def people(client, cognito):
    run = uuid.uuid4().hex[:6]
    users = {"agent": f"pr.agent.{run}@example.com", "admin": f"pr.admin.{run}@example.com"}
    headers = {"agent": as_agent(cognito(users["agent"], name="مینا")),
               "admin": as_agent(cognito(users["admin"], groups=("agent", "admin"), name="Sam"))}
    department = f"pr-{run}"
    names = {"en": "Profiles", "fa": "نمایه", "he": "פרופיל"}
    status, saved = call(client, "put", f"/admin/departments/{department}", {
        "names": names, "categories": [{"id": "general", "names": names}],
        "groups": [{"id": "desk", "names": names, "members": [users["agent"]]}], "supervisors": []},
        headers=headers["admin"])
    assert status == 200, saved
    return users, headers, department


def test_an_agent_reads_defaults_then_saves_their_own_settings(client, people):
    users, headers, department = people
    assert call(client, "get", "/agent/profile", headers=headers["agent"]) == (200, {
        "agent": users["agent"], "language": "en", "phone": "", "on_call": [], "sms_opt_out": False})
    body = {"language": "fa", "phone": "۰۹۱۲ ۱۲۳ ۴۵۶۷", "on_call": [f"{department}/desk"],
            "quiet_hours": {"start": "22:00", "end": "07:00", "zone": "Asia/Tehran"}, "sms_opt_out": False}
    status, saved = call(client, "put", "/agent/profile", body, headers=headers["agent"])
    assert status == 200 and saved["phone"] == "+989121234567" and saved["on_call"] == [f"{department}/desk"]
    assert call(client, "get", "/agent/profile", headers=headers["agent"]) == (200, saved)
    without_phone_and_quiet_hours = {k: v for k, v in saved.items() if k != "quiet_hours"} | {"phone": ""}
    status, cleared = call(client, "put", "/agent/profile", without_phone_and_quiet_hours, headers=headers["agent"])
    assert status == 200 and cleared["phone"] == "" and "quiet_hours" not in cleared


@pytest.mark.parametrize("body, fields", [
    ({"phone": "12345"}, {"phone": "invalid"}),
    ({"quiet_hours": {"start": "22:00", "end": "7am", "zone": "Asia/Tehran"}}, {"quiet_hours.end": "invalid"}),
    ({"on_call": ["sales/desk"]}, {"on_call.0": "not_member"}),
    ({"language": "de"}, {"language": "invalid"}),
])
def test_bad_settings_are_refused_by_field_and_nothing_changes(client, people, body, fields):
    _, headers, _ = people
    _, before = call(client, "get", "/agent/profile", headers=headers["agent"])
    status, error = call(client, "put", "/agent/profile", body, headers=headers["agent"])
    assert status == 400 and error["fields"] == fields
    assert call(client, "get", "/agent/profile", headers=headers["agent"]) == (200, before)


def test_an_admin_edits_an_agents_settings_and_an_agent_may_not(client, people):
    users, headers, _ = people
    path = f"/admin/agents/{users['agent']}/profile"
    status, saved = call(client, "put", path, {"language": "he", "sms_opt_out": True}, headers=headers["admin"])
    assert status == 200 and saved["language"] == "he" and saved["sms_opt_out"] is True
    assert call(client, "get", path, headers=headers["admin"])[1] == saved
    assert call(client, "put", path, {"language": "en"}, headers=headers["agent"])[0] == 403
    assert call(client, "get", path, headers=headers["agent"])[0] == 403
    assert call(client, "get", "/admin/agents/nobody@example.com/profile", headers=headers["admin"])[0] == 404


def test_strangers_get_nothing(client):
    assert call(client, "get", "/agent/profile")[0] == 401
    assert call(client, "put", "/agent/profile", {"language": "fa"})[0] == 401
