"""Who is calling. Agents: Cognito access tokens verified here (signature against the pool's JWKS,
issuer, client, expiry, token use) because Chalice's Cognito authorizer checks nothing locally.
Customers: the ticket key from their private link, checked by the ticket services."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from chalicelib import bootstrap
from chalicelib.domain.tickets import Actor, AuthorKind
from chalicelib.errors import Forbidden, Unauthorized
from chalicelib.settings import get_settings

AGENT_GROUPS = frozenset({"agent", "admin"})


@dataclass(frozen=True)
class Agent:
    actor: Actor
    groups: frozenset[str]


class TokenVerifier:
    def __init__(self, keys, *, issuer: str, client_id: str, names: Callable[[str], str]):
        self.keys, self.issuer, self.client_id = keys, issuer, client_id  # keys: a jwt.PyJWKClient
        self.names = names  # username -> the display name customers see

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
        return Agent(actor=Actor(kind=AuthorKind.AGENT, id=claims["username"], name=self.names(claims["username"])),
                     groups=groups)


@lru_cache(maxsize=1)
def token_verifier() -> TokenVerifier:
    import jwt

    s = get_settings()
    # Keys are cached by the client for an hour: one JWKS fetch per container in normal operation.
    return TokenVerifier(jwt.PyJWKClient(s.jwks_url, cache_keys=True, lifespan=3600),
                         issuer=s.token_issuer, client_id=s.user_pool_client_id,
                         names=bootstrap.agents().display_name)


def current_agent(headers) -> Agent:
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("sign in first")
    return token_verifier().verify(token.strip())


def ticket_key(headers) -> str:
    return (headers.get("x-ticket-key") or "").strip()
