"""The report figures (domain/reports.py), on hand-built timelines walked through the real ticket domain, so the
event documents are the ones the outbox publishes (domain/events.py)."""
from collections import Counter
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain import reports
from chalicelib.domain.business_hours import PRESETS
from chalicelib.domain.events import to_document
from chalicelib.domain.handovers import HandoverKind, handover_event
from chalicelib.domain.ratings import Rating, current_ratings, rated_event
from chalicelib.domain.sla import SlaPolicy
from chalicelib.domain.tickets import (
    Actor, AuthorKind, Customer, EventType, Language, Message, Priority, Status, Ticket, TicketEvent, Visibility,
    message_event, new_id,
)
from dataclasses import replace

UTC = timezone.utc
CUSTOMER = Customer(name="Mina", email="Mina@Example.com")


def agent(name: str) -> Actor:
    return Actor(kind=AuthorKind.AGENT, id=name, name=name.title())


class Story:
    """One ticket's life, told event by event; `docs` are the published documents, oldest first."""

    def __init__(self, at: datetime, *, calendar: str = "24x7", group: str = "g1", assignee: str | None = "ali",
                 number: int = 1001, channel: str = "web", category: str = "billing", department: str = "sales",
                 customer: Customer = CUSTOMER):
        policy = SlaPolicy(calendar=PRESETS[calendar])
        self.ticket = Ticket(number=number, subject="s", department=department, category=category,
                             priority=Priority.NORMAL, language=Language.FA, customer=customer, status=Status.NEW,
                             created_at=at, last_activity_at=at, link_salt="x", link_hash="y", group=group,
                             assignee=agent(assignee) if assignee else None,
                             sla=policy.sla_for(department, "normal", at), channel=channel)
        self.docs: list[dict] = []
        self.timeline: list[TicketEvent] = []
        author = Actor(kind=AuthorKind.CUSTOMER, id=customer.key, name=customer.name)
        self._emit(TicketEvent(id=new_id(), ticket_number=number, type=EventType.TICKET_CREATED, occurred_at=at,
                               actor=author, visibility=Visibility.PUBLIC, data={"channel": channel}))

    def _emit(self, *events: TicketEvent) -> None:
        for event in events:
            self.timeline.append(event)
            self.docs.append(to_document(event, self.ticket))

    def reply(self, at: datetime, by: str = "ali", text: str = "سلام، درخواست شما بررسی شد") -> str:
        message = Message(id=new_id(), visibility=Visibility.PUBLIC, author=agent(by), text=text, created_at=at)
        before, self.ticket = self.ticket, self.ticket.after_agent_reply(at)
        self._emit(message_event(self.ticket, message), *self.ticket.status_events(before, agent(by), at))
        return message.id

    def note(self, at: datetime, by: str = "ali") -> None:
        message = Message(id=new_id(), visibility=Visibility.INTERNAL, author=agent(by), text="a note", created_at=at)
        self._emit(message_event(self.ticket, message))

    def customer_writes(self, at: datetime) -> None:
        customer = self.ticket.customer
        author = Actor(kind=AuthorKind.CUSTOMER, id=customer.key, name=customer.name)
        message = Message(id=new_id(), visibility=Visibility.PUBLIC, author=author, text="hi", created_at=at)
        before, self.ticket = self.ticket, self.ticket.after_customer_message(at, timedelta(days=7))
        self._emit(message_event(self.ticket, message), *self.ticket.status_events(before, author, at))

    def move(self, to: Status, at: datetime, by: str = "ali") -> None:
        before, self.ticket = self.ticket, self.ticket.moved_to(to, at)
        self._emit(*self.ticket.status_events(before, agent(by), at))

    def transfer(self, at: datetime, group: str, to: str | None) -> None:
        before = self.ticket
        self.ticket = replace(before, group=group, assignee=agent(to) if to else None)
        self._emit(handover_event(before, self.ticket, actor=agent("boss"), at=at, kind=HandoverKind.TRANSFER))

    def log_time(self, at: datetime, minutes: int, by: str = "ali") -> None:
        self._emit(TicketEvent(id=new_id(), ticket_number=self.ticket.number, type=EventType.TIME_LOGGED,
                               occurred_at=at, actor=agent(by), visibility=Visibility.INTERNAL,
                               data={"minutes": minutes, "note": ""}))

    def spend(self, start: datetime, end: datetime, by: str = "ali") -> None:
        """One closed presence interval (the event the portal's presence reports produce)."""
        self._emit(TicketEvent(id=new_id(), ticket_number=self.ticket.number, type=EventType.TIME_SPENT,
                               occurred_at=end, actor=agent(by), visibility=Visibility.INTERNAL,
                               data={"from": start.isoformat(), "to": end.isoformat(),
                                     "seconds": int((end - start).total_seconds())}))

    def rate(self, at: datetime, message_id: str, rating: Rating) -> None:
        reply = next(e.message for e in self.timeline if e.message and e.message.id == message_id)
        previous = current_ratings(self.timeline).get(message_id)
        self._emit(rated_event(self.ticket, reply, rating, None, at, previous))


def applied(*stories: Story, zone: str = "UTC") -> dict:
    """Sum of every document's contributions, per bucket."""
    totals: dict = {}
    for story in stories:
        for doc in story.docs:
            for key, counters in reports.contributions(doc, zone).items():
                totals.setdefault(key, Counter()).update(counters)
    return totals


def period(totals: dict, dimension: str = "desk", member: str = "all") -> dict:
    return reports.figures(reports.merge(c for k, c in totals.items()
                                         if k.dimension == dimension and k.member == member and k.day != "total"))


def t(text: str, zone: str = "UTC") -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


# ---------------------------------------------------------------- the timelines

def test_a_reply_then_solved_counts_business_time_only_while_the_ticket_waits_on_the_team():
    story = Story(t("2026-12-01T10:00"))
    story.reply(t("2026-12-01T10:30"))                   # the clocks pause: awaiting the customer
    story.move(Status.RESOLVED, t("2026-12-01T12:00"))   # resolution met while paused
    f = period(applied(story))
    assert (f["created"], f["solved"], f["replies"]) == (1, 1, 1)
    assert f["first_response"]["business"]["mean_s"] == f["first_response"]["calendar"]["mean_s"] == 1800
    assert f["resolution"]["calendar"]["mean_s"] == 7200
    assert f["resolution"]["business"]["mean_s"] == 1800  # 10:30-12:00 waited on the customer: paused
    assert f["first_contact_resolution"] == 1.0 and f["replies_until_solved"] == 1.0 and f["reopen_rate"] == 0.0
    assert f["sla"]["first_response_met"] == 1.0 and f["sla"]["resolution_met"] == 1.0
    assert f["backlog_change"] == 0


def test_business_hours_of_the_tickets_calendar_skip_the_evening_and_the_weekend():
    # Iran: Thursday until 13:00, Friday off. Opened Thursday 12:00 Tehran, answered Saturday 09:00.
    story = Story(t("2026-12-03T12:00", "Asia/Tehran"), calendar="iran")
    story.reply(t("2026-12-05T09:00", "Asia/Tehran"))
    f = period(applied(story, zone="Asia/Tehran"))
    assert f["first_response"]["business"]["mean_s"] == 2 * 3600  # Thu 12-13 and Sat 08-09
    assert f["first_response"]["calendar"]["mean_s"] == 45 * 3600
    assert f["sla"]["first_response_met"] == 1.0  # 2 of the 8 business hours


def test_a_reopened_ticket_loses_its_first_contact_resolution_and_counts_as_reopened():
    story = Story(t("2026-12-01T10:00"))
    story.reply(t("2026-12-01T10:30"))
    story.move(Status.RESOLVED, t("2026-12-01T11:00"))
    story.customer_writes(t("2026-12-02T09:00"))          # within the reply window: back to open
    story.reply(t("2026-12-02T10:00"))
    story.move(Status.RESOLVED, t("2026-12-02T11:00"))
    f = period(applied(story))
    assert (f["solved"], f["reopened"], f["replies"]) == (2, 1, 2)
    assert f["first_contact_resolution"] == 0.0            # +1 at the first solve, -1 at the reopen
    assert f["reopen_rate"] == 0.5 and f["replies_until_solved"] == 1.5
    assert f["first_response"]["business"]["count"] == 1  # only the first reply is a first response


def test_a_rating_is_credited_to_the_author_of_the_rated_reply_not_to_the_assignee():
    story = Story(t("2026-12-01T10:00"), assignee="ali")
    reply = story.reply(t("2026-12-01T10:30"), by="sara")
    story.rate(t("2026-12-01T11:00"), reply, Rating.GOOD)
    totals = applied(story)
    assert period(totals, "agent", "sara")["satisfaction"] == {"good": 1, "bad": 0, "good_share": 1.0}
    assert period(totals, "agent", "ali")["satisfaction"]["good"] == 0
    story.rate(t("2026-12-01T12:00"), reply, Rating.BAD)  # changed their mind: the reply counts once, as bad
    totals = applied(story)
    assert period(totals, "agent", "sara")["satisfaction"] == {"good": 0, "bad": 1, "good_share": 0.0}
    assert period(totals)["satisfaction"]["good_share"] == 0.0


def test_a_transfer_is_a_hand_over_from_group_to_group_and_agent_to_agent():
    story = Story(t("2026-12-01T10:00"), group="g1", assignee="ali")
    story.transfer(t("2026-12-01T10:10"), group="g2", to="sara")
    totals = applied(story)
    desk = reports.merge(c for k, c in totals.items() if k.dimension == "desk" and k.day != "total")
    assert reports.handover_flow(desk, "group") == [{"from": "sales/g1", "to": "sales/g2", "count": 1}]
    assert reports.handover_flow(desk, "agent") == [{"from": "ali", "to": "sara", "count": 1}]
    assert period(totals, "agent", "ali")["handed_over"] == 1
    assert period(totals, "agent", "sara")["received"] == 1
    assert period(totals, "group", "sales/g2")["received"] == 1


def test_solved_is_credited_to_the_assignee_and_notes_and_words_to_their_writer():
    story = Story(t("2026-12-01T10:00"), assignee="ali")
    story.note(t("2026-12-01T10:05"), by="sara")
    story.reply(t("2026-12-01T10:30"), by="ali", text="می‌خواهم بدانم، lorem ipsum. שלום עולם")
    story.move(Status.CLOSED, t("2026-12-01T11:00"))
    totals = applied(story)
    assert period(totals, "agent", "sara")["notes"] == 1
    ali = period(totals, "agent", "ali")
    assert (ali["solved"], ali["replies"], ali["words_per_reply"]) == (1, 1, 6.0)
    assert reports.ranking(totals[reports.BucketKey("rank", "solvers", "2026-12-01")]) == [{"member": "ali", "count": 1}]


def test_a_day_is_the_desks_local_day_in_tehran():
    # 20:45 UTC on 1 December is 00:15 on 2 December in Tehran (UTC+3:30).
    story = Story(t("2026-12-01T20:45"))
    totals = applied(story, zone="Asia/Tehran")
    days = {k.day for k in totals if k.dimension == "desk" and k.day != "total"}
    assert days == {"2026-12-02"}
    desk = totals[reports.BucketKey("desk", "all", "2026-12-02")]
    assert reports.busiest_hours(desk)[2][0] == 1  # Wednesday, hour 0
    department = totals[reports.BucketKey("department", "sales", "2026-12-02")]
    assert reports.busiest_hours(department)[2][0] == 1  # a supervisor's heat map is their department's


@pytest.mark.parametrize("utc, day, hour", [
    ("2026-03-26T22:30", "2026-03-27", 0),  # before the clocks go forward (UTC+2)
    ("2026-03-27T21:30", "2026-03-28", 0),  # after (UTC+3): still half past midnight, of the next day
    ("2026-03-27T00:30", "2026-03-27", 3),  # 02:00 became 03:00: 00:30 UTC is 03:30 local
])
def test_a_dst_day_in_jerusalem_keeps_local_days_and_hours(utc, day, hour):
    story = Story(t(utc))
    totals = applied(story, zone="Asia/Jerusalem")
    desk = totals[reports.BucketKey("desk", "all", day)]
    weekday = datetime.fromisoformat(day).weekday()
    assert reports.busiest_hours(desk)[weekday][hour] == 1


def test_volume_by_channel_priority_and_category_and_the_backlog():
    stories = [Story(t("2026-12-01T10:00"), number=1, channel="mail", category="billing"),
               Story(t("2026-12-01T11:00"), number=2, channel="web", category="billing"),
               Story(t("2026-12-01T12:00"), number=3, channel="web", category="tech")]
    stories[0].move(Status.CLOSED, t("2026-12-01T13:00"))
    totals = applied(*stories)
    f = period(totals)
    assert f["by_channel"] == {"mail": 1, "web": 2} and f["by_priority"] == {"normal": 3}
    assert f["by_category"] == {"billing": 2, "tech": 1}
    assert totals[reports.BucketKey("desk", "all", "total")]["backlog"] == 2
    assert reports.backlog_at_end(2, []) == 2 and reports.backlog_at_end(2, [1]) == 1


def test_a_mail_tickets_events_count_under_channel_mail_and_filter_out_of_web():
    """The channel is a filter, not only a breakdown: every ticket-level figure of a mailed ticket (its replies,
    its solving, its times, its agent time) is filed under channel=mail, and none under web."""
    mailed = Story(t("2026-12-01T10:00"), number=1, channel="mail")
    mailed.reply(t("2026-12-01T10:30"))
    mailed.log_time(t("2026-12-01T10:40"), 10)
    mailed.move(Status.RESOLVED, t("2026-12-01T11:00"))
    web = Story(t("2026-12-01T12:00"), number=2, channel="web")
    web.reply(t("2026-12-01T12:10"))
    totals = applied(mailed, web, Story(t("2026-12-01T13:00"), number=3, channel="import"))
    mail = period(totals, "channel", "mail")
    assert (mail["created"], mail["solved"], mail["replies"]) == (1, 1, 1)
    assert mail["first_response"]["calendar"]["count"] == 1 and mail["agent_time"]["seconds"] == 10 * 60
    assert mail["by_channel"] == {"mail": 1}
    web_figures = period(totals, "channel", "web")
    assert (web_figures["created"], web_figures["solved"], web_figures["replies"]) == (1, 0, 1)
    assert web_figures["agent_time"]["seconds"] == 0
    assert period(totals, "channel", "import")["created"] == 1
    # One channel bucket per ticket-level event: the filter adds one update to the event's one transaction.
    for doc in mailed.docs:
        assert [k.member for k in reports.contributions(doc, "UTC") if k.dimension == "channel"] in ([], ["mail"])


def test_a_document_written_before_the_snapshot_had_a_channel_counts_under_web_or_its_created_data():
    story = Story(t("2026-12-01T10:00"), channel="mail")
    story.reply(t("2026-12-01T10:30"))
    older = [dict(d, ticket={k: v for k, v in d["ticket"].items() if k != "channel"}) for d in story.docs]
    created, *later = older
    assert reports.BucketKey("channel", "mail", "2026-12-01") in reports.contributions(created, "UTC")
    assert {k.member for d in later for k in reports.contributions(d, "UTC") if k.dimension == "channel"} == {"web"}


def test_an_sla_breach_and_its_escalation_count():
    story = Story(t("2026-12-01T10:00"))
    doc = dict(story.docs[0], type="ticket.sla_breached", event_id="b1",
               data={"target": "first_response", "escalation": {"priority": {"from": "normal", "to": "high"}}})
    f = reports.figures(reports.merge(c for k, c in reports.contributions(doc, "UTC").items() if k.dimension == "desk"))
    assert f["sla"]["breaches"] == 1 and f["sla"]["escalations"] == 1


def test_a_comment_only_rating_change_counts_nothing():
    story = Story(t("2026-12-01T10:00"))
    doc = dict(story.docs[0], type="ticket.rated", event_id="r1",
               data={"message_id": "m", "rating": "good", "comment": "x", "change": "comment",
                     "agent": {"id": "ali", "name": "Ali"}})
    assert reports.contributions(doc, "UTC") == {}


@pytest.mark.parametrize("text, words", [
    ("می‌خواهم کتاب بخرم", 3),          # ZWNJ joins one Persian word
    ("می خواهم", 2),
    ("שלום, מה שלומך?", 3),
    ("צ'יפס ו-קולה", 3),               # geresh inside a word; a hyphen separates
    ("don't stop", 2),
    ("سفارش #A-20931 ثبت شد", 5),
    ("  ", 0),
    ("كِتَابٌ جديد", 2),                 # harakat stay inside the word
])
def test_word_count_works_for_persian_hebrew_and_english(text, words):
    assert reports.word_count(text) == words


def test_histograms_give_an_exact_mean_and_median_and_p90_within_a_bin():
    values = [60 * m for m in range(1, 101)]  # 1..100 minutes
    c = reports.merge(reports.duration_counters("x", v) for v in values)
    d = reports.distribution(c, "x")
    assert d.count == 100 and d.mean == sum(values) / 100
    assert abs(d.median - 50 * 60) / (50 * 60) < 0.19
    assert abs(d.p90 - 90 * 60) / (90 * 60) < 0.19
    assert reports.distribution(Counter(), "x").median is None


def test_contributions_do_not_depend_on_the_order_events_arrive_in():
    story = Story(t("2026-12-01T10:00"))
    reply = story.reply(t("2026-12-01T10:30"), by="sara")
    story.rate(t("2026-12-01T10:40"), reply, Rating.GOOD)
    story.move(Status.RESOLVED, t("2026-12-01T11:00"))
    forward = applied(story)
    story.docs.reverse()
    assert applied(story) == forward


def test_documents_written_before_the_reports_are_counted_but_not_timed():
    story = Story(t("2026-12-01T10:00"))
    story.reply(t("2026-12-01T10:30"))
    story.move(Status.CLOSED, t("2026-12-01T11:00"))
    for doc in story.docs:  # as the outbox wrote them before: no category, created_at, reply count or SLA
        for key in ("category", "created_at", "agent_replies", "sla"):
            doc["ticket"].pop(key)
    f = period(applied(story))
    assert (f["created"], f["solved"], f["replies"]) == (1, 1, 1)
    assert f["first_response"]["calendar"]["count"] == 0 and f["resolution"]["calendar"]["count"] == 0


def test_agent_time_is_the_presence_intervals_and_the_time_entries_of_each_agent_on_their_local_day():
    """Tehran: an interval ending at 23:50 local counts on that day, one ending after midnight on the next; time
    entries count as they are made; the ticket's customer and priority get the same time."""
    story = Story(t("2026-03-10T09:00", "Asia/Tehran"))
    story.spend(t("2026-03-10T23:30", "Asia/Tehran"), t("2026-03-10T23:50", "Asia/Tehran"), by="ali")
    story.spend(t("2026-03-10T23:55", "Asia/Tehran"), t("2026-03-11T00:05", "Asia/Tehran"), by="ali")
    story.log_time(t("2026-03-11T10:00", "Asia/Tehran"), 45, by="sara")
    story.reply(t("2026-03-11T10:05", "Asia/Tehran"), by="sara")
    totals = applied(story, zone="Asia/Tehran")
    ali_first = totals[reports.BucketKey("agent", "ali", "2026-03-10")]
    ali_next = totals[reports.BucketKey("agent", "ali", "2026-03-11")]
    assert (ali_first["time.s"], ali_next["time.s"]) == (20 * 60, 10 * 60)
    sara = period(totals, "agent", "sara")
    assert sara["agent_time"] == {"seconds": 45 * 60, "presence_s": 0, "logged_s": 45 * 60} and sara["replies"] == 1
    whole = period(totals)
    assert whole["agent_time"] == {"seconds": 75 * 60, "presence_s": 30 * 60, "logged_s": 45 * 60}
    assert period(totals, "customer", "mina@example.com")["agent_time"]["seconds"] == 75 * 60
    assert period(totals, "priority", "normal")["agent_time"]["seconds"] == 75 * 60
    assert period(totals, "priority", "normal")["created"] == 1


def test_time_written_by_the_system_or_of_no_length_counts_nothing():
    story = Story(t("2026-03-10T09:00"))
    story.log_time(t("2026-03-10T10:00"), 0)
    story.spend(t("2026-03-10T10:00"), t("2026-03-10T10:00"))
    doc = dict(story.docs[-1], actor={"kind": "system", "id": "system", "name": "Helpdesk"},
               data={"from": "2026-03-10T10:00:00+00:00", "to": "2026-03-10T10:05:00+00:00", "seconds": 300})
    assert [reports.contributions(d, "UTC") for d in (*story.docs[1:], doc)] == [{}, {}, {}]
