"""Who else has a ticket open right now, so two agents do not answer the same customer at once.
The portal reports every few seconds; an agent not heard from for PRESENT_FOR is gone.

The same reports measure agent time (issue 16): consecutive reports of one agent on one ticket form an
interval, from its first report to its last; a silence longer than IDLE_AFTER ends it (idle cut off: the
silence is not counted). An interval closes on the agent's next report after such a gap, or when the portal
says the agent left the page; each closed interval becomes one `ticket.time_spent` event."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.tickets import Actor

PRESENT_FOR = timedelta(seconds=30)  # the portal reports every 10 s: two missed reports are tolerated
IDLE_AFTER = timedelta(minutes=2)    # a longer silence ends the agent's time interval (idle cut off)
# The stored record expires (TTL) well after it stops counting, and outlives an idle gap so that the next report
# after one finds it and closes its interval.
FORGET_AFTER = timedelta(hours=12)


class PresenceState(StrEnum):
    VIEWING = "viewing"
    REPLYING = "replying"


@dataclass(frozen=True)
class Presence:
    agent: Actor
    state: PresenceState
    since: datetime    # when the agent entered this state on this ticket
    seen_at: datetime  # the agent's last report
    opened_at: datetime | None = None  # when the current time interval began (None: records older than intervals)

    @property
    def interval_start(self) -> datetime:
        return self.opened_at or self.since


@dataclass(frozen=True)
class Interval:
    """Time an agent spent on a ticket: from the first to the last report of an unbroken run."""
    agent: Actor
    number: int
    start: datetime
    end: datetime

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    @property
    def event_id(self) -> str:
        """The same interval always gives the same event id, so closing it twice writes one event."""
        return uuid.uuid5(uuid.NAMESPACE_URL, f"time-spent/{self.number}/{self.agent.id}/{self.start.isoformat()}").hex


def reported(previous: Presence | None, agent: Actor, state: PresenceState, at: datetime) -> Presence:
    """The agent's presence after a report: `since` carries over while the state stays the same."""
    return beat(previous, agent, state, at, number=0)[0]


def _closed(previous: Presence | None, number: int, end: datetime | None = None) -> Interval | None:
    if previous is None:
        return None
    interval = Interval(previous.agent, number, previous.interval_start, end or previous.seen_at)
    return interval if interval.seconds >= 1 else None  # a lone report is no measurable time


def beat(previous: Presence | None, agent: Actor, state: PresenceState, at: datetime, *,
         number: int) -> tuple[Presence, Interval | None]:
    """The agent's presence after a report on ticket `number`, and the interval this report closed (after an
    idle gap, the previous run ends at its last report and a new one starts now)."""
    if previous is not None and at - previous.seen_at <= IDLE_AFTER:
        since = previous.since if previous.state == state else at
        return Presence(agent=agent, state=state, since=since, seen_at=at, opened_at=previous.interval_start), None
    return Presence(agent=agent, state=state, since=at, seen_at=at, opened_at=at), _closed(previous, number)


def left(previous: Presence | None, at: datetime, *, number: int) -> Interval | None:
    """The interval that ends when the agent leaves the ticket's page: up to now if they were still reporting,
    up to their last report if they had gone idle."""
    if previous is None:
        return None
    if at - previous.seen_at <= IDLE_AFTER:
        return _closed(previous, number, end=at)
    return _closed(previous, number)
