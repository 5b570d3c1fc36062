"""Which stack an ops tool talks to: the settings the Lambdas read (chalicelib/settings.py), taken from the
environment as it is, from a deployed CloudFormation stack's outputs (`--stack NAME`), or from the local stack
that `make run` started (`--local`, moto at MOTO_PORT).

Only names and ARNs are read; credentials are the caller's usual AWS ones (profile, SSO, environment).
"""
from __future__ import annotations

import argparse
import os

# The deployed stack's outputs (infra/resources.yaml) -> the variables the Lambdas get (infra/wiring.yaml).
OUTPUTS = {
    "HelpdeskTableName": "HELPDESK_TABLE",
    "IdempotencyTableName": "IDEMPOTENCY_TABLE",
    "AttachmentsBucketName": "ATTACHMENTS_BUCKET",
    "TicketEventsTopicArn": "EVENTS_TOPIC_ARN",
    "UserPoolId": "USER_POOL_ID",
    "UserPoolClientId": "USER_POOL_CLIENT_ID",
    "LinkSecretArn": "LINK_SECRET_ARN",
    "SearchIndexBucketName": "SEARCH_BUCKET",
}
# The local stack: moto's CloudFormation holds these resources; the secret is created beside it by name
# (local/provision.py).
LOCAL_RESOURCES = {
    "HelpdeskTable": "HELPDESK_TABLE",
    "IdempotencyTable": "IDEMPOTENCY_TABLE",
    "AttachmentsBucket": "ATTACHMENTS_BUCKET",
    "TicketEventsTopic": "EVENTS_TOPIC_ARN",
    "SearchIndexBucket": "SEARCH_BUCKET",
}
LOCAL_STACK = "helpdesk-local"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--stack", metavar="NAME", help="a deployed CloudFormation stack: settings from its outputs")
    where.add_argument("--local", nargs="?", const=LOCAL_STACK, metavar="NAME",
                       help=f"the local stack of `make run` (moto at MOTO_PORT, default 5000; stack {LOCAL_STACK})")
    parser.add_argument("--region", help="AWS region of --stack (default: AWS_REGION / your profile's)")


def deployed_environment(stack: str, region: str | None = None, cloudformation=None) -> dict[str, str]:
    import boto3

    cfn = cloudformation or boto3.client("cloudformation", region_name=region)
    found = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}
    missing = [key for key in ("HelpdeskTableName", "AttachmentsBucketName", "LinkSecretArn") if key not in outputs]
    if missing:
        raise SystemExit(f"stack {stack} has no output {', '.join(missing)}: is it the help desk's stack?")
    env = {variable: outputs[key] for key, variable in OUTPUTS.items() if key in outputs}
    # The stack's region for every client, PynamoDB's too (it reads AWS_REGION, not the profile's config).
    region = region or getattr(getattr(cfn, "meta", None), "region_name", None)
    if region:
        env.update(AWS_REGION=region, AWS_DEFAULT_REGION=region)
    return env


def local_environment(stack: str = LOCAL_STACK, moto_url: str | None = None) -> dict[str, str]:
    import boto3

    from local.runtime import REGION, base_environment

    moto_url = moto_url or f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '5000')}"
    env = base_environment(moto_url, REGION)
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    cfn = session.client("cloudformation", endpoint_url=moto_url)
    for logical, variable in LOCAL_RESOURCES.items():
        env[variable] = cfn.describe_stack_resource(
            StackName=stack, LogicalResourceId=logical)["StackResourceDetail"]["PhysicalResourceId"]
    secret = session.client("secretsmanager", endpoint_url=moto_url).describe_secret(SecretId=f"{stack}-LinkSecret")
    env["LINK_SECRET_ARN"] = secret["ARN"]
    return env


def use(args: argparse.Namespace) -> str:
    """Point this process's settings at the chosen stack; returns a description for the operator."""
    from chalicelib import bootstrap

    if args.stack:
        env, where = deployed_environment(args.stack, args.region), f"stack {args.stack}"
    elif args.local:
        env, where = local_environment(args.local), f"local stack {args.local}"
    else:
        env, where = {}, "the stack named by the environment"
    os.environ.update(env)
    bootstrap.reset()
    from chalicelib.adapters import models
    from chalicelib.settings import get_settings
    models.use_table(get_settings().helpdesk_table)
    models._Meta.region = get_settings().region  # read when the models were defined, maybe before the stack was known
    return f"{where} (table {get_settings().helpdesk_table})"
