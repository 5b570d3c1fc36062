"""Presence records in the helpdesk table, beside the ticket they are about: T#<n> / PRESENCE#<agent>.

One item per agent and ticket, overwritten by each report and expired by the table's TTL (`expires_at`), so
the board costs a Query on the ticket's partition (never a scan). The timeline reads EV# only and the stream
publisher ignores anything that is not EV#, so these items stay out of both.
"""
from __future__ import annotations

from datetime import datetime

from chalicelib.adapters.models import PRESENCE_PREFIX, PresenceItem, ticket_pk, use_table
from chalicelib.domain.presence import FORGET_AFTER, Presence, PresenceState
from chalicelib.domain.tickets import Actor, AuthorKind
from chalicelib.services.ports import PresenceBoard


class DynamoPresenceBoard(PresenceBoard):
    def __init__(self, table_name: str):
        use_table(table_name)

    def touch(self, number: int, presence: Presence) -> None:
        PresenceItem(pk=ticket_pk(number), sk=f"{PRESENCE_PREFIX}{presence.agent.id}", agent_name=presence.agent.name,
                     state=presence.state.value, since=presence.since, seen_at=presence.seen_at,
                     opened_at=presence.opened_at, expires_at=int((presence.seen_at + FORGET_AFTER).timestamp())).save()

    def present(self, number: int, seen_after: datetime) -> list[Presence]:
        # TTL deletes lazily: records it has not removed yet are filtered out here.
        items = PresenceItem.query(ticket_pk(number), PresenceItem.sk.startswith(PRESENCE_PREFIX),
                                   filter_condition=(PresenceItem.seen_at > seen_after)
                                   & PresenceItem.gone.does_not_exist())
        return [Presence(agent=Actor(AuthorKind.AGENT, item.sk.removeprefix(PRESENCE_PREFIX), item.agent_name),
                         state=PresenceState(item.state), since=item.since, seen_at=item.seen_at,
                         opened_at=item.opened_at)
                for item in items]

    def leave(self, number: int, presence: Presence) -> None:
        # Overwritten as gone rather than deleted: the API may put ticket-partition items but not delete them.
        PresenceItem(pk=ticket_pk(number), sk=f"{PRESENCE_PREFIX}{presence.agent.id}", agent_name=presence.agent.name,
                     state=presence.state.value, since=presence.since, seen_at=presence.seen_at, gone=True,
                     expires_at=int((presence.seen_at + FORGET_AFTER).timestamp())).save()
