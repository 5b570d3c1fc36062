"""Limits and timings an admin sets in the portal; they take effect on the next request, no deploy."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import timedelta

from chalicelib.errors import Invalid


@dataclass(frozen=True)
class UnconfirmedAllowance:
    """How many active tickets filed without proof of the address may wait for confirmation at once, per
    address and per client network (domain/client_network.py). Kept apart from Policies.max_open_tickets:
    a stranger filling these places never takes one of the customer's own. Deploy settings, not admin data."""
    per_address: int = 3
    per_network: int = 20


@dataclass(frozen=True)
class Policies:
    max_open_tickets: int = 5        # per customer, enforced atomically when a ticket is opened
    reply_window_days: int = 7       # after closing: a customer reply still reopens the ticket
    reminder_after_days: int = 5     # silent customer: reminded this long after the last public message
    auto_close_after_days: int = 7   # ... and the ticket closed this long after it
    archive_after_days: int = 30     # closed tickets leave the active table indexes this long after closing

    @property
    def reply_window(self) -> timedelta:
        return timedelta(days=self.reply_window_days)

    @property
    def reminder_after(self) -> timedelta:
        return timedelta(days=self.reminder_after_days)

    @property
    def auto_close_after(self) -> timedelta:
        return timedelta(days=self.auto_close_after_days)

    @property
    def archive_after(self) -> timedelta:
        return timedelta(days=self.archive_after_days)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def parse(cls, values: dict) -> Policies:
        """Known keys only, whole numbers in range; unknown or missing keys keep their defaults."""
        known = {f.name for f in fields(cls)}
        for name, value in values.items():
            if name not in known:
                raise Invalid.field(name, "unknown")
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3650:
                raise Invalid.field(name, "invalid")
        policies = cls(**{k: v for k, v in values.items()})
        if policies.reminder_after_days >= policies.auto_close_after_days:
            raise Invalid.field("reminder_after_days", "not_before_close")
        return policies
