"""import_tickets_per_s: tickets per second that `python -m ops.import_tickets` writes into the local stack
(moto's server in this process with the resources from infra/, as `make run` has it), from a synthetic
JSON-lines file of SIZE tickets generated here: fa/he/en, every status, 1-8 messages with replies and
notes, spread over the past year (so the import also catches up reminders, closes and SLA history).

Measured through the command's own loop (parse, replay, one transaction per ticket, checkpoint,
progress), without files (fetching them measures the disk or the network, not the import).

SMALL tickets are measured too (the rate should not fall with the table's size). The local stack's moto
runs with local/moto_patches.py, as `make run` does (no per-transaction table copies).
"""
from __future__ import annotations

import io
import json
import random
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

SIZE = 10_000
SMALL = 1_000
SAMPLE = 20  # tickets whose items are counted to estimate what a run wrote
LANGUAGES = {
    "fa": ("مریم", "سلام، سفارش من هنوز نرسیده است.", "پیگیری کردیم؛ فردا می‌رسد.", "ممنون از پیگیری."),
    "he": ("נועה", "שלום, ההזמנה שלי עדיין לא הגיעה.", "בדקנו, היא תגיע מחר.", "תודה רבה."),
    "en": ("John", "Hello, my order has not arrived yet.", "We checked: it arrives tomorrow.", "Thanks a lot."),
}
STATUSES = ("closed",) * 6 + ("resolved", "open", "awaiting_customer", "on_hold", "new")


def synthetic_records(count: int, now: datetime, source: str, seed: int = 12):
    rng = random.Random(seed)
    for index in range(count):
        language = ("fa", "he", "en")[index % 3]
        name, question, answer, thanks = LANGUAGES[language]
        created = now - timedelta(days=rng.uniform(1, 365), minutes=rng.randrange(1440))
        at = created
        messages = [{"kind": "customer", "text": f"{question} #{index}", "created_at": at.isoformat()}]
        for turn in range(rng.randrange(0, 7)):
            at += timedelta(minutes=rng.randrange(5, 3000))
            if at >= now - timedelta(minutes=1):
                break
            kind = ("reply", "note", "customer")[turn % 3] if turn else "reply"
            message = {"kind": kind, "text": {"reply": answer, "note": "internal: " + answer, "customer": thanks}[kind],
                       "created_at": at.isoformat()}
            if kind != "customer":
                message["author"] = {"email": "agent.one@example.com", "name": "Sara"}
            messages.append(message)
        status = STATUSES[rng.randrange(len(STATUSES))] if len(messages) > 1 else rng.choice(("new", "closed"))
        record = {"source": source, "external_id": str(100_000 + index), "subject": f"{question[:30]} {index}",
                  "status": status, "priority": rng.choice(("low", "normal", "normal", "high", "urgent")),
                  "department": "support", "category": "technical", "language": language,
                  "created_at": created.isoformat(),
                  "customer": {"name": f"{name} {index}", "email": f"customer{index % 4000}@example.com"},
                  "messages": messages}
        if status in ("closed", "resolved"):
            record["closed_at"] = (at + timedelta(hours=1)).isoformat() if at + timedelta(hours=1) < now else None
        yield record


def write_file(path: Path, count: int, now: datetime, source: str) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for record in synthetic_records(count, now, source):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


@contextmanager
def import_stack():
    import os
    import urllib.request

    from bench.calls import _free_port
    from local.moto_server import MotoServer
    from local.provision import provision

    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1",
                       "AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true"})
    server = MotoServer(port=_free_port()).start()
    os.environ["AWS_ENDPOINT_URL"] = server.url
    os.environ.update(provision(server.url, stack_name="helpdesk-bench-import", web_origin="http://127.0.0.1:8080",
                                customer_site_url="http://127.0.0.1:8080/customer/", mail_from="helpdesk@example.com"))
    try:
        from chalicelib import bootstrap
        from chalicelib.services.catalog import save_department
        bootstrap.reset()
        save_department(bootstrap.catalog(), id="support", names={"en": "Support", "fa": "پشتیبانی", "he": "תמיכה"},
                        categories=[{"id": "technical", "names": {"en": "Technical", "fa": "فنی", "he": "טכני"}}])
        yield
    finally:
        urllib.request.urlopen(urllib.request.Request(f"{server.url}/moto-api/reset", method="POST"), timeout=60)
        server.stop()


def _rate(count: int, folder: Path, now: datetime, source: str) -> tuple[float, dict]:
    from ops import import_tickets

    path = write_file(folder / f"{source}.jsonl", count, now, source)
    started = time.perf_counter()
    counts, finished = import_tickets.run(path, err=io.StringIO())
    elapsed = time.perf_counter() - started
    assert finished and counts.imported == count and counts.bad == 0, counts
    from chalicelib import bootstrap
    tickets = bootstrap.tickets()
    numbers = [tickets.imported(f"{source}#{100_000 + i}") for i in range(min(count, SAMPLE))]
    items = round(sum(len(tickets.timeline(n)) + 2 for n in numbers) / len(numbers) * count)  # + header, claim
    return count / elapsed, {"seconds": round(elapsed, 1), "items": items}


def import_costs(size: int = SIZE, small: int = SMALL) -> dict:
    now = datetime.now(timezone.utc)
    results = {}
    with tempfile.TemporaryDirectory() as folder, import_stack():
        for name, count in (("import_tickets_per_s_1k", small), ("import_tickets_per_s", size)):
            rate, run = _rate(count, Path(folder), now, f"bench-{count}")
            results[name] = {"value": round(rate, 1), "unit": "tickets/s", "note": (
                f"{count} synthetic tickets (fa/he/en, 1-8 messages, every status) imported by "
                f"ops.import_tickets in {run['seconds']} s, one transaction per ticket, no files; plain local stack")}
    return results
