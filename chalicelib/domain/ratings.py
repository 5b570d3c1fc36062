"""Customers rate agents' replies, one reply at a time.

A rating is a RATED event on the append-only timeline; rating again appends another, so the current
rating of a reply is the latest RATED event for it. It is credited to the agent who wrote the reply
(kept in the event), never to whoever holds the ticket when the customer clicks.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.tickets import (
    Actor, AuthorKind, EventType, Message, Ticket, TicketEvent, Visibility, new_id,
)
from chalicelib.errors import Invalid

COMMENT_MAX = 2000


class Rating(StrEnum):
    GOOD = "good"
    BAD = "bad"


@dataclass(frozen=True)
class CurrentRating:
    message_id: str
    rating: Rating
    comment: str
    at: datetime
    agent: Actor  # the author of the rated reply


def is_rateable(message: Message) -> bool:
    """Only what an agent said to the customer can be rated: not notes, not the customer's own words."""
    return message.visibility == Visibility.PUBLIC and message.author.kind == AuthorKind.AGENT


def rateable_reply(timeline: list[TicketEvent], message_id: str) -> Message | None:
    return next((e.message for e in timeline
                 if e.message and e.message.id == message_id and is_rateable(e.message)), None)


def clean_comment(comment: str | None) -> str | None:
    """None: no comment given (a click in the mail), which keeps the one there is; "" clears it."""
    if comment is None:
        return None
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise Invalid.field("comment", "too_long")
    return comment


def rated_event(ticket: Ticket, reply: Message, rating: Rating, comment: str | None, at: datetime,
                previous: CurrentRating | None = None) -> TicketEvent | None:
    """The RATED event that records this rating of the reply, or None when it says what the current one says
    (a second click, a mail link opened again). Without a comment (None) the earlier comment is kept. When only
    the comment changes the event is marked `"change": "comment"`, so the timeline shows a comment, not a
    second rating."""
    if comment is None:
        comment = previous.comment if previous else ""
    if previous and previous.rating == rating and previous.comment == comment:
        return None
    customer = Actor(kind=AuthorKind.CUSTOMER, id=ticket.customer.key, name=ticket.customer.name)
    data = {"message_id": reply.id, "rating": rating.value, "comment": comment,
            "agent": {"id": reply.author.id, "name": reply.author.name}}
    if previous and previous.rating == rating:
        data["change"] = "comment"
    elif previous:
        data["previous"] = previous.rating.value  # reports move the reply's count from one rating to the other
    return TicketEvent(id=new_id(), ticket_number=ticket.number, type=EventType.RATED, occurred_at=at,
                       actor=customer, visibility=Visibility.PUBLIC, data=data)


def current_ratings(timeline: list[TicketEvent]) -> dict[str, CurrentRating]:
    """The latest rating of each rated reply, by message id (the timeline is oldest first)."""
    ratings: dict[str, CurrentRating] = {}
    for event in timeline:
        if event.type == EventType.RATED:
            agent = event.data["agent"]
            ratings[event.data["message_id"]] = CurrentRating(
                message_id=event.data["message_id"], rating=Rating(event.data["rating"]),
                comment=event.data.get("comment", ""), at=event.occurred_at,
                agent=Actor(kind=AuthorKind.AGENT, id=agent["id"], name=agent["name"]))
    return ratings
