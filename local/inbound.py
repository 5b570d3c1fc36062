"""Deliver a mail to the local stack the way SES does: store the raw .eml under inbound/ of the attachments
bucket. S3 announces it on the inbound-mail queue and the event runner hands it to `receive_mail`.

    python -m local.inbound path/to/mail.eml [more.eml ...]      # MOTO_PORT (5000) names the stack's moto
"""
from __future__ import annotations

import argparse
import os
import uuid
from pathlib import Path

import boto3

from local.runtime import REGION, STACK_NAME


def attachments_bucket(moto_url: str, stack_name: str = STACK_NAME) -> str:
    cloudformation = boto3.client("cloudformation", endpoint_url=moto_url, region_name=REGION,
                                  aws_access_key_id="testing", aws_secret_access_key="testing")
    resource = cloudformation.describe_stack_resource(StackName=stack_name, LogicalResourceId="AttachmentsBucket")
    return resource["StackResourceDetail"]["PhysicalResourceId"]


def deliver(moto_url: str, raw: bytes, *, bucket: str) -> str:
    """Store one raw mail where SES would; returns its key."""
    key = f"inbound/{uuid.uuid4().hex}"  # SES names each object by its own message id
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name=REGION, aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    s3.put_object(Bucket=bucket, Key=key, Body=raw)
    return key


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local.inbound", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="raw mail (.eml) to deliver")
    parser.add_argument("--stack", default=STACK_NAME, help="local stack name (helpdesk-local)")
    args = parser.parse_args()
    moto_url = f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '5000')}"
    bucket = attachments_bucket(moto_url, args.stack)
    for path in args.files:
        print(f"{path} -> s3://{bucket}/{deliver(moto_url, path.read_bytes(), bucket=bucket)}")


if __name__ == "__main__":
    main()
