"""Agents' alert settings (phone, language, quiet hours, on-call groups, SMS opt-out), edited by the agent
themselves or by an admin."""
from __future__ import annotations

from chalicelib.domain.alerts import AgentProfile, on_call_key, parse_profile
from chalicelib.errors import Invalid, NotFound
from chalicelib.services.ports import AgentDirectory, AgentProfiles, CatalogRepository


def profile(*, profiles: AgentProfiles, agent: str) -> AgentProfile:
    """The agent's profile; an agent who never saved one gets the defaults (English mail, no SMS)."""
    return profiles.get(agent) or AgentProfile(agent=agent)


def save_profile(*, profiles: AgentProfiles, catalog: CatalogRepository, agent: str, values: dict) -> AgentProfile:
    """Replace the agent's profile. On-call duty is possible only for groups the agent works in."""
    parsed = parse_profile(agent, values)
    member_of = {on_call_key(d.id, g.id) for d in catalog.departments() for g in d.groups_of(agent)}
    strangers = {f"on_call.{i}": "not_member" for i, key in enumerate(values.get("on_call", []))
                 if key not in member_of}
    if strangers:
        raise Invalid("on call only in one's own groups", fields=strangers)
    profiles.save(parsed)
    return parsed


def known_agent(agents: AgentDirectory, agent: str) -> str:
    """An admin edits only agents of the pool (fresh: one invited a moment ago counts)."""
    if agent not in {a for a, _ in agents.agents(fresh=True)}:
        raise NotFound("no such agent")
    return agent
