"""Upload records in the helpdesk table: UPLOAD#<id> / UPLOAD, one item per presigned upload.

Written when the upload is granted and again when its object is checked; read in one BatchGetItem for all
the files of a message. The table's TTL deletes them with the object (a day); until it does, expired ones
are filtered out here, as TTL deletes lazily.
"""
from __future__ import annotations

from datetime import datetime, timezone

from chalicelib.adapters.models import UploadItem, use_table
from chalicelib.domain.attachments import UploadRecord, UploadState

UPLOAD_PREFIX = "UPLOAD#"
UPLOAD_SK = "UPLOAD"


class DynamoUploadRecords:
    def __init__(self, table_name: str):
        self.table_name = table_name

    def save(self, record: UploadRecord) -> None:
        use_table(self.table_name)
        UploadItem(pk=f"{UPLOAD_PREFIX}{record.upload_id}", sk=UPLOAD_SK, filename=record.filename,
                   content_type=record.content_type, state=record.state.value, size=record.size,
                   version=record.version, problem=record.problem,
                   expires_at=int(record.expires_at.timestamp())).save()

    def get(self, upload_id: str) -> UploadRecord | None:
        use_table(self.table_name)
        try:
            item = UploadItem.get(f"{UPLOAD_PREFIX}{upload_id}", UPLOAD_SK, consistent_read=True)
        except UploadItem.DoesNotExist:
            return None
        return _fresh(_record(item))

    def many(self, upload_ids: list[str]) -> dict[str, UploadRecord]:
        # One BatchGetItem per 100 keys (PynamoDB retries unprocessed keys itself); consistent, so a check
        # written a moment ago is seen.
        use_table(self.table_name)
        keys = [(f"{UPLOAD_PREFIX}{upload_id}", UPLOAD_SK) for upload_id in dict.fromkeys(upload_ids)]
        records = (_fresh(_record(item)) for item in UploadItem.batch_get(keys, consistent_read=True))
        return {record.upload_id: record for record in records if record is not None}


def _record(item: UploadItem) -> UploadRecord:
    return UploadRecord(upload_id=item.pk.removeprefix(UPLOAD_PREFIX), filename=item.filename,
                        content_type=item.content_type, state=UploadState(item.state), size=int(item.size or 0),
                        version=item.version, problem=item.problem,
                        expires_at=datetime.fromtimestamp(item.expires_at, timezone.utc))


def _fresh(record: UploadRecord) -> UploadRecord | None:
    return record if record.expires_at > datetime.now(timezone.utc) else None
