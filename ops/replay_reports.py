"""Rebuild the report figures from the ticket timelines: `python -m ops.replay_reports [--resume] [--from N]
[--to N] [--table NAME] [--local | --stack NAME]`.

Reads by key only, never a Scan: ticket numbers are sequential (from 1001 to the ticket counter), and each
ticket's stored event documents (the ones the outbox published) are one Query. Each event goes through the same
aggregator as the live stats queue (views/reports.aggregate), so its applied-marker keeps it from counting twice:
- into a fresh, empty reports table (`--table`, created beforehand like ReportsTable), it rebuilds the figures,
  equal to the live ones;
- into the live table it only adds the events the live aggregator never got (a repair).
Progress goes to stderr every PROGRESS_EVERY tickets and is saved in the target table, so `--resume` goes on after
the last ticket done (a ticket replayed twice changes nothing).

Exit status: 0 done, 2 the stack could not be reached, 130 interrupted (resume with --resume).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass

from ops import stack as stacks

PROGRESS_EVERY = 100
FIRST_NUMBER = 1001  # DynamoTicketRepository.next_number: the counter starts at 1, numbers at 1001


@dataclass
class Counts:
    tickets: int = 0
    events: int = 0
    applied: int = 0


def replay(*, timelines, store, zone: str, now, first: int, last: int, resume: bool = False,
           progress=lambda counts, number, last: None) -> Counts:
    from chalicelib.views.reports import aggregate

    counts = Counts()
    if resume and (done := timelines.checkpoint(store)) is not None:
        first = max(first, done + 1)
    for number in range(first, last + 1):
        for doc in timelines.documents(number):
            counts.events += 1
            if aggregate(doc, store=store, zone=zone, now=now) is not None:
                counts.applied += 1
        counts.tickets += 1
        if counts.tickets % PROGRESS_EVERY == 0 or number == last:
            timelines.save_checkpoint(store, number)
            progress(counts, number, last)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.replay_reports", description=__doc__.splitlines()[0])
    parser.add_argument("--resume", action="store_true", help="go on after the last ticket the last run saved")
    parser.add_argument("--from", dest="first", type=int, default=FIRST_NUMBER, help="first ticket number")
    parser.add_argument("--to", dest="last", type=int, help="last ticket number (default: the last handed out)")
    parser.add_argument("--table", help="the reports table to write (default: the stack's REPORTS_TABLE)")
    stacks.add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        where = stacks.use(args)
    except Exception as exc:  # no such stack, no credentials, local stack not running
        print(f"cannot reach the stack: {exc}", file=sys.stderr)
        return 2
    from chalicelib import bootstrap
    from chalicelib.adapters.reports import DynamoReportStore, StoredTimelines
    from chalicelib.settings import get_settings

    settings = get_settings()
    timelines = StoredTimelines(settings.helpdesk_table)
    store = DynamoReportStore(args.table or settings.reports_table)
    last = args.last or timelines.last_number()
    print(f"replaying tickets {args.first}..{last} of {where} into {store.table}", file=sys.stderr)

    def progress(counts: Counts, number: int, last: int) -> None:
        print(f"  ticket {number}/{last}: {counts.events} events read, {counts.applied} applied", file=sys.stderr)

    try:
        counts = replay(timelines=timelines, store=store, zone=settings.reports_zone, now=bootstrap.clock().now(),
                        first=args.first, last=last, resume=args.resume, progress=progress)
    except KeyboardInterrupt:
        print("interrupted: run again with --resume", file=sys.stderr)
        return 130
    print(json.dumps(asdict(counts)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
