"""The stats queue: every ticket event added once to the report buckets (views/reports). Idempotent by the
applied-marker written in the same transaction as the counters, so no idempotency record is needed: a
redelivered event changes nothing, a failed one changed nothing and is retried alone (then dead-lettered)."""
import json

from chalicelib import bootstrap
from chalicelib.domain import reports
from chalicelib.observability import logger, metrics
from chalicelib.settings import get_settings
from chalicelib.views.reports import aggregate

# The key figures also go to CloudWatch as embedded metrics (infra/resources.yaml ReportsDashboard).
METRICS = {"created": "TicketsCreated", "solved": "TicketsSolved", "reopened": "TicketsReopened",
           "replies": "AgentReplies", "rating.good": "RatingsGood", "rating.bad": "RatingsBad",
           "sla.breaches": "SlaBreaches", "escalated": "SlaEscalations"}
DURATIONS = {"frt.b": "FirstResponseBusinessSeconds", "res.b": "ResolutionBusinessSeconds"}


def handle(event) -> dict:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    def on_record(record) -> None:
        doc = json.loads(record.body)  # not JSON: this record fails alone, then goes to the dead-letter queue
        added = aggregate(doc, store=bootstrap.reports(), zone=get_settings().reports_zone,
                          now=bootstrap.clock().now())
        if added:
            _metrics(added.get(reports.BucketKey(reports.DESK, reports.ALL, _desk_day(added))) or {})
        logger.info("event aggregated", extra={"event_id": doc.get("event_id"), "applied": added is not None})

    return process_partial_response(event=event.to_dict(), record_handler=on_record,
                                    processor=BatchProcessor(event_type=EventType.SQS), context=event.context)


def _desk_day(added) -> str:
    return next((k.day for k in added if k.dimension == reports.DESK and k.day != reports.TOTAL), "")


def _metrics(desk) -> None:
    from aws_lambda_powertools.metrics import MetricUnit

    for counter, name in METRICS.items():
        if desk.get(counter, 0) > 0:
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=desk[counter])
    for prefix, name in DURATIONS.items():
        if desk.get(f"{prefix}.n"):
            metrics.add_metric(name=name, unit=MetricUnit.Seconds, value=desk[f"{prefix}.sum"])
