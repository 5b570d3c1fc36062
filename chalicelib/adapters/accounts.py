"""Agents' accounts: the Cognito pool's MFA settings and admin actions, and the revocation marker
(AGENT#<email> / REVOKED: tokens from sign-ins before `before` are refused) in the table."""
from __future__ import annotations

import time
from datetime import datetime, timezone

from chalicelib.adapters.aws import client
from chalicelib.adapters.models import DocumentItem, use_table
from chalicelib.services.ports import AgentAccounts, Revocations

TOTP = "SOFTWARE_TOKEN_MFA"
ENROLLED_FRESH_FOR = 60.0  # seconds: one AdminGetUser per agent per minute; not enrolled is never cached
REVOKED = "REVOKED"


class CognitoAgentAccounts(AgentAccounts):
    """Cognito access tokens carry no `amr`, so whether an agent uses a second factor is read from their
    MFA settings (AdminGetUser): enrolled and preferred means the pool asks for the code at every sign-in."""

    def __init__(self, user_pool_id: str, *, now=time.monotonic):
        self.user_pool_id = user_pool_id
        self._now = now
        self._enrolled_at: dict[str, float] = {}

    def _user(self, agent_id: str) -> dict:
        return client("cognito-idp").admin_get_user(UserPoolId=self.user_pool_id, Username=agent_id)

    def has_second_factor(self, agent_id: str) -> bool:
        seen = self._enrolled_at.get(agent_id)
        if seen is not None and self._now() - seen < ENROLLED_FRESH_FOR:
            return True
        user = self._user(agent_id)
        enrolled = TOTP in user.get("UserMFASettingList", []) and user.get("PreferredMfaSetting") == TOTP
        if enrolled:
            self._enrolled_at[agent_id] = self._now()
        else:  # someone who just enrolled must not wait for a cache to expire
            self._enrolled_at.pop(agent_id, None)
        return enrolled

    def enabled(self, agent_id: str) -> bool:
        return bool(self._user(agent_id).get("Enabled", True))

    def sign_out_everywhere(self, agent_id: str) -> None:
        client("cognito-idp").admin_user_global_sign_out(UserPoolId=self.user_pool_id, Username=agent_id)

    def disable(self, agent_id: str) -> None:
        client("cognito-idp").admin_disable_user(UserPoolId=self.user_pool_id, Username=agent_id)
        self._enrolled_at.pop(agent_id, None)

    def enable(self, agent_id: str) -> None:
        client("cognito-idp").admin_enable_user(UserPoolId=self.user_pool_id, Username=agent_id)


class DynamoRevocations(Revocations):
    def __init__(self, table_name: str):
        use_table(table_name)

    def revoke(self, agent_id: str, at: datetime) -> None:
        before = max(at.timestamp(), self._before(agent_id) or 0.0)  # never moves back
        DocumentItem(pk=f"AGENT#{agent_id}", sk=REVOKED, doc={"before": before}).save()

    def revoked_before(self, agent_id: str) -> datetime | None:
        before = self._before(agent_id)
        return None if before is None else datetime.fromtimestamp(before, timezone.utc)

    def _before(self, agent_id: str) -> float | None:
        try:
            return float(DocumentItem.get(f"AGENT#{agent_id}", REVOKED, consistent_read=True).doc["before"])
        except DocumentItem.DoesNotExist:
            return None
