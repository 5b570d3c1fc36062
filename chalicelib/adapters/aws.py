"""boto3 clients, created on first use and then reused for the life of the Lambda container.

Locally AWS_ENDPOINT_URL points every client (and PynamoDB) at moto's server.
"""
from functools import lru_cache

import boto3
from botocore.config import Config


@lru_cache(maxsize=None)
def client(service: str):
    # s3v4 everywhere: SigV2-style presigned URLs fail browsers' CORS preflight.
    config = Config(signature_version="s3v4", retries={"mode": "standard"}) if service == "s3" else None
    return boto3.session.Session().client(service, config=config)
