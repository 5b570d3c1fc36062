"""The indexer: ticket numbers in, their documents rebuilt from the table and written to the index.

It reads each ticket as it is now (never the event that named it), so a redelivered, duplicated or reordered
event converges to the same index, and the rebuild command (ops/rebuild_search.py) uses the same function.
"""
from __future__ import annotations

from collections.abc import Iterable

from chalicelib.services.ports import CatalogRepository, TicketRepository
from chalicelib.views.search.document import SearchDocument, build
from chalicelib.views.search.ports import SearchIndex


def documents(numbers: Iterable[int], *, tickets: TicketRepository, catalog: CatalogRepository) -> list[SearchDocument]:
    departments = {d.id: d for d in catalog.departments()}
    found = []
    for number in sorted(set(numbers)):
        ticket = tickets.get(number)
        if ticket is None:  # not (or no longer) in the table: nothing to index
            continue
        found.append(build(ticket, tickets.timeline(number), departments.get(ticket.department)))
    return found


def reindex(numbers: Iterable[int], *, tickets: TicketRepository, catalog: CatalogRepository,
            index: SearchIndex) -> int:
    """Replace the documents of these tickets in one commit; the number of documents written."""
    docs = documents(numbers, tickets=tickets, catalog=catalog)
    index.write(docs)
    return len(docs)


def rebuild(*, tickets: TicketRepository, catalog: CatalogRepository, index: SearchIndex, first: int, last: int,
            batch: int = 200, done=lambda upto, written: None) -> int:
    """Re-index tickets `first`..`last` by number (no Scan: numbers are sequential), one commit per batch;
    `done(upto, written)` after each, so a caller can show progress and resume after `upto`."""
    written = 0
    for start in range(first, last + 1, batch):
        upto = min(start + batch - 1, last)
        written += reindex(range(start, upto + 1), tickets=tickets, catalog=catalog, index=index)
        done(upto, written)
    return written
