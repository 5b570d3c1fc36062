"""Attachment rules: limits, the type allowlist, filename hygiene and sniffing the real type.

moto (and a hostile browser) can store anything under a presigned POST, so the server decides what an
upload really is from its first bytes, not from what the client declared.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from chalicelib.errors import Invalid

# Declared content type -> how its first bytes must look.
ALLOWED_TYPES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),  # plus "WEBP" at offset 8, checked below
    "text/plain": (),  # any UTF-8 text without NUL bytes
    "application/zip": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}
SNIFF_BYTES = 512
FILENAME_MAX = 120


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_message_bytes: int
    max_files: int


def sanitize_filename(name: str) -> str:
    """Keep letters of any script (Persian and Hebrew names stay readable); drop paths and controls."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" or ch == "\u200c")
    name = re.sub(r'[<>:"|?*;]', "_", name).strip(" .")
    if len(name) > FILENAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: FILENAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:FILENAME_MAX]
    return name or "file"


def check_declared(path: str, filename: str, content_type: str, size: int, limits: Limits) -> str:
    """Validate what the browser says it will upload; returns the sanitized filename."""
    if not filename.strip():
        raise Invalid.field(f"{path}.filename", "required")
    if content_type not in ALLOWED_TYPES:
        raise Invalid.field(f"{path}.content_type", "not_allowed")
    if size <= 0:
        raise Invalid.field(f"{path}.size", "invalid")
    if size > limits.max_file_bytes:
        raise Invalid.field(f"{path}.size", "too_large")
    return sanitize_filename(filename)


def matches_type(content_type: str, head: bytes) -> bool:
    if content_type == "text/plain":
        if b"\x00" in head:
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:  # a multi-byte character cut at the end of the sample is fine
            return exc.start >= len(head) - 3
        return True
    if content_type == "image/webp" and head[8:12] != b"WEBP":
        return False
    return any(head.startswith(magic) for magic in ALLOWED_TYPES.get(content_type, ()))


def check_stored(path: str, content_type: str, size: int, head: bytes, limits: Limits) -> None:
    """Validate the object that actually arrived in S3."""
    if content_type not in ALLOWED_TYPES:
        raise Invalid.field(path, "not_allowed")
    if size > limits.max_file_bytes:
        raise Invalid.field(path, "too_large")
    if not matches_type(content_type, head):
        raise Invalid.field(path, "type_mismatch")


def check_message_total(sizes: list[int], limits: Limits) -> None:
    if len(sizes) > limits.max_files:
        raise Invalid.field("attachments", "too_many")
    if sum(sizes) > limits.max_message_bytes:
        raise Invalid.field("attachments", "too_large")


class UploadState(str, Enum):
    PENDING = "pending"    # granted; the object has not arrived, or its check has not run yet
    READY = "ready"        # checked: may be attached
    REFUSED = "refused"    # checked: may not be attached (`problem` says why)


@dataclass(frozen=True)
class UploadRecord:
    """What the server knows of one presigned upload: what its grant allowed, then what the check of the
    object that arrived found. The check runs when S3 announces the object (events/uploads.py), so that
    attaching files costs one read of these records instead of a look at every object."""
    upload_id: str
    filename: str        # sanitized when granted; the object's metadata is never trusted for it
    content_type: str    # the one type the grant allowed
    expires_at: datetime  # with the object (uploads/ expires after a day)
    state: UploadState = UploadState.PENDING
    size: int = 0
    version: str | None = None   # the object version that was checked: the one that gets attached
    problem: str | None = None   # why it was refused: empty, not_allowed, too_large, type_mismatch


def upload_problem(granted_type: str, stored_type: str, size: int, head: bytes, limits: Limits) -> str | None:
    """Why an uploaded object may not be attached, or None. The grant allowed one type and 1..max_file_bytes
    (S3 enforces that in AWS; moto and a replayed policy do not, so it is checked again here)."""
    if stored_type != granted_type or stored_type not in ALLOWED_TYPES:
        return "not_allowed"
    if size < 1:
        return "empty"
    if size > limits.max_file_bytes:
        return "too_large"
    if not matches_type(stored_type, head):
        return "type_mismatch"
    return None
