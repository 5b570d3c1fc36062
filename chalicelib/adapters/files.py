"""S3: presigned browser uploads, inspecting what arrived, presigned downloads, server-written documents."""
from __future__ import annotations

from urllib.parse import quote, unquote

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.adapters.uploads import DynamoUploadRecords
from chalicelib.domain.attachments import UploadRecord
from chalicelib.services.ports import FileStore, PresignedPost, StoredUpload


class S3FileStore(FileStore):
    """The bucket's objects, and the records of presigned uploads into it (kept in the table)."""

    def __init__(self, bucket: str, records: DynamoUploadRecords):
        self.bucket = bucket
        self.records = records

    def presign_upload(self, key: str, *, content_type: str, max_bytes: int, filename: str,
                       expires_in: int) -> PresignedPost:
        # S3 metadata is ASCII: the (often Persian or Hebrew) filename travels percent-encoded.
        fields = {"Content-Type": content_type, "x-amz-meta-filename": quote(filename)}
        conditions = [{"Content-Type": content_type}, {"x-amz-meta-filename": fields["x-amz-meta-filename"]},
                      ["content-length-range", 1, max_bytes]]
        post = client("s3").generate_presigned_post(self.bucket, key, Fields=fields, Conditions=conditions,
                                                    ExpiresIn=expires_in)
        return PresignedPost(url=post["url"], fields=post["fields"])

    def inspect_upload(self, key: str, head_bytes: int) -> StoredUpload | None:
        # One ranged GET answers everything: the first bytes, the real total size, the stored type.
        try:
            got = client("s3").get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{head_bytes - 1}")
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404", "InvalidRange"):
                return None
            raise
        head = got["Body"].read()
        content_range = got.get("ContentRange", "")
        size = int(content_range.rsplit("/", 1)[1]) if "/" in content_range else len(head)
        return StoredUpload(content_type=got.get("ContentType", ""), size=size,
                            filename=unquote(got.get("Metadata", {}).get("filename", "file")), head=head,
                            version=got.get("VersionId"))

    def keep(self, upload_key: str, attachment_key: str, version: str | None = None) -> None:
        source = {"Bucket": self.bucket, "Key": upload_key, **({"VersionId": version} if version else {})}
        client("s3").copy_object(Bucket=self.bucket, Key=attachment_key, CopySource=source)

    def save_upload_record(self, record: UploadRecord) -> None:
        self.records.save(record)

    def upload_record(self, upload_id: str) -> UploadRecord | None:
        return self.records.get(upload_id)

    def upload_records(self, upload_ids: list[str]) -> dict[str, UploadRecord]:
        return self.records.many(upload_ids)

    def download_url(self, key: str, *, filename: str, content_type: str, expires_in: int) -> str:
        # Always a download, never rendered inline by the browser (no stored HTML/SVG tricks).
        disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
        return client("s3").generate_presigned_url(
            "get_object", ExpiresIn=expires_in,
            Params={"Bucket": self.bucket, "Key": key, "ResponseContentDisposition": disposition,
                    "ResponseContentType": content_type})

    def put_document(self, key: str, body: bytes, content_type: str) -> None:
        client("s3").put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

    def read_document(self, key: str) -> bytes | None:
        try:
            return client("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None
            raise

    def delete_documents(self, keys: list[str]) -> None:
        # One DeleteObjects call per 1000 keys (S3's limit; a mail brings at most MAX_FILES). S3 deletes a
        # missing key without complaint, and reports per-key failures in the answer rather than raising.
        for start in range(0, len(keys), 1000):
            answer = client("s3").delete_objects(Bucket=self.bucket, Delete={
                "Objects": [{"Key": key} for key in keys[start:start + 1000]], "Quiet": True})
            if answer.get("Errors"):
                raise RuntimeError(f"S3 kept some objects: {answer['Errors']}")
