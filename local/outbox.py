"""The local outbox with bounded memory: moto records every mail (SES) and SMS (SNS) "sent" and keeps it for
ever (~3 mails a ticket). The newest IN_MEMORY of each kind stay in moto; older ones are moved, oldest first,
to a file of JSON lines (`outbox.jsonl` beside the saved state, or in a temporary folder for a stack without
state) and are read back from there. What /_local/outbox.json answers (local/moto_server.py) and what
local/mailbox.py reads are the same as before: the archived records first, then moto's, each as moto's
object shows it.

    outbox = Outbox(Path(".local/state/outbox.jsonl"))
    with server.gate.closed():
        outbox.spill()                # moto at rest: nothing is being sent while records move
    outbox.recorded(to="maryam@example.com")   # {"ses": {"RawMessage": [...], ...}, "sns": {"SMS": [...]}}

A record is written to the file (flushed to disk) before moto lets it go. A stop between the two, or a state
saved before the spill, leaves it in both: reading skips a record whose id was already read.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

IN_MEMORY = 500  # mails (and SMS) of each kind that moto keeps
# What is "sent": moto's classes, by service (see moto/ses/models.py, moto/sns/models.py).
SENT = {"ses": ("Message", "RawMessage", "TemplateMessage", "BulkTemplateMessage"), "sns": ("SMS",)}
SERVICES = ("ses", "sns")


def public(instance) -> dict:
    """What moto's /moto-api/data.json shows of an object: its public attributes that JSON can hold."""
    fields = {}
    for name in dir(instance):
        if not name.startswith("_"):
            try:
                json.dumps(value := getattr(instance, name))
            except (TypeError, AttributeError, ValueError):
                continue
            fields[name] = value
    return fields


def _record_id(record: dict) -> Any:
    return record.get("id") or record.get("message_id") or json.dumps(record, sort_keys=True)


def _addressed_to(record: dict, address: str) -> bool:
    """Loosely (the reader filters exactly): the address appears among the recipients or in the raw mail."""
    where = [record.get("destinations"), record.get("phone_number"), (record.get("raw_data") or "")[:4096]]
    return address in json.dumps(where, ensure_ascii=False).lower()


def _in_memory(services=SERVICES) -> Iterator[tuple[str, str, Any]]:
    from moto.core.model_instances import model_data

    for service in services:
        for name, model in model_data.get(service, {}).items():
            for instance in list(model.instances_tracked):
                yield service, name, instance


def recorded(services=SERVICES, archive: Path | None = None, to: str | None = None) -> dict:
    """{service: {model name: [record, ...]}}: the archived records, then moto's, oldest first; with `to`,
    only those addressed to it (loosely: local/mailbox.py filters exactly)."""
    to = to.lower() if to else None
    found: dict[str, dict[str, list]] = {service: {} for service in services}
    seen: set = set()

    def keep(service: str, name: str, record: dict) -> None:
        key = (service, name, _record_id(record))
        if key in seen or (to and not _addressed_to(record, to)):
            return
        seen.add(key)
        found[service].setdefault(name, []).append(record)

    if archive is not None and archive.exists():
        with open(archive, encoding="utf-8") as lines:
            for line in lines:
                try:
                    entry = json.loads(line)
                except ValueError:  # a line cut short by a crash
                    continue
                if entry.get("service") in found:
                    keep(entry["service"], entry["model"], entry["record"])
    for service, name, instance in _in_memory(services):
        keep(service, name, public(instance))
    for service in services:  # every model moto knows, as data.json lists them, even without a record
        from moto.core.model_instances import model_data
        for name in model_data.get(service, {}):
            found[service].setdefault(name, [])
    return found


class Outbox:
    def __init__(self, path: Path, *, keep: int = IN_MEMORY) -> None:
        self.path, self.keep = path, keep

    def recorded(self, to: str | None = None) -> dict:
        return recorded(SERVICES, self.path, to)

    def clear(self) -> None:
        """A fresh start: the mail of an earlier desk is not this one's."""
        self.path.unlink(missing_ok=True)

    def spill(self) -> int:
        """Moves all but the newest `keep` records of each kind from moto to the file. Call with moto at rest
        (MotoServer.gate.closed()). Returns how many moved."""
        from moto.core.model_instances import model_data

        moving = []  # (model, how many of its oldest)
        lines = []
        for service, names in SENT.items():
            for name in names:
                model = model_data.get(service, {}).get(name)
                if model is None or len(model.instances_tracked) <= self.keep:
                    continue
                oldest = model.instances_tracked[:len(model.instances_tracked) - self.keep]
                moving.append((service, model, oldest))
                lines += [json.dumps({"service": service, "model": name, "record": public(i)}, ensure_ascii=False)
                          for i in oldest]
        if not lines:
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as file:
            file.write("\n".join(lines) + "\n")
            file.flush()
            os.fsync(file.fileno())
        for service, model, oldest in moving:
            del model.instances_tracked[:len(oldest)]
            _forget(service, {id(i) for i in oldest}, {getattr(i, "message_id", None) for i in oldest})
        return len(lines)


def _forget(service: str, instances: set[int], sms_ids: set) -> None:
    """Drops moto's backends' own references to the moved records."""
    if service == "ses":
        from moto.ses.models import ses_backends
        for _, regions in list(ses_backends.items()):
            for _, backend in list(regions.items()):
                backend.sent_messages[:] = [m for m in backend.sent_messages if id(m) not in instances]
    elif service == "sns":
        from moto.sns.models import sns_backends
        for _, regions in list(sns_backends.items()):
            for _, backend in list(regions.items()):
                for message_id in sms_ids:
                    backend.sms_messages.pop(message_id, None)
                    backend.sms_message_objects.pop(message_id, None)
