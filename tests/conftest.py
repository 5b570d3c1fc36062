"""Test-wide environment: set before any chalicelib import, because PynamoDB reads the table name when its
models are defined. No test reaches AWS: dummy credentials, and moto for everything AWS."""
import os

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_NAMESPACE": "Helpdesk",
    "POWERTOOLS_SERVICE_NAME": "helpdesk", "POWERTOOLS_DEV": "false",
    "HELPDESK_TABLE": "helpdesk-test", "WEB_ORIGIN": "http://127.0.0.1:8080",
})
os.environ.pop("AWS_ENDPOINT_URL", None)
