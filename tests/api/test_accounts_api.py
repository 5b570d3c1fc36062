"""Agents' accounts over HTTP. Admins and supervisors must use a second factor (authenticator app): without
one they get 403 mfa_required and only what the portal needs to send them to enroll. An admin signs an agent
out everywhere or disables the account, and the agent's next call is 401; nobody else may."""
import time
import uuid

import boto3
import pytest

from local import totp
from tests.api.test_ticket_api import as_agent, call
from tests.conftest import DEMO_PASSWORD



@pytest.fixture
def run():
    return uuid.uuid4().hex[:6]


@pytest.fixture(scope="module")
def admin(cognito):
    return as_agent(cognito(f"acc.admin.{uuid.uuid4().hex[:6]}@example.com", groups=("agent", "admin"), name="Sam"))


@pytest.fixture(scope="module")
def pool(aws_stack):
    return boto3.client("cognito-idp"), aws_stack["USER_POOL_ID"], aws_stack["USER_POOL_CLIENT_ID"]


def sign_in(pool, username) -> dict:
    cognito, _, app_client = pool
    return totp.sign_in(cognito, app_client, username, DEMO_PASSWORD)


# ---------------------------------------------------------------- the second factor

def test_an_admin_without_a_second_factor_gets_only_the_way_to_enroll(client, cognito, pool, run):
    username = f"acc.newadmin.{run}@example.com"
    token = cognito(username, groups=("agent", "admin"), name="Noa", mfa=False)

    status, error = call(client, "get", "/admin/org", headers=as_agent(token))
    assert (status, error["error"]) == (403, "mfa_required")
    assert call(client, "get", "/agent/mine", headers=as_agent(token))[1]["error"] == "mfa_required"
    status, me = call(client, "get", "/agent/me", headers=as_agent(token))
    assert status == 200 and me["mfa"] == {"required": True, "enrolled": False}

    totp.enroll(pool[0], token)  # what the portal's enrollment page does, straight against the pool

    assert call(client, "get", "/admin/org", headers=as_agent(token))[0] == 200  # at once: no stale "no"
    assert call(client, "get", "/agent/me", headers=as_agent(token))[1]["mfa"] == {"required": True, "enrolled": True}


def test_a_supervisor_without_a_second_factor_is_refused_a_plain_agent_is_not(client, cognito, admin, run):
    supervisor, agent = f"acc.sup.{run}@example.com", f"acc.agent.{run}@example.com"
    sup_token = cognito(supervisor, mfa=False)
    agent_token = cognito(agent, mfa=False)
    names = {"en": "Accounts", "fa": "حساب‌ها", "he": "חשבונות"}
    status, _ = call(client, "put", f"/admin/departments/acc-{run}", {
        "names": names, "categories": [{"id": "general", "names": names}],
        "groups": [{"id": "desk", "names": names, "members": [agent]}], "supervisors": [supervisor]}, headers=admin)
    assert status == 200

    status, error = call(client, "get", f"/agent/queue?department=acc-{run}", headers=as_agent(sup_token))
    assert (status, error["error"]) == (403, "mfa_required")
    assert call(client, "get", "/agent/me", headers=as_agent(sup_token))[1]["mfa"] == {"required": True,
                                                                                        "enrolled": False}
    assert call(client, "get", f"/agent/queue?department=acc-{run}", headers=as_agent(agent_token))[0] == 200
    assert call(client, "get", "/agent/me", headers=as_agent(agent_token))[1]["mfa"] == {"required": False,
                                                                                          "enrolled": False}


def test_an_enrolled_agent_signs_in_only_with_the_apps_code(cognito, pool, run):
    username = f"acc.enrolled.{run}@example.com"
    cognito(username)  # enrolled
    client_, _, app_client = pool
    challenge = client_.initiate_auth(ClientId=app_client, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": username, "PASSWORD": DEMO_PASSWORD})
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in challenge
    wrong = f"{(int(totp.fresh_code()) + 1) % 1_000_000:06d}"
    with pytest.raises(client_.exceptions.CodeMismatchException):
        client_.respond_to_auth_challenge(ClientId=app_client, ChallengeName="SOFTWARE_TOKEN_MFA",
                                          Session=challenge["Session"],
                                          ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": wrong})
    assert sign_in(pool, username)["AccessToken"]


def test_the_admin_page_lists_an_agent_added_to_the_pool_at_once(client, cognito, admin, run):
    """Other pages may list agents up to a minute old (adapters/directory.py); the admin's page, where a new
    agent is looked for right after being added, reads the pool every time."""
    def listed() -> set[str]:
        status, org = call(client, "get", "/admin/org", headers=admin)
        assert status == 200
        return {agent["id"] for agent in org["agents"]}

    newcomer = f"acc.newcomer.{run}@example.com"
    assert newcomer not in listed()  # the list is read (and cached for other pages) before the agent exists
    cognito(newcomer, mfa=False)
    assert newcomer in listed()


# ---------------------------------------------------------------- sign-out everywhere, disable

def test_an_admin_signs_an_agent_out_everywhere_and_their_next_call_is_refused(client, cognito, admin, pool, run):
    username = f"acc.out.{run}@example.com"
    cognito(username)
    tokens = sign_in(pool, username)
    agent = as_agent(tokens["AccessToken"])
    assert call(client, "get", "/agent/mine", headers=agent)[0] == 200

    status, account = call(client, "post", f"/admin/agents/{username}/sign-out", {}, headers=admin)

    assert (status, account) == (200, {"agent": username, "enabled": True, "mfa": True})
    status, error = call(client, "get", "/agent/mine", headers=agent)
    assert (status, error["error"]) == (401, "unauthorized")
    cognito_client, _, app_client = pool
    with pytest.raises(cognito_client.exceptions.NotAuthorizedException):  # the refresh token is gone too
        cognito_client.initiate_auth(ClientId=app_client, AuthFlow="REFRESH_TOKEN_AUTH",
                                     AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    time.sleep(1.05)  # a sign-in in the same second as the sign-out counts as before it
    assert call(client, "get", "/agent/mine", headers=as_agent(sign_in(pool, username)["AccessToken"]))[0] == 200


def test_a_disabled_agent_is_refused_at_the_next_call_and_cannot_sign_in_until_enabled(client, cognito, admin,
                                                                                          pool, run):
    username = f"acc.off.{run}@example.com"
    agent = as_agent(cognito(username))
    assert call(client, "get", "/agent/mine", headers=agent)[0] == 200

    status, account = call(client, "post", f"/admin/agents/{username}/disable", {}, headers=admin)

    assert (status, account["enabled"]) == (200, False)
    assert call(client, "get", "/agent/mine", headers=agent)[0] == 401
    assert call(client, "get", f"/admin/agents/{username}/account", headers=admin)[1]["enabled"] is False
    with pytest.raises(pool[0].exceptions.NotAuthorizedException):
        sign_in(pool, username)

    assert call(client, "post", f"/admin/agents/{username}/enable", {}, headers=admin)[1]["enabled"] is True
    time.sleep(1.05)
    assert call(client, "get", "/agent/mine", headers=as_agent(sign_in(pool, username)["AccessToken"]))[0] == 200
    assert call(client, "get", "/agent/mine", headers=agent)[0] == 401, "the old token stays refused"


@pytest.mark.parametrize("action", ["sign-out", "disable", "enable"])
def test_an_agent_who_is_not_an_admin_cannot_touch_accounts(client, cognito, run, action):
    victim = f"acc.victim.{run}@example.com"
    victim_headers = as_agent(cognito(victim))
    other = as_agent(cognito(f"acc.other.{run}@example.com"))

    status, error = call(client, "post", f"/admin/agents/{victim}/{action}", {}, headers=other)

    assert (status, error["error"]) == (403, "forbidden")
    assert call(client, "get", "/agent/mine", headers=victim_headers)[0] == 200
    assert call(client, "post", f"/admin/agents/{victim}/{action}", {})[0] == 401


def test_an_admin_without_a_second_factor_cannot_sign_anyone_out(client, cognito, run):
    victim = f"acc.victim2.{run}@example.com"
    victim_headers = as_agent(cognito(victim))
    weak_admin = as_agent(cognito(f"acc.weak.{run}@example.com", groups=("agent", "admin"), mfa=False))

    status, error = call(client, "post", f"/admin/agents/{victim}/sign-out", {}, headers=weak_admin)

    assert (status, error["error"]) == (403, "mfa_required")
    assert call(client, "get", "/agent/mine", headers=victim_headers)[0] == 200


def test_an_admin_cannot_disable_their_own_account_nor_an_unknown_one(client, cognito, run):
    username = f"acc.self.{run}@example.com"
    me = as_agent(cognito(username, groups=("agent", "admin")))
    assert call(client, "post", f"/admin/agents/{username}/disable", {}, headers=me)[0] == 409
    assert call(client, "get", "/agent/mine", headers=me)[0] == 200
    assert call(client, "post", "/admin/agents/nobody@example.com/disable", {}, headers=me)[0] == 404
    assert call(client, "post", "/admin/agents/nobody@example.com/sign-out", {}, headers=me)[0] == 404


def test_the_agents_address_may_come_url_encoded_as_browsers_send_it(client, cognito, admin, run):
    username = f"acc.encoded+{run}@example.com"
    cognito(username)
    status, account = call(client, "get", f"/admin/agents/{username.replace('@', '%40').replace('+', '%2B')}/account",
                           headers=admin)
    assert (status, account["agent"]) == (200, username)


def test_an_action_takes_an_empty_body_only(client, cognito, admin, run):
    username = f"acc.body.{run}@example.com"
    agent = as_agent(cognito(username))
    status, error = call(client, "post", f"/admin/agents/{username}/disable", {"agent": "someone@else"},
                         headers=admin)
    assert status == 400
    assert call(client, "get", "/agent/mine", headers=agent)[0] == 200, "nothing was done"
