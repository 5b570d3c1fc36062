"""One-click ratings of agents' replies, from the links in the reply mail: no sign-in, the link is signed
for one reply of one ticket (chalicelib/domain/links.py)."""
from __future__ import annotations

from dataclasses import replace

from chalicelib.domain import links
from chalicelib.domain.ratings import (
    CurrentRating, Rating, clean_comment, current_ratings, is_rateable, rateable_reply, rated_event,
)
from chalicelib.domain.tickets import Message, parse_enum
from chalicelib.errors import Conflict, NotFound
from chalicelib.services.ports import SecretSource, TicketDesk
from chalicelib.services.retry import retry_on_stale


def rate(desk: TicketDesk, *, number: int, message_id: str, signature: str, rating: str,
         comment: str | None = None) -> CurrentRating:
    tickets, catalog, secrets, clock = desk.tickets, desk.catalog, desk.secrets, desk.clock
    rating_value = parse_enum(Rating, rating, "rating")
    comment = clean_comment(comment)
    # A bad signature looks like a missing reply: the endpoint is no oracle for tickets or messages.
    if not links.rating_signature_matches(secrets.link_secret(), number, message_id, signature):
        raise NotFound("no such reply")
    ticket = tickets.get(number)
    timeline = tickets.timeline(number) if ticket else []
    reply = rateable_reply(timeline, message_id) if ticket else None
    if reply is None:
        raise NotFound("no such reply")
    window = catalog.policies().reply_window
    def attempt(n: int) -> CurrentRating:
        fresh, history = (ticket, timeline) if n == 0 else (tickets.get(number), tickets.timeline(number))
        now = clock.now()
        if not fresh.within_reply_window(now, window):
            raise Conflict("this ticket was closed too long ago; its replies can no longer be rated",
                           fields={"ticket": "reply_window_closed"})
        previous = current_ratings(history).get(message_id)
        event = rated_event(fresh, reply, rating_value, comment, now, previous)
        if event is None:  # nothing new to say: no second event
            return previous
        # The timeline is append-only: a rating is one more event, and the latest one counts.
        tickets.save(fresh, replace(fresh, version=fresh.version + 1), [event])
        return current_ratings([event])[message_id]

    return retry_on_stale(attempt)


def rating_signatures(secrets: SecretSource, number: int, messages: list[Message]) -> dict[str, str]:
    """The signature the customer's page needs to rate each agent reply it shows."""
    secret = secrets.link_secret()
    return {m.id: links.rating_signature(secret, number, m.id) for m in messages if is_rateable(m)}
