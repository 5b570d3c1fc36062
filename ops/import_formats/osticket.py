"""osTicket -> the import's JSON lines: `python -m ops.import_formats.osticket tickets.csv [--threads threads.csv]`.

tickets.csv is the agent panel's ticket export (Tickets > Export, CSV; osTicket 1.10 and later): one row per
ticket with its header fields only. The conversation is not in it: take it from osTicket's database with the
query in docs/import.md (threads.csv, one row per thread entry). Without it every ticket gets one message
saying that its conversation stayed in osTicket.

osTicket writes dates in the desk's own format and time zone: `--date-format` (strptime, default: a few
common ones tried in turn) and `--timezone` (default UTC) say which. The delimiter (`,` or `;`, which osTicket
picks by locale) is detected.
"""
from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from ops.import_formats.common import Placement, converter_options, html_to_text, language_of, write_converted

STATUS = {"open": "open", "resolved": "resolved", "closed": "closed", "archived": "closed"}
PRIORITY = {"low": "low", "normal": "normal", "high": "high", "emergency": "urgent"}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %I:%M %p", "%m/%d/%y %I:%M %p", "%m/%d/%Y %H:%M",
                "%d/%m/%Y %H:%M")
ENTRY_KIND = {"M": "customer", "R": "reply", "N": "note"}  # ost_thread_entry.type
MISSING_THREAD = "(The conversation of this ticket stayed in osTicket: its CSV export has the ticket's fields only.)"


class Dates:
    def __init__(self, fmt: str | None, zone: str):
        self.formats = (fmt,) if fmt else DATE_FORMATS
        self.zone = ZoneInfo(zone)

    def iso(self, text: str) -> str | None:
        text = (text or "").strip()
        if not text:
            return None
        for fmt in self.formats:
            try:
                moment = datetime.strptime(text, fmt)
            except ValueError:
                continue
            return moment.replace(tzinfo=self.zone).astimezone(timezone.utc).isoformat()
        return text  # left as it is: the import reports the line and field it cannot read


def _rows(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [{(k or "").strip().casefold(): (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(text.splitlines(keepends=True), dialect=dialect)]


def _get(row: dict[str, str], *names: str) -> str:
    return next((row[n.casefold()] for n in names if row.get(n.casefold())), "")


def convert(tickets_csv: Path, placement: Placement, *, threads_csv: Path | None = None, source: str = "osticket",
            dates: Dates | None = None):
    dates = dates or Dates(None, "UTC")
    threads: dict[str, list[dict]] = defaultdict(list)
    if threads_csv:
        for entry in _rows(threads_csv):
            threads[entry.get("ticket_number", "")].append(entry)
    for row in _rows(tickets_csv):
        number = _get(row, "Ticket Number", "Number")
        created = dates.iso(_get(row, "Date Created", "Created"))
        status = STATUS.get(_get(row, "Current Status", "Status").casefold(), "open")
        department, category = placement.of(_get(row, "Help Topic"), _get(row, "Department"))
        messages = [_message(e, placement, dates) for e in threads.get(number, []) if e.get("type") in ENTRY_KIND]
        if not messages:
            messages = [{"kind": "customer", "text": MISSING_THREAD, "created_at": created}]
        texts = [_get(row, "Subject")] + [m["text"] for m in messages if m["kind"] == "customer"]
        record = {
            "source": source, "external_id": number, "subject": _get(row, "Subject") or "(no subject)",
            "status": status, "priority": PRIORITY.get(_get(row, "Priority").casefold(), "normal"),
            "department": department, "category": category, "language": language_of(*texts),
            "created_at": created,
            "customer": {"name": _get(row, "From", "User Name", "Name"), "email": _get(row, "From Email", "Email"),
                         "phone": _get(row, "Phone Number", "Phone") or None},
            "messages": messages,
        }
        if status in ("resolved", "closed"):
            record["closed_at"] = dates.iso(_get(row, "Closed Date", "Date Closed", "Last Updated"))
        agent = _get(row, "Agent Assigned")
        if agent and (email := placement.agent(agent)):
            record["assignee"] = {"email": email, "name": agent}
        yield record


def _message(entry: dict[str, str], placement: Placement, dates: Dates) -> dict:
    kind = ENTRY_KIND[entry["type"]]
    body = entry.get("body", "")
    text = html_to_text(body) if entry.get("format", "html") == "html" else body.strip()
    message = {"kind": kind, "text": text or "-", "created_at": dates.iso(entry.get("created", ""))}
    if kind != "customer":
        email = placement.agent(entry.get("poster", ""), entry.get("email") or None) or entry.get("poster", "")
        message["author"] = {"email": email, "name": entry.get("poster") or email}
    files = [path for path in (entry.get("attachments") or "").split(";") if path.strip()]
    if files:
        message["attachments"] = [{"path": path.strip()} for path in files]
    return message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.import_formats.osticket", description=__doc__.splitlines()[0])
    parser.add_argument("tickets", type=Path, help="the ticket export (CSV)")
    parser.add_argument("--threads", type=Path, help="thread entries from osTicket's database (docs/import.md)")
    converter_options(parser, source="osticket")
    parser.add_argument("--date-format", help="strptime format of the export's dates (default: common ones tried)")
    parser.add_argument("--timezone", default="UTC", help="the desk's time zone, e.g. Asia/Tehran (default UTC)")
    args = parser.parse_args(argv)
    placement = Placement.load(args.map, args.department, args.category)
    return write_converted(convert(args.tickets, placement, threads_csv=args.threads, source=args.source,
                                   dates=Dates(args.date_format, args.timezone)), args.output)


if __name__ == "__main__":
    sys.exit(main())
