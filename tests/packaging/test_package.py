"""`make package` produces a template AWS would accept and that wires the functions as designed:
cfn-lint clean, one least-privilege role per function, event sources on the real stream and queue,
partial batch failures reported. Runs the real `chalice package` once per session (it fetches Lambda
wheels from PyPI on a cold cache)."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.data import AdditionalSpecs
from cfnlint.helpers import load_resource

pytestmark = pytest.mark.packaging
ROOT = Path(__file__).resolve().parents[2]
JOBS = ("AutoCloseSilentTickets", "ArchiveClosedTickets", "SweepSla")
FUNCTIONS = ("APIHandler", "PublishTicketEvents", "SendNotifications", "SendAlerts", "ReceiveMail", "CheckUploads",
             "AggregateReports", "IndexTickets", "PublishArticles",
             *JOBS)
# SAM's event properties (developer guide, sam-property-function-dynamodb / -sqs). cfn-lint does not check
# them, and SAM rejects a template with any other.
SAM_EVENT_PROPERTIES = {
    "DynamoDB": {"BatchSize", "BisectBatchOnFunctionError", "DestinationConfig", "Enabled", "FilterCriteria",
                 "FunctionResponseTypes", "KmsKeyArn", "MaximumBatchingWindowInSeconds",
                 "MaximumRecordAgeInSeconds", "MaximumRetryAttempts", "MetricsConfig", "ParallelizationFactor",
                 "StartingPosition", "StartingPositionTimestamp", "Stream", "TumblingWindowInSeconds"},
    "SQS": {"BatchSize", "Enabled", "FilterCriteria", "FunctionResponseTypes", "KmsKeyArn",
            "MaximumBatchingWindowInSeconds", "MetricsConfig", "Queue", "ScalingConfig"},
    "Schedule": {"DeadLetterConfig", "Description", "Enabled", "Input", "Name", "RetryPolicy", "Schedule", "State"},
}


WEB_ORIGIN = "https://help.example.com"
# Statements whose action takes ARNs but whose target has none: sns:Publish to a phone number (the sign-in
# codes by SMS) is evaluated against "*" (Step Functions' and SNS's IAM examples for PhoneNumber targets).
RESOURCELESS = {("APIHandlerRole", "SignInCodeSms"), ("SendAlertsRole", "AlertSms")}


@pytest.fixture(scope="session")
def packaged(tmp_path_factory):
    out = tmp_path_factory.mktemp("package") / "package"
    result = subprocess.run([sys.executable, "-m", "local.package", "--out", str(out),
                             "--web-origin", WEB_ORIGIN], cwd=ROOT,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"make package failed:\n{result.stdout}\n{result.stderr}"
    return out / "sam.json"


@pytest.fixture(scope="session")
def template(packaged):
    return json.loads(packaged.read_text())


def resources_of(template, resource_type):
    return {name: r for name, r in template["Resources"].items() if r["Type"] == resource_type}


def statements(role):
    for policy in role["Properties"].get("Policies", []):
        yield from policy["PolicyDocument"]["Statement"]


def as_list(value):
    return value if isinstance(value, list) else [value]


def test_template_is_cfn_lint_clean(packaged):
    result = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), str(packaged)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_functions_are_there(template):
    assert set(resources_of(template, "AWS::Serverless::Function")) == set(FUNCTIONS)


def test_every_function_has_its_own_role(template):
    roles = resources_of(template, "AWS::IAM::Role")
    used = []
    for name in FUNCTIONS:
        role = template["Resources"][name]["Properties"]["Role"]
        assert isinstance(role, dict) and role.get("Fn::GetAtt", [None])[0] in roles, f"{name}: {role}"
        used.append(role["Fn::GetAtt"][0])
    assert len(set(used)) == len(FUNCTIONS)
    assert "ManagedPolicyArns" not in str([roles[r]["Properties"] for r in used])


def test_no_wildcard_actions_and_no_wildcard_resources_where_aws_allows_arns(template):
    # cfn-lint's copy of the IAM service authorization reference: which actions exist, which take ARNs.
    services = load_resource(AdditionalSpecs, "Policies.json")
    for role_name, role in resources_of(template, "AWS::IAM::Role").items():
        for statement in statements(role):
            assert statement["Effect"] == "Allow" and "NotAction" not in statement and "NotResource" not in statement
            actions = as_list(statement["Action"])
            for action in actions:
                assert action != "*" and not action.endswith(":*"), f"{role_name}: {action}"
                service, _, verb = action.partition(":")
                assert verb.lower() in services[service]["Actions"], f"{role_name}: unknown action {action}"
            if "*" in as_list(statement["Resource"]) and (role_name, statement.get("Sid")) not in RESOURCELESS:
                takes_arns = [a for a in actions
                              if services[a.split(":")[0]]["Actions"][a.split(":")[1].lower()].get("Resources")]
                assert not takes_arns, f"{role_name}: Resource '*' for {takes_arns}, which accept ARNs"


def test_traced_functions_may_write_traces(template):
    roles = template["Resources"]
    for name in FUNCTIONS:
        function = template["Resources"][name]["Properties"]
        if function.get("Tracing") == "Active":
            role = roles[function["Role"]["Fn::GetAtt"][0]]
            granted = {a for s in statements(role) for a in as_list(s["Action"])}
            assert {"xray:PutTraceSegments", "xray:PutTelemetryRecords"} <= granted, name


def test_event_sources_use_only_properties_sam_knows(template):
    for name in FUNCTIONS:
        for event in template["Resources"][name]["Properties"].get("Events", {}).values():
            assert set(event["Properties"]) <= SAM_EVENT_PROPERTIES[event["Type"]], name


def test_publisher_reads_the_real_stream_and_reports_partial_failures(template):
    events = template["Resources"]["PublishTicketEvents"]["Properties"]["Events"]
    (source,) = events.values()
    props = source["Properties"]
    assert source["Type"] == "DynamoDB"
    assert props["Stream"] == {"Fn::GetAtt": ["HelpdeskTable", "StreamArn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True
    assert props["MaximumRetryAttempts"] >= 1
    assert props["StartingPosition"] == "TRIM_HORIZON"
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]}


def test_mail_worker_reads_the_real_queue_and_reports_partial_failures(template):
    events = template["Resources"]["SendNotifications"]["Properties"]["Events"]
    (source,) = events.values()
    props = source["Properties"]
    assert source["Type"] == "SQS"
    # Exactly one intrinsic: a deep merge that kept Chalice's Fn::Sub beside ours would be invalid.
    assert props["Queue"] in ({"Fn::GetAtt": ["NotificationsQueue", "Arn"]}, {"Fn::Sub": "${NotificationsQueue.Arn}"})
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_queue_visibility_timeout_is_at_least_six_function_timeouts(template):
    timeout = template["Resources"]["SendNotifications"]["Properties"]["Timeout"]
    queue = template["Resources"]["NotificationsQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * timeout


def test_no_placeholder_survives(packaged):
    text = packaged.read_text()
    assert "set-by-infra-wiring" not in text and "overridden-by-infra-wiring" not in text
    assert ":notifications\"" not in text  # Chalice's queue ARN built from the decorator's name


def test_functions_get_every_documented_setting(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    documented = set(re.findall(r"^\| `([A-Z_]+)`", (ROOT / "docs" / "wiring.md").read_text(), re.M))
    # Optional: JWKS_URL defaults to the pool's AWS URL; the limits have defaults in settings.
    optional = {"JWKS_URL", "MAX_FILE_BYTES", "MAX_MESSAGE_BYTES", "MAX_FILES", "MAX_JSON_BODY_BYTES",
                "UNCONFIRMED_PER_ADDRESS", "UNCONFIRMED_PER_NETWORK", "CATALOG_CACHE_SECONDS",
                "SEARCH_DIR", "SEARCH_CHECK_SECONDS"}
    optional |= {"KB_INDEX_CHECK_SECONDS"}  # issue 15: how long a reader trusts the article index (5 s)
    assert documented - optional <= set(variables)
    names = set(template["Resources"]) | set(template["Parameters"])
    for key, value in variables.items():
        if isinstance(value, dict):
            target = value.get("Ref") or value.get("Fn::GetAtt", [None])[0]
            assert target in names, f"{key} -> {value}"


def test_cors_preflight_and_the_web_origin_parameter_agree(template):
    assert template["Parameters"]["WebOrigin"]["Default"] == WEB_ORIGIN
    swagger = json.dumps(template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"])
    assert f"'{WEB_ORIGIN}'" in swagger and "127.0.0.1" not in swagger


def test_packaging_refuses_to_guess_the_web_origin():
    result = subprocess.run([sys.executable, "-m", "local.package", "--web-origin", "http://127.0.0.1:8080"],
                            cwd=ROOT, capture_output=True, text=True, env={**os.environ, "WEB_ORIGIN": ""})
    assert result.returncode != 0 and "web-origin" in result.stderr


def role_of(template, function):
    return template["Resources"][template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]]


def grants(role) -> dict[str, list]:
    """action -> the resources it is granted on (with the statement's condition, if any)."""
    granted: dict[str, list] = {}
    for statement in statements(role):
        for action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                granted.setdefault(action, []).append((resource, statement.get("Condition")))
    return granted


def test_the_jobs_run_on_their_schedules(template):
    events = {name: template["Resources"][name]["Properties"]["Events"].values() for name in JOBS}
    schedules = {name: [e["Properties"]["Schedule"] for e in found] for name, found in events.items()}
    assert schedules == {"AutoCloseSilentTickets": ["rate(1 hour)"], "ArchiveClosedTickets": ["rate(1 day)"],
                         "SweepSla": ["rate(5 minutes)"]}


@pytest.mark.parametrize("job,allowed", [
    # Closing frees a slot of the customer's open-ticket counter (UpdateItem); archiving changes no counter.
    ("AutoCloseSilentTickets", {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}),
    ("ArchiveClosedTickets", {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "s3:PutObject"}),
])
def test_the_jobs_roles_reach_only_the_timer_index_the_tickets_and_transcripts(template, job, allowed):
    granted = grants(role_of(template, job))
    assert {a for a in granted if not a.startswith(("logs:", "xray:"))} == allowed
    timer_index = {"Fn::Sub": "${HelpdeskTable.Arn}/index/timer"}
    for action in (a for a in allowed if a.startswith("dynamodb:")):
        for resource, condition in granted[action]:
            if resource == timer_index:  # due tickets come from the timer index only, never a scan
                assert action == "dynamodb:Query"
            else:  # items of the table: only the partitions named
                assert resource == {"Fn::GetAtt": ["HelpdeskTable", "Arn"]}, (action, resource)
                assert condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"], action
    assert (timer_index, None) in granted["dynamodb:Query"]
    if "s3:PutObject" in allowed:
        assert granted["s3:PutObject"] == [({"Fn::Sub": "${AttachmentsBucket.Arn}/transcripts/*"}, None)]


def test_the_sla_sweep_reaches_only_the_sla_index_the_tickets_their_trail_and_the_catalog(template):
    """And the timer index, for the agents' open presence records (their forgotten time intervals, issue 16)."""
    granted = grants(role_of(template, "SweepSla"))
    assert {a for a in granted if not a.startswith(("logs:", "xray:"))} == {
        "dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "cognito-idp:AdminGetUser"}
    table = {"Fn::GetAtt": ["HelpdeskTable", "Arn"]}
    sla_index = {"Fn::Sub": "${HelpdeskTable.Arn}/index/sla"}
    leading = "ForAllValues:StringLike"
    timer_index = {"Fn::Sub": "${HelpdeskTable.Arn}/index/timer"}
    assert granted["dynamodb:Query"] == [(sla_index, None), (timer_index, None),
                                         (table, {leading: {"dynamodb:LeadingKeys": ["CATALOG"]}})]
    assert granted["dynamodb:GetItem"] == [(table, {leading: {"dynamodb:LeadingKeys": ["T#*", "CATALOG"]}})]
    assert granted["dynamodb:PutItem"] == [(table, {leading: {"dynamodb:LeadingKeys": ["T#*", "HANDOVER#*"]}})]
    assert granted["cognito-idp:AdminGetUser"] == [({"Fn::GetAtt": ["AgentUserPool", "Arn"]}, None)]


def test_each_job_raises_an_alarm_when_it_fails(template):
    alarms = resources_of(template, "AWS::CloudWatch::Alarm").values()
    watched = {alarm["Properties"]["Dimensions"][0]["Value"]["Ref"] for alarm in alarms
               if alarm["Properties"].get("Namespace") == "AWS/Lambda" and alarm["Properties"]["MetricName"] == "Errors"}
    assert watched >= set(JOBS)
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_the_api_may_send_sign_in_codes_only_as_mail_from_and_by_sms(template):
    granted = grants(role_of(template, "APIHandler"))
    assert granted["ses:SendRawEmail"] == [
        ({"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*"},
         {"StringEquals": {"ses:FromAddress": {"Ref": "MailFrom"}}})]
    assert granted["sns:Publish"] == [("*", None)]  # phone numbers only have "*" (see RESOURCELESS)


def test_the_alerts_worker_reads_its_queue_and_reaches_only_profiles_quota_and_catalog(template):
    (source,) = template["Resources"]["SendAlerts"]["Properties"]["Events"].values()
    assert source["Properties"]["Queue"] == {"Fn::Sub": "${AlertsQueue.Arn}"}
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    granted = grants(role_of(template, "SendAlerts"))
    table = {"Fn::GetAtt": ["HelpdeskTable", "Arn"]}
    leading = "ForAllValues:StringLike"
    assert (table, {leading: {"dynamodb:LeadingKeys": ["AGENT#*", "CATALOG"]}}) in granted["dynamodb:GetItem"]
    assert granted["dynamodb:Query"] == [(table, {leading: {"dynamodb:LeadingKeys": ["CATALOG"]}})]
    assert (table, {leading: {"dynamodb:LeadingKeys": ["SMSQUOTA#*"]}}) in granted["dynamodb:UpdateItem"]
    assert granted["sns:Publish"] == [("*", None)]
    queue = template["Resources"]["AlertsQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * template["Resources"]["SendAlerts"]["Properties"]["Timeout"]
    alarms = resources_of(template, "AWS::CloudWatch::Alarm").values()
    assert any(a["Properties"]["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["AlertsDeadLetterQueue", "QueueName"]}
               for a in alarms)


def test_mail_intake_reads_its_queue_and_only_inbound_mail_and_writes_and_deletes_only_attachments(template):
    (source,) = template["Resources"]["ReceiveMail"]["Properties"]["Events"].values()
    assert source["Type"] == "SQS"
    assert source["Properties"]["Queue"] == {"Fn::Sub": "${InboundMailQueue.Arn}"}
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = template["Resources"]["InboundMailQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * template["Resources"]["ReceiveMail"]["Properties"]["Timeout"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["InboundMailDeadLetterQueue", "Arn"]}
    role = template["Resources"]["ReceiveMailRole"]
    s3 = {(a, json.dumps(r)) for s in statements(role) for a in as_list(s["Action"]) if a.startswith("s3:")
          for r in as_list(s["Resource"])}
    assert s3 == {("s3:GetObject", json.dumps({"Fn::Sub": "${AttachmentsBucket.Arn}/inbound/*"})),
                  ("s3:PutObject", json.dumps({"Fn::Sub": "${AttachmentsBucket.Arn}/attachments/*"})),
                  # a copy of a mail SES found a virus in (issue 11), never read back
                  ("s3:PutObject", json.dumps({"Fn::Sub": "${AttachmentsBucket.Arn}/quarantine/*"})),
                  # the files of a mail that became no ticket (the raw mail under inbound/ is never deleted)
                  ("s3:DeleteObject", json.dumps({"Fn::Sub": "${AttachmentsBucket.Arn}/attachments/*"})),
                  ("s3:ListBucket", json.dumps({"Fn::GetAtt": ["AttachmentsBucket", "Arn"]}))}
    # The answer to a refused mail, only as the desk's own address.
    assert grants(role)["ses:SendRawEmail"] == [
        ({"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*"},
         {"StringEquals": {"ses:FromAddress": {"Ref": "MailFrom"}}})]


def test_ses_stores_received_mail_where_the_bucket_announces_it(template):
    rule = template["Resources"]["InboundMailRule"]["Properties"]["Rule"]
    [action] = rule["Actions"]
    assert action["S3Action"] == {"BucketName": {"Ref": "AttachmentsBucket"}, "ObjectKeyPrefix": "inbound/"}
    [notification] = [n for n in template["Resources"]["AttachmentsBucket"]["Properties"][
        "NotificationConfiguration"]["QueueConfigurations"] if n["Queue"] == {"Fn::GetAtt": ["InboundMailQueue", "Arn"]}]
    assert notification["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "inbound/"}]
    bucket_policy = template["Resources"]["AttachmentsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    [ses] = [s for s in bucket_policy if s.get("Principal") == {"Service": "ses.amazonaws.com"}]
    assert ses["Action"] == "s3:PutObject" and ses["Resource"] == {"Fn::Sub": "${AttachmentsBucket.Arn}/inbound/*"}


def test_uploads_are_announced_to_the_checker_which_reads_only_uploads_and_writes_only_their_records(template):
    notifications = template["Resources"]["AttachmentsBucket"]["Properties"]["NotificationConfiguration"][
        "QueueConfigurations"]
    [uploads] = [n for n in notifications if n["Queue"] == {"Fn::GetAtt": ["UploadsQueue", "Arn"]}]
    assert uploads["Event"] == "s3:ObjectCreated:*"
    assert uploads["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "uploads/"}]
    assert "UploadsQueuePolicy" in template["Resources"]["AttachmentsBucket"]["DependsOn"]
    (source,) = template["Resources"]["CheckUploads"]["Properties"]["Events"].values()
    assert source["Type"] == "SQS" and source["Properties"]["Queue"] == {"Fn::Sub": "${UploadsQueue.Arn}"}
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = template["Resources"]["UploadsQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["UploadsDeadLetterQueue", "Arn"]}
    role = template["Resources"]["CheckUploadsRole"]
    s3 = {(a, json.dumps(r)) for s in statements(role) for a in as_list(s["Action"]) if a.startswith("s3:")
          for r in as_list(s["Resource"])}
    assert s3 == {("s3:GetObject", json.dumps({"Fn::Sub": "${AttachmentsBucket.Arn}/uploads/*"})),
                  ("s3:GetObjectVersion", json.dumps({"Fn::Sub": "${AttachmentsBucket.Arn}/uploads/*"})),
                  ("s3:ListBucket", json.dumps({"Fn::GetAtt": ["AttachmentsBucket", "Arn"]}))}
    table = [s for s in statements(role) if any(a.startswith("dynamodb:") for a in as_list(s["Action"]))]
    assert [(sorted(as_list(s["Action"])), s["Condition"]) for s in table] == [
        (["dynamodb:GetItem", "dynamodb:PutItem"], {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["UPLOAD#*"]}})]
    # The API reads the records of a message's files in one batch, and only those (and, for the help-center
    # report, the articles it names: KB#*, issue 15).
    api = [s for s in statements(template["Resources"]["APIHandlerRole"]) if "dynamodb:BatchGetItem" in as_list(s["Action"])]
    assert sorted(s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"][0] for s in api) == [
        "KB#*", "UPLOAD#*"]


def test_the_notifications_worker_writes_only_ticket_partitions(template):
    """Issue 11: the notifications worker notes an undeliverable mail on its ticket (T#<n> only)."""
    granted = grants(role_of(template, "SendNotifications"))
    table = {"Fn::GetAtt": ["HelpdeskTable", "Arn"]}
    for action in ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"):
        on_table = [(r, c) for r, c in granted[action] if r == table]
        assert on_table == [(table, {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["T#*"]}})], action
    assert "dynamodb:UpdateItem" not in {a for a, found in granted.items() if any(r == table for r, _ in found)}


# ---------------------------------------------------------------- throttling in front, nothing lost, health

def _dashboard(template) -> tuple[dict, str]:
    # The health dashboard (the reports' own, ReportsDashboard, shows business figures, not health).
    dashboard = resources_of(template, "AWS::CloudWatch::Dashboard")["HealthDashboard"]
    body = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    return json.loads(body), body


def test_the_dashboard_shows_every_function_and_every_queue_of_the_template(template):
    """A new function or queue that nobody put on the dashboard fails here."""
    document, body = _dashboard(template)
    functions = set(resources_of(template, "AWS::Serverless::Function"))
    queues = set(resources_of(template, "AWS::SQS::Queue"))
    metrics = [m for w in document["widgets"] for m in w["properties"]["metrics"]]
    for metric in ("Errors", "Throttles", "Duration"):
        shown = {m[3] for m in metrics if m[:3] == ["AWS/Lambda", metric, "FunctionName"]}
        assert shown == {"${%s}" % f for f in functions}, metric
    for metric in ("ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"):
        shown = {m[3] for m in metrics if m[:3] == ["AWS/SQS", metric, "QueueName"]}
        assert shown == {"${%s.QueueName}" % q for q in queues}, metric
    names = {m[1] for m in metrics if m[0] != "..."}
    assert {"4XXError", "5XXError", "Latency", "Reputation.BounceRate", "Reputation.ComplaintRate",
            "SMSMonthToDateSpentUSD"} <= names
    # Every ${...} resolves to something of this template (or a pseudo parameter).
    known = set(template["Resources"]) | set(template["Parameters"])
    for ref in re.findall(r"\$\{([^}!]+)\}", body):
        assert ref.startswith("AWS::") or ref.split(".")[0] in known, ref


def test_what_needs_a_person_raises_an_alarm(template):
    alarms = [a["Properties"] for a in resources_of(template, "AWS::CloudWatch::Alarm").values()]
    by_metric = {}
    for alarm in alarms:
        for stat in [alarm] + [m["MetricStat"]["Metric"] for m in alarm.get("Metrics", []) if "MetricStat" in m]:
            if "MetricName" in stat:
                target = [d["Value"] for d in stat.get("Dimensions", [])]
                by_metric.setdefault(stat["MetricName"], []).append(json.dumps(target))
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    functions = resources_of(template, "AWS::Serverless::Function")
    for name in functions:  # each function's errors and throttles
        assert json.dumps([{"Ref": name}]) in by_metric["Errors"], name
        assert json.dumps([{"Ref": name}]) in by_metric["Throttles"], name
    queues = resources_of(template, "AWS::SQS::Queue")
    dead_letters = {q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
                    for q in queues.values() if "RedrivePolicy" in q["Properties"]}
    for name in dead_letters | {"StreamFailureQueue"}:  # a dead-letter queue that is not empty
        assert json.dumps([{"Fn::GetAtt": [name, "QueueName"]}]) in by_metric["ApproximateNumberOfMessagesVisible"]
    for name in queues:
        if "RedrivePolicy" in queues[name]["Properties"]:  # a worker's queue whose oldest message waits
            assert json.dumps([{"Fn::GetAtt": [name, "QueueName"]}]) in by_metric["ApproximateAgeOfOldestMessage"]
    assert {"5XXError", "Reputation.BounceRate", "Reputation.ComplaintRate", "SMSMonthToDateSpentUSD"} <= set(by_metric)


def _rate_rules(template) -> dict:
    [acl] = resources_of(template, "AWS::WAFv2::WebACL").values()
    return {r["Name"]: r for r in acl["Properties"]["Rules"]}


def test_the_waf_limits_each_client_address_on_sign_in_submission_and_search(template):
    [acl] = resources_of(template, "AWS::WAFv2::WebACL").values()
    assert acl["Properties"]["Scope"] == "REGIONAL"
    [association] = resources_of(template, "AWS::WAFv2::WebACLAssociation").values()
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    assert "${RestAPI}/stages/api" in association["Properties"]["ResourceArn"]["Fn::Sub"]
    rules = _rate_rules(template)
    scoped = json.dumps({n: r["Statement"] for n, r in rules.items()})
    for name in ("sign-in-per-ip", "submit-per-ip", "search-per-ip", "all-per-ip"):
        rate = rules[name]["Statement"]["RateBasedStatement"]
        assert rate["AggregateKeyType"] == "IP" and rate["EvaluationWindowSec"] == 300
        assert rules[name]["Action"] == {"Block": {"CustomResponse": {"ResponseCode": 429}}}
    # The paths are the API's own: the sign-in routes of api/customer.py, POST /tickets and /uploads.
    paths = {d.path for d in _routes()}
    assert {"/customer/sign-in", "/customer/sign-in/verify", "/tickets", "/uploads"} <= paths
    assert "/customer/sign-in" in scoped and "/kb/search" in scoped and "(tickets|uploads)" in scoped
    limits = {n: r["Statement"]["RateBasedStatement"]["Limit"] for n, r in rules.items() if "RateBasedStatement"
              in r["Statement"]}
    assert limits["sign-in-per-ip"] < limits["submit-per-ip"] < limits["search-per-ip"] < limits["all-per-ip"]
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    assert all(f"| {limit} " in deploy for limit in limits.values()), "docs/deploy.md states every WAF limit"


def _routes():
    from chalicelib.api.http import ROUTES
    import app  # noqa: F401  (registers the routes)
    return ROUTES


def test_the_api_stage_is_throttled_and_the_sign_in_and_submission_methods_more_so(template):
    settings = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    by_path = {(s["ResourcePath"], s["HttpMethod"]): s for s in settings}
    stage = by_path[("/*", "*")]
    for key in (("/~1customer~1sign-in", "POST"), ("/~1customer~1sign-in~1verify", "POST"),
                ("/~1tickets", "POST"), ("/~1uploads", "POST")):
        assert by_path[key]["ThrottlingRateLimit"] < stage["ThrottlingRateLimit"], key
        assert by_path[key]["ThrottlingBurstLimit"] <= stage["ThrottlingBurstLimit"], key


def test_nothing_is_lost_by_one_wrong_click(template):
    table = template["Resources"]["HelpdeskTable"]["Properties"]
    assert table["DeletionProtectionEnabled"] is True
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    bucket = template["Resources"]["AttachmentsBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = bucket["LifecycleConfiguration"]["Rules"]
    everywhere = [r for r in rules if "Prefix" not in r and "Filter" not in r]
    assert everywhere and everywhere[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert all("AbortIncompleteMultipartUpload" in r for r in rules)
    assert template["Resources"]["AgentUserPool"]["Properties"]["DeletionProtection"] == "ACTIVE"


def test_agents_accounts_are_set_on_purpose(template):
    pool = template["Resources"]["AgentUserPool"]["Properties"]
    assert pool["MfaConfiguration"] == "OPTIONAL" and pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12
    client = template["Resources"]["AgentUserPoolClient"]["Properties"]
    assert client["EnableTokenRevocation"] is True
    assert (client["AccessTokenValidity"], client["RefreshTokenValidity"]) == (1, 12)
    assert client["TokenValidityUnits"] == {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "hours"}
    granted = grants(role_of(template, "APIHandler"))
    for action in ("cognito-idp:AdminUserGlobalSignOut", "cognito-idp:AdminDisableUser", "cognito-idp:AdminEnableUser"):
        assert granted[action] == [({"Fn::GetAtt": ["AgentUserPool", "Arn"]}, None)]


def test_one_search_indexer_reads_the_fifo_queue_and_reaches_only_the_index_its_lease_and_tickets(template):
    """Issue 14: the index queue is FIFO (one message group: one indexer at a time, no reserved concurrency);
    the indexer may write only the index files and the lease item; the API only reads the index."""
    queue = template["Resources"]["SearchIndexQueue"]["Properties"]
    assert queue["FifoQueue"] is True and queue["ContentBasedDeduplication"] is False
    assert template["Resources"]["SearchIndexDeadLetterQueue"]["Properties"]["FifoQueue"] is True
    function = template["Resources"]["IndexTickets"]["Properties"]
    assert "ReservedConcurrentExecutions" not in function
    [source] = function["Events"].values()
    assert source["Properties"]["Queue"] == {"Fn::Sub": "${SearchIndexQueue.Arn}"}
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"]
    granted = grants(role_of(template, "IndexTickets"))
    table = {"Fn::GetAtt": ["HelpdeskTable", "Arn"]}
    for action in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"):
        assert granted[action] == [(table, {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["SEARCH#writer"]}})]
    files = {"Fn::Sub": "${SearchIndexBucket.Arn}/search/*"}
    assert granted["s3:PutObject"] == granted["s3:DeleteObject"] == [(files, None)]
    api = grants(role_of(template, "APIHandler"))
    assert (files, None) in api["s3:GetObject"] and not any(r == files for r, _ in api.get("s3:PutObject", []))
    publisher = grants(role_of(template, "PublishTicketEvents"))
    assert ({"Fn::GetAtt": ["SearchIndexQueue", "Arn"]}, None) in publisher["sqs:SendMessage"]


def test_one_kb_publisher_reads_its_fifo_queue_and_only_it_writes_help_center_pages_and_the_article_index(template):
    """Issue 15: publishing is an article event; the relay queues it (never on the ticket topic), one consumer at a
    time writes the static pages, the sitemap and the article index, and the API no longer may."""
    queue = template["Resources"]["KbPublishQueue"]["Properties"]
    assert queue["FifoQueue"] is True and queue["ContentBasedDeduplication"] is False
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["KbPublishDeadLetterQueue", "Arn"]}
    function = template["Resources"]["PublishArticles"]["Properties"]
    assert "ReservedConcurrentExecutions" not in function
    [source] = function["Events"].values()
    assert source["Properties"]["Queue"] == {"Fn::Sub": "${KbPublishQueue.Arn}"}
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"]
    granted = grants(role_of(template, "PublishArticles"))
    table = {"Fn::GetAtt": ["HelpdeskTable", "Arn"]}
    for action in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"):
        assert granted[action] == [(table, {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["SEARCH#kb"]}})]
    index = {"Fn::Sub": "${SearchIndexBucket.Arn}/kb-index/*"}
    pages = [{"Fn::Sub": "${WebBucket.Arn}/customer/kb/%s" % tail} for tail in ("fa/*", "he/*", "en/*", "sitemap.xml")]
    assert granted["s3:PutObject"] == [(index, None)] + [(page, None) for page in pages]
    assert "sqs:SendMessage" not in granted and "sns:Publish" not in granted
    api = grants(role_of(template, "APIHandler"))
    assert (index, None) in api["s3:GetObject"]
    assert all("kb-index" not in json.dumps(r) for r, _ in api.get("s3:PutObject", []) + api.get("s3:DeleteObject", []))
    assert [r for r, _ in api["s3:PutObject"] if "WebBucket" in json.dumps(r)] == [
        {"Fn::Sub": "${WebBucket.Arn}/customer/kb/files/*"}]  # editors' images and files only
    assert not any("WebBucket" in json.dumps(r) for r, _ in api.get("s3:DeleteObject", []))
    assert not any("SEARCH#kb" in json.dumps(c) for _, c in api.get("dynamodb:DeleteItem", []))
    publisher = grants(role_of(template, "PublishTicketEvents"))
    assert ({"Fn::GetAtt": ["KbPublishQueue", "Arn"]}, None) in publisher["sqs:SendMessage"]
