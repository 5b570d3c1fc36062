"""Read-only lists of tickets (services/ports.TicketViews) from the keys and sparse indexes that
DynamoTicketRepository keeps true in each ticket's transaction. Every list is a Query on a key: nothing scans."""
from __future__ import annotations

from chalicelib.adapters.dynamo import _agent_pk, _customer_pk, _ticket
from chalicelib.adapters.models import DocumentItem, TicketItem, use_table
from chalicelib.domain.events import from_document
from chalicelib.domain.identity import canonical
from chalicelib.domain.tickets import Ticket, TicketEvent
from chalicelib.services.ports import TicketViews


class DynamoTicketViews(TicketViews):
    def __init__(self, table_name: str):
        use_table(table_name)

    def queue(self, department: str) -> list[Ticket]:
        return [_ticket(item) for item in TicketItem.queue_index.query(f"DEPT#{department}")]

    def assigned_to(self, agent: str) -> list[Ticket]:
        return [_ticket(item) for item in TicketItem.assignee_index.query(_agent_pk(agent))]

    def of_customer(self, *, email=None, phone=None) -> list[Ticket]:
        if email:
            items = TicketItem.customer_index.query(_customer_pk(canonical(email)), scan_index_forward=False)
        elif phone:
            items = TicketItem.phone_index.query(f"PHONE#{phone}", scan_index_forward=False)
        else:
            return []
        return [_ticket(item) for item in items]

    def handovers(self, *, agent=None, group=None, limit=100) -> list[TicketEvent]:
        if agent:
            pk = f"HANDOVER#agent#{agent}"
        elif group:
            pk = f"HANDOVER#group#{group[0]}/{group[1]}"
        else:
            return []
        return [from_document(item.doc) for item in DocumentItem.query(pk, scan_index_forward=False, limit=limit)]
