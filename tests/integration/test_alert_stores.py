"""One contract for agents' alert profiles and the SMS quota, against DynamoDB (moto) and the fakes."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timezone

import pytest

from chalicelib.domain.alerts import SMS_PER_WINDOW, SMS_WINDOW, AgentProfile, QuietHours
from chalicelib.domain.tickets import Language, new_id
from tests.fakes import FakeSmsQuota, InMemoryAgentProfiles

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["dynamodb", "memory"])
def stores(request):
    if request.param == "memory":
        return InMemoryAgentProfiles(), FakeSmsQuota()
    request.getfixturevalue("aws_stack")
    from chalicelib import bootstrap
    return bootstrap.agent_profiles(), bootstrap.sms_quota()


def an_agent() -> str:
    return f"agent-{new_id()[:8]}@example.com"


@pytest.mark.parametrize("profile", [
    dict(language=Language.HE, phone="+972541234567", on_call=frozenset({"support/l1", "sales/l2"}),
         quiet_hours=QuietHours(start=time(22, 0), end=time(7, 0), zone="Asia/Jerusalem"), sms_opt_out=True),
    dict(),
])
def test_a_saved_profile_reads_back_whole_and_a_missing_one_is_none(stores, profile):
    profiles, _ = stores
    saved = AgentProfile(agent=an_agent(), **profile)
    profiles.save(saved)
    assert profiles.get(saved.agent) == saved
    assert profiles.get(an_agent()) is None


def test_parallel_senders_never_pass_the_quota_and_a_new_window_starts_afresh(stores):
    _, quota = stores
    recipient = an_agent()
    with ThreadPoolExecutor(max_workers=8) as pool:
        taken = list(pool.map(lambda _: quota.take(recipient, NOW), range(SMS_PER_WINDOW + 5)))
    assert taken.count(True) == SMS_PER_WINDOW
    assert quota.take(recipient, NOW + SMS_WINDOW)
    assert quota.take(an_agent(), NOW)  # each recipient has their own
