"""The one Logger, Metrics and Tracer. Never log email, phone, names or ticket text: ids only."""
from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="helpdesk")
metrics = Metrics(namespace="Helpdesk", service="helpdesk")
tracer = Tracer(service="helpdesk")
