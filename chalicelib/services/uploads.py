"""Attachments: presigned uploads straight to S3, checked when S3 announces them, and accepted onto a message.

The flow: `start_upload` records what the grant allows (UPLOAD#<id>: type, filename) and presigns the POST;
the browser posts the file to S3; S3 announces the object on the uploads queue and `check_upload` (the
queue's consumer) looks at it once and records its verdict and version; opening a ticket or replying reads
the verdicts of all its files in one read (`accept_uploads`) and copies exactly the checked versions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta

from chalicelib.domain import attachments as rules
from chalicelib.domain.attachments import UploadRecord, UploadState
from chalicelib.domain.tickets import Attachment, Visibility, new_id
from chalicelib.errors import FieldProblems, Invalid
from chalicelib.services.ports import Clock, FileStore

UPLOAD_EXPIRES_IN = 15 * 60
DOWNLOAD_EXPIRES_IN = 5 * 60
# A grant's record lives as long as uploads/ keeps the object (infra/resources.yaml's lifecycle rule).
UPLOAD_RECORD_LIFETIME = timedelta(days=1)
UPLOADS_PREFIX = "uploads/"
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")


def upload_key(upload_id: str) -> str:
    return f"{UPLOADS_PREFIX}{upload_id}"


def upload_id_of(key: str) -> str | None:
    """The upload a key under uploads/ belongs to; None for any other key."""
    upload_id = key.removeprefix(UPLOADS_PREFIX) if key.startswith(UPLOADS_PREFIX) else ""
    return upload_id if _UPLOAD_ID.match(upload_id) else None


@dataclass(frozen=True)
class UploadGrant:
    upload_id: str
    url: str
    fields: dict[str, str]
    expires_in: int


def start_upload(files: FileStore, limits: rules.Limits, *, filename: str, content_type: str,
                 size: int, clock: Clock = Clock()) -> UploadGrant:
    safe_name = rules.check_declared("file", filename, content_type, size, limits)
    upload_id = new_id()  # 128 random bits: nobody else can claim this upload
    # Recorded before the browser can post: the check compares what arrives with what was granted.
    files.save_upload_record(UploadRecord(upload_id=upload_id, filename=safe_name, content_type=content_type,
                                          expires_at=clock.now() + UPLOAD_RECORD_LIFETIME))
    post = files.presign_upload(upload_key(upload_id), content_type=content_type, max_bytes=limits.max_file_bytes,
                                filename=safe_name, expires_in=UPLOAD_EXPIRES_IN)
    return UploadGrant(upload_id=upload_id, url=post.url, fields=post.fields, expires_in=UPLOAD_EXPIRES_IN)


def check_upload(files: FileStore, limits: rules.Limits, upload_id: str) -> UploadRecord | None:
    """Check the object now under uploads/<upload_id> against its grant and record the verdict with the
    version that was looked at (the consumer of S3's announcements). Idempotent: a redelivered or late
    announcement looks at the same current object and writes the same record. An object nobody was granted
    (or whose grant expired) is not recorded, so it can never be attached; None then."""
    record = files.upload_record(upload_id)
    if record is None:
        return None
    found = files.inspect_upload(upload_key(upload_id), rules.SNIFF_BYTES)
    if found is None:  # announced, then gone (expired or deleted): it stays unattachable
        return record
    problem = rules.upload_problem(record.content_type, found.content_type, found.size, found.head, limits)
    checked = replace(record, state=UploadState.REFUSED if problem else UploadState.READY, size=found.size,
                      version=found.version, problem=problem)
    if checked != record:
        files.save_upload_record(checked)
    return checked


def accept_uploads(files: FileStore, limits: rules.Limits, upload_ids: list[str],
                   visibility: Visibility = Visibility.PUBLIC) -> list[Attachment]:
    """Accept checked uploads onto a message: one read of their records, then a copy of each checked
    version. Every file's problem is reported at once (`attachments.<i>`): `not_uploaded` (no such grant),
    `not_ready` (not checked yet: the browser waits a moment and sends again) or the check's refusal.
    Nothing is kept unless all of them pass."""
    if len(upload_ids) > limits.max_files:
        raise Invalid.field("attachments", "too_many")
    if len(set(upload_ids)) != len(upload_ids):
        raise Invalid.field("attachments", "invalid")
    if not upload_ids:
        return []
    wellformed = [upload_id for upload_id in upload_ids if _UPLOAD_ID.match(upload_id)]
    records = files.upload_records(wellformed) if wellformed else {}
    problems = FieldProblems()
    for index, upload_id in enumerate(upload_ids):
        record = records.get(upload_id)
        if record is None:
            problems[f"attachments.{index}"] = "not_uploaded"
        elif record.state == UploadState.PENDING:
            problems[f"attachments.{index}"] = "not_ready"
        elif record.state == UploadState.REFUSED:
            problems[f"attachments.{index}"] = record.problem or "invalid"
        elif record.size > limits.max_file_bytes:  # the limit may have been lowered since the check
            problems[f"attachments.{index}"] = "too_large"
    problems.raise_any()
    ready = [records[upload_id] for upload_id in upload_ids]
    rules.check_message_total([record.size for record in ready], limits)

    accepted = []
    for record in ready:
        attachment_id = new_id()
        key = f"attachments/{attachment_id}"
        files.keep(upload_key(record.upload_id), key, record.version)
        accepted.append(Attachment(id=attachment_id, filename=record.filename, content_type=record.content_type,
                                   size=record.size, key=key, visibility=visibility))
    return accepted


def download_url(files: FileStore, attachment: Attachment) -> tuple[str, int]:
    url = files.download_url(attachment.key, filename=attachment.filename, content_type=attachment.content_type,
                             expires_in=DOWNLOAD_EXPIRES_IN)
    return url, DOWNLOAD_EXPIRES_IN
