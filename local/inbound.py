"""Deliver a mail to the local stack the way SES does: stamp SES's receipt headers on top of it (its SPF, DKIM,
DMARC, spam and virus verdicts; all PASS unless told otherwise) and store the raw .eml under inbound/ of the
attachments bucket. S3 announces it on the inbound-mail queue and the event runner hands it to `receive_mail`.

    python -m local.inbound path/to/mail.eml [more.eml ...]      # MOTO_PORT (5000) names the stack's moto
    python -m local.inbound --fail dmarc forged.eml             # a sender SES could not authenticate
    python -m local.inbound --fail virus infected.eml           # quarantined
    python -m local.inbound --no-dmarc-record --fail dkim x.eml  # domain without DMARC: SPF alone proves it
    python -m local.inbound --raw already-stamped.eml           # store as is (tests of forged stamps)
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import os
import uuid
from email import policy
from email.parser import BytesParser
from email.utils import formatdate, parseaddr
from pathlib import Path

import boto3

from local.runtime import MAIL_FROM, REGION, STACK_NAME


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


VERDICTS = ("spf", "dkim", "dmarc", "spam", "virus")


def ses_received(raw: bytes, *, fail: tuple[str, ...] | list[str] = (), dmarc_record: bool = True,
                 recipient: str = "helpdesk@example.com", region: str = REGION) -> bytes:
    """`raw` as SES receipt stores it: SES's headers prepended (chalicelib/domain/mail_auth.py reads them).
    Every verdict is PASS except those named in `fail` (of VERDICTS); without a DMARC record (`dmarc_record`
    False) SES says dmarc=none. The envelope sender is the mail's Return-Path if it has one, else its From."""
    unknown = set(fail) - set(VERDICTS)
    if unknown:
        raise ValueError(f"unknown verdicts: {sorted(unknown)} (known: {', '.join(VERDICTS)})")
    head = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    sender = parseaddr(str(head.get("From", "")))[1]
    envelope = parseaddr(str(head["Return-Path"]))[1] if "Return-Path" in head else sender
    domain = (sender.rpartition("@")[2] or "unknown.invalid").lower()
    env_domain = envelope.rpartition("@")[2].lower() or domain
    spf = "fail" if "spf" in fail else "pass"
    dkim = "fail" if "dkim" in fail else "pass"
    dmarc = "fail" if "dmarc" in fail else ("pass" if dmarc_record else "none")
    digest = hashlib.sha256(raw).hexdigest()
    ses_id = digest[:20]
    client_ip = "192.0.2.25"
    spf_text = (f"{spf} (spfCheck: domain of {env_domain} {'designates' if spf == 'pass' else 'does not designate'} "
                f"{client_ip} as permitted sender) client-ip={client_ip}; envelope-from={envelope or '<>'}; "
                f"helo=mail.{env_domain};")
    stamp = [
        f"Return-Path: <{envelope}>" if "Return-Path" not in head else None,
        f"Received: from mail.{env_domain} (mail.{env_domain} [{client_ip}])\r\n by inbound-smtp.{region}"
        f".amazonaws.com with SMTP id {ses_id}\r\n for {recipient};\r\n {formatdate(usegmt=True)}",
        f"X-SES-Spam-Verdict: {'FAIL' if 'spam' in fail else 'PASS'}",
        f"X-SES-Virus-Verdict: {'FAIL' if 'virus' in fail else 'PASS'}",
        f"Received-SPF: {spf_text}",
        f"Authentication-Results: amazonses.com;\r\n spf={spf_text}\r\n dkim={dkim} header.i=@{domain};"
        f"\r\n dmarc={dmarc} header.from={domain};",
        f"X-SES-RECEIPT: {base64.b64encode(digest.encode()).decode()[:64]}",
    ]
    newline = b"\r\n" if b"\r\n" in raw.split(b"\n", 1)[0] + b"\n" else b"\n"
    block = "\r\n".join(line for line in stamp if line).replace("\r\n", newline.decode()).encode()
    return block + newline + raw


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local.inbound", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="raw mail (.eml) to deliver")
    parser.add_argument("--stack", default=STACK_NAME, help="local stack name (helpdesk-local)")
    parser.add_argument("--fail", action="append", default=[], choices=VERDICTS,
                        help="make SES's verdict on this FAIL (repeatable); all PASS by default")
    parser.add_argument("--no-dmarc-record", action="store_true",
                        help="the sender's domain publishes no DMARC record (dmarc=none)")
    parser.add_argument("--raw", action="store_true", help="store the file as is, without SES's headers")
    args = parser.parse_args()
    moto_url = f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '5000')}"
    bucket = attachments_bucket(moto_url, args.stack)
    mailbox = MAIL_FROM
    for path in args.files:
        raw = path.read_bytes()
        if not args.raw:
            raw = ses_received(raw, fail=args.fail, dmarc_record=not args.no_dmarc_record, recipient=mailbox)
        print(f"{path} -> s3://{bucket}/{deliver(moto_url, raw, bucket=bucket)}")


if __name__ == "__main__":
    main()
