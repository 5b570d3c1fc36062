"""The admin's use cases: read the whole organisation, save a department, the routing rules, the policies.
Everything is checked (domain/organisation.py, domain/policies.py) before anything is written."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.catalog import Department
from chalicelib.domain.organisation import parse_department, parse_rules
from chalicelib.domain.policies import Policies
from chalicelib.domain.routing import RoutingRule
from chalicelib.domain.sla import SlaPolicy
from chalicelib.services.ports import AgentDirectory, CatalogRepository


@dataclass(frozen=True)
class Organisation:
    departments: list[Department]
    rules: list[RoutingRule]
    policies: Policies
    agents: list[tuple[str, str]]  # (username, display name)


def organisation(*, catalog: CatalogRepository, agents: AgentDirectory, fresh_agents: bool = False) -> Organisation:
    """`fresh_agents` for the admin page: an agent just added to the pool is listed at once, not within a minute."""
    return Organisation(departments=sorted(catalog.departments(), key=lambda d: d.id), rules=catalog.rules(),
                        policies=catalog.policies(), agents=agents.agents(fresh=fresh_agents))


def save_department(*, catalog: CatalogRepository, agents: AgentDirectory, department_id: str, names: dict,
                    categories: list[dict], groups: list[dict], supervisors: list[str]) -> Department:
    """Create or replace a department. Members and supervisors must be agents of the pool."""
    department = parse_department(department_id, names=names, categories=categories, groups=groups,
                                  supervisors=supervisors,
                                  agents={username for username, _ in agents.agents(fresh=True)})
    catalog.save(department)
    return department


def save_rules(*, catalog: CatalogRepository, rules: list[dict]) -> list[RoutingRule]:
    """Replace the routing rules; each must point at a category and a group that exist."""
    parsed = parse_rules(rules, catalog.departments())
    catalog.save_rules(parsed)
    return parsed


def save_policies(*, catalog: CatalogRepository, values: dict) -> Policies:
    policies = Policies.parse(values)
    catalog.save_policies(policies)
    return policies


def save_sla_policy(*, catalog: CatalogRepository, values: dict) -> SlaPolicy:
    policy = SlaPolicy.parse(values)
    catalog.save_sla_policy(policy)
    return policy
