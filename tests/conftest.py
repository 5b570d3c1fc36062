"""Test-wide environment. No test reaches AWS: dummy credentials, and moto for everything AWS."""
import os

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_NAMESPACE": "Helpdesk",
    "POWERTOOLS_SERVICE_NAME": "helpdesk", "POWERTOOLS_DEV": "false",
    "WEB_ORIGIN": "http://127.0.0.1:8080",
    # Every request of chalice's test client (and of the local stack) comes from 127.0.0.1: the whole session
    # is one client network. Tests of the network allowance set their own (tests/api/test_unconfirmed_api.py).
    "UNCONFIRMED_PER_NETWORK": "100000",
})
os.environ.pop("AWS_ENDPOINT_URL", None)

import pytest  # noqa: E402

from local.testing import free_port  # noqa: E402

DEMO_PASSWORD = "Test-pass-2026!"


@pytest.fixture(scope="session")
def seeded_state(tmp_path_factory):
    """The local stack's state with its demo data, made once for the session by a real `python -m local`
    (provisioned from infra/, seeded, its events handled, saved at stop): the tests' stacks start from it in
    seconds instead of provisioning and seeding again (local/testing.py)."""
    from local.testing import seeded_state as make

    return make(tmp_path_factory.mktemp("seeded-state"))


@pytest.fixture(scope="session")
def aws_stack():
    """moto's server on loopback with every resource created from infra/ by the local provisioner: the
    same path `make run` takes. Shared by the session; tests keep apart by their own ids and addresses."""
    from chalicelib import bootstrap
    from local.moto_server import MotoServer
    from local.provision import provision

    server = MotoServer(port=free_port()).start()
    endpoint = server.url
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    env = provision(endpoint, stack_name="helpdesk-test", web_origin="http://127.0.0.1:8080",
                    customer_site_url="http://127.0.0.1:8080/customer/", mail_from="helpdesk@example.com")
    os.environ.update(env)
    bootstrap.reset()
    _seed_catalog()
    yield {**env, "endpoint": endpoint}
    server.stop()
    os.environ.pop("AWS_ENDPOINT_URL", None)


def _seed_catalog():
    from dataclasses import replace

    from chalicelib import bootstrap
    from chalicelib.domain.catalog import Group
    from chalicelib.services.catalog import save_department

    save_department(bootstrap.catalog(), id="support", names={"en": "Support", "fa": "پشتیبانی", "he": "תמיכה"},
                    categories=[{"id": "billing", "names": {"en": "Billing", "fa": "صورتحساب", "he": "חיוב"}},
                                {"id": "technical", "names": {"en": "Technical", "fa": "فنی", "he": "טכני"}}])
    save_department(bootstrap.catalog(), id="sales", names={"en": "Sales", "fa": "فروش", "he": "מכירות"},
                    categories=[{"id": "quote", "names": {"en": "Quote", "fa": "پیش‌فاکتور", "he": "הצעת מחיר"}}])
    # Agents work only on tickets of departments they work in: agent.one is the API tests' support desk.
    support = next(d for d in bootstrap.catalog().departments() if d.id == "support")
    bootstrap.catalog().save(replace(support, groups=(Group(id="first-line", names=support.names,
                                                            members=("agent.one@example.com",)),)))


@pytest.fixture(scope="session")
def cognito(aws_stack):
    """Signs in users of the stack's pool; creates them on first use."""
    import boto3

    from local import totp

    client = boto3.client("cognito-idp")
    pool, app_client = aws_stack["USER_POOL_ID"], aws_stack["USER_POOL_CLIENT_ID"]

    def access_token(username: str, groups=("agent",), name: str = "سارا", mfa: bool = True) -> str:
        """An access token of a sign-in as the pool would give it. With `mfa` (the default: admins and
        supervisors need it, api/auth.py) the account has an authenticator app and the sign-in answers its
        code challenge; `mfa=False` keeps the account without one."""
        try:
            client.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS",
                                     UserAttributes=[{"Name": "email", "Value": username},
                                                     {"Name": "name", "Value": name}])
            client.admin_set_user_password(UserPoolId=pool, Username=username, Password=DEMO_PASSWORD,
                                           Permanent=True)
            for group in groups:
                client.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=group)
        except client.exceptions.UsernameExistsException:
            pass
        token = totp.sign_in(client, app_client, username, DEMO_PASSWORD)["AccessToken"]
        if mfa and "SOFTWARE_TOKEN_MFA" not in client.admin_get_user(UserPoolId=pool, Username=username).get(
                "UserMFASettingList", []):
            totp.enroll(client, token)
        return token

    return access_token
