"""A signed-in customer's session: a JWT (HS256) naming the identity that proved it holds a code.

The signing key is derived from the link secret, so no second secret has to be stored or rotated;
rotating the link secret ends every session. Times come from the caller's clock, not PyJWT's, so the
rules are testable and one clock decides everywhere.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.sign_in import Identity
from chalicelib.errors import Unauthorized

AUDIENCE = "helpdesk-customer"
LIFETIME = timedelta(hours=12)
ALGORITHM = "HS256"


@dataclass(frozen=True)
class Session:
    token: str
    expires_in: int  # seconds


def signing_key(link_secret: bytes) -> bytes:
    return hmac.new(link_secret, b"customer-session", hashlib.sha256).digest()


def issue(link_secret: bytes, identity: Identity, now: datetime) -> Session:
    import jwt  # only sign-in and customer requests with a session pay for it

    claims = {"sub": identity.key, "aud": AUDIENCE, "iat": int(now.timestamp()),
              "exp": int((now + LIFETIME).timestamp())}
    return Session(token=jwt.encode(claims, signing_key(link_secret), algorithm=ALGORITHM),
                   expires_in=int(LIFETIME.total_seconds()))


def verify(link_secret: bytes, token: str, now: datetime) -> Identity:
    """The identity a session token names; Unauthorized if it is forged, foreign or expired."""
    import jwt

    try:
        claims = jwt.decode(token, signing_key(link_secret), algorithms=[ALGORITHM], audience=AUDIENCE,
                            options={"require": ["sub", "aud", "iat", "exp"], "verify_exp": False,
                                     "verify_iat": False, "verify_nbf": False})
        if now.timestamp() >= claims["exp"]:
            raise Unauthorized("the session has expired; sign in again")
        return Identity.from_key(claims["sub"])
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise Unauthorized("invalid session; sign in again") from exc
