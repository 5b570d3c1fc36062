"""Agents' accounts, by the rules: who must use a second factor, which tokens a sign-out ends, and what an
admin may do to an account (with fakes for the pool and the table)."""
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from chalicelib.domain.accounts import must_use_second_factor, revoked
from chalicelib.domain.permissions import Staff
from chalicelib.domain.tickets import Actor, AuthorKind
from chalicelib.errors import Conflict, MfaRequired, NotFound
from chalicelib.services import accounts
from chalicelib.services.ports import AccountsDesk, AgentAccounts, Revocations
from tests.fakes import SUPPORT, FakeAgents, FixedClock, InMemoryCatalog


class FakeAccounts(AgentAccounts):
    def __init__(self, enrolled=(), fail: bool = False):
        self.enrolled, self.disabled, self.signed_out, self.fail = set(enrolled), set(), [], fail

    def has_second_factor(self, agent_id):
        return agent_id in self.enrolled

    def enabled(self, agent_id):
        return agent_id not in self.disabled

    def sign_out_everywhere(self, agent_id):
        if self.fail:
            raise ConnectionError("pool unreachable")
        self.signed_out.append(agent_id)

    def disable(self, agent_id):
        self.disabled.add(agent_id)

    def enable(self, agent_id):
        self.disabled.discard(agent_id)


class InMemoryRevocations(Revocations):
    def __init__(self):
        self.before = {}

    def revoke(self, agent_id, at):
        self.before[agent_id] = max(at, self.before.get(agent_id, at))

    def revoked_before(self, agent_id):
        return self.before.get(agent_id)


def staff(name: str, admin: bool = False) -> Staff:
    return Staff(actor=Actor(kind=AuthorKind.AGENT, id=name, name=name), admin=admin)


@pytest.mark.parametrize("admin, supervises, required", [
    (True, False, True), (False, True, True), (True, True, True), (False, False, False)])
def test_admins_and_supervisors_must_use_a_second_factor_agents_may(admin, supervises, required):
    assert must_use_second_factor(admin=admin, supervises=supervises) is required


def test_a_sign_in_before_the_revocation_is_over_one_after_it_is_not():
    at = datetime(2026, 12, 4, 22, 0, 0, 400_000, tzinfo=timezone.utc)
    second = int(at.timestamp())
    assert revoked(signed_in_at=second - 3600, revoked_before=at)
    assert revoked(signed_in_at=second, revoked_before=at), "the same second counts as before: the safe side"
    assert not revoked(signed_in_at=second + 1, revoked_before=at)
    assert not revoked(signed_in_at=second - 3600, revoked_before=None)


def test_the_gate_refuses_an_admin_or_a_supervisor_without_a_second_factor():
    catalog = InMemoryCatalog([replace(SUPPORT, supervisors=("lead",))])
    for who in (staff("admin", admin=True), staff("lead")):
        with pytest.raises(MfaRequired) as refused:
            accounts.require_second_factor(accounts=FakeAccounts(), catalog=catalog, staff=who)
        assert refused.value.code == "mfa_required"
        accounts.require_second_factor(accounts=FakeAccounts(enrolled={who.id}), catalog=catalog, staff=who)
    accounts.require_second_factor(accounts=FakeAccounts(), catalog=catalog, staff=staff("agent.fa"))


def test_sign_out_records_the_marker_even_when_the_pool_call_fails():
    revocations, clock = InMemoryRevocations(), FixedClock()
    with pytest.raises(ConnectionError):
        accounts.sign_out_everywhere(AccountsDesk(accounts=FakeAccounts(fail=True), directory=FakeAgents(),
                                                  revocations=revocations, clock=clock), agent_id="agent.fa")
    assert revocations.revoked_before("agent.fa") == clock.now()


def test_disable_refuses_the_admins_own_account_and_unknown_agents_and_changes_nothing():
    pool, revocations = FakeAccounts(), InMemoryRevocations()
    desk = AccountsDesk(accounts=pool, directory=FakeAgents(), revocations=revocations, clock=FixedClock())
    kwargs = dict(by=staff("admin", admin=True))
    with pytest.raises(Conflict):
        accounts.disable(desk, agent_id="admin", **kwargs)
    with pytest.raises(NotFound):
        accounts.disable(desk, agent_id="stranger", **kwargs)
    assert not pool.disabled and not revocations.before

    found = accounts.disable(desk, agent_id="agent.he", **kwargs)
    assert (found.enabled, pool.disabled) == (False, {"agent.he"})
    assert revocations.revoked_before("agent.he") == desk.clock.now()
