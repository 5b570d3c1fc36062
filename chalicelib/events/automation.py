"""The scheduled jobs (EventBridge rates in app.py), thin like routes: wire the ports, give the job a time
budget, report what it did. A run that stops early loses nothing: done tickets have left the timer index,
and the next run starts from the oldest ticket still due."""
from collections.abc import Callable

from chalicelib import bootstrap
from chalicelib.observability import logger, metrics
from chalicelib.services import agent_desk, automation, sla

RESERVE_MILLIS = 30_000  # time kept to finish the ticket in hand and flush logs and metrics


def close_and_remind(event) -> dict:
    desk, has_time = bootstrap.ticket_desk(), _time_budget(event.context)
    now = desk.clock.now()
    # Closing first: a ticket already silent past the close time gets one mail (closed), not two at once.
    closed = automation.close_silent(desk, now=now, has_time=has_time)
    reminded = automation.remind_silent(desk, now=now, has_time=has_time)
    return _report(closed=closed, reminded=reminded)


def archive(event) -> dict:
    desk = bootstrap.ticket_desk()
    archived = automation.archive_closed(desk, now=desk.clock.now(), has_time=_time_budget(event.context))
    return _report(archived=archived)


def sweep_sla(event) -> dict:
    desk, has_time = bootstrap.ticket_desk(), _time_budget(event.context)
    checked = sla.sweep(desk, now=desk.clock.now(), has_time=has_time)
    # The same 5-minute beat closes the agents' forgotten time intervals (reports, issue 16; the `timer` index).
    idle = agent_desk.close_idle_intervals(desk, bootstrap.presence(), now=desk.clock.now(), has_time=has_time)
    return _report(sla=checked, idle=automation.JobResult(done=idle))


def _time_budget(context) -> Callable[[], bool]:
    reserve = min(RESERVE_MILLIS, context.get_remaining_time_in_millis() / 4)
    return lambda: context.get_remaining_time_in_millis() > reserve


def _report(**results: automation.JobResult) -> dict:
    from aws_lambda_powertools.metrics import MetricUnit

    summary = {}
    for name, result in results.items():
        metrics.add_metric(name=f"Tickets{name.capitalize()}", unit=MetricUnit.Count, value=len(result.done))
        summary[name], summary[f"{name}_skipped"] = len(result.done), len(result.skipped)
    logger.info("job done", extra=summary)
    return summary
