"""EventBridge schedule expressions, for firing @app.schedule handlers locally.

`rate(N minute|minutes|hour|hours|day|days)` is supported fully (and can be sped up for demos).
`cron(min hour day-of-month month day-of-week year)` is supported for the common subset: `*`, `?`,
numbers, names (JAN-DEC, SUN-SAT), ranges `a-b`, lists `a,b` and steps `*/n`, `a/n`, `a-b/n`, in UTC.
`L`, `W` and `#` raise UnsupportedSchedule: the runtime logs it and leaves that handler unscheduled
rather than firing it at a wrong time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|hour|day)s?\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
MONTHS = {name: i for i, name in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
WEEKDAYS = {name: i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}
SEARCH_DAYS = 5 * 366  # far enough for any supported expression (Feb 29 of the next leap year)


class UnsupportedSchedule(ValueError):
    pass


@dataclass(frozen=True)
class RateSchedule:
    period: timedelta

    def next_after(self, moment: datetime) -> datetime:
        return moment + self.period

    def sped_up(self, factor: float) -> "RateSchedule":
        return RateSchedule(self.period / factor)


@dataclass(frozen=True)
class CronSchedule:
    """Each field is the set of allowed values, or None for any."""
    minutes: frozenset[int] | None
    hours: frozenset[int] | None
    days_of_month: frozenset[int] | None
    months: frozenset[int] | None
    days_of_week: frozenset[int] | None  # EventBridge numbering: 1 = Sunday ... 7 = Saturday
    years: frozenset[int] | None

    def next_after(self, moment: datetime) -> datetime | None:
        """The first matching minute strictly after `moment` (UTC), or None if there is none."""
        start = (moment.astimezone(timezone.utc) + timedelta(minutes=1)).replace(second=0, microsecond=0)
        for offset in range(SEARCH_DAYS):
            day = (start + timedelta(days=offset)).date()
            if not self._day_matches(day):
                continue
            for hour in sorted(self.hours if self.hours is not None else range(24)):
                for minute in sorted(self.minutes if self.minutes is not None else range(60)):
                    candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)
                    if candidate >= start:
                        return candidate
        return None

    def _day_matches(self, day) -> bool:
        weekday = day.isoweekday() % 7 + 1  # Monday=1..Sunday=7 -> Sunday=1..Saturday=7
        return ((self.years is None or day.year in self.years)
                and (self.months is None or day.month in self.months)
                and (self.days_of_month is None or day.day in self.days_of_month)
                and (self.days_of_week is None or weekday in self.days_of_week))


def parse(expression: str) -> RateSchedule | CronSchedule:
    text = expression.strip()
    if rate := _RATE.match(text):
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1:
            raise UnsupportedSchedule(f"{expression}: the rate must be at least 1")
        return RateSchedule(timedelta(seconds=value * UNIT_SECONDS[unit]))
    if cron := _CRON.match(text):
        fields = cron.group(1).split()
        if len(fields) != 6:
            raise UnsupportedSchedule(f"{expression}: cron needs 6 fields")
        minutes, hours, dom, month, dow, year = fields
        return CronSchedule(minutes=_field(minutes, 0, 59), hours=_field(hours, 0, 23),
                            days_of_month=_field(dom, 1, 31), months=_field(month, 1, 12, MONTHS),
                            days_of_week=_field(dow, 1, 7, WEEKDAYS), years=_field(year, 1970, 2199))
    raise UnsupportedSchedule(f"{expression}: not a rate(...) or cron(...) expression")


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int] | None:
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        if base == "*":
            first, last = low, high
        elif "-" in base:
            first_text, last_text = base.split("-", 1)
            first, last = _value(first_text, names), _value(last_text, names)
        else:
            first = _value(base, names)
            last = high if step_text else first
        step = _value(step_text, None) if step_text else 1
        if not (low <= first <= last <= high) or step < 1:
            raise UnsupportedSchedule(f"{text}: outside {low}-{high}, a wrapping range or a bad step")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _value(token: str, names: dict[str, int] | None) -> int:
    if names and token.upper() in names:
        return names[token.upper()]
    if not token.isdigit():
        raise UnsupportedSchedule(f"{token!r} is not supported locally (L, W and # are not)")
    return int(token)
