"""What a report costs, with the figures of 1,000 and of 100,000 tickets in the reports table.

- report_items_read_agent_90d_1k / _100k: items one agent's 90-day report reads (period_report, no comparison):
  one Query of at most 90 day buckets, equal at both sizes.
- report_items_read_desk_30d_100k: the desk's 30-day report (the comparison period doubles it).
- report_aws_calls_per_event: AWS calls the aggregator makes per ticket event that adds figures (goal: the one
  TransactWriteItems), over the events of real conversations walked through the domain.
- report_p95_ms_100k: 95th percentile time of the desk's 30-day report with its comparison, 100k tickets'
  figures, against moto in this process (a local figure, not AWS's latency).

The background is written as BUCKETS DIRECTLY (batch writes of day-bucket items as the aggregator would leave
them: 1 desk, 10 departments, 30 groups, 50 agents, 8 categories, one customer bucket per ticket, a year of
days; the measured agent has figures on every day at both sizes), not as 100k events through the aggregator, which on moto would take most of an hour. The counters differ
from real ones; what is measured (items read and calls) depends only on the keys.
"""
from __future__ import annotations

import statistics
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone

from bench.jobs import counting_items_read, job_stack

SIZES = (1_000, 100_000)
DAYS = 365
AGENTS = [f"bench-agent-{i}" for i in range(50)]
DEPARTMENTS = [f"bench-dept-{i}" for i in range(10)]
TODAY = date(2026, 12, 31)


def _bucket_items(size: int, start: int) -> list[dict]:
    """Day buckets for tickets start..size-1 (spread over the year): the members they add."""
    items: dict[tuple[str, str], Counter] = {}

    def add(pk: str, day: str, **counters) -> None:
        items.setdefault((pk, day), Counter()).update(counters)

    for n in range(start, size):
        day = (TODAY - timedelta(days=n % DAYS)).isoformat()
        # The first year's tickets are the measured agent's, one a day: they work every day at both sizes.
        agent = AGENTS[0] if n < DAYS else AGENTS[n % len(AGENTS)]
        department = DEPARTMENTS[n % len(DEPARTMENTS)]
        for pk in ("RPT#desk#all", f"RPT#department#{department}", f"RPT#group#{department}/g{n % 3}",
                   f"RPT#agent#{agent}", f"RPT#category#c{n % 8}"):
            add(pk, day, created=1, solved=1, replies=2)
        add(f"RPT#customer#c{n}@example.com", day, created=1, replies=2)
    return [{"pk": {"S": pk}, "sk": {"S": day}, **{k: {"N": str(v)} for k, v in c.items()}}
            for (pk, day), c in items.items()]


def _write(table: str, items: list[dict]) -> None:
    from chalicelib.adapters.aws import client

    dynamodb = client("dynamodb")
    for i in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": item}} for item in items[i:i + 25]]}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _items_read(what, *args, **kwargs) -> tuple[int, Counter]:
    with counting_items_read() as counts:
        what(*args, **kwargs)
    return counts["items_read"], counts


def _calls_per_event() -> dict:
    import botocore.client

    from chalicelib import bootstrap
    from chalicelib.domain.ratings import Rating
    from chalicelib.domain.reports import contributions
    from chalicelib.domain.tickets import Status
    from chalicelib.views.reports import aggregate
    from tests.unit.test_report_figures import Story, t

    calls: Counter = Counter()
    original = botocore.client.BaseClient._make_api_call

    def counted(self, operation, params):
        calls[operation] += 1
        return original(self, operation, params)

    docs = []
    for i in range(20):
        story = Story(t("2026-12-01T10:00"), number=900_000 + i, department=DEPARTMENTS[i % len(DEPARTMENTS)])
        story.note(t("2026-12-01T10:10"))
        story.spend(t("2026-12-01T10:12"), t("2026-12-01T10:29"), by=AGENTS[i % len(AGENTS)])  # agent time
        reply = story.reply(t("2026-12-01T10:30"), by=AGENTS[i % len(AGENTS)])
        story.log_time(t("2026-12-01T10:40"), 15, by=AGENTS[i % len(AGENTS)])
        story.rate(t("2026-12-01T11:00"), reply, Rating.GOOD)
        story.transfer(t("2026-12-01T11:10"), group="g2", to=AGENTS[(i + 1) % len(AGENTS)])
        story.move(Status.RESOLVED, t("2026-12-01T12:00"))
        docs.extend(story.docs)
    adding = [d for d in docs if contributions(d, "UTC")]
    botocore.client.BaseClient._make_api_call = counted
    try:
        for doc in docs:
            aggregate(doc, store=bootstrap.reports(), zone="UTC", now=datetime.now(timezone.utc))
    finally:
        botocore.client.BaseClient._make_api_call = original
    per_event = sum(calls.values()) / len(adding)
    ops = ", ".join(f"{op}×{n}" for op, n in sorted(calls.items()))
    return {"value": round(per_event, 2), "unit": "calls",
            "note": f"{len(adding)} events that add figures (of {len(docs)}: the rest add nothing and cost no call); "
                    f"calls: {ops}"}


def report_costs() -> dict:
    results = {}
    with job_stack():
        from chalicelib import bootstrap
        from chalicelib.views.reports import period_report

        store = bootstrap.reports()
        written = 0
        for size in SIZES:
            _write(store.table, _bucket_items(size, written))
            written = size
            first = TODAY - timedelta(days=89)
            read, counts = _items_read(period_report, store, dimension="agent", member=AGENTS[0], first=first,
                                       last=TODAY, compare=False)
            label = "1k" if size == 1_000 else "100k"
            results[f"report_items_read_agent_90d_{label}"] = {
                "value": read, "unit": "items",
                "note": f"one agent, 90 days, no comparison; {size} tickets' buckets written directly; "
                        f"Query×{counts['Query']}"}
        read, counts = _items_read(period_report, store, dimension="desk", member="all",
                                   first=TODAY - timedelta(days=29), last=TODAY, compare=False)
        results["report_items_read_desk_30d_100k"] = {
            "value": read, "unit": "items",
            "note": f"the desk, 30 days, no comparison (with it: twice); Query×{counts['Query']}"}
        timings = []
        for _ in range(40):
            started = time.perf_counter()
            period_report(store, dimension="desk", member="all", first=TODAY - timedelta(days=29), last=TODAY)
            timings.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(timings, n=20)[-1]
        results["report_p95_ms_100k"] = {"value": round(p95, 1), "unit": "ms",
                                         "note": "desk 30 days + comparison, 40 runs, moto in-process (local, not AWS)"}
        results["report_aws_calls_per_event"] = _calls_per_event()
    return results


if __name__ == "__main__":
    import json
    print(json.dumps(report_costs(), indent=2))
