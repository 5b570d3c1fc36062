"""Agents' display names from the Cognito pool (the `name` attribute an admin sets)."""
from __future__ import annotations

from functools import lru_cache

from chalicelib.adapters.aws import client
from chalicelib.services.ports import AgentDirectory

FALLBACK_NAME = "Support"


class CognitoAgentDirectory(AgentDirectory):
    def __init__(self, user_pool_id: str):
        self.user_pool_id = user_pool_id
        # One lookup per agent per container: names change rarely and a stale one for a while is harmless.
        self._cached = lru_cache(maxsize=512)(self._lookup)

    def display_name(self, username: str) -> str:
        return self._cached(username)

    def _lookup(self, username: str) -> str:
        user = client("cognito-idp").admin_get_user(UserPoolId=self.user_pool_id, Username=username)
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        return attributes.get("name") or attributes.get("given_name") or FALLBACK_NAME
