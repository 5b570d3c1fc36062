"""Zendesk -> the import's JSON lines: `python -m ops.import_formats.zendesk EXPORT_DIR [-o tickets.jsonl]`.

EXPORT_DIR holds what Zendesk's API returns (docs/import.md says how to fetch it):
  tickets.json        the incremental ticket export, `GET /api/v2/incremental/tickets/cursor.json
                      ?start_time=0&include=users,groups,metric_sets`: one response, or one response per line
                      (each page as the API sent it)
  comments/<id>.json  `GET /api/v2/tickets/<id>/comments.json?include=users` for each ticket (its pages'
                      `comments` are concatenated if there are several lines)
Deleted tickets are left out; tickets without comments get their `description` as the first message.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ops.import_formats.common import Placement, converter_options, html_to_text, language_of, write_converted

STATUS = {"new": "new", "open": "open", "pending": "awaiting_customer", "hold": "on_hold", "solved": "resolved",
          "closed": "closed"}
PRIORITY = {"low": "low", "normal": "normal", "high": "high", "urgent": "urgent", None: "normal"}


def _pages(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8-sig").strip()
    if not text:
        return []
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def convert(export: Path, placement: Placement, source: str = "zendesk", err=sys.stderr):
    """The records, one per ticket of the export, in the export's order."""
    pages = _pages(export / "tickets.json")
    users = {u["id"]: u for page in pages for u in page.get("users", [])}
    groups = {g["id"]: g.get("name") for page in pages for g in page.get("groups", [])}
    metrics = {m["ticket_id"]: m for page in pages for m in page.get("metric_sets", [])}
    for page in pages:
        for ticket in page.get("tickets", []):
            if ticket.get("status") == "deleted":
                err.write(f"zendesk ticket {ticket['id']}: deleted, left out\n")
                continue
            comments_file = export / "comments" / f"{ticket['id']}.json"
            comment_pages = _pages(comments_file) if comments_file.exists() else []
            users.update({u["id"]: u for p in comment_pages for u in p.get("users", [])})
            comments = [c for p in comment_pages for c in p.get("comments", [])]
            yield _record(ticket, comments, users, groups, metrics.get(ticket["id"], {}), placement, source)


def _record(ticket: dict, comments: list[dict], users: dict, groups: dict, metric: dict, placement: Placement,
            source: str) -> dict:
    requester = users.get(ticket.get("requester_id"), {})
    group = groups.get(ticket.get("group_id"))
    department, category = placement.of(group, ticket.get("group_id"), *(ticket.get("tags") or []))
    messages = [_message(c, ticket, users, placement) for c in comments]
    if not messages:
        messages = [{"kind": "customer", "text": ticket.get("description") or ticket.get("subject") or "-",
                     "created_at": ticket["created_at"]}]
    texts = [ticket.get("subject") or ""] + [m["text"] for m in messages if m["kind"] == "customer"]
    status = STATUS.get(ticket.get("status"), "open")
    record = {
        "source": source, "external_id": str(ticket["id"]), "subject": ticket.get("subject") or "(no subject)",
        "status": status, "priority": PRIORITY.get(ticket.get("priority"), "normal"),
        "department": department, "category": category,
        "language": language_of(*texts, hint=requester.get("locale")),
        "created_at": ticket["created_at"],
        "customer": {"name": requester.get("name") or requester.get("email") or "",
                     "email": requester.get("email") or "", "phone": requester.get("phone") or None},
        "messages": messages,
    }
    if status in ("resolved", "closed"):
        record["closed_at"] = metric.get("solved_at") or ticket.get("updated_at")
    assignee = users.get(ticket.get("assignee_id"))
    if ticket.get("assignee_id"):
        email = placement.agent(ticket["assignee_id"], (assignee or {}).get("email"))
        if email:
            record["assignee"] = {"email": email, "name": (assignee or {}).get("name") or email}
    return record


def _message(comment: dict, ticket: dict, users: dict, placement: Placement) -> dict:
    author = users.get(comment.get("author_id"), {})
    from_customer = comment.get("author_id") == ticket.get("requester_id") or author.get("role") == "end-user"
    text = comment.get("plain_body") or html_to_text(comment.get("html_body") or comment.get("body") or "")
    files = [{"url": a["content_url"], "filename": a.get("file_name") or "file",
              "content_type": a.get("content_type")} for a in comment.get("attachments", []) if a.get("content_url")]
    if not text.strip():
        text = ", ".join(f["filename"] for f in files) or "-"
    message = {"kind": "customer" if from_customer else ("reply" if comment.get("public", True) else "note"),
               "text": text, "created_at": comment["created_at"], "attachments": files}
    if not from_customer:
        email = placement.agent(comment.get("author_id"), author.get("email")) or f"zendesk-{comment.get('author_id')}"
        message["author"] = {"email": email, "name": author.get("name") or email}
    return message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.import_formats.zendesk", description=__doc__.splitlines()[0])
    parser.add_argument("export", type=Path, help="folder with tickets.json and comments/<id>.json")
    converter_options(parser, source="zendesk")
    args = parser.parse_args(argv)
    placement = Placement.load(args.map, args.department, args.category)
    return write_converted(convert(args.export, placement, args.source), args.output)


if __name__ == "__main__":
    sys.exit(main())
