"""The organisation as every agent needs it to hand tickets over: departments with their work groups, members
and supervisors, and every agent's display name (the portal's queue filter, Assign and Transfer). Read-only:
changing it is the admins' (api/admin.py), who also see the rules and policies."""
from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import shapes
from chalicelib.api.auth import Agent
from chalicelib.api.http import route
from chalicelib.services import organisation

directory_api = Blueprint(__name__)


@route(directory_api, "/agent/org", audience="agent", response=shapes.OrganisationReply,
       summary="Departments with work groups, members and supervisors, and every agent's name")
def get_directory(agent: Agent):
    found = organisation.organisation(catalog=bootstrap.catalog(), agents=bootstrap.agents())
    return shapes.organisation(found, with_rules_and_policies=False)
