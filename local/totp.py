"""Authenticator-app codes (TOTP, RFC 6238) for the local stack and the tests, and a sign-in that answers the
pool's SOFTWARE_TOKEN_MFA challenge. moto checks codes like Cognito (local/moto_server.py switches that on)
but gives every account the same secret, MOTO_SECRET.

    python -m local.totp            # the code an authenticator app would show now for the demo accounts
"""
from __future__ import annotations

import base64
import sys
import time

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

MOTO_SECRET = "asdfasdfasdf"  # moto.cognitoidp.models.COGNITO_TOTP_MFA_SECRET
STEP = 30


def code(secret: str = MOTO_SECRET, at: float | None = None) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    return TOTP(key, 6, SHA1(), STEP, enforce_key_length=False).generate(int(time.time() if at is None else at)).decode()


def fresh_code(secret: str = MOTO_SECRET) -> str:
    """A code with at least 3 seconds of its 30 left, so that it is still current when the pool checks it."""
    if STEP - time.time() % STEP < 3:
        time.sleep(STEP - time.time() % STEP + 0.1)
    return code(secret)


def enroll(cognito, access_token: str) -> None:
    """What the portal's enrollment page does: associate an app, prove a code, make it the sign-in factor."""
    secret = cognito.associate_software_token(AccessToken=access_token)["SecretCode"]
    cognito.verify_software_token(AccessToken=access_token, UserCode=fresh_code(secret), FriendlyDeviceName="tests")
    cognito.set_user_mfa_preference(AccessToken=access_token,
                                    SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})


def sign_in(cognito, client_id: str, username: str, password: str, secret: str = MOTO_SECRET) -> dict:
    """USER_PASSWORD_AUTH, answering the authenticator-code challenge if the account has one: the tokens."""
    result = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": username, "PASSWORD": password})
    if result.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
        result = cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=result["Session"],
            ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": fresh_code(secret)})
    return result["AuthenticationResult"]


if __name__ == "__main__":
    print(code())
    sys.exit(0)
