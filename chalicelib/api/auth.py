"""Who is calling. Agents: Cognito access tokens verified here (signature against the pool's JWKS,
issuer, client, expiry, token use) because Chalice's Cognito authorizer checks nothing locally; then one
read of the agent's revocation marker, because a JWT stays valid until it expires even after an admin signed
the agent out everywhere or disabled the account. Admins and supervisors must have a second factor.
Customers: the ticket key from their private link and/or a session token from the code sign-in (verified
here), checked against the ticket by the ticket services."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Callable

from chalicelib import bootstrap
from chalicelib.domain import sessions
from chalicelib.domain.accounts import revoked
from chalicelib.domain.permissions import Staff
from chalicelib.domain.sign_in import CustomerAccess, Identity
from chalicelib.domain.tickets import Actor, AuthorKind
from chalicelib.errors import Forbidden, Unauthorized
from chalicelib.settings import get_settings

ADMIN_GROUP = "admin"
AGENT_GROUPS = frozenset({"agent", ADMIN_GROUP})


@dataclass(frozen=True)
class Agent:
    actor: Actor
    groups: frozenset[str]


class TokenVerifier:
    def __init__(self, keys, *, issuer: str, client_id: str, identify: Callable[[str], tuple[str, str]],
                 revoked_before: Callable[[str], datetime | None] = lambda agent_id: None):
        self.keys, self.issuer, self.client_id = keys, issuer, client_id  # keys: a jwt.PyJWKClient
        self.identify = identify  # the pool's username -> (agent id, the display name customers see)
        self.revoked_before = revoked_before  # agent id -> sign-ins before this are over (one read)

    def verify(self, token: str) -> Agent:
        import jwt  # with `cryptography`, a fifth of the import time: only agent requests pay it

        try:
            key = self.keys.get_signing_key_from_jwt(token).key
            claims = jwt.decode(token, key, algorithms=["RS256"], issuer=self.issuer,
                                options={"require": ["exp", "iat", "iss", "sub", "token_use", "client_id", "username"]})
        except (jwt.InvalidTokenError, jwt.PyJWKClientError) as exc:
            raise Unauthorized("invalid or expired token") from exc
        # An ID token, or a token of another app client of the pool, is not a key to this API.
        if claims["token_use"] != "access" or claims["client_id"] != self.client_id:
            raise Unauthorized("invalid token")
        groups = frozenset(claims.get("cognito:groups") or [])
        if not groups & AGENT_GROUPS:
            raise Forbidden("not an agent")
        try:
            agent_id, name = self.identify(claims["username"])
        except LookupError:
            raise Unauthorized("this account no longer exists") from None  # removed while its token lives on
        # auth_time is the sign-in's (kept by refreshed tokens): a refresh cannot outlive a sign-out.
        if revoked(signed_in_at=int(claims.get("auth_time", claims["iat"])),
                   revoked_before=self.revoked_before(agent_id)):
            raise Unauthorized("signed out: sign in again")
        return Agent(actor=Actor(kind=AuthorKind.AGENT, id=agent_id, name=name), groups=groups)


@lru_cache(maxsize=1)
def token_verifier() -> TokenVerifier:
    import jwt

    s = get_settings()
    # Keys are cached by the client for an hour: one JWKS fetch per container in normal operation.
    return TokenVerifier(jwt.PyJWKClient(s.jwks_url, cache_keys=True, lifespan=3600),
                         issuer=s.token_issuer, client_id=s.user_pool_client_id,
                         identify=bootstrap.agents().identify,
                         revoked_before=bootstrap.revocations().revoked_before)


def bearer_token(headers) -> str:
    """The token of an `Authorization: Bearer ...` header; '' when there is none."""
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def current_agent(headers) -> Agent:
    token = bearer_token(headers)
    if not token:
        raise Unauthorized("sign in first")
    return token_verifier().verify(token)


def staff(agent: Agent) -> Staff:
    return Staff(actor=agent.actor, admin=ADMIN_GROUP in agent.groups)


def require_second_factor(agent: Agent) -> None:
    """403 mfa_required for an admin or supervisor who has not enrolled a second factor."""
    from chalicelib.services import accounts

    accounts.require_second_factor(accounts=bootstrap.accounts(), catalog=bootstrap.catalog(), staff=staff(agent))


def ticket_key(headers) -> str:
    return (headers.get("x-ticket-key") or "").strip()


def _session_identity(token: str) -> Identity:
    return sessions.verify(bootstrap.secrets().link_secret(), token, bootstrap.clock().now())


def customer_access(headers) -> CustomerAccess:
    """The ticket key and the signed-in identity, either or both or neither. A session token that is sent
    must be valid: a broken one is refused rather than silently ignored."""
    token = bearer_token(headers)
    return CustomerAccess(key=ticket_key(headers), identity=_session_identity(token) if token else None)


def signed_in_customer(headers) -> Identity:
    token = bearer_token(headers)
    if not token:
        raise Unauthorized("sign in first")
    return _session_identity(token)
