"""One-click ratings: signed per reply, credited to the reply's author, changeable inside the reply window."""
from dataclasses import replace

import pytest

from chalicelib.api import shapes
from chalicelib.api.contract import to_builtins
from chalicelib.domain import links
from chalicelib.domain.ratings import Rating, current_ratings
from chalicelib.domain.tickets import Actor, AuthorKind, EventType, Status, Visibility
from chalicelib.errors import Conflict, Invalid, NotFound
from chalicelib.services import ratings
from chalicelib.services.tickets import TicketView
from tests.fakes import FakeSecrets, desk_of
from tests.unit.test_automation import AGENT, Desk

SECRET = FakeSecrets().link_secret()
OTHER_AGENT = Actor(kind=AuthorKind.AGENT, id="agent.he@example.com", name="דנה")


@pytest.fixture
def desk():
    return Desk()


def rate(desk, number, message_id, rating="good", comment=None, signature=None):
    signature = signature or links.rating_signature(SECRET, number, message_id)
    ports = {"tickets": desk.tickets, "catalog": desk.catalog, "clock": desk.clock}
    return ratings.rate(desk_of(ports), number=number, message_id=message_id, signature=signature, rating=rating,
                        comment=comment)


def rated_events(desk, number):
    return [e for e in desk.tickets.timeline(number) if e.type == EventType.RATED]


def test_signatures_are_bound_to_one_reply_of_one_ticket():
    signature = links.rating_signature(SECRET, 1001, "m1")
    assert links.rating_signature_matches(SECRET, 1001, "m1", signature)
    assert not links.rating_signature_matches(SECRET, 1001, "m2", signature)
    assert not links.rating_signature_matches(SECRET, 1002, "m1", signature)
    assert not links.rating_signature_matches(b"another secret", 1001, "m1", signature)
    assert not links.rating_signature_matches(SECRET, 1001, "m1", "۱۲۳ not ascii")
    assert links.rating_link("https://help.example/customer/", 1001, "m1", signature, "bad") == \
        f"https://help.example/customer/#/rate/1001/m1/{signature}/bad"


def test_a_rating_is_credited_to_the_author_of_the_reply_even_after_a_transfer(desk):
    number = desk.waiting_on_customer()
    reply = desk.agent_replies(number, "این را امتحان کنید")
    ticket = desk.tickets.get(number)
    desk.tickets.save(ticket, replace(ticket, assignee=OTHER_AGENT, version=ticket.version + 1), [])

    current = rate(desk, number, reply.id, "good", comment="  عالی بود  ")

    assert (current.rating, current.comment, current.agent) == (Rating.GOOD, "عالی بود", AGENT)
    [event] = rated_events(desk, number)
    assert event.actor.kind == AuthorKind.CUSTOMER and event.visibility == Visibility.PUBLIC
    assert event.data == {"message_id": reply.id, "rating": "good", "comment": "عالی بود",
                          "agent": {"id": AGENT.id, "name": AGENT.name}}


def test_a_signature_for_one_reply_rates_neither_another_reply_nor_another_ticket(desk):
    number, other_number = desk.waiting_on_customer(), desk.waiting_on_customer()
    first, second = desk.agent_replies(number, "یک"), desk.agent_replies(number, "دو")
    signature = links.rating_signature(SECRET, number, first.id)
    with pytest.raises(NotFound):
        rate(desk, number, second.id, signature=signature)
    with pytest.raises(NotFound):
        rate(desk, other_number, first.id, signature=signature)
    with pytest.raises(NotFound):
        rate(desk, number, first.id, signature="forged")
    assert rated_events(desk, number) == rated_events(desk, other_number) == []


def test_notes_customer_messages_and_unknown_messages_cannot_be_rated_even_when_signed(desk):
    number = desk.waiting_on_customer()
    note = desk.agent_notes(number, "یادداشت داخلی")
    said = desk.customer_replies(number, "پیام مشتری")
    for message_id in (note.id, said.id, "no-such-message"):
        with pytest.raises(NotFound):
            rate(desk, number, message_id)
    with pytest.raises(NotFound):
        rate(desk, 999_999, "m1")  # no such ticket
    assert rated_events(desk, number) == []


def test_a_rating_can_change_inside_the_reply_window_and_the_latest_counts(desk):
    number = desk.waiting_on_customer()
    reply = desk.agent_replies(number, "پاسخ")
    rate(desk, number, reply.id, "bad", comment="کمکی نکرد")
    desk.clock.advance(days=8)
    desk.close()  # silence closed it: the reply window runs from now
    desk.clock.advance(days=6)
    rate(desk, number, reply.id, "good")

    assert current_ratings(desk.tickets.timeline(number))[reply.id].rating == Rating.GOOD
    assert len(rated_events(desk, number)) == 2
    assert desk.tickets.get(number).status == Status.CLOSED  # rating reopens nothing


def test_a_comment_on_a_rating_is_one_comment_event_not_a_second_rating(desk):
    number = desk.waiting_on_customer()
    reply = desk.agent_replies(number, "پاسخ")
    rate(desk, number, reply.id, "bad")
    rate(desk, number, reply.id, "bad", comment="کمکی نکرد")
    rate(desk, number, reply.id, "bad", comment="کمکی نکرد")  # sent twice: nothing new
    first, commented = rated_events(desk, number)
    assert "change" not in first.data                          # the rating, shown as "rated … as not helpful"
    assert (commented.data["change"], commented.data["rating"], commented.data["comment"]) == (
        "comment", "bad", "کمکی نکرد")                         # only the comment, shown as such
    assert current_ratings(desk.tickets.timeline(number))[reply.id].comment == "کمکی نکرد"


def test_a_rating_changed_from_the_mail_link_keeps_the_earlier_comment_unless_cleared(desk):
    number = desk.waiting_on_customer()
    reply = desk.agent_replies(number, "پاسخ")
    rate(desk, number, reply.id, "bad", comment="کمکی نکرد")
    changed = rate(desk, number, reply.id, "good")             # the mail's 👍 link carries no comment
    assert (changed.rating, changed.comment) == (Rating.GOOD, "کمکی نکرد")
    assert "change" not in rated_events(desk, number)[-1].data  # a new rating, not a comment
    cleared = rate(desk, number, reply.id, "good", comment="")
    assert (cleared.rating, cleared.comment) == (Rating.GOOD, "")
    assert len(rated_events(desk, number)) == 3


def test_after_the_reply_window_a_rating_is_refused(desk):
    number = desk.waiting_on_customer()
    reply = desk.agent_replies(number, "پاسخ")
    desk.clock.advance(days=8)
    desk.close()
    desk.clock.advance(days=7, minutes=1)
    with pytest.raises(Conflict) as refused:
        rate(desk, number, reply.id, "bad")
    assert refused.value.fields == {"ticket": "reply_window_closed"}
    desk.clock.advance(days=30)
    desk.archive()
    with pytest.raises(Conflict):
        rate(desk, number, reply.id, "bad")
    assert rated_events(desk, number) == []


def test_a_rating_that_loses_a_race_is_retried_on_the_fresh_ticket(desk):
    number = desk.waiting_on_customer()
    reply = desk.agent_replies(number, "پاسخ")
    desk.tickets.fail_next_saves = 1
    rate(desk, number, reply.id, "good")
    assert len(rated_events(desk, number)) == 1


@pytest.mark.parametrize("rating,comment,field,code", [
    ("great", None, "rating", "invalid"),
    ("good", "x" * 2001, "comment", "too_long"),
])
def test_bad_input_is_refused_field_by_field(desk, rating, comment, field, code):
    number = desk.waiting_on_customer()
    reply = desk.agent_replies(number, "پاسخ")
    with pytest.raises(Invalid) as refused:
        rate(desk, number, reply.id, rating, comment)
    assert refused.value.fields == {field: code}


def test_the_customer_view_offers_each_agent_reply_its_rating_and_signature(desk):
    number = desk.new_ticket()
    rated, unrated = desk.agent_replies(number, "یک"), desk.agent_replies(number, "دو")
    rate(desk, number, rated.id, "bad", comment="نه")
    timeline = desk.tickets.timeline(number)
    messages = [e.message for e in timeline if e.message and e.message.visibility == Visibility.PUBLIC]
    view = TicketView(desk.tickets.get(number), messages, current_ratings(timeline))

    shaped = to_builtins(shapes.customer_ticket(
        view, rating_signatures=ratings.rating_signatures(FakeSecrets(), number, messages), reply_window_open=True))

    by_id = {m["id"]: m for m in shaped["messages"]}
    assert by_id[rated.id]["rating"] == {"rating": "bad", "comment": "نه"}
    assert by_id[unrated.id]["rating"] is None
    assert by_id[rated.id]["rating_signature"] == links.rating_signature(SECRET, number, rated.id)
    customer_message = next(m for m in shaped["messages"] if m["author"]["kind"] == "customer")
    assert "rating" not in customer_message and "rating_signature" not in customer_message
