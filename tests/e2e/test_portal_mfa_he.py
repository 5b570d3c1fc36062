"""Two-step sign-in and agents' accounts in the portal, in Hebrew (right to left), in a real browser at phone
width.

A new admin without an authenticator app signs in: the API refuses them everything (403 mfa_required) and the
portal takes them to "Two-step sign-in". They scan the QR code (drawn in the page from the pool's secret), a wrong
code is refused in Hebrew next to the field, the right one turns it on and the admin page opens. In "Agents'
accounts" they sign an agent out everywhere (after confirming): that agent's next API call is 401. Signing in again
now asks for the app's code after the password: a wrong one is refused, the right one (typed in Persian digits)
signs in. Screenshots go to test-artifacts/e2e/.
"""
from __future__ import annotations

import uuid

import boto3
import pytest

from local import totp
from local.seed import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

CODE_WRONG_HE = "הקוד שגוי. יש לבדוק באפליקציה ולהקליד את הקוד שהיא מציגה עכשיו."
SIGNIN_CODE_WRONG_HE = "הקוד שגוי. יש להקליד את הקוד שהאפליקציה מציגה עכשיו."
REQUIRED_HE = "התפקיד שלך (מנהל או מפקח) מחייב אימות דו-שלבי. יש להגדיר אותו כדי להמשיך."
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def new_agent(local_stack, email: str, name: str, groups: tuple[str, ...]) -> None:
    cognito = boto3.client("cognito-idp", endpoint_url=local_stack.moto_url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
    [pool] = cognito.list_user_pools(MaxResults=10)["UserPools"]
    cognito.admin_create_user(UserPoolId=pool["Id"], Username=email, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": name}])
    cognito.admin_set_user_password(UserPoolId=pool["Id"], Username=email, Password=DEMO_PASSWORD, Permanent=True)
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool["Id"], Username=email, GroupName=group)


def test_an_admin_enrolls_an_authenticator_app_and_signs_an_agent_out_everywhere(local_stack, agent_api,
                                                                                   phone_page):
    from playwright.sync_api import expect

    run = uuid.uuid4().hex[:6]
    admin, victim, victim_name = f"mfa.admin.{run}@example.com", f"mfa.agent.{run}@example.com", f"נועם {run}"
    new_agent(local_stack, admin, "דנה", ("admin", "agent"))
    new_agent(local_stack, victim, victim_name, ("agent",))
    victim_api = agent_api(victim)
    assert victim_api.call("GET", "/agent/mine").status_code == 200

    desk = phone_page("he")
    page = desk.page
    page.goto(local_stack.portal_url)
    page.get_by_test_id("signin-email").fill(admin)
    page.get_by_test_id("signin-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("signin-submit").click()

    # --- refused everything until enrolled: the portal sends the admin to enroll
    expect(page.get_by_test_id("mfa")).to_be_visible()
    expect(page).to_have_url(f"{local_stack.portal_url}#/security")
    expect(page.get_by_text(REQUIRED_HE)).to_be_visible()
    page.get_by_test_id("mfa-start").click()
    qr = page.get_by_test_id("mfa-qr")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/gif;base64,")
    assert qr.evaluate("img => img.naturalWidth") > 100  # a real QR image, not an empty one
    expect(page.get_by_test_id("mfa-secret")).to_have_text("asdf asdf asdf")  # moto's one secret, grouped
    desk.shot("mfa-he-enroll")
    desk.assert_no_sideways_scroll()

    page.get_by_test_id("mfa-code").fill(wrong(totp.fresh_code()))
    page.get_by_test_id("mfa-verify").click()
    expect(page.get_by_test_id("mfa-code-error")).to_have_text(CODE_WRONG_HE)
    page.get_by_test_id("mfa-code").fill(totp.fresh_code())
    page.get_by_test_id("mfa-verify").click()
    page.get_by_test_id("mfa-continue").click()

    # --- now an admin: sign an agent out everywhere
    page.get_by_test_id("admin-link").click()
    page.get_by_test_id("admin-tab-accounts").click()  # each part of the admin page is a tab of its own
    accounts = page.get_by_test_id("accounts")
    expect(accounts).to_be_visible()

    # The admin's page reads the pool each time: the agent added a moment ago is there at once.
    expect(page.get_by_test_id("accounts-agent").locator("option", has_text=victim_name)).to_have_count(1)
    page.get_by_test_id("accounts-agent").select_option(label=victim_name)
    expect(page.get_by_test_id("account-state")).to_contain_text("החשבון פעיל")
    page.get_by_test_id("account-sign-out").click()
    assert victim_api.call("GET", "/agent/mine").status_code == 200, "nothing happens before the confirmation"
    page.get_by_test_id("account-sign-out-confirm").click()
    expect(accounts.get_by_test_id("banner")).to_have_text("נותק מכל המכשירים. עליו להתחבר מחדש.")
    assert victim_api.call("GET", "/agent/mine").status_code == 401
    desk.shot("mfa-he-accounts")
    desk.assert_no_sideways_scroll()

    # --- the next sign-in asks for the app's code
    page.get_by_test_id("sign-out").click()
    page.get_by_test_id("signin-email").fill(admin)
    page.get_by_test_id("signin-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("signin-submit").click()
    page.get_by_test_id("signin-code").fill(wrong(totp.fresh_code()))
    page.get_by_test_id("signin-code-submit").click()
    expect(page.get_by_test_id("banner")).to_have_text(SIGNIN_CODE_WRONG_HE)
    desk.shot("mfa-he-code")
    page.get_by_test_id("signin-code").fill(totp.fresh_code().translate(PERSIAN_DIGITS))
    page.get_by_test_id("signin-code-submit").click()
    expect(page.get_by_test_id("admin-link")).to_be_visible()
    page.get_by_test_id("security-link").click()
    expect(page.get_by_test_id("mfa-status")).to_have_text("האימות הדו-שלבי פעיל: כל התחברות מבקשת את הקוד מהאפליקציה.")
    assert not desk.errors, desk.errors
