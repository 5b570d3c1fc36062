"""Business-hours calendars and SLA clocks. Pure: zoneinfo handles time zones and DST.

A calendar lists working intervals per weekday in local time, plus holidays. Due times are computed by
walking working intervals forward, each converted to UTC on its own day, so a DST change moves
the wall-clock hours with the zone the way people expect.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
MAX_DAYS_AHEAD = 3 * 366  # a calendar with no working time at all must fail, not loop


@dataclass(frozen=True)
class Calendar:
    zone: str
    hours: dict[int, tuple[tuple[time, time], ...]]  # weekday (Mon=0) -> working intervals, local time
    holidays: frozenset[date] = frozenset()
    always_open: bool = False

    def _intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.holidays:
            return []
        tz = ZoneInfo(self.zone)
        result = []
        for start, end in self.hours.get(day.weekday(), ()):
            local_start = datetime.combine(day, start, tz)
            local_end = datetime.combine(day + timedelta(days=1), time(0), tz) if end == time(0) else \
                datetime.combine(day, end, tz)
            result.append((local_start.astimezone(timezone.utc), local_end.astimezone(timezone.utc)))
        return result

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of working time after `start` (UTC in, UTC out)."""
        if self.always_open:
            return start + duration
        remaining = duration
        day = start.astimezone(ZoneInfo(self.zone)).date()
        for _ in range(MAX_DAYS_AHEAD):
            for begin, end in self._intervals(day):
                begin = max(begin, start)
                if begin >= end:
                    continue
                if end - begin >= remaining:
                    return begin + remaining
                remaining -= end - begin
            day += timedelta(days=1)
        raise ValueError(f"calendar {self.zone} has no working time within {MAX_DAYS_AHEAD} days")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from `start` to `end`."""
        if end <= start:
            return timedelta(0)
        if self.always_open:
            return end - start
        total = timedelta(0)
        day = start.astimezone(ZoneInfo(self.zone)).date()
        last = end.astimezone(ZoneInfo(self.zone)).date()
        while day <= last:
            for begin, finish in self._intervals(day):
                overlap = min(finish, end) - max(begin, start)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total


def _day(start: str, end: str) -> tuple[tuple[time, time], ...]:
    return ((time.fromisoformat(start), time.fromisoformat(end)),)


PRESETS: dict[str, Calendar] = {
    # Saturday to Wednesday full days, Thursday half, Friday off.
    "iran": Calendar(zone="Asia/Tehran", hours={SAT: _day("08:00", "17:00"), SUN: _day("08:00", "17:00"),
                                                MON: _day("08:00", "17:00"), TUE: _day("08:00", "17:00"),
                                                WED: _day("08:00", "17:00"), THU: _day("08:00", "13:00")}),
    # Sunday to Thursday.
    "israel": Calendar(zone="Asia/Jerusalem", hours={SUN: _day("09:00", "18:00"), MON: _day("09:00", "18:00"),
                                                     TUE: _day("09:00", "18:00"), WED: _day("09:00", "18:00"),
                                                     THU: _day("09:00", "18:00")}),
    "24x7": Calendar(zone="UTC", hours={}, always_open=True),
}


@dataclass(frozen=True)
class SlaClock:
    """Working time spent towards a target. It runs only while the ticket waits on the team: paused while
    awaiting the customer or on hold, it resumes exactly where it stopped."""

    target: timedelta
    spent: timedelta = timedelta(0)
    running_since: datetime | None = None

    @property
    def paused(self) -> bool:
        return self.running_since is None

    def start(self, at: datetime) -> SlaClock:
        return self if not self.paused else replace(self, running_since=at)

    def pause(self, at: datetime, calendar: Calendar) -> SlaClock:
        if self.paused:
            return self
        return replace(self, spent=self.spent + calendar.between(self.running_since, at), running_since=None)

    def due(self, calendar: Calendar) -> datetime | None:
        """When the target is reached if the clock keeps running; None while paused."""
        if self.paused:
            return None
        return calendar.add(self.running_since, max(self.target - self.spent, timedelta(0)))

    def left(self, at: datetime, calendar: Calendar) -> timedelta:
        spent = self.spent if self.paused else self.spent + calendar.between(self.running_since, at)
        return self.target - spent
