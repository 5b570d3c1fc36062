"""The uploads queue: S3 announces each object a browser posted under uploads/; each is checked against its
grant and the verdict recorded (services/uploads.check_upload), so that attaching files needs no look at S3.

Idempotent by nature: a redelivered (or late) announcement checks the object as it is now and writes the
same record again, so no deduplication store is needed. A failure fails its record only: SQS retries it,
then parks it in the dead-letter queue, and the upload stays "not ready" (it cannot be attached).
"""
from __future__ import annotations

import json
from urllib.parse import unquote_plus

from chalicelib import bootstrap
from chalicelib.observability import logger
from chalicelib.services import uploads


def handle(event) -> dict:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    def on_record(record) -> None:
        for upload_id in announced_uploads(json.loads(record.body)):
            checked = uploads.check_upload(bootstrap.files(), bootstrap.limits(), upload_id)
            logger.info("upload checked", extra={"upload_id": upload_id,
                                                 "state": checked.state.value if checked else "not_granted",
                                                 "problem": checked.problem if checked else None})

    return process_partial_response(event=event.to_dict(), record_handler=on_record,
                                    processor=BatchProcessor(event_type=EventType.SQS), context=event.context)


def announced_uploads(notification: dict) -> list[str]:
    """The uploads an S3 notification announces. S3's test event announces none; keys outside uploads/
    (or not shaped like an upload's) are ignored."""
    keys = [unquote_plus(r["s3"]["object"]["key"]) for r in notification.get("Records", [])
            if r.get("eventName", "").startswith("ObjectCreated")]
    return [upload_id for key in keys if (upload_id := uploads.upload_id_of(key))]
