"""Agents' alert settings: validated field by field, on call only where they work."""
from datetime import time

import pytest

from chalicelib.domain.alerts import AgentProfile, QuietHours
from chalicelib.domain.tickets import Language
from chalicelib.errors import Invalid, NotFound
from chalicelib.services import agent_profiles as service
from tests.fakes import FakeAgents, InMemoryAgentProfiles, InMemoryCatalog


def save(values, agent="agent.fa", profiles=None):
    return service.save_profile(profiles=profiles or InMemoryAgentProfiles(), catalog=InMemoryCatalog(), agent=agent,
                                values=values)


def test_an_agent_without_a_profile_gets_the_defaults():
    assert service.profile(profiles=InMemoryAgentProfiles(), agent="agent.he") == AgentProfile(agent="agent.he")


@pytest.mark.parametrize("language, typed, e164", [
    ("fa", "۰۹۱۲ ۱۲۳ ۴۵۶۷", "+989121234567"),   # Persian digits, Iranian local format
    ("he", "054-444-5566", "+972544445566"),    # Israeli local format
    ("fa", "021 8888 1234", None),              # a Tehran landline takes no SMS
    ("en", "00989121234567", "+989121234567"),  # 00 international prefix
])
def test_phones_are_stored_in_e164(language, typed, e164):
    if e164 is None:
        with pytest.raises(Invalid):
            save({"language": language, "phone": typed})
        return
    profiles = InMemoryAgentProfiles()
    saved = save({"language": language, "phone": typed, "quiet_hours": {"start": "22:00", "end": "07:00",
                                                                       "zone": "Asia/Tehran"},
                  "on_call": ["support/desk"], "sms_opt_out": False}, profiles=profiles)
    assert saved == AgentProfile(agent="agent.fa", language=Language(language), phone=e164,
                                 quiet_hours=QuietHours(time(22), time(7), "Asia/Tehran"),
                                 on_call=frozenset({"support/desk"}))
    assert profiles.get("agent.fa") == saved


def test_every_bad_field_is_reported_at_once_and_nothing_is_saved():
    profiles = InMemoryAgentProfiles()
    with pytest.raises(Invalid) as refused:
        save({"language": "de", "phone": "12", "quiet_hours": {"start": "9", "end": "07:00", "zone": "Nowhere/City"},
              "on_call": ["support"]}, profiles=profiles)
    assert refused.value.fields == {"language": "invalid", "phone": "invalid", "quiet_hours.start": "invalid",
                                    "quiet_hours.zone": "unknown", "on_call.0": "invalid"}
    assert profiles.profiles == {}


def test_on_call_only_in_ones_own_groups():
    with pytest.raises(Invalid) as refused:
        save({"on_call": ["support/desk", "support/experts", "sales/desk"]}, agent="agent.fa")
    assert refused.value.fields == {"on_call.1": "not_member", "on_call.2": "not_member"}
    with pytest.raises(Invalid):
        save({"on_call": ["support/desk"]}, agent="admin")  # supervises, but works in no group


def test_admins_edit_only_agents_of_the_pool():
    assert service.known_agent(FakeAgents(), "agent.he") == "agent.he"
    with pytest.raises(NotFound):
        service.known_agent(FakeAgents(), "stranger@example.com")
