"""Due times per calendar at the edges: before and after hours, weekends, half days, holidays, DST, pauses."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.business_hours import PRESETS, Calendar, SlaClock, _day

TEHRAN, JERUSALEM = ZoneInfo("Asia/Tehran"), ZoneInfo("Asia/Jerusalem")
IRAN, ISRAEL, ALWAYS = PRESETS["iran"], PRESETS["israel"], PRESETS["24x7"]


def local(zone, *args):
    return datetime(*args, tzinfo=zone).astimezone(timezone.utc)


# 2026-11-21 is a Saturday; 2026-11-26 a Thursday; 2026-11-27 a Friday.
@pytest.mark.parametrize("start,hours,due", [
    (local(TEHRAN, 2026, 11, 21, 10, 0), 1, local(TEHRAN, 2026, 11, 21, 11, 0)),     # inside hours
    (local(TEHRAN, 2026, 11, 21, 6, 30), 1, local(TEHRAN, 2026, 11, 21, 9, 0)),      # before opening
    (local(TEHRAN, 2026, 11, 21, 16, 30), 1, local(TEHRAN, 2026, 11, 22, 8, 30)),    # runs past closing
    (local(TEHRAN, 2026, 11, 26, 12, 0), 4, local(TEHRAN, 2026, 11, 28, 11, 0)),     # Thursday half day, Friday off
    (local(TEHRAN, 2026, 11, 27, 10, 0), 1, local(TEHRAN, 2026, 11, 28, 9, 0)),      # filed on Friday
    (local(TEHRAN, 2026, 11, 21, 8, 0), 24, local(TEHRAN, 2026, 11, 23, 14, 0)),     # 9 h days
])
def test_iran_calendar(start, hours, due):
    assert IRAN.add(start, timedelta(hours=hours)) == due


@pytest.mark.parametrize("start,hours,due", [
    (local(JERUSALEM, 2026, 11, 26, 17, 0), 2, local(JERUSALEM, 2026, 11, 29, 10, 0)),  # Thu evening -> Sunday
    (local(JERUSALEM, 2026, 11, 28, 12, 0), 1, local(JERUSALEM, 2026, 11, 29, 10, 0)),  # Saturday
    # DST ends on Sunday 2026-10-25 in Israel: the working day still starts at 09:00 local time.
    (local(JERUSALEM, 2026, 10, 22, 17, 0), 2, local(JERUSALEM, 2026, 10, 25, 10, 0)),
    # DST starts on Friday 2026-03-27: Thursday 17:00 + 2 h lands on Sunday 10:00 local.
    (local(JERUSALEM, 2026, 3, 26, 17, 0), 2, local(JERUSALEM, 2026, 3, 29, 10, 0)),
])
def test_israel_calendar_including_dst(start, hours, due):
    assert ISRAEL.add(start, timedelta(hours=hours)) == due


def test_dst_change_keeps_local_hours_not_utc_hours():
    before = ISRAEL.add(local(JERUSALEM, 2026, 10, 22, 9, 0), timedelta(0))
    after = ISRAEL.add(local(JERUSALEM, 2026, 10, 25, 9, 0), timedelta(0))
    assert (before.hour, after.hour) == (6, 7)  # 09:00 local is 06:00 UTC in summer, 07:00 UTC in winter


def test_holidays_are_skipped():
    nowruz = Calendar(zone="Asia/Tehran", hours=IRAN.hours, holidays=frozenset({date(2026, 11, 22)}))
    assert nowruz.add(local(TEHRAN, 2026, 11, 21, 16, 0), timedelta(hours=2)) == local(TEHRAN, 2026, 11, 23, 9, 0)


def test_always_open_counts_wall_time():
    start = datetime(2026, 11, 27, 23, 0, tzinfo=timezone.utc)
    assert ALWAYS.add(start, timedelta(hours=4)) == start + timedelta(hours=4)
    assert ALWAYS.between(start, start + timedelta(hours=3)) == timedelta(hours=3)


def test_between_is_the_inverse_of_add():
    start = local(TEHRAN, 2026, 11, 25, 15, 0)
    for hours in (1, 3, 9, 20, 37):
        assert IRAN.between(start, IRAN.add(start, timedelta(hours=hours))) == timedelta(hours=hours)


def test_a_calendar_without_working_time_fails_instead_of_looping():
    with pytest.raises(ValueError):
        Calendar(zone="UTC", hours={}).add(datetime(2026, 1, 1, tzinfo=timezone.utc), timedelta(hours=1))


def test_sla_clock_pauses_while_awaiting_the_customer_and_resumes_exactly():
    calendar = Calendar(zone="UTC", hours={d: _day("09:00", "17:00") for d in range(5)})
    t = lambda day, hour: datetime(2026, 11, day, hour, tzinfo=timezone.utc)  # noqa: E731  (23rd = Monday)
    clock = SlaClock(target=timedelta(hours=4)).start(t(23, 9))
    assert clock.due(calendar) == t(23, 13)
    clock = clock.pause(t(23, 11), calendar)             # 2 h spent, then waiting on the customer
    assert clock.due(calendar) is None and clock.left(t(24, 16), calendar) == timedelta(hours=2)
    clock = clock.start(t(24, 16))                       # customer answered next day at 16:00
    assert clock.due(calendar) == t(25, 10)              # 1 h today + 1 h tomorrow morning
    assert clock.left(t(25, 11), calendar) == timedelta(hours=-1)  # breached by an hour
    assert clock.pause(t(23, 9), calendar).pause(t(23, 9), calendar).paused  # pausing twice is harmless


# Iran has kept standard time all year since 2022: the old DST dates (around 21 March, 21 September) are
# ordinary working days, with the same UTC offset on both sides.
@pytest.mark.parametrize("start,hours,due", [
    (local(TEHRAN, 2026, 3, 21, 16, 0), 2, local(TEHRAN, 2026, 3, 22, 9, 0)),    # Saturday -> Sunday
    (local(TEHRAN, 2026, 9, 21, 16, 30), 1, local(TEHRAN, 2026, 9, 22, 8, 30)),  # Monday -> Tuesday
])
def test_iran_has_no_dst_shift(start, hours, due):
    assert IRAN.add(start, timedelta(hours=hours)) == due
    assert due.astimezone(TEHRAN).utcoffset() == timedelta(hours=3, minutes=30)


def test_israel_before_and_after_hours_and_holidays():
    assert ISRAEL.add(local(JERUSALEM, 2026, 11, 23, 7, 0), timedelta(hours=1)) == local(JERUSALEM, 2026, 11, 23, 10, 0)
    assert ISRAEL.add(local(JERUSALEM, 2026, 11, 23, 19, 0), timedelta(hours=1)) == local(JERUSALEM, 2026, 11, 24, 10, 0)
    with_holiday = Calendar(zone="Asia/Jerusalem", hours=ISRAEL.hours, holidays=frozenset({date(2026, 11, 24)}))
    assert with_holiday.add(local(JERUSALEM, 2026, 11, 23, 17, 0), timedelta(hours=2)) == \
        local(JERUSALEM, 2026, 11, 25, 10, 0)


def test_between_counts_working_time_across_the_dst_change():
    # Thursday 2026-03-26 17:00 to Sunday 2026-03-29 10:00 (DST began on Friday): 1 h + 1 h of work.
    assert ISRAEL.between(local(JERUSALEM, 2026, 3, 26, 17, 0), local(JERUSALEM, 2026, 3, 29, 10, 0)) == \
        timedelta(hours=2)
    assert ISRAEL.between(local(JERUSALEM, 2026, 10, 22, 17, 0), local(JERUSALEM, 2026, 10, 25, 10, 0)) == \
        timedelta(hours=2)
