"""Upload checks on moto's server with the resources of infra/: the browser's presigned POST, S3's
notification on the uploads queue, the `check_uploads` function recording the verdict in the table, and a
message accepting exactly the checked object version."""
import json
from urllib.parse import unquote_plus

import boto3
import pytest
import requests
from chalice.test import Client

from chalicelib import bootstrap
from chalicelib.domain.attachments import UploadState
from chalicelib.errors import Invalid
from chalicelib.services import uploads
from tests.events.test_handlers import sqs_event
from tests.fakes import PDF, PNG
from tests.uploads import check_announced_uploads


@pytest.fixture(scope="module")
def client(aws_stack):
    from app import app
    with Client(app) as test_client:
        yield test_client


def grant(content_type: str, data: bytes, filename: str = "file.bin") -> uploads.UploadGrant:
    return uploads.start_upload(bootstrap.files(), bootstrap.limits(), filename=filename, content_type=content_type,
                                size=len(data))


def post(granted: uploads.UploadGrant, data: bytes, content_type: str) -> None:
    answer = requests.post(granted.url, data=granted.fields, files={"file": ("f", data, content_type)}, timeout=10)
    assert answer.status_code in (200, 204), answer.text


def stored(key: str) -> bytes:
    return boto3.client("s3").get_object(Bucket=bootstrap.files().bucket, Key=key)["Body"].read()


def test_s3_announces_an_upload_and_the_check_records_its_verdict_and_version(client):
    pdf = grant("application/pdf", PDF, "فاکتور.pdf")
    assert bootstrap.files().upload_record(pdf.upload_id).state == UploadState.PENDING
    post(pdf, PDF, "application/pdf")

    delivered = check_announced_uploads(client)

    announced = [unquote_plus(r["s3"]["object"]["key"]) for body in delivered for r in json.loads(body).get("Records", [])]
    assert f"uploads/{pdf.upload_id}" in announced
    record = bootstrap.files().upload_record(pdf.upload_id)
    assert (record.state, record.size, record.filename) == (UploadState.READY, len(PDF), "فاکتور.pdf")
    assert record.version  # the bucket keeps versions: the one checked is named


def test_a_redelivered_announcement_writes_the_same_record(client):
    png = grant("image/png", PNG)
    post(png, PNG, "image/png")
    [body, *_] = [b for b in check_announced_uploads(client) if png.upload_id in b]
    first = bootstrap.files().upload_record(png.upload_id)
    for _ in range(2):
        assert client.lambda_.invoke("check_uploads", sqs_event([body])).payload == {"batchItemFailures": []}
    assert bootstrap.files().upload_record(png.upload_id) == first


def test_a_lie_about_the_type_is_recorded_as_refused(client):
    fake = grant("image/png", b"<html><script>alert(1)</script></html>")
    post(fake, b"<html><script>alert(1)</script></html>", "image/png")
    check_announced_uploads(client)
    record = bootstrap.files().upload_record(fake.upload_id)
    assert (record.state, record.problem) == (UploadState.REFUSED, "type_mismatch")


def test_the_checked_version_is_copied_even_after_another_post_over_it(client):
    png = grant("image/png", PNG)
    post(png, PNG, "image/png")
    check_announced_uploads(client)
    post(png, b"<html>posted after the check</html>", "image/png")  # the grant is still valid

    [attachment] = uploads.accept_uploads(bootstrap.files(), bootstrap.limits(), [png.upload_id])

    assert stored(attachment.key) == PNG


def test_all_records_of_a_message_come_in_one_batch_read(client):
    a, b = grant("application/pdf", PDF), grant("image/png", PNG)
    post(a, PDF, "application/pdf")
    post(b, PNG, "image/png")
    check_announced_uploads(client)
    records = bootstrap.files().upload_records([a.upload_id, b.upload_id, "0" * 32])
    assert {k: r.state for k, r in records.items()} == {a.upload_id: UploadState.READY,
                                                        b.upload_id: UploadState.READY}


def test_an_unchecked_upload_is_not_ready(client):
    png = grant("image/png", PNG)
    post(png, PNG, "image/png")
    with pytest.raises(Invalid) as refused:
        uploads.accept_uploads(bootstrap.files(), bootstrap.limits(), [png.upload_id])
    assert refused.value.fields == {"attachments.0": "not_ready"}
    check_announced_uploads(client)


def test_announcements_of_other_keys_and_s3s_test_event_check_nothing(client):
    other = {"Records": [{"eventName": "ObjectCreated:Put", "s3": {"object": {"key": key}}}
                         for key in ("inbound/abc", "attachments/" + "a" * 32, "uploads/not-an-id")]}
    test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"}
    answer = client.lambda_.invoke("check_uploads", sqs_event([json.dumps(other), json.dumps(test_event)])).payload
    assert answer == {"batchItemFailures": []}
