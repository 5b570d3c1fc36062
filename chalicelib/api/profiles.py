"""Agents' alert settings: each agent edits their own; admins edit anyone's."""
from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import schemas
from chalicelib.api.auth import Agent
from chalicelib.api.http import route
from chalicelib.domain.alerts import AgentProfile
from chalicelib.services import agent_profiles

profiles_api = Blueprint(__name__)


def _shape(profile: AgentProfile) -> dict:
    """Also a valid PUT body (schemas.AGENT_PROFILE): no phone is "", no quiet hours leaves the key out."""
    shape = {"agent": profile.agent, "language": profile.language.value, "phone": profile.phone or "",
             "on_call": sorted(profile.on_call), "sms_opt_out": profile.sms_opt_out}
    if quiet := profile.quiet_hours:
        shape["quiet_hours"] = {"start": quiet.start.strftime("%H:%M"), "end": quiet.end.strftime("%H:%M"),
                                "zone": quiet.zone}
    return shape


@route(profiles_api, "/agent/profile", audience="agent", summary="My alert settings (SMS, language, quiet hours)")
def get_my_profile(agent: Agent):
    return _shape(agent_profiles.profile(profiles=bootstrap.agent_profiles(), agent=agent.actor.id))


@route(profiles_api, "/agent/profile", method="PUT", request=schemas.AGENT_PROFILE, audience="agent",
       summary="Replace my alert settings")
def put_my_profile(agent: Agent, body):
    return _shape(agent_profiles.save_profile(profiles=bootstrap.agent_profiles(), catalog=bootstrap.catalog(),
                                              agent=agent.actor.id, values=body))


@route(profiles_api, "/admin/agents/{agent_id}/profile", audience="admin", summary="An agent's alert settings")
def get_agent_profile(agent_id, agent: Agent):
    known = agent_profiles.known_agent(bootstrap.agents(), agent_id)
    return _shape(agent_profiles.profile(profiles=bootstrap.agent_profiles(), agent=known))


@route(profiles_api, "/admin/agents/{agent_id}/profile", method="PUT", request=schemas.AGENT_PROFILE,
       audience="admin", summary="Replace an agent's alert settings")
def put_agent_profile(agent_id, agent: Agent, body):
    known = agent_profiles.known_agent(bootstrap.agents(), agent_id)
    return _shape(agent_profiles.save_profile(profiles=bootstrap.agent_profiles(), catalog=bootstrap.catalog(),
                                              agent=known, values=body))
