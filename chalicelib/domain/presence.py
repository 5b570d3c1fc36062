"""Who else has a ticket open right now, so two agents do not answer the same customer at once.
The portal reports every few seconds; an agent not heard from for PRESENT_FOR is gone."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.tickets import Actor

PRESENT_FOR = timedelta(seconds=30)  # the portal reports every 10 s: two missed reports are tolerated
FORGET_AFTER = timedelta(minutes=2)  # the stored record expires (TTL) well after it stops counting


class PresenceState(StrEnum):
    VIEWING = "viewing"
    REPLYING = "replying"


@dataclass(frozen=True)
class Presence:
    agent: Actor
    state: PresenceState
    since: datetime    # when the agent entered this state on this ticket
    seen_at: datetime  # the agent's last report


def reported(previous: Presence | None, agent: Actor, state: PresenceState, at: datetime) -> Presence:
    """The agent's presence after a report: `since` carries over while the state stays the same."""
    since = previous.since if previous is not None and previous.state == state else at
    return Presence(agent=agent, state=state, since=since, seen_at=at)
