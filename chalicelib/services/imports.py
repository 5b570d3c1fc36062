"""Importing tickets from another help desk, one JSON-lines record at a time (format: docs/import.md).

A record becomes a ticket through the same rules and the same write as a live one (domain/imports.py
replays its conversation with its own times); the table's stream then carries its events to every read
model, marked `imported` so that nobody is mailed or texted about them. Each record is claimed by
(source, external id) in the transaction that writes the ticket, so no ticket is imported twice however
often a file is re-run or resumed, and a ticket is written whole or not at all.
"""
from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from enum import StrEnum

from chalicelib.domain import attachments as rules
from chalicelib.domain import imports, links
from chalicelib.domain.attachments import Limits
from chalicelib.domain.catalog import Department
from chalicelib.domain.policies import Policies
from chalicelib.domain.sla import SlaPolicy
from chalicelib.domain.tickets import Attachment
from chalicelib.errors import Invalid
from chalicelib.services.ports import (
    AlreadyImported, AttachmentSource, CatalogRepository, Clock, FetchFailed, FileStore, SecretSource,
    TicketRepository, TicketTooLarge,
)


class Result(StrEnum):
    IMPORTED = "imported"
    SKIPPED = "skipped"  # imported before (by an earlier run, or a concurrent one)


@dataclass(frozen=True)
class RefusedFile:
    message: int  # index in the record's `messages`
    filename: str
    reason: str   # not_found, unreachable, not_allowed, too_large, type_mismatch, too_many


@dataclass(frozen=True)
class ImportOutcome:
    result: Result
    number: int | None
    refused_files: list[RefusedFile] = field(default_factory=list)


@dataclass
class ImportSettings:
    """What every record is checked against, read once per import run (the catalog does not change under it)."""
    departments: list[Department]
    policies: Policies
    sla_policy: SlaPolicy

    @classmethod
    def read(cls, catalog: CatalogRepository) -> ImportSettings:
        return cls(departments=catalog.departments(), policies=catalog.policies(), sla_policy=catalog.sla_policy())


def import_ticket(doc, *, tickets: TicketRepository, files: FileStore, source: AttachmentSource,
                  secrets: SecretSource, clock: Clock, limits: Limits, settings: ImportSettings) -> ImportOutcome:
    """Import one record (a parsed JSON line). Raises Invalid naming every bad field, before anything is
    written. `clock` says when "now" is: the scheduled jobs' work due before it is caught up in history."""
    record = imports.parse_record(doc, departments=settings.departments, now=clock.now())
    number = tickets.imported(record.claim_key)
    if number is not None:
        return ImportOutcome(Result.SKIPPED, number)

    stored, texts, refused = _files(record, files=files, source=source, limits=limits)
    number = tickets.next_number()
    salt = links.new_salt()
    key = links.derive_key(secrets.link_secret(), number, salt)
    ticket, events = imports.replay(record, number=number, link_salt=salt, link_hash=links.hash_key(key),
                                    sla_policy=settings.sla_policy, policies=settings.policies,
                                    departments=settings.departments, now=clock.now(), files=stored, texts=texts)
    kept = [a for attachments in stored.values() for a in attachments]
    try:
        tickets.create_imported(ticket, events, kept, claim=record.claim_key)
    except AlreadyImported as exc:  # another run claimed it between our check and our write
        _forget(files, kept)
        return ImportOutcome(Result.SKIPPED, exc.number)
    except TicketTooLarge:
        _forget(files, kept)
        raise Invalid.field("messages", "too_many") from None
    except BaseException:  # nothing of the ticket was written: leave none of its files behind either
        _forget(files, kept)
        raise
    return ImportOutcome(Result.IMPORTED, number, refused)


def _forget(files: FileStore, kept: list[Attachment]) -> None:
    if kept:
        files.delete_documents([a.key for a in kept])


def _files(record: imports.ImportRecord, *, files: FileStore, source: AttachmentSource,
           limits: Limits) -> tuple[dict[int, tuple[Attachment, ...]], dict[int, str], list[RefusedFile]]:
    """Fetch, check (the form's rules: type allowlist, sniffed type, size, count and total per message) and
    store each file; the ones refused are named under their message's text, never silently dropped."""
    stored: dict[int, tuple[Attachment, ...]] = {}
    texts: dict[int, str] = {}
    refused: list[RefusedFile] = []
    for index, message in enumerate(record.messages):
        kept: list[Attachment] = []
        not_kept: list[tuple[str, str]] = []
        total = 0
        for position, ref in enumerate(message.attachments):
            filename = rules.sanitize_filename(ref.filename)
            try:
                data, content_type = _fetched(source, ref, limits)
                rules.check_stored("file", content_type, len(data), data[:rules.SNIFF_BYTES], limits)
                if len(kept) >= limits.max_files:
                    raise Invalid.field("file", "too_many")
                if total + len(data) > limits.max_message_bytes:
                    raise Invalid.field("file", "too_large")
            except FetchFailed as exc:
                not_kept.append((filename, exc.reason))
                continue
            except Invalid as exc:
                not_kept.append((filename, exc.fields["file"]))
                continue
            attachment_id = imports.attachment_id(record.source, record.external_id, index, position)
            key = f"attachments/{attachment_id}"
            files.put_document(key, data, content_type)
            total += len(data)
            kept.append(Attachment(id=attachment_id, filename=filename, content_type=content_type, size=len(data),
                                   key=key))
        if kept:
            stored[index] = tuple(kept)
        if not_kept:
            texts[index] = imports.with_refused_files(message.text, not_kept, record.language)
            refused += [RefusedFile(index, name, reason) for name, reason in not_kept]
    return stored, texts, refused


def _fetched(source: AttachmentSource, ref: imports.AttachmentRef, limits: Limits) -> tuple[bytes, str]:
    data, declared = source.fetch(ref.ref, limits.max_file_bytes)
    content_type = (ref.content_type or declared or "").split(";", 1)[0].strip().lower()
    # Exports often label files application/octet-stream: then the name decides (and the bytes are sniffed).
    if content_type not in rules.ALLOWED_TYPES:
        content_type = mimetypes.guess_type(ref.filename)[0] or content_type or "application/octet-stream"
    return data, content_type
