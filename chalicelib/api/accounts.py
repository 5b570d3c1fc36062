"""Admins and agents' accounts: see whether an agent's account is enabled and has a second factor, sign the
agent out everywhere, disable and re-enable the account. The agent's tokens stop working at their next call
(api/auth.py reads the revocation marker)."""
from urllib.parse import unquote

from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import schemas, shapes
from chalicelib.api.auth import Agent, staff
from chalicelib.api.http import route
from chalicelib.services import accounts
from chalicelib.services.accounts import Account

accounts_api = Blueprint(__name__)


def _agent(raw: str) -> str:
    """The agent's address from the path: browsers send `@` as %40, which `chalice local` does not decode."""
    return unquote(raw)


def _shape(found: Account) -> shapes.AccountReply:
    return shapes.AccountReply(agent=found.agent, enabled=found.enabled, mfa=found.second_factor)


@route(accounts_api, "/admin/agents/{agent_id}/account", audience="admin", response=shapes.AccountReply,
       summary="An agent's account: enabled, and whether they use a second factor")
def get_account(agent_id, agent: Agent):
    return _shape(accounts.account(bootstrap.accounts_desk(), agent_id=_agent(agent_id)))


@route(accounts_api, "/admin/agents/{agent_id}/sign-out", method="POST", request=schemas.NoFields, audience="admin",
       response=shapes.AccountReply,
       summary="Sign an agent out everywhere: their tokens stop working at the next call")
def sign_out_everywhere(agent_id, agent: Agent, body):
    return _shape(accounts.sign_out_everywhere(bootstrap.accounts_desk(), agent_id=_agent(agent_id)))


@route(accounts_api, "/admin/agents/{agent_id}/disable", method="POST", request=schemas.NoFields, audience="admin",
       response=shapes.AccountReply,
       summary="Disable an agent's account: no sign-in, and their tokens stop working at the next call")
def disable(agent_id, agent: Agent, body):
    return _shape(accounts.disable(bootstrap.accounts_desk(), by=staff(agent), agent_id=_agent(agent_id)))


@route(accounts_api, "/admin/agents/{agent_id}/enable", method="POST", request=schemas.NoFields, audience="admin",
       response=shapes.AccountReply,
       summary="Enable a disabled agent's account again (they sign in anew)")
def enable(agent_id, agent: Agent, body):
    return _shape(accounts.enable(bootstrap.accounts_desk(), agent_id=_agent(agent_id)))
