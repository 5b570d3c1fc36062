"""Creates infra/resources.yaml's resources in moto's server: the same definitions that deploy to AWS.

moto's CloudFormation creates the plain resources (tables with GSIs and streams, queues with redrive,
topics, buckets). What it skips or ignores is applied here with API calls, reading the properties from
the same template, so there is no second copy of any resource definition. Resources with no local
meaning are left out by an explicit list; a resource type in none of the lists is an error, so a new
resource can't be silently missing locally.

The returned environment is wiring.yaml's Lambda environment resolved against the local stack (plus what
the local event runner needs), so local code sees exactly the variables it gets in AWS.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import boto3
import yaml

INFRA = Path(__file__).resolve().parent.parent / "infra"
ACCOUNT_ID = "123456789012"  # moto's default account

# What the local event runner needs beside the Lambda environment (Lambda gets these as event sources).
RUNNER_ENV = {
    "HELPDESK_STREAM_ARN": {"Fn::GetAtt": ["HelpdeskTable", "StreamArn"]},
    "NOTIFICATIONS_QUEUE_URL": {"Ref": "NotificationsQueue"},
    "ALERTS_QUEUE_URL": {"Ref": "AlertsQueue"},
    "STATS_QUEUE_URL": {"Ref": "StatsQueue"},
    "INBOUND_MAIL_QUEUE_URL": {"Ref": "InboundMailQueue"},
    "UPLOADS_QUEUE_URL": {"Ref": "UploadsQueue"},
}

# Created by moto's CloudFormation. It ignores some of their properties: those the code relies on are
# applied in IGNORED_PROPERTIES; the rest have no local effect (PITR, SSE, public access blocks, S3
# lifecycle rules: moto expires nothing). Table deletion protection moto does honour.
STACK_TYPES = {"AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::S3::Bucket"}

# No local meaning, so not created: moto enforces no resource policies (and the TLS-only ones would
# refuse the plain-HTTP endpoint anyway), raises no alarms and serves no CDN (the local runtime serves
# web/ itself); local code runs with dummy credentials, not roles.
SKIPPED_TYPES = {
    "AWS::SQS::QueuePolicy", "AWS::S3::BucketPolicy", "AWS::CloudWatch::Alarm",
    "AWS::CloudFront::Distribution", "AWS::CloudFront::OriginAccessControl", "AWS::CloudFront::Function",
    "AWS::IAM::Role", "AWS::Logs::LogGroup",
    # Mail reaches the local stack through `python -m local.inbound`, which stores it where SES would.
    "AWS::SES::ReceiptRuleSet", "AWS::SES::ReceiptRule",
    # moto's CloudFormation has no WAFv2, and nothing stands in front of the local API for a web ACL to
    # guard: the per-client limits that must also hold locally are the app's (DynamoDB).
    "AWS::WAFv2::WebACL", "AWS::WAFv2::WebACLAssociation",
    # moto would store a dashboard, but there is no console to show it (and its metrics never exist).
    "AWS::CloudWatch::Dashboard",
}


class Unresolved(LookupError):
    """A reference to something that does not exist locally (a skipped resource)."""


class Resolver:
    """Evaluates the template's intrinsics (Ref, Fn::GetAtt, Fn::Sub, Fn::Join) from known values."""

    def __init__(self, params: dict[str, str], stack_name: str, region: str):
        self.params = {**params, "AWS::StackName": stack_name, "AWS::Region": region,
                       "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
        self.refs: dict[str, str] = {}
        self.attrs: dict[tuple[str, str], str] = {}

    def ref(self, name: str) -> str:
        if name in self.params:
            return self.params[name]
        if name in self.refs:
            return self.refs[name]
        raise Unresolved(name)

    def attr(self, name: str, attr: str) -> str:
        try:
            return self.attrs[(name, attr)]
        except KeyError:
            raise Unresolved(f"{name}.{attr}") from None

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                name, attr = arg.split(".", 1) if isinstance(arg, str) else arg
                return self.attr(name, attr)
            if key == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else arg
                return self._sub(text, {k: self.resolve(v) for k, v in variables.items()})
            if key == "Fn::Join":
                delimiter, parts = arg
                return delimiter.join(self.resolve(parts))
            if key.startswith("Fn::"):
                raise NotImplementedError(f"{key} is not evaluated locally")
        return {k: self.resolve(v) for k, v in value.items()}

    def _sub(self, text: str, variables: dict[str, str]) -> str:
        def one(match: re.Match) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} stays ${Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                return variables[name]
            return self.attr(*name.split(".", 1)) if "." in name else self.ref(name)
        return re.sub(r"\$\{([^}]+)\}", one, text)


def _attributes_used(node: Any) -> set[tuple[str, str]]:
    """Every (resource, attribute) a part of the template reads, by Fn::GetAtt or inside Fn::Sub."""
    found: set[tuple[str, str]] = set()
    if isinstance(node, list):
        for item in node:
            found |= _attributes_used(item)
    elif isinstance(node, dict):
        for key, arg in node.items():
            if key == "Fn::GetAtt":
                found.add(tuple(arg.split(".", 1)) if isinstance(arg, str) else tuple(arg))
            elif key == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]
                found |= {tuple(n.split(".", 1)) for n in re.findall(r"\$\{([^!}][^}]*)\}", text) if "." in n}
            found |= _attributes_used(arg)
    return found


def _output_key(*parts: str) -> str:
    return "Local" + re.sub(r"[^A-Za-z0-9]", "", "".join(parts))


# ---------------------------------------------------------------- what moto's CloudFormation skips

def _secret(aws, name: str, props: dict, stack: str) -> tuple[str, dict]:
    secret_name = props.get("Name") or f"{stack}-{name}"
    if "SecretString" in props:
        value = props["SecretString"]
    else:
        generate = dict(props.get("GenerateSecretString", {}))
        template, key = generate.pop("SecretStringTemplate", None), generate.pop("GenerateStringKey", None)
        value = aws("secretsmanager").get_random_password(**generate)["RandomPassword"]
        if template:
            value = json.dumps({**json.loads(template), key: value})
    arn = aws("secretsmanager").create_secret(Name=secret_name, Description=props.get("Description", ""),
                                              SecretString=value)["ARN"]
    return arn, {"Id": arn}


def _user_pool(aws, name: str, props: dict, stack: str) -> tuple[str, dict]:
    props = dict(props)
    pool_name = props.pop("UserPoolName", None) or f"{stack}-{name}"
    # CloudFormation's EnabledMfas is the API's SetUserPoolMfaConfig, a second call.
    enabled_mfas = props.pop("EnabledMfas", [])
    pool = aws("cognito-idp").create_user_pool(PoolName=pool_name, **props)["UserPool"]
    if "SOFTWARE_TOKEN_MFA" in enabled_mfas:
        aws("cognito-idp").set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration=props["MfaConfiguration"],
                                                    SoftwareTokenMfaConfiguration={"Enabled": True})
    return pool["Id"], {"Arn": pool["Arn"]}


def _user_pool_client(aws, name: str, props: dict, stack: str) -> tuple[str, dict]:
    props = {"ClientName": name, **props}
    client = aws("cognito-idp").create_user_pool_client(**props)["UserPoolClient"]
    return client["ClientId"], {"ClientId": client["ClientId"], "Name": client["ClientName"]}


def _user_pool_group(aws, name: str, props: dict, stack: str) -> tuple[str, dict]:
    group = aws("cognito-idp").create_group(**props)["Group"]
    return group["GroupName"], {}


def _attribute(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def _subscription(aws, name: str, props: dict, stack: str) -> tuple[str, dict]:
    # CloudFormation takes FilterPolicy, RawMessageDelivery... as typed properties, the API as strings.
    attributes = {key: _attribute(value) for key, value in props.items()
                  if key not in ("TopicArn", "Protocol", "Endpoint", "Region")}
    arn = aws("sns").subscribe(TopicArn=props["TopicArn"], Protocol=props["Protocol"], Endpoint=props["Endpoint"],
                               Attributes=attributes, ReturnSubscriptionArn=True)["SubscriptionArn"]
    return arn, {"Arn": arn}


# In creation order (a client needs its pool). Each returns (Ref value, {attribute: value}).
API_TYPES: dict[str, Callable[..., tuple[str, dict]]] = {
    "AWS::SecretsManager::Secret": _secret,
    "AWS::Cognito::UserPool": _user_pool,
    "AWS::Cognito::UserPoolClient": _user_pool_client,
    "AWS::Cognito::UserPoolGroup": _user_pool_group,
    "AWS::SNS::Subscription": _subscription,
}

# Properties of stack resources that moto's CloudFormation ignores, and how to apply them.
CORS_KEYS = {"Id": "ID", "MaxAge": "MaxAgeSeconds", "ExposedHeaders": "ExposeHeaders"}
IGNORED_PROPERTIES = {
    ("AWS::DynamoDB::Table", "TimeToLiveSpecification"):
        lambda aws, physical, ttl: aws("dynamodb").update_time_to_live(TableName=physical,
                                                                       TimeToLiveSpecification=ttl),
    ("AWS::S3::Bucket", "CorsConfiguration"):
        lambda aws, physical, cors: aws("s3").put_bucket_cors(Bucket=physical, CORSConfiguration={
            "CORSRules": [{CORS_KEYS.get(k, k): v for k, v in rule.items()} for rule in cors["CorsRules"]]}),
    # Deleted and overwritten objects stay restorable locally too (moto keeps versions, expires none).
    ("AWS::S3::Bucket", "VersioningConfiguration"):
        lambda aws, physical, versioning: aws("s3").put_bucket_versioning(
            Bucket=physical, VersioningConfiguration={"Status": versioning["Status"]}),
    ("AWS::S3::Bucket", "NotificationConfiguration"):
        lambda aws, physical, notification: aws("s3").put_bucket_notification_configuration(
            Bucket=physical, NotificationConfiguration=_queue_notifications(notification)),
}


def _queue_notifications(notification: dict) -> dict:
    # CloudFormation's shape (Event, Queue, Filter.S3Key.Rules) in the API's (Events, QueueArn, Filter.Key.FilterRules).
    return {"QueueConfigurations": [
        {"QueueArn": c["Queue"], "Events": [c["Event"]],
         **({"Filter": {"Key": {"FilterRules": c["Filter"]["S3Key"]["Rules"]}}} if "Filter" in c else {})}
        for c in notification.get("QueueConfigurations", [])]}


def _ignored_properties(resources: dict):
    for name, resource in resources.items():
        for (resource_type, key), apply in IGNORED_PROPERTIES.items():
            if resource["Type"] == resource_type and key in resource.get("Properties", {}):
                yield name, resource["Properties"][key], apply


# ---------------------------------------------------------------- the whole stack

def provision(endpoint_url: str, *, stack_name: str = "helpdesk-local", web_origin: str, customer_site_url: str,
              mail_from: str, region: str = "us-east-1") -> dict[str, str]:
    """Create the stack in moto at endpoint_url; return the environment the Lambda code expects."""
    aws = _moto_clients(endpoint_url, region)

    template = yaml.safe_load((INFRA / "resources.yaml").read_text())
    wiring = yaml.safe_load((INFRA / "wiring.yaml").read_text())
    env_spec = {**wiring["Globals"]["Function"]["Environment"]["Variables"], **RUNNER_ENV}
    # CloudFormation's parameter values are strings, Number ones included.
    params = {name: str(spec["Default"]) for name, spec in template.get("Parameters", {}).items()
              if "Default" in spec}
    params.update(MailFrom=mail_from, WebOrigin=web_origin, CustomerSiteUrl=customer_site_url)
    tpl = Resolver(params, stack_name, region)

    by_kind: dict[str, dict[str, dict]] = {"stack": {}, "api": {}, "skipped": {}}
    for name, resource in template["Resources"].items():
        kind = ("stack" if resource["Type"] in STACK_TYPES else "api" if resource["Type"] in API_TYPES
                else "skipped" if resource["Type"] in SKIPPED_TYPES else None)
        if kind is None:
            raise NotImplementedError(f"{name}: no local handling for {resource['Type']} (local/provision.py)")
        by_kind[kind][name] = resource

    ignored = list(_ignored_properties(by_kind["stack"]))
    _create_stack(aws, tpl, template, by_kind["stack"],
                  reads=[by_kind["api"], env_spec, [value for _, value, _ in ignored]])
    for resource_type, create in API_TYPES.items():
        for name, resource in by_kind["api"].items():
            if resource["Type"] == resource_type:
                tpl.refs[name], attrs = create(aws, name, tpl.resolve(resource.get("Properties", {})), stack_name)
                tpl.attrs.update({(name, k): v for k, v in attrs.items()})
    for name, value, apply in ignored:
        apply(aws, tpl.ref(name), tpl.resolve(value))
    aws("ses").verify_email_identity(EmailAddress=mail_from)  # moto marks it verified at once

    env = {key: str(tpl.resolve(value)) for key, value in env_spec.items()}
    # Tokens name the real Cognito host as issuer; their keys come from moto (docs/wiring.md).
    env["JWKS_URL"] = f"{endpoint_url}/{env['USER_POOL_ID']}/.well-known/jwks.json"
    return env


def follow_web_origin(endpoint_url: str, old_origin: str, new_origin: str, region: str = "us-east-1") -> int:
    """Buckets whose CORS allowed `old_origin` allow `new_origin` instead (a saved state loaded by a stack whose
    web site has another port). Returns how many buckets changed."""
    s3 = _moto_clients(endpoint_url, region)("s3")
    changed = 0
    for bucket in s3.list_buckets()["Buckets"]:
        try:
            rules = s3.get_bucket_cors(Bucket=bucket["Name"])["CORSRules"]
        except s3.exceptions.ClientError as error:
            if error.response["Error"]["Code"] == "NoSuchCORSConfiguration":
                continue
            raise
        if not any(old_origin in rule.get("AllowedOrigins", []) for rule in rules):
            continue
        for rule in rules:
            rule["AllowedOrigins"] = [new_origin if o == old_origin else o for o in rule.get("AllowedOrigins", [])]
        s3.put_bucket_cors(Bucket=bucket["Name"], CORSConfiguration={"CORSRules": rules})
        changed += 1
    return changed


def _moto_clients(endpoint_url: str, region: str):
    """aws("s3") -> a client of moto at endpoint_url, with credentials that can reach nothing real."""
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
    return lambda service: session.client(service, endpoint_url=endpoint_url)


def _create_stack(aws, tpl: Resolver, template: dict, resources: dict, reads: list) -> None:
    """moto creates `resources`; their Refs and the attributes `reads` needs come back as stack outputs."""
    kept = set(resources)
    for resource in resources.values():  # DependsOn may name a resource that is not created locally
        depends = resource.get("DependsOn")
        if depends:
            resource["DependsOn"] = [d for d in ([depends] if isinstance(depends, str) else depends) if d in kept]
    outputs = {_output_key("Ref", name): {"Value": {"Ref": name}} for name in kept}
    outputs.update({_output_key(name, attr): {"Value": {"Fn::GetAtt": [name, attr]}}
                    for name, attr in _attributes_used(reads) if name in kept})
    body = {"AWSTemplateFormatVersion": "2010-09-09", "Parameters": template.get("Parameters", {}),
            "Conditions": template.get("Conditions", {}), "Resources": resources, "Outputs": outputs}
    cfn = aws("cloudformation")
    cfn.create_stack(StackName=tpl.params["AWS::StackName"], TemplateBody=json.dumps(body),
                     Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in tpl.params.items()
                                 if k in body["Parameters"]])
    stack = cfn.describe_stacks(StackName=tpl.params["AWS::StackName"])["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise RuntimeError(f"local stack: {stack['StackStatus']} {stack.get('StackStatusReason', '')}")
    values = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    tpl.refs.update({name: values[_output_key("Ref", name)] for name in kept})
    tpl.attrs.update({(name, attr): values[_output_key(name, attr)]
                      for name, attr in _attributes_used(reads) if name in kept})
