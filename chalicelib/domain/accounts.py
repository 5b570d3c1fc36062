"""Agents' accounts: who must use a second factor, and which tokens an admin's sign-out or disable has
ended. Pure rules; the pool and the table are behind ports (services/ports.py)."""
from __future__ import annotations

from datetime import datetime


def must_use_second_factor(*, admin: bool, supervises: bool) -> bool:
    """Admins and supervisors hold powers over other people's work and accounts: they must enroll a second
    factor (TOTP) before using them. Other agents may."""
    return admin or supervises


def revoked(*, signed_in_at: int, revoked_before: datetime | None) -> bool:
    """A token whose sign-in (its `auth_time`, whole seconds) happened before the agent was signed out
    everywhere or disabled is refused. A sign-in in the same second as the revocation is refused too (the
    safe side): signing in again a second later works."""
    return revoked_before is not None and signed_in_at < revoked_before.timestamp()
