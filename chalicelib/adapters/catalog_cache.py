"""A short in-container cache in front of the CatalogRepository port.

What admins edit (departments, routing rules, policies, SLA policy) is read on nearly every request and
changes rarely: each container reads all of it at once (CatalogRepository.snapshot, one Query in DynamoDB)
and keeps it for `ttl` seconds. An admin's change reaches every other container within `ttl` seconds and
this one at once (every save or delete forgets everything cached, also when the write fails).
Counters (next_turn) are never cached. ttl <= 0 turns the cache off. No AWS here: it wraps any repository.
"""
from __future__ import annotations

import time
from typing import Callable

from chalicelib.domain.catalog import Department
from chalicelib.domain.policies import Policies
from chalicelib.domain.routing import RoutingRule
from chalicelib.domain.sla import SlaPolicy
from chalicelib.services.ports import CatalogRepository, CatalogSnapshot


class CachedCatalog(CatalogRepository):
    def __init__(self, inner: CatalogRepository, *, ttl: float, monotonic: Callable[[], float] = time.monotonic):
        self._inner, self._ttl, self._now = inner, ttl, monotonic
        self._entry: tuple[float, CatalogSnapshot] | None = None  # (expires at, what was read)

    def snapshot(self) -> CatalogSnapshot:
        if self._ttl <= 0:
            return self._inner.snapshot()
        now = self._now()
        if self._entry is None or now >= self._entry[0]:
            self._entry = (now + self._ttl, self._inner.snapshot())  # one read (one Query in DynamoDB)
        return self._entry[1]

    def invalidate(self) -> None:
        self._entry = None

    # -- reads, from the snapshot (lists are fresh copies: no caller can change what the next one sees)
    def departments(self) -> list[Department]:
        return list(self.snapshot().departments)

    def rules(self) -> list[RoutingRule]:
        return list(self.snapshot().rules)

    def policies(self) -> Policies:
        return self.snapshot().policies

    def sla_policy(self) -> SlaPolicy:
        return self.snapshot().sla_policy

    # -- writes go through, and everything cached is forgotten (also when the write fails)
    def _write(self, write: Callable[..., None], *args) -> None:
        try:
            write(*args)
        finally:
            self.invalidate()

    def save(self, department: Department) -> None:
        self._write(self._inner.save, department)

    def delete(self, department_id: str) -> None:
        self._write(self._inner.delete, department_id)

    def save_rules(self, rules: list[RoutingRule]) -> None:
        self._write(self._inner.save_rules, rules)

    def save_policies(self, policies: Policies) -> None:
        self._write(self._inner.save_policies, policies)

    def save_sla_policy(self, policy: SlaPolicy) -> None:
        self._write(self._inner.save_sla_policy, policy)

    # -- counters: never cached
    def next_turn(self, department: str, group: str) -> int:
        return self._inner.next_turn(department, group)

    def last_turn(self, department: str, group: str) -> int | None:
        return self._inner.last_turn(department, group)

    def saw_turn(self, department: str, group: str, turn: int) -> None:
        self._inner.saw_turn(department, group, turn)
