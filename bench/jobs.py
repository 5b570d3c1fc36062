"""DynamoDB items the scheduled jobs read, with 1,000 and with 100,000 tickets in the table.

Each size gets a realistic background (mostly open or new tickets, many waiting on the customer but not yet
due, many closed recently, a few archived) and the same 100 due tickets per job. Items read are counted at
botocore, where PynamoDB's calls pass too: the ScannedCount of every Query plus one per GetItem. Equal
figures at both sizes show that a job's cost follows the tickets due, not the size of the table.

Tickets are written straight into the table with batch writes, using the repository's own item mapping
(so every index key is as the application writes it): moto answers each index query by walking every
item in Python, so the bench measures items read, never time.
"""
from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import botocore.client


SIZES = (1_000, 100_000)
DUE = 100
RESERVED = 10 * DUE  # numbers kept free for the due tickets of each size
FIRST_NUMBER = 20_000_000  # far above the ticket counter: background and due tickets never collide
JOB_TIMEOUT_SECONDS = 900  # Lambda's longest: moto is slow on 100k items, and time is not what is measured
WAITING = ("awaiting_customer", "needs_info", "resolved")


@contextmanager
def counting_items_read():
    """Counts per operation, and items read: ScannedCount of each Query (or Scan, which no job may do) plus
    one per GetItem."""
    counts: Counter = Counter()
    original = botocore.client.BaseClient._make_api_call

    def counted(self, operation, params):
        response = original(self, operation, params)
        if self.meta.service_model.service_name == "dynamodb":
            counts[operation] += 1
            if operation in ("Query", "Scan"):
                counts["items_read"] += response.get("ScannedCount", 0)
            elif operation == "GetItem":
                counts["items_read"] += 1
        return response

    botocore.client.BaseClient._make_api_call = counted
    try:
        yield counts
    finally:
        botocore.client.BaseClient._make_api_call = original


def _ticket(number: int, now: datetime, status: str, *, created_days_ago: float, public_days_ago: float | None = None,
            reminded: bool = False, closed_days_ago: float | None = None):
    from chalicelib.domain.tickets import Customer, Language, Priority, Status, Ticket

    created = now - timedelta(days=created_days_ago)
    last_public = now - timedelta(days=public_days_ago) if public_days_ago is not None else None
    closed = now - timedelta(days=closed_days_ago) if closed_days_ago is not None else None
    return Ticket(number=number, subject="bench", department="support", category="technical",
                  priority=Priority.NORMAL, language=Language.FA, customer=Customer("Bench", f"b{number}@example.com"),
                  status=Status(status), created_at=created, last_activity_at=last_public or created,
                  link_salt="s", link_hash="h", last_public_at=last_public,
                  reminded_at=last_public + timedelta(days=5) if reminded else None, closed_at=closed)


def background_ticket(number: int, now: datetime):
    """The mix of a working help desk, none of it due (with a margin, so nothing becomes due mid-run)."""
    share, spread = number % 20, (number * 7919 % 1000) / 1000  # deterministic, evenly spread
    if share < 10:  # being worked on
        return _ticket(number, now, "open" if share < 7 else "new", created_days_ago=30 * spread)
    if share < 13:  # waiting on the customer, reminder not yet due
        return _ticket(number, now, WAITING[share - 10], created_days_ago=10, public_days_ago=4.5 * spread)
    if share < 15:  # reminded, close not yet due
        return _ticket(number, now, "awaiting_customer", created_days_ago=10, public_days_ago=5 + 1.5 * spread,
                       reminded=True)
    if share < 19:  # closed recently, archive not yet due
        return _ticket(number, now, "closed", created_days_ago=40, public_days_ago=35, closed_days_ago=29 * spread)
    return _ticket(number, now, "archived", created_days_ago=90, public_days_ago=80, closed_days_ago=60)


def due_for_auto_close(number: int, index: int, now: datetime):
    """Half due for a reminder; a quarter reminded and due to close; a quarter never reminded, due to close."""
    if index < DUE // 2:
        return _ticket(number, now, WAITING[index % 3], created_days_ago=9, public_days_ago=6)
    return _ticket(number, now, "awaiting_customer", created_days_ago=12, public_days_ago=8,
                   reminded=index < DUE * 3 // 4)


def due_for_archive(number: int, index: int, now: datetime):
    return _ticket(number, now, "closed", created_days_ago=50, public_days_ago=40, closed_days_ago=31 + index % 5)


def _conversation(ticket):
    """A short timeline (the archive job reads it whole): opened, the customer's words, an agent's reply."""
    from chalicelib.domain.tickets import (
        Actor, AuthorKind, EventType, Message, TicketEvent, Visibility, message_event, new_id,
    )
    customer = Actor(AuthorKind.CUSTOMER, ticket.customer.key, ticket.customer.name)
    agent = Actor(AuthorKind.AGENT, "bench.agent@example.com", "Bench agent")
    said = Message(new_id(), Visibility.PUBLIC, customer, "متن آزمایشی", ticket.created_at)
    answer = Message(new_id(), Visibility.PUBLIC, agent, "پاسخ", ticket.last_public_at or ticket.created_at)
    return [TicketEvent(new_id(), ticket.number, EventType.TICKET_CREATED, ticket.created_at, customer,
                        Visibility.PUBLIC), message_event(ticket, said), message_event(ticket, answer)]


def write(tickets, *, with_timelines: bool) -> None:
    from chalicelib.adapters.dynamo import event_items, ticket_item
    from chalicelib.adapters.models import TicketItem

    with TicketItem.batch_write() as batch:
        for ticket in tickets:
            batch.save(ticket_item(ticket))
            for item in event_items(ticket, _conversation(ticket)) if with_timelines else ():
                batch.save(item)


@contextmanager
def job_stack():
    """moto in this process with the resources from infra/, as `make run` has it (DynamoDB served one
    request at a time, like serializable transactions); yields the Chalice app wired to it."""
    import os
    import urllib.request

    from local.testing import free_port
    from local.moto_server import MotoServer
    from local.provision import provision

    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1",
                       "AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true"})
    server = MotoServer(port=free_port()).start()
    os.environ["AWS_ENDPOINT_URL"] = server.url
    os.environ.update(provision(server.url, stack_name="helpdesk-bench-jobs", web_origin="http://127.0.0.1:8080",
                                customer_site_url="http://127.0.0.1:8080/customer/", mail_from="helpdesk@example.com"))
    try:
        from chalicelib import bootstrap
        bootstrap.reset()
        bootstrap.tickets()  # binds the item models to the stack's table
        from app import app
        yield app
    finally:
        # moto's state is process-global: forget this stack (and its 100k items) before the next bench's.
        urllib.request.urlopen(urllib.request.Request(f"{server.url}/moto-api/reset", method="POST"), timeout=60)
        server.stop()


def at_each_size(first_number: int, background):
    """Grows the table to each of SIZES with `background(number, now)` tickets; yields (size, now, base): the
    numbers from `base` up to `base + RESERVED` are free for the tickets due at that size."""
    next_number, existing = first_number, 0
    for size in SIZES:
        now = datetime.now(timezone.utc)
        write((background(n, now) for n in range(next_number, next_number + size - existing)), with_timelines=False)
        next_number, existing = next_number + size - existing, size
        yield size, now, next_number
        next_number += RESERVED


def run_job(app, handler: str, now: datetime) -> dict:
    from local.events import ACCOUNT_ID, FakeLambdaContext, scheduled_event

    function = f"helpdesk-bench-{handler}"
    context = FakeLambdaContext(function_name=function, timeout_seconds=JOB_TIMEOUT_SECONDS,
                                invoked_function_arn=f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:{function}")
    return app.handler_map[handler](scheduled_event(function, "us-east-1", now), context)


def job_costs() -> dict:
    results = {}
    with job_stack() as app:
        for size, now, base in at_each_size(FIRST_NUMBER, background_ticket):
            write([due_for_auto_close(base + i, i, now) for i in range(DUE)], with_timelines=True)
            write([due_for_archive(base + DUE + i, i, now) for i in range(DUE)], with_timelines=True)
            label = f"{size // 1000}k"
            with counting_items_read() as reads:
                done = run_job(app, "auto_close_silent_tickets", now)
            assert done["closed"] + done["reminded"] == DUE, done  # the measured run did all the due work
            results[f"auto_close_items_read_{label}"] = _figure(reads, size, "auto_close_silent_tickets: "
                                                                f"{done['reminded']} reminded, {done['closed']} closed")
            with counting_items_read() as reads:
                done = run_job(app, "archive_closed_tickets", now)
            assert done["archived"] == DUE, done
            results[f"auto_archive_items_read_{label}"] = _figure(reads, size, "archive_closed_tickets: "
                                                                  f"{done['archived']} archived with transcripts")
    return results


def _figure(counts: Counter, size: int, what: str) -> dict:
    calls = ", ".join(f"{op}×{n}" for op, n in sorted(counts.items()) if op != "items_read")
    return {"value": counts["items_read"], "unit": "items",
            "note": f"{what}; {size} background tickets in the table; DynamoDB calls: {calls}"}
