"""A signed-in customer's tickets, in the three tabs of the customer site."""
from __future__ import annotations

from enum import StrEnum

from chalicelib.domain.tickets import Status, Ticket


class Tab(StrEnum):
    OPEN = "open"          # with the help desk
    AWAITING = "awaiting"  # the help desk waits for the customer
    CLOSED = "closed"      # done, or done unless the customer objects


TAB_OF_STATUS: dict[Status, Tab] = {
    Status.NEW: Tab.OPEN,
    Status.OPEN: Tab.OPEN,
    Status.ON_HOLD: Tab.OPEN,
    Status.AWAITING_CUSTOMER: Tab.AWAITING,
    Status.NEEDS_INFO: Tab.AWAITING,
    Status.RESOLVED: Tab.CLOSED,
    Status.CLOSED: Tab.CLOSED,
    Status.ARCHIVED: Tab.CLOSED,
}


def by_tab(tickets: list[Ticket]) -> dict[Tab, list[Ticket]]:
    """Every tab (empty ones too), each keeping the order it was given."""
    tabs: dict[Tab, list[Ticket]] = {tab: [] for tab in Tab}
    for ticket in tickets:
        tabs[TAB_OF_STATUS[ticket.status]].append(ticket)
    return tabs
