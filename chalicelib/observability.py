"""The one Logger and Metrics. Never log email, phone, names or ticket text: ids only.

Tracing is Lambda's own active tracing (`"xray": true` in .chalice/config.json): the service records each
invocation's segment (initialization, invocation, overhead) with no SDK in the code. The X-Ray SDK that
Powertools' Tracer needs cost more at import than boto3 itself (docs/architecture.md, "Tracing without an
SDK at import"), and AWS has put it in maintenance mode.
"""
from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="helpdesk")
metrics = Metrics(namespace="Helpdesk", service="helpdesk")
