"""Agents from the Cognito pool: who a token's user is (their email and the `name` attribute an admin sets),
and the list of agents (members of the pool's "agent" group) an admin picks from."""
from __future__ import annotations

import time
from functools import lru_cache

from chalicelib.adapters.aws import client
from chalicelib.services.ports import AgentDirectory

FALLBACK_NAME = "Support"
AGENT_GROUP = "agent"
AGENTS_FRESH_FOR = 60.0  # seconds: pages list agents on every load; a newly invited agent shows within a minute


class CognitoAgentDirectory(AgentDirectory):
    """The pool signs agents in by email (UsernameAttributes), so its usernames are opaque ids: an agent's id
    here is their email, which Cognito also accepts wherever a username is asked for."""

    def __init__(self, user_pool_id: str):
        self.user_pool_id = user_pool_id
        # One lookup per agent per container: names change rarely and a stale one for a while is harmless.
        self._cached = lru_cache(maxsize=512)(self._lookup)
        self._agents: list[tuple[str, str]] = []
        self._agents_read_at: float | None = None

    def identify(self, username: str) -> tuple[str, str]:
        cognito = client("cognito-idp")
        try:
            return self._cached(username)
        except cognito.exceptions.UserNotFoundException:
            raise LookupError(username) from None

    def display_name(self, agent_id: str) -> str:
        cognito = client("cognito-idp")
        try:
            return self._cached(agent_id)[1]
        except cognito.exceptions.UserNotFoundException:
            return FALLBACK_NAME  # removed from the pool but still in a group or on a ticket (not cached)

    def _lookup(self, username: str) -> tuple[str, str]:
        user = client("cognito-idp").admin_get_user(UserPoolId=self.user_pool_id, Username=username)
        return _agent(user["Username"], user.get("UserAttributes", []))

    def agents(self, *, fresh: bool = False) -> list[tuple[str, str]]:
        now = time.monotonic()
        if fresh or self._agents_read_at is None or now - self._agents_read_at > AGENTS_FRESH_FOR:
            self._agents, self._agents_read_at = self._list_agents(), now
        return list(self._agents)

    def _list_agents(self) -> list[tuple[str, str]]:
        pages = client("cognito-idp").get_paginator("list_users_in_group").paginate(
            UserPoolId=self.user_pool_id, GroupName=AGENT_GROUP)
        return sorted(_agent(user["Username"], user.get("Attributes", []))
                      for page in pages for user in page.get("Users", []))


def _agent(username: str, attributes: list[dict]) -> tuple[str, str]:
    """(id, display name): the email the agent signs in with, and the name an admin set."""
    values = {a["Name"]: a["Value"] for a in attributes}
    return (values.get("email") or username,
            values.get("name") or values.get("given_name") or FALLBACK_NAME)
