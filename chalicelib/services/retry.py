"""The one retry on a stale version: a write that lost a race (VersionConflict: someone saved the record first)
is decided again on a fresh read, a few times, then refused."""
from __future__ import annotations

from typing import Callable, TypeVar

from chalicelib.errors import Conflict
from chalicelib.services.ports import VersionConflict

SAVE_ATTEMPTS = 3
T = TypeVar("T")


def retry_on_stale(attempt: Callable[[int], T], *, exhausted: Callable[[], Exception] | None = None) -> T:
    """Run `attempt(n)` (n = 0, 1, ...: read the record, or reuse the caller's fresh copy when n == 0, decide,
    save) until it returns without VersionConflict. After SAVE_ATTEMPTS lost races: `exhausted()` is raised
    (by default Conflict "changing too fast"). Only for changes that commute with whatever won the race: a
    change decided on a version the user saw is refused instead (StaleTicket)."""
    for n in range(SAVE_ATTEMPTS):
        try:
            return attempt(n)
        except VersionConflict:
            continue
    raise (exhausted or _too_fast)()


def _too_fast() -> Exception:
    return Conflict("the ticket is changing too fast; try again")
