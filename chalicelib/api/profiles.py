"""Agents' alert settings: each agent edits their own; admins edit anyone's."""
from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import schemas, shapes
from chalicelib.api.auth import Agent
from chalicelib.api.contract import to_builtins
from chalicelib.api.http import route
from chalicelib.services import agent_profiles

profiles_api = Blueprint(__name__)


@route(profiles_api, "/agent/profile", audience="agent", response=shapes.AgentProfileReply,
       summary="My alert settings (SMS, language, quiet hours)")
def get_my_profile(agent: Agent):
    return shapes.agent_profile(agent_profiles.profile(profiles=bootstrap.agent_profiles(), agent=agent.actor.id))


@route(profiles_api, "/agent/profile", method="PUT", request=schemas.PutAgentProfile, audience="agent",
       response=shapes.AgentProfileReply,
       summary="Replace my alert settings")
def put_my_profile(agent: Agent, body: schemas.PutAgentProfile):
    saved = agent_profiles.save_profile(profiles=bootstrap.agent_profiles(), catalog=bootstrap.catalog(),
                                        agent=agent.actor.id, values=to_builtins(body))
    return shapes.agent_profile(saved)


@route(profiles_api, "/admin/agents/{agent_id}/profile", audience="admin", response=shapes.AgentProfileReply,
       summary="An agent's alert settings")
def get_agent_profile(agent_id, agent: Agent):
    known = agent_profiles.known_agent(bootstrap.agents(), agent_id)
    return shapes.agent_profile(agent_profiles.profile(profiles=bootstrap.agent_profiles(), agent=known))


@route(profiles_api, "/admin/agents/{agent_id}/profile", method="PUT", request=schemas.PutAgentProfile,
       audience="admin", response=shapes.AgentProfileReply, summary="Replace an agent's alert settings")
def put_agent_profile(agent_id, agent: Agent, body: schemas.PutAgentProfile):
    known = agent_profiles.known_agent(bootstrap.agents(), agent_id)
    saved = agent_profiles.save_profile(profiles=bootstrap.agent_profiles(), catalog=bootstrap.catalog(),
                                        agent=known, values=to_builtins(body))
    return shapes.agent_profile(saved)
