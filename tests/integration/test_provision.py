"""The local provisioner builds, in moto's server, what infra/resources.yaml describes: the resources the
code and the local runtime rely on, including the parts moto's CloudFormation skips or ignores."""
import json
import re
from pathlib import Path
from urllib.parse import unquote_plus

import boto3
import pytest
import yaml

from local import provision as provisioning
from local.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Long-enough-2026!"


@pytest.fixture(scope="module")
def stack():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = provisioning.provision(endpoint, stack_name="provision-test", web_origin="http://127.0.0.1:8080",
                                 customer_site_url="http://127.0.0.1:8080/customer/",
                                 mail_from="helpdesk@example.com")
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    yield env, lambda service: session.client(service, endpoint_url=endpoint)
    server.stop()


def test_every_template_resource_has_a_local_decision():
    template = yaml.safe_load((ROOT / "infra" / "resources.yaml").read_text())
    known = provisioning.STACK_TYPES | set(provisioning.API_TYPES) | provisioning.SKIPPED_TYPES
    assert {r["Type"] for r in template["Resources"].values()} <= known


def test_environment_names_what_docs_wiring_lists(stack):
    env, _ = stack
    documented = set(re.findall(r"^\| `([A-Z_]+)`", (ROOT / "docs" / "wiring.md").read_text(), re.M))
    optional = {"MAX_FILE_BYTES", "MAX_MESSAGE_BYTES", "MAX_FILES",  # settings' defaults apply
                "UNCONFIRMED_PER_ADDRESS", "UNCONFIRMED_PER_NETWORK", "MAX_JSON_BODY_BYTES", "CATALOG_CACHE_SECONDS",
                "SEARCH_DIR", "SEARCH_CHECK_SECONDS"}
    optional |= {"KB_INDEX_CHECK_SECONDS"}  # issue 15: the article index's check interval has a default
    assert documented - optional <= set(env)
    assert {"HELPDESK_STREAM_ARN", "NOTIFICATIONS_QUEUE_URL"} <= set(env)
    assert env["WEB_ORIGIN"] == "http://127.0.0.1:8080"
    assert env["MAIL_FROM"] == "helpdesk@example.com"
    may_be_empty = {"INBOUND_DEPARTMENT", "INBOUND_CATEGORY"}  # empty: the first department takes mail
    assert all((value or key in may_be_empty) and "${" not in value for key, value in env.items())


def test_helpdesk_table_has_keys_indexes_stream_and_ttl(stack):
    env, aws = stack
    table = aws("dynamodb").describe_table(TableName=env["HELPDESK_TABLE"])["Table"]
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                  {"AttributeName": "sk", "KeyType": "RANGE"}]
    indexes = {i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]] for i in table["GlobalSecondaryIndexes"]}
    assert indexes == {name: [f"{name}_pk", f"{name}_sk"] for name in ("queue", "customer", "assignee", "phone", "timer", "sla")}
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert table["LatestStreamArn"] == env["HELPDESK_STREAM_ARN"]
    ttl = aws("dynamodb").describe_time_to_live(TableName=env["HELPDESK_TABLE"])["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_idempotency_table_matches_powertools_defaults(stack):
    env, aws = stack
    table = aws("dynamodb").describe_table(TableName=env["IDEMPOTENCY_TABLE"])["Table"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    ttl = aws("dynamodb").describe_time_to_live(TableName=env["IDEMPOTENCY_TABLE"])["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiration"}


def test_attachments_bucket_allows_the_web_origin_to_post_and_get(stack):
    env, aws = stack
    rules = aws("s3").get_bucket_cors(Bucket=env["ATTACHMENTS_BUCKET"])["CORSRules"]
    assert len(rules) == 1
    assert rules[0]["AllowedOrigins"] == ["http://127.0.0.1:8080"]
    assert set(rules[0]["AllowedMethods"]) == {"POST", "GET"}


def _publish(aws, topic, visibility, text):
    aws("sns").publish(TopicArn=topic, Message=json.dumps({"text": text}), MessageAttributes={
        "visibility": {"DataType": "String", "StringValue": visibility},
        "event_type": {"DataType": "String", "StringValue": "ticket.message_added"}})


def test_only_public_events_reach_the_notifications_queue_raw(stack):
    env, aws = stack
    _publish(aws, env["EVENTS_TOPIC_ARN"], "internal", "note")
    _publish(aws, env["EVENTS_TOPIC_ARN"], "public", "reply")
    got = aws("sqs").receive_message(QueueUrl=env["NOTIFICATIONS_QUEUE_URL"], MaxNumberOfMessages=10,
                                     WaitTimeSeconds=1)["Messages"]
    # Raw delivery: the body is the event itself, not an SNS envelope.
    assert [json.loads(m["Body"]) for m in got] == [{"text": "reply"}]


def test_notifications_queue_dead_letters_after_five_receives(stack):
    env, aws = stack
    attributes = aws("sqs").get_queue_attributes(QueueUrl=env["NOTIFICATIONS_QUEUE_URL"],
                                                 AttributeNames=["RedrivePolicy", "VisibilityTimeout"])["Attributes"]
    assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] == 5
    assert int(attributes["VisibilityTimeout"]) >= 6 * 60
    # The worker writes "could not be sent" on the ticket on what it takes for the last try: the same number.
    from chalicelib.events.notifications import MAX_RECEIVES
    assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] == MAX_RECEIVES


def test_an_agent_signs_in_with_user_password_auth(stack):
    env, aws = stack
    idp, pool = aws("cognito-idp"), env["USER_POOL_ID"]
    assert {g["GroupName"] for g in idp.list_groups(UserPoolId=pool)["Groups"]} == {"agent", "admin"}
    idp.admin_create_user(UserPoolId=pool, Username="agent@example.com", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "agent@example.com"}])
    idp.admin_set_user_password(UserPoolId=pool, Username="agent@example.com", Password=PASSWORD, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool, Username="agent@example.com", GroupName="agent")
    result = idp.initiate_auth(ClientId=env["USER_POOL_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "agent@example.com", "PASSWORD": PASSWORD})
    assert result["AuthenticationResult"]["AccessToken"].count(".") == 2
    client = idp.describe_user_pool_client(UserPoolId=pool, ClientId=env["USER_POOL_CLIENT_ID"])["UserPoolClient"]
    assert "ClientSecret" not in client
    assert idp.describe_user_pool(UserPoolId=pool)["UserPool"]["UsernameAttributes"] == ["email"]


def test_link_secret_is_long_and_random(stack):
    env, aws = stack
    value = aws("secretsmanager").get_secret_value(SecretId=env["LINK_SECRET_ARN"])["SecretString"]
    assert len(value) >= 48 and value.isalnum()


def test_mail_sender_is_verified(stack):
    env, aws = stack
    assert env["MAIL_FROM"] in aws("ses").list_identities(IdentityType="EmailAddress")["Identities"]


def test_mail_stored_under_inbound_is_announced_on_the_inbound_queue_and_nothing_else_is(stack):
    env, aws = stack
    queue = env["INBOUND_MAIL_QUEUE_URL"]
    for key in ("uploads/u1", "attachments/a1", "inbound/m1"):
        aws("s3").put_object(Bucket=env["ATTACHMENTS_BUCKET"], Key=key, Body=b"x")
    announced = []
    while messages := aws("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            body = json.loads(message["Body"])
            announced += [unquote_plus(r["s3"]["object"]["key"]) for r in body.get("Records", [])]
            aws("sqs").delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    assert announced == ["inbound/m1"]


def test_inbound_mail_queue_dead_letters_after_five_receives(stack):
    env, aws = stack
    attributes = aws("sqs").get_queue_attributes(QueueUrl=env["INBOUND_MAIL_QUEUE_URL"],
                                                 AttributeNames=["RedrivePolicy"])["Attributes"]
    assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] == 5


def test_the_tickets_table_cannot_be_deleted_by_one_call(stack):
    env, aws = stack
    dynamodb = aws("dynamodb")
    assert dynamodb.describe_table(TableName=env["HELPDESK_TABLE"])["Table"]["DeletionProtectionEnabled"] is True
    with pytest.raises(dynamodb.exceptions.ClientError, match="DeletionProtectionEnabled"):
        dynamodb.delete_table(TableName=env["HELPDESK_TABLE"])


def test_a_deleted_attachment_can_be_restored_from_its_previous_version(stack):
    env, aws = stack
    s3, bucket, key = aws("s3"), env["ATTACHMENTS_BUCKET"], "attachments/restore-drill/file.txt"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_object(Bucket=bucket, Key=key, Body=b"the customer's invoice")
    s3.delete_object(Bucket=bucket, Key=key)
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_object(Bucket=bucket, Key=key)

    versions = s3.list_object_versions(Bucket=bucket, Prefix=key)
    [marker] = versions["DeleteMarkers"]
    s3.delete_object(Bucket=bucket, Key=key, VersionId=marker["VersionId"])  # the restore (docs/deploy.md)

    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"the customer's invoice"


def test_agents_may_enroll_an_authenticator_app(stack):
    env, aws = stack
    config = aws("cognito-idp").get_user_pool_mfa_config(UserPoolId=env["USER_POOL_ID"])
    assert config["MfaConfiguration"] == "OPTIONAL"
    assert config["SoftwareTokenMfaConfiguration"] == {"Enabled": True}


def test_what_moto_cannot_make_is_skipped_by_name_not_by_accident():
    template = yaml.safe_load((ROOT / "infra" / "resources.yaml").read_text())
    types = {r["Type"] for r in template["Resources"].values()}
    assert "AWS::WAFv2::WebACL" in types and "AWS::WAFv2::WebACL" in provisioning.SKIPPED_TYPES
    assert not provisioning.SKIPPED_TYPES & (provisioning.STACK_TYPES | set(provisioning.API_TYPES))


@pytest.mark.parametrize("password", ["Short-1a!", "no-upper-case-1!", "NO-LOWER-CASE-1!", "No-digits-at-all!",
                                      "NoSymbolsAtAll12"])
def test_the_pool_refuses_passwords_its_policy_does_not_allow(stack, password):
    env, aws = stack
    idp = aws("cognito-idp")
    username = f"weak.{abs(hash(password))}@example.com"
    idp.admin_create_user(UserPoolId=env["USER_POOL_ID"], Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": username}])
    with pytest.raises(idp.exceptions.InvalidPasswordException):
        idp.admin_set_user_password(UserPoolId=env["USER_POOL_ID"], Username=username, Password=password,
                                    Permanent=True)
    idp.admin_set_user_password(UserPoolId=env["USER_POOL_ID"], Username=username, Password=PASSWORD, Permanent=True)
