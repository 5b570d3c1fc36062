"""Agents' accounts: the second factor admins and supervisors must use, and an admin signing an agent out
everywhere or disabling the account, with the agent's tokens refused from the next call on."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.accounts import must_use_second_factor
from chalicelib.domain.permissions import Staff, supervises
from chalicelib.errors import Conflict, MfaRequired
from chalicelib.services.agent_profiles import known_agent
from chalicelib.services.ports import AccountsDesk, AgentAccounts, CatalogRepository


@dataclass(frozen=True)
class SecondFactor:
    required: bool  # the agent's role needs one (admin, or supervisor of a department)
    enrolled: bool


def second_factor(*, accounts: AgentAccounts, catalog: CatalogRepository, staff: Staff) -> SecondFactor:
    required = must_use_second_factor(
        admin=staff.admin, supervises=not staff.admin and any(supervises(staff, d) for d in catalog.departments()))
    return SecondFactor(required=required, enrolled=accounts.has_second_factor(staff.id))


def require_second_factor(*, accounts: AgentAccounts, catalog: CatalogRepository, staff: Staff) -> None:
    """Admins and supervisors without an enrolled second factor get nothing but the way to enroll."""
    # Admins are known from the token; only the others cost a catalog read (are they a supervisor?).
    if staff.admin or any(supervises(staff, d) for d in catalog.departments()):
        if not accounts.has_second_factor(staff.id):
            raise MfaRequired("enroll an authenticator app (two-step sign-in) first: your role requires it")


@dataclass(frozen=True)
class Account:
    agent: str
    enabled: bool
    second_factor: bool


def account(desk: AccountsDesk, *, agent_id: str) -> Account:
    accounts = desk.accounts
    agent = known_agent(desk.directory, agent_id)
    return Account(agent=agent, enabled=accounts.enabled(agent), second_factor=accounts.has_second_factor(agent))


def sign_out_everywhere(desk: AccountsDesk, *, agent_id: str) -> Account:
    """Every token the agent holds stops working at its next call; they must sign in again."""
    accounts, revocations, clock = desk.accounts, desk.revocations, desk.clock
    agent = known_agent(desk.directory, agent_id)
    # The marker first: if the pool's call fails, the tokens are refused anyway and the admin may retry.
    revocations.revoke(agent, clock.now())
    accounts.sign_out_everywhere(agent)
    return Account(agent=agent, enabled=accounts.enabled(agent), second_factor=accounts.has_second_factor(agent))


def disable(desk: AccountsDesk, *, by: Staff, agent_id: str) -> Account:
    """The agent can no longer sign in, and the tokens they hold stop working at their next call."""
    accounts, revocations, clock = desk.accounts, desk.revocations, desk.clock
    agent = known_agent(desk.directory, agent_id)
    if agent == by.id:
        raise Conflict("you cannot disable your own account")
    revocations.revoke(agent, clock.now())
    accounts.disable(agent)
    return Account(agent=agent, enabled=False, second_factor=accounts.has_second_factor(agent))


def enable(desk: AccountsDesk, *, agent_id: str) -> Account:
    """The agent may sign in again (tokens from before the disable stay refused)."""
    accounts = desk.accounts
    agent = known_agent(desk.directory, agent_id)
    accounts.enable(agent)
    return Account(agent=agent, enabled=True, second_factor=accounts.has_second_factor(agent))
