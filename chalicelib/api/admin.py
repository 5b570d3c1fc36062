"""Routes for admins (Cognito group "admin", checked by api/http.route): the organisation, routing rules and
policies."""
from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import schemas, shapes
from chalicelib.api.auth import Agent
from chalicelib.api.contract import to_builtins
from chalicelib.api.http import route
from chalicelib.services import organisation

admin_api = Blueprint(__name__)


@route(admin_api, "/admin/org", audience="admin", response=shapes.OrganisationReply,
       summary="Departments with groups and supervisors, routing rules, policies and every agent")
def get_organisation(agent: Agent):
    found = organisation.organisation(catalog=bootstrap.catalog(), agents=bootstrap.agents(), fresh_agents=True)
    return shapes.organisation(found, with_rules_and_policies=True)


@route(admin_api, "/admin/departments/{department_id}", method="PUT", request=schemas.PutDepartment, audience="admin",
       response=shapes.DepartmentReply,
       summary="Create or replace a department: names, categories, work groups, supervisors")
def put_department(department_id, agent: Agent, body: schemas.PutDepartment):
    values = to_builtins(body)  # the domain reads the meaning (domain/catalog.py)
    saved = organisation.save_department(catalog=bootstrap.catalog(), agents=bootstrap.agents(),
                                         department_id=department_id, names=values["names"],
                                         categories=values["categories"], groups=values["groups"],
                                         supervisors=values["supervisors"])
    return shapes.department(saved)


@route(admin_api, "/admin/rules", method="PUT", request=schemas.PutRules, audience="admin", response=shapes.Rules,
       summary="Replace the routing rules")
def put_rules(agent: Agent, body: schemas.PutRules):
    saved = organisation.save_rules(catalog=bootstrap.catalog(), rules=to_builtins(body)["rules"])
    return shapes.Rules(rules=[shapes.routing_rule(r) for r in saved])


@route(admin_api, "/admin/policies", method="PUT", request=schemas.PutPolicies, audience="admin",
       response=shapes.PoliciesReply,
       summary="Replace the limits and timings")
def put_policies(agent: Agent, body: schemas.PutPolicies):
    return shapes.policies(organisation.save_policies(catalog=bootstrap.catalog(), values=to_builtins(body)))


@route(admin_api, "/admin/sla", audience="admin", response=shapes.SlaPolicyReply,
       summary="SLA targets per priority (and department), the business-hours calendar, warning and escalation")
def get_sla_policy(agent: Agent):
    return bootstrap.catalog().sla_policy().to_document()


@route(admin_api, "/admin/sla", method="PUT", request=schemas.PutSlaPolicy, audience="admin",
       response=shapes.SlaPolicyReply,
       summary="Replace the SLA policy; tickets opened from now on get its targets, so does a ticket whose priority "
               "an agent changes")
def put_sla_policy(agent: Agent, body: schemas.PutSlaPolicy):
    return organisation.save_sla_policy(catalog=bootstrap.catalog(), values=to_builtins(body)).to_document()
