"""Attachments: presigned uploads straight to S3, and accepting them onto a message after checking them."""
from __future__ import annotations

import re
from dataclasses import dataclass

from chalicelib.domain import attachments as rules
from chalicelib.domain.tickets import Attachment, Visibility, new_id
from chalicelib.errors import Invalid
from chalicelib.services.ports import FileStore

UPLOAD_EXPIRES_IN = 15 * 60
DOWNLOAD_EXPIRES_IN = 5 * 60
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")


def upload_key(upload_id: str) -> str:
    return f"uploads/{upload_id}"


@dataclass(frozen=True)
class UploadGrant:
    upload_id: str
    url: str
    fields: dict[str, str]
    expires_in: int


def start_upload(files: FileStore, limits: rules.Limits, *, filename: str, content_type: str,
                 size: int) -> UploadGrant:
    safe_name = rules.check_declared("file", filename, content_type, size, limits)
    upload_id = new_id()  # 128 random bits: nobody else can claim this upload
    post = files.presign_upload(upload_key(upload_id), content_type=content_type, max_bytes=limits.max_file_bytes,
                                filename=safe_name, expires_in=UPLOAD_EXPIRES_IN)
    return UploadGrant(upload_id=upload_id, url=post.url, fields=post.fields, expires_in=UPLOAD_EXPIRES_IN)


def accept_uploads(files: FileStore, limits: rules.Limits, upload_ids: list[str],
                   visibility: Visibility = Visibility.PUBLIC) -> list[Attachment]:
    """Check every upload, then keep them. Nothing is kept unless all of them pass."""
    if len(upload_ids) > limits.max_files:
        raise Invalid.field("attachments", "too_many")
    if len(set(upload_ids)) != len(upload_ids):
        raise Invalid.field("attachments", "invalid")
    stored = []
    for index, upload_id in enumerate(upload_ids):
        path = f"attachments.{index}"
        found = files.inspect_upload(upload_key(upload_id), rules.SNIFF_BYTES) if _UPLOAD_ID.match(upload_id) else None
        if found is None:
            raise Invalid.field(path, "not_uploaded")
        rules.check_stored(path, found.content_type, found.size, found.head, limits)
        stored.append((upload_id, found))
    rules.check_message_total([found.size for _, found in stored], limits)

    accepted = []
    for upload_id, found in stored:
        attachment_id = new_id()
        key = f"attachments/{attachment_id}"
        files.keep(upload_key(upload_id), key)
        accepted.append(Attachment(id=attachment_id, filename=found.filename, content_type=found.content_type,
                                   size=found.size, key=key, visibility=visibility))
    return accepted


def download_url(files: FileStore, attachment: Attachment) -> tuple[str, int]:
    url = files.download_url(attachment.key, filename=attachment.filename, content_type=attachment.content_type,
                             expires_in=DOWNLOAD_EXPIRES_IN)
    return url, DOWNLOAD_EXPIRES_IN
