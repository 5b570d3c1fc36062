"""Presence records in the helpdesk table, beside the ticket they are about: T#<n> / PRESENCE#<agent>.

One item per agent and ticket, overwritten by each report and expired by the table's TTL (`expires_at`), so
the board costs a Query on the ticket's partition (never a scan). The timeline reads EV# only and the stream
publisher ignores anything that is not EV#, so these items stay out of both.

While an agent's time interval is open the record also sits in the sparse `timer` index (partition
PRESENCE_OPEN, sorted by the last report), so the job that closes forgotten intervals reads only those; a record
marked `gone` (the agent left, or the job closed it) leaves the index.
"""
from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import PutError

from chalicelib.adapters.dynamo import stamp
from chalicelib.adapters.models import PRESENCE_PREFIX, PresenceItem, ticket_pk, use_table
from chalicelib.domain.presence import FORGET_AFTER, Presence, PresenceState
from chalicelib.domain.tickets import Actor, AuthorKind
from chalicelib.services.ports import PresenceBoard

PRESENCE_OPEN = "PRESENCE#open"


def _presence(item: PresenceItem) -> Presence:
    return Presence(agent=Actor(AuthorKind.AGENT, item.sk.removeprefix(PRESENCE_PREFIX), item.agent_name),
                    state=PresenceState(item.state), since=item.since, seen_at=item.seen_at, opened_at=item.opened_at)


class DynamoPresenceBoard(PresenceBoard):
    def __init__(self, table_name: str):
        use_table(table_name)

    def touch(self, number: int, presence: Presence) -> None:
        PresenceItem(pk=ticket_pk(number), sk=f"{PRESENCE_PREFIX}{presence.agent.id}", agent_name=presence.agent.name,
                     state=presence.state.value, since=presence.since, seen_at=presence.seen_at,
                     opened_at=presence.opened_at, timer_pk=PRESENCE_OPEN,
                     timer_sk=f"{stamp(presence.seen_at)}#{number}#{presence.agent.id}",
                     expires_at=int((presence.seen_at + FORGET_AFTER).timestamp())).save()

    def present(self, number: int, seen_after: datetime) -> list[Presence]:
        # TTL deletes lazily: records it has not removed yet are filtered out here.
        items = PresenceItem.query(ticket_pk(number), PresenceItem.sk.startswith(PRESENCE_PREFIX),
                                   filter_condition=(PresenceItem.seen_at > seen_after)
                                   & PresenceItem.gone.does_not_exist())
        return [_presence(item) for item in items]

    def leave(self, number: int, presence: Presence) -> None:
        # Overwritten as gone rather than deleted (the API may put ticket-partition items but not delete them),
        # and only if no newer report came in meanwhile (that one opened a new interval: it stays).
        try:
            PresenceItem(pk=ticket_pk(number), sk=f"{PRESENCE_PREFIX}{presence.agent.id}",
                         agent_name=presence.agent.name, state=presence.state.value, since=presence.since,
                         seen_at=presence.seen_at, gone=True,
                         expires_at=int((presence.seen_at + FORGET_AFTER).timestamp())).save(
                condition=PresenceItem.seen_at == presence.seen_at)
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise

    def idle(self, before: datetime, limit: int) -> list[tuple[int, Presence]]:
        found = []
        for key in PresenceItem.idle_index.query(PRESENCE_OPEN, PresenceItem.timer_sk < stamp(before), limit=limit):
            try:
                item = PresenceItem.get(key.pk, key.sk, consistent_read=True)
            except PresenceItem.DoesNotExist:
                continue  # expired meanwhile
            if not item.gone and item.seen_at < before:
                found.append((int(key.pk.removeprefix("T#")), _presence(item)))
        return found
