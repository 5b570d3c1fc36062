"""Agent time (issue 16): presence reports become intervals with idle cut off, each closed interval is ONE
internal `ticket.time_spent` event, time entries are `ticket.time_logged` events, and the reports credit both
to the agent, the customer and the day; "costly customers" ranks by that time, ties by replies."""
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import reports
from chalicelib.domain.event_contract import problems
from chalicelib.domain.events import to_document
from chalicelib.domain.presence import IDLE_AFTER, PresenceState, beat, left
from chalicelib.domain.tickets import Actor, AuthorKind, EventType, Visibility
from chalicelib.errors import Forbidden, Invalid
from chalicelib.services import agent_desk
from tests.unit.test_workflow import ADMIN, FA, HE, STRANGER, Desk

AT = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
ALI = Actor(AuthorKind.AGENT, "ali", "Ali")
VIEWING, REPLYING = PresenceState.VIEWING, PresenceState.REPLYING


def walk(offsets_s: list[int], *, leave_at: int | None = None) -> list[tuple[int, int, int]]:
    """The intervals closed by reports at these seconds after AT (then leaving at `leave_at`): (start, end,
    seconds) in seconds after AT."""
    mine, closed = None, []
    for offset in offsets_s:
        mine, interval = beat(mine, ALI, VIEWING, AT + timedelta(seconds=offset), number=7)
        closed.append(interval)
    if leave_at is not None:
        closed.append(left(mine, AT + timedelta(seconds=leave_at), number=7))
    return [(int((i.start - AT).total_seconds()), int((i.end - AT).total_seconds()), i.seconds)
            for i in closed if i is not None]


GAP = int(IDLE_AFTER.total_seconds())


@pytest.mark.parametrize("reports_at, leave_at, intervals", [
    # reports every 10 s, then leaving: one interval up to the moment of leaving
    ([0, 10, 20, 30], 35, [(0, 35, 35)]),
    # a gap of exactly the idle limit is still the same interval
    ([0, 10, 10 + GAP], None, []),
    ([0, 10, 10 + GAP], 10 + GAP + 5, [(0, 15 + GAP, 15 + GAP)]),
    # a longer gap ends the interval at its last report (the idle time is not counted); the next report opens a new one
    ([0, 10, 20, 21 + GAP], None, [(0, 20, 20)]),
    ([0, 10, 20, 21 + GAP, 31 + GAP], 40 + GAP, [(0, 20, 20), (21 + GAP, 40 + GAP, 19)]),
    # leaving after going idle: up to the last report only
    ([0, 10, 20], 21 + GAP, [(0, 20, 20)]),
    # a lone report, or leaving without any: no measurable time, no event
    ([0], 1000, []),
    ([0, 10 * GAP], None, []),
    ([], 5, []),
])
def test_presence_reports_become_intervals_with_the_idle_time_cut_off(reports_at, leave_at, intervals):
    assert walk(reports_at, leave_at=leave_at) == intervals


def test_changing_from_viewing_to_replying_keeps_one_interval():
    mine, _ = beat(None, ALI, VIEWING, AT, number=7)
    mine, closed = beat(mine, ALI, REPLYING, AT + timedelta(seconds=10), number=7)
    assert closed is None and mine.interval_start == AT and mine.since == AT + timedelta(seconds=10)


def test_the_same_interval_always_gives_the_same_event_id():
    a, _ = beat(None, ALI, VIEWING, AT, number=7)
    a, _ = beat(a, ALI, VIEWING, AT + timedelta(seconds=10), number=7)
    one = left(a, AT + timedelta(seconds=15), number=7)
    two = left(a, AT + timedelta(seconds=15), number=7)
    other_ticket = left(a, AT + timedelta(seconds=15), number=8)
    assert one.event_id == two.event_id != other_ticket.event_id


# ---------------------------------------------------------------- the service: events on the timeline

@pytest.fixture
def desk():
    return Desk()


def report(desk, number, who, state):
    return agent_desk.report_presence(desk.ticket_desk(), desk.presence, number=number, staff=who, state=state)


def test_an_idle_gap_closes_the_interval_into_one_internal_time_spent_event(desk):
    number = desk.open()
    version = desk.get(number).version
    for _ in range(4):
        report(desk, number, FA, "viewing")
        desk.clock.advance(seconds=10)
    assert desk.events(number, EventType.TIME_SPENT) == []  # still open
    desk.clock.advance(minutes=5)
    report(desk, number, FA, "viewing")  # back after a break: the first interval closes
    [spent] = desk.events(number, EventType.TIME_SPENT)
    assert spent.visibility == Visibility.INTERNAL and spent.actor == FA.actor
    assert spent.data["seconds"] == 30 and spent.data["to"] == (spent.occurred_at.isoformat())
    assert desk.get(number).version == version  # nobody's open page turns stale
    assert problems(to_document(spent, desk.get(number))) == []


def test_leaving_closes_the_interval_once_and_others_stop_seeing_the_agent(desk):
    number = desk.open()
    report(desk, number, FA, "viewing")
    desk.clock.advance(seconds=10)
    report(desk, number, FA, "replying")
    desk.clock.advance(seconds=5)
    assert [p.agent for p in report(desk, number, HE, "viewing")] == [FA.actor]
    report(desk, number, FA, "left")
    report(desk, number, FA, "left")  # the page's last report sent twice: nothing more
    [spent] = desk.events(number, EventType.TIME_SPENT)
    assert spent.data["seconds"] == 15
    assert report(desk, number, HE, "viewing") == []


def test_closing_the_same_interval_twice_writes_one_event(desk):
    number = desk.open()
    ticket = desk.get(number)
    a, _ = beat(None, FA.actor, VIEWING, AT, number=number)
    a, _ = beat(a, FA.actor, VIEWING, AT + timedelta(seconds=20), number=number)
    interval = left(a, AT + timedelta(seconds=20), number=number)
    assert desk.tickets.record(ticket, [agent_desk.time_spent_event(interval)]) is True
    assert desk.tickets.record(ticket, [agent_desk.time_spent_event(interval)]) is False
    assert len(desk.events(number, EventType.TIME_SPENT)) == 1


def test_a_time_entry_is_an_internal_event_of_the_agent(desk):
    number = desk.open()
    version = desk.get(number).version
    event = agent_desk.log_time(desk.ticket_desk(), number=number, staff=FA, minutes=25, note="تماس تلفنی")
    assert (event.type, event.visibility, event.actor, event.data) == \
        (EventType.TIME_LOGGED, Visibility.INTERNAL, FA.actor, {"minutes": 25, "note": "تماس تلفنی"})
    assert desk.events(number, EventType.TIME_LOGGED) == [event]
    assert desk.get(number).version == version
    assert problems(to_document(event, desk.get(number))) == []


@pytest.mark.parametrize("minutes, note, field", [
    (0, "", "minutes"), (-5, "", "minutes"), (24 * 60 + 1, "", "minutes"), (True, "", "minutes"),
    (10, "x" * 501, "note"), (10, "bad\u202etext", "note"),
])
def test_a_bad_time_entry_is_refused_by_field_and_writes_nothing(desk, minutes, note, field):
    number = desk.open()
    with pytest.raises(Invalid) as refused:
        agent_desk.log_time(desk.ticket_desk(), number=number, staff=FA, minutes=minutes, note=note)
    assert field in refused.value.fields
    assert desk.events(number, EventType.TIME_LOGGED) == []


def test_a_stranger_may_neither_log_time_nor_report_presence(desk):
    number = desk.open()
    with pytest.raises(Forbidden):
        agent_desk.log_time(desk.ticket_desk(), number=number, staff=STRANGER, minutes=5)
    with pytest.raises(Forbidden):
        report(desk, number, STRANGER, "left")
    agent_desk.log_time(desk.ticket_desk(), number=number, staff=ADMIN, minutes=5)


# ---------------------------------------------------------------- the reports

def _doc(desk, number, event) -> dict:
    return to_document(event, desk.get(number))


def test_agent_time_is_credited_to_the_agent_the_customer_and_the_day(desk):
    number = desk.open(email="Maryam@Example.com")
    entry = agent_desk.log_time(desk.ticket_desk(), number=number, staff=FA, minutes=10)
    report(desk, number, HE, "viewing")
    desk.clock.advance(seconds=40)
    report(desk, number, HE, "left")
    [spent] = desk.events(number, EventType.TIME_SPENT)
    totals: dict = {}
    for event in (entry, spent):
        for key, counters in reports.contributions(_doc(desk, number, event), "Asia/Tehran").items():
            totals.setdefault(key, Counter()).update(counters)
    day = "2026-11-23"
    assert totals[reports.BucketKey("agent", "agent.fa", day)] == Counter({"time.s": 600, "time.logged.s": 600})
    assert totals[reports.BucketKey("agent", "agent.he", day)] == Counter({"time.s": 40, "time.presence.s": 40})
    assert totals[reports.BucketKey("customer", "maryam@example.com", day)]["time.s"] == 640
    assert totals[reports.BucketKey("rank", reports.RANK_CUSTOMER_TIME, day)] == Counter({"maryam@example.com": 640})
    desk_figures = reports.figures(totals[reports.BucketKey("desk", "all", day)])
    assert desk_figures["agent_time"] == {"seconds": 640, "presence_s": 40, "logged_s": 600}
    assert desk_figures["replies"] == 0  # time is not a reply


def test_costly_customers_rank_by_agent_time_then_by_replies():
    seconds = {"a@example.com": 600, "b@example.com": 600, "c@example.com": 1200}
    replies = {"a@example.com": 1, "b@example.com": 4, "d@example.com": 9}
    assert [(r["member"], r["agent_seconds"], r["replies"]) for r in reports.costly_customers(seconds, replies)] == [
        ("c@example.com", 1200, 0), ("b@example.com", 600, 4), ("a@example.com", 600, 1), ("d@example.com", 0, 9)]
    assert len(reports.costly_customers(seconds, replies, limit=2)) == 2


# ---------------------------------------------------------------- who hears of the time events

def _filters() -> dict:
    from pathlib import Path

    import yaml

    template = yaml.safe_load((Path(__file__).parents[2] / "infra" / "resources.yaml").read_text())
    return {name: r["Properties"].get("FilterPolicy") for name, r in template["Resources"].items()
            if r["Type"] == "AWS::SNS::Subscription"}


def test_the_stats_queue_hears_exactly_the_events_a_figure_is_made_of():
    assert set(_filters()["StatsSubscription"]["event_type"]) == set(reports._HANDLERS)


def test_no_mail_or_text_follows_agent_time():
    """The customer's mail hears public events only; the alerts' list names neither time event; and were a time
    document to reach them anyway, neither plans anything for it."""
    from chalicelib.domain import alerts
    from chalicelib.services.notifications import mail_kind

    filters = _filters()
    assert filters["NotificationsSubscription"] == {"visibility": ["public"]}
    assert not {"ticket.time_spent", "ticket.time_logged"} & set(filters["AlertsSubscription"]["event_type"])
    desk = Desk()
    number = desk.open()
    entry = agent_desk.log_time(desk.ticket_desk(), number=number, staff=FA, minutes=5)
    doc = to_document(entry, desk.get(number))
    assert mail_kind(doc) is None
    assert alerts.plan(doc, profiles=lambda agent: None, group_members=["agent.fa"], agent_names={},
                       now=AT) == []


# ---------------------------------------------------------------- the job: intervals nobody closed

def test_the_job_closes_forgotten_intervals_at_their_last_report_once(desk):
    gone, staying = desk.open(), desk.open()
    for _ in range(3):
        report(desk, gone, FA, "viewing")
        report(desk, staying, HE, "viewing")
        desk.clock.advance(seconds=10)
    desk.clock.advance(minutes=1)  # FA closed the laptop; HE still on the page
    report(desk, staying, HE, "viewing")
    desk.clock.advance(seconds=70)  # FA silent for 2 min 20 s: past the idle cut-off; HE 70 s
    assert agent_desk.close_idle_intervals(desk.ticket_desk(), desk.presence, now=desk.clock.now()) == [gone]
    [spent] = desk.events(gone, EventType.TIME_SPENT)
    assert spent.data["seconds"] == 20 and spent.actor == FA.actor
    assert desk.events(staying, EventType.TIME_SPENT) == []
    assert agent_desk.close_idle_intervals(desk.ticket_desk(), desk.presence, now=desk.clock.now()) == []
    report(desk, gone, FA, "viewing")  # FA comes back: a new interval, the old one not written again
    assert len(desk.events(gone, EventType.TIME_SPENT)) == 1


def test_the_job_stops_when_its_time_is_up(desk):
    numbers = [desk.open() for _ in range(3)]
    for number in numbers:
        report(desk, number, FA, "viewing")
        desk.clock.advance(seconds=10)
        report(desk, number, FA, "viewing")
    desk.clock.advance(minutes=5)
    budget = iter([True, False])
    assert agent_desk.close_idle_intervals(desk.ticket_desk(), desk.presence, now=desk.clock.now(),
                                           has_time=lambda: next(budget, False)) == [numbers[0]]
    assert agent_desk.close_idle_intervals(desk.ticket_desk(), desk.presence, now=desk.clock.now()) == numbers[1:]
