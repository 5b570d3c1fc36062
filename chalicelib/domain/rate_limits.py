"""Abuse limits as data: at most `limit` requests per key (an address, a client network) in fixed windows
of `window`. Counted by the RateLimiter port (DynamoDB: one conditional update per request), so a limit
holds across Lambda containers, and locally too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.errors import LimitReached


@dataclass(frozen=True)
class RateLimit:
    name: str          # names the counter, and the limit in a 429 (`rate_limit`); keep it stable
    limit: int
    window: timedelta

    @property
    def seconds(self) -> int:
        return int(self.window.total_seconds())

    def window_of(self, at: datetime) -> int:
        """The fixed window `at` falls in (windows start at the epoch)."""
        return int(at.timestamp()) // self.seconds

    def retry_after(self, at: datetime) -> int:
        """Seconds until the window of `at` ends and the count starts again."""
        return (self.window_of(at) + 1) * self.seconds - int(at.timestamp())

    def reached(self, at: datetime, message: str, fields: dict[str, str] | None = None) -> LimitReached:
        return LimitReached(message, fields=fields or {},
                            details={"rate_limit": self.name, "retry_after": max(self.retry_after(at), 1)})


# Sign-in from one client network (IPv4 /24, IPv6 /64): asking for codes (each may send a mail or an SMS),
# and guessing them. Per identity, domain/sign_in.py already allows 5 codes an hour and 5 guesses a code.
SIGN_IN_CODES_PER_NETWORK = RateLimit("sign_in_codes_per_network", 20, timedelta(minutes=10))
SIGN_IN_GUESSES_PER_NETWORK = RateLimit("sign_in_guesses_per_network", 60, timedelta(minutes=10))
