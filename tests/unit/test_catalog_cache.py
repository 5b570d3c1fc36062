"""The catalog cache: a container reuses what it read for a few seconds, sees another container's change once
those seconds are over, and its own change at once."""
from dataclasses import replace

import pytest

from chalicelib.adapters.catalog_cache import CachedCatalog
from chalicelib.domain.policies import Policies
from chalicelib.domain.routing import RoutingRule
from chalicelib.domain.sla import SlaPolicy
from tests.fakes import SUPPORT, InMemoryCatalog


class CountingCatalog(InMemoryCatalog):
    """The table behind the cache: counts the reads that reach it (the cache reads everything at once)."""

    def __init__(self):
        super().__init__()
        self.reads = 0

    def snapshot(self):
        self.reads += 1
        return super().snapshot()


class FakeMonotonic:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def table():
    return CountingCatalog()


@pytest.fixture
def clock():
    return FakeMonotonic()


@pytest.fixture
def cached(table, clock):
    return CachedCatalog(table, ttl=5, monotonic=clock)


READS = [lambda c: c.departments(), lambda c: c.rules(), lambda c: c.policies(), lambda c: c.sla_policy()]


@pytest.mark.parametrize("read", READS, ids=["departments", "rules", "policies", "sla_policy"])
def test_a_second_read_within_the_ttl_is_served_from_the_container(cached, table, clock, read):
    first = read(cached)
    clock.now += 4.9
    assert read(cached) == first
    assert table.reads == 1


@pytest.mark.parametrize("read", READS, ids=["departments", "rules", "policies", "sla_policy"])
def test_after_the_ttl_the_table_is_read_again(cached, table, clock, read):
    read(cached)
    clock.now += 5
    read(cached)
    assert table.reads == 2


def test_another_containers_change_is_seen_once_the_ttl_is_over(cached, table, clock):
    assert cached.policies() == Policies()
    changed = replace(Policies(), max_open_tickets=Policies().max_open_tickets + 3)
    table.save_policies(changed)  # written by another container: this one is not told
    clock.now += 1
    assert cached.policies() == Policies()  # within the TTL the old value may still be served...
    clock.now += 4
    assert cached.policies() == changed  # ...but never longer


def test_a_save_in_this_container_is_seen_at_once(cached, clock):
    cached.departments(), cached.rules(), cached.policies(), cached.sla_policy()
    renamed = replace(SUPPORT, names={**SUPPORT.names, "en": "Help"})
    rule = RoutingRule(category="billing", department="support", group="desk", keywords=("invoice",))
    policies = replace(Policies(), max_open_tickets=Policies().max_open_tickets + 1)
    cached.save(renamed)
    assert cached.departments() == [renamed]
    cached.save_rules([rule])
    assert cached.rules() == [rule]
    cached.save_policies(policies)
    assert cached.policies() == policies
    sla = SlaPolicy()
    cached.save_sla_policy(sla)
    assert cached.sla_policy() == sla
    cached.delete("support")
    assert cached.departments() == []


def test_a_failed_save_leaves_nothing_stale(table, clock):
    class Failing(CountingCatalog):
        def save(self, department):
            super().save(department)  # written, then the reply is lost
            raise TimeoutError

    inner = Failing()
    cached = CachedCatalog(inner, ttl=5, monotonic=clock)
    cached.departments()
    renamed = replace(SUPPORT, names={"en": "Help"})
    with pytest.raises(TimeoutError):
        cached.save(renamed)
    assert cached.departments() == [renamed]


def test_callers_cannot_change_what_the_next_caller_reads(cached):
    cached.departments().clear()
    assert cached.departments() == [SUPPORT]


def test_one_read_serves_departments_rules_and_policies_alike(cached, table):
    cached.departments(), cached.rules(), cached.policies(), cached.sla_policy()
    assert table.reads == 1


def test_a_ttl_of_zero_reads_the_table_every_time(table, clock):
    cached = CachedCatalog(table, ttl=0, monotonic=clock)
    cached.rules(), cached.rules()
    assert table.reads == 2


def test_turns_are_never_cached(cached):
    assert [cached.next_turn("support", "desk") for _ in range(3)] == [1, 2, 3]
