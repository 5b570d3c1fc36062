"""`make bench`: cost and speed figures as counts and ratios (the machine is noisy), written to
bench/results.json as {"name": {"value", "unit", "note"}}.

- cold_start_ratio: median import time of app.py over `import boto3` alone, fresh interpreters, alternating
  (tracing on as deployed: Lambda's active tracing, no SDK imported; docs/architecture.md).
- aws_calls_*: AWS API calls one request makes synchronously (counted at botocore, which PynamoDB uses
  too), with the table holding SMALL and LARGE numbers of tickets: equal counts show that the request's
  cost does not grow with the table. Steady state: the catalog cache is warm (aws_calls_catalog_refresh is
  what refreshing it costs, once per container every CATALOG_CACHE_SECONDS). Files are checked when they
  arrive (aws_calls_start_upload for the grant, aws_calls_check_upload for the uploads queue's consumer),
  so aws_calls_create_ticket / aws_calls_agent_reply_files_* (two files) pay one read for all the files'
  verdicts and one copy per file.
- auto_close_items_read_* / auto_archive_items_read_*: DynamoDB items the scheduled jobs read with 1k and
  100k tickets in the table and the same 100 due tickets (bench/jobs.py).
- sla_sweep_items_read_*: the same for the SLA sweep: 100 tickets past a warning or breach (bench/sla.py).
- aws_calls_canned_offer_10 / _1000: AWS calls to offer an agent their canned answers (the `::` type-ahead) with 10
  and 1,000 answers of others in the table (bench/canned.py): one Query per scope of theirs, whatever the rest.
- import_tickets_per_s(_1k): tickets per second `python -m ops.import_tickets` writes into the local stack
  from a synthetic file of 10,000 (and 1,000) tickets (bench/imports.py).
- report_items_read_agent_90d_1k / _100k, report_items_read_desk_30d_100k, report_aws_calls_per_event,
  report_p95_ms_100k: what a report reads and what the aggregator writes per event (bench/reports.py).
- local_rss_mb_100 / local_rss_mb_10k, local_create_p95_ratio_10k_100: the local stack (`make run`) holding
  100 and 10,000 tickets filed through its API, each answered by an agent (bench/local.py). Targets: under
  1 GB, ratio <= 1.5.
- kb_search_p95_ms, kb_suggest_aws_calls, kb_publish_aws_calls(_100/_1000) (request path),
  kb_publish_consumer_aws_calls(_100/_1000) (the publication consumer), kb_index_rebuild_ms,
  kb_index_download_ms: the knowledge base's search, ticket-form suggestions and publishing (bench/kb.py).
- search_*: the search engine at 1k, 100k and 1M synthetic fa/he/ar/en tickets (index seconds and MB, warm
  p50/p95, a cold container's first answer), AWS calls per warm query and freshness on the local stack
  (bench/search.py; goals in docs/search.md).
"""
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
SMALL, LARGE = 10, 1000
ENV = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1",  # as deployed: tracing on
       "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}


def import_seconds(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=ENV, check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def cold_start_ratio(runs: int = 9) -> dict:
    app_times, boto_times = [], []
    for _ in range(runs):  # alternate so that drift on a noisy machine hits both alike
        boto_times.append(import_seconds("boto3"))
        app_times.append(import_seconds("app"))
    ratio = statistics.median(app_times) / statistics.median(boto_times)
    return {"value": round(ratio, 2), "unit": "ratio",
            "note": f"median import of app.py / median `import boto3`, {runs} alternating fresh interpreters"}


def main() -> None:
    from bench.calls import request_costs
    results = {"cold_start_ratio": cold_start_ratio()}
    results.update(request_costs(SMALL, LARGE))
    from bench.jobs import job_costs
    results.update(job_costs())
    from bench.sla import sla_costs
    results.update(sla_costs())
    from bench.canned import canned_costs
    results.update(canned_costs())
    from bench.imports import import_costs
    results.update(import_costs())
    from bench.reports import report_costs
    results.update(report_costs())
    from bench.kb import kb_costs
    results.update(kb_costs())
    from bench.local import local_stack_costs
    results.update(local_stack_costs())
    from bench.search import search_costs
    results.update(search_costs())
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    width = max(map(len, results))
    for name, figure in results.items():
        print(f"{name:<{width}}  {figure['value']:>8} {figure['unit']:<6} {figure['note']}")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
