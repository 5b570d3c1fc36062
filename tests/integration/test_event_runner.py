"""The local event runner (local/events.py) against moto's server, with a tiny Chalice app standing in for
the helpdesk's: what Lambda's event sources would deliver reaches the handlers, with Lambda's shapes and
Lambda's retry rules. No fixed sleeps: every wait polls a condition with a deadline."""
import json
import threading
import time
import uuid
from datetime import datetime, timezone

import boto3
import pytest
from chalice import Chalice

from local import schedules
from local.events import EventRunner
from local.moto_server import MotoServer
from local.testing import free_port

REGION = "us-east-1"
PLACEHOLDER_STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/placeholder/stream/x"


def eventually(condition, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return result


@pytest.fixture(scope="module")
def moto():
    server = MotoServer(port=free_port()).start()
    yield server.url
    server.stop()


@pytest.fixture
def aws(moto):
    return lambda service: boto3.client(service, region_name=REGION, endpoint_url=moto)


class FakeApp:
    """A Chalice app with one handler per kind of source; each test scripts what the handlers do."""

    def __init__(self):
        self.app = Chalice(app_name="fake")
        self.sqs_records, self.stream_batches, self.scheduled = [], [], []
        self.fail_once, self.fail_always, self.raise_once = set(), set(), set()  # message bodies
        self.fail_keys_once, self.fail_keys_always = set(), set()  # stream item keys
        self.lock = threading.Lock()
        app = self.app

        @app.on_sqs_message(queue="jobs", batch_size=10)
        def work(event):
            failures = []
            for record in event:
                raw = record.to_dict()
                with self.lock:
                    self.sqs_records.append(raw)
                if raw["body"] in self.raise_once:
                    self.raise_once.discard(raw["body"])
                    raise RuntimeError("handler bug")
                if raw["body"] in self.fail_once or raw["body"] in self.fail_always:
                    self.fail_once.discard(raw["body"])
                    failures.append({"itemIdentifier": raw["messageId"]})
            return {"batchItemFailures": failures}

        @app.on_dynamodb_record(stream_arn=PLACEHOLDER_STREAM, batch_size=25, starting_position="TRIM_HORIZON")
        def changes(event):
            records = event.to_dict()["Records"]
            with self.lock:
                self.stream_batches.append({"records": records, "context": event.context})
            failures = []
            for record in records:
                key = record["dynamodb"]["Keys"]["pk"]["S"]
                if key in self.fail_keys_always or key in self.fail_keys_once:
                    self.fail_keys_once.discard(key)
                    failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
            return {"batchItemFailures": failures}

        @app.schedule("rate(1 minute)")
        def tick(event):
            with self.lock:
                self.scheduled.append({"event": event.to_dict(), "context": event.context})

    def bodies(self):
        with self.lock:
            return [r["body"] for r in self.sqs_records]

    def stream_keys(self):
        with self.lock:
            return [[r["dynamodb"]["Keys"]["pk"]["S"] for r in b["records"]] for b in self.stream_batches]


@pytest.fixture
def queue(aws):
    sqs, name = aws("sqs"), f"jobs-{uuid.uuid4().hex[:8]}"
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=name, Attributes={
        "VisibilityTimeout": "1",  # failed messages come back after a second
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})})["QueueUrl"]
    return {"url": url, "dlq": dlq}


@pytest.fixture
def table(aws):
    name = f"changes-{uuid.uuid4().hex[:8]}"
    created = aws("dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    return {"name": name, "stream_arn": created["TableDescription"]["LatestStreamArn"]}


@pytest.fixture
def run(moto, queue, table):
    """Starts the runner on a FakeApp; stops it after the test."""
    runners = []

    def start(fake, **options):
        # Short SQS polls: a runner stops within one poll, and a long poll would make every teardown 1 s.
        options = {"retry_delay_seconds": 0.05, "stream_idle_seconds": 0.05, "sqs_wait_seconds": 0, **options}
        runner = EventRunner(fake.app, queue_urls={"jobs": queue["url"]}, stream_arns={"changes": table["stream_arn"]},
                             region=REGION, endpoint_url=moto, **options).start()
        runners.append(runner)
        return runner

    yield start
    for runner in runners:
        runner.stop()


def queue_is_empty(sqs, url):
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return all(v == "0" for v in counts.values())


# --- SQS ---------------------------------------------------------------------------------------------

def test_a_message_is_delivered_once_with_the_lambda_shape_and_deleted(run, aws, queue):
    fake, sqs = FakeApp(), aws("sqs")
    sqs.send_message(QueueUrl=queue["url"], MessageBody="hello",
                     MessageAttributes={"event_type": {"DataType": "String", "StringValue": "ticket.created"}})
    run(fake, sqs_wait_seconds=1)  # long polling, as `make run` does

    eventually(lambda: fake.bodies() == ["hello"], what="the delivery")
    eventually(lambda: queue_is_empty(sqs, queue["url"]), what="the delete")
    [record] = fake.sqs_records
    assert record["eventSource"] == "aws:sqs" and record["awsRegion"] == REGION
    assert record["eventSourceARN"].endswith(queue["url"].rsplit("/", 1)[-1])
    assert record["messageAttributes"]["event_type"] == {
        "stringValue": "ticket.created", "stringListValues": [], "binaryListValues": [], "dataType": "String"}
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"messageId", "receiptHandle", "md5OfBody"} <= record.keys()
    assert fake.bodies() == ["hello"]  # deleted, so never delivered again


def test_a_reported_failure_is_redelivered_and_its_batch_mates_are_not(run, aws, queue):
    fake, sqs = FakeApp(), aws("sqs")
    fake.fail_once.add("flaky")
    sqs.send_message_batch(QueueUrl=queue["url"], Entries=[{"Id": "1", "MessageBody": "flaky"},
                                                          {"Id": "2", "MessageBody": "fine"}])
    run(fake)

    eventually(lambda: sorted(fake.bodies()) == ["fine", "flaky", "flaky"], what="the redelivery")
    eventually(lambda: queue_is_empty(sqs, queue["url"]), what="the delete")
    assert sorted(fake.bodies()) == ["fine", "flaky", "flaky"]
    redelivered = [r for r in fake.sqs_records if r["body"] == "flaky"][-1]
    assert redelivered["attributes"]["ApproximateReceiveCount"] == "2"


def test_a_handler_that_raises_keeps_its_batch_and_does_not_stop_the_runner(run, aws, queue):
    fake, sqs = FakeApp(), aws("sqs")
    fake.raise_once.add("poison")
    sqs.send_message(QueueUrl=queue["url"], MessageBody="poison")
    runner = run(fake)
    eventually(lambda: "poison" in fake.bodies(), what="the first delivery")

    sqs.send_message(QueueUrl=queue["url"], MessageBody="next")
    eventually(lambda: "next" in fake.bodies(), what="a delivery after the exception")
    eventually(lambda: fake.bodies().count("poison") == 2, what="the raised-on message to come back")
    eventually(lambda: queue_is_empty(sqs, queue["url"]), what="the delete")
    assert runner.alive


def test_a_message_that_keeps_failing_ends_in_the_dead_letter_queue(run, aws, queue):
    fake, sqs = FakeApp(), aws("sqs")
    fake.fail_always.add("doomed")
    sqs.send_message(QueueUrl=queue["url"], MessageBody="doomed")
    run(fake)

    # maxReceiveCount is 3: three deliveries, then SQS (moto) moves it to the DLQ.
    moved = eventually(lambda: sqs.receive_message(QueueUrl=queue["dlq"]).get("Messages"), timeout=15,
                       what="the DLQ")
    assert moved[0]["Body"] == "doomed" and fake.bodies().count("doomed") == 3


# --- DynamoDB stream ---------------------------------------------------------------------------------

def test_a_stream_record_reaches_the_handler_with_the_lambda_shape(run, aws, table):
    fake = FakeApp()
    aws("dynamodb").put_item(TableName=table["name"], Item={"pk": {"S": "a"}, "blob": {"B": b"\x00\x01"}})
    run(fake)

    eventually(lambda: fake.stream_keys() == [["a"]], what="the stream record")
    [batch] = fake.stream_batches
    [record] = batch["records"]
    assert record["eventName"] == "INSERT" and record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"] == table["stream_arn"] and record["awsRegion"] == REGION
    dynamodb = record["dynamodb"]
    assert dynamodb["Keys"] == {"pk": {"S": "a"}}
    assert dynamodb["NewImage"] == {"pk": {"S": "a"}, "blob": {"B": "AAE="}}  # binary as base64, as Lambda sends
    assert isinstance(dynamodb["ApproximateCreationDateTime"], int) and dynamodb["SequenceNumber"]
    json.dumps(record)  # nothing boto3-specific (datetime, bytes) is left
    context = batch["context"]
    assert context.function_name == "fake-local-changes" and context.get_remaining_time_in_millis() > 0
    assert context.invoked_function_arn.endswith(":function:fake-local-changes") and context.aws_request_id

    aws("dynamodb").put_item(TableName=table["name"], Item={"pk": {"S": "b"}})
    eventually(lambda: fake.stream_keys() == [["a"], ["b"]], what="the next record, read on from the iterator")


def test_a_failed_stream_record_is_retried_from_that_record_on(run, aws, table):
    fake, dynamodb = FakeApp(), aws("dynamodb")
    fake.fail_keys_once.add("b")
    for key in "abc":
        dynamodb.put_item(TableName=table["name"], Item={"pk": {"S": key}})
    run(fake)

    eventually(lambda: fake.stream_keys() == [["a", "b", "c"], ["b", "c"]], what="the retry from b")


def test_a_stream_record_that_keeps_failing_is_given_up_after_the_retries(run, aws, table):
    fake, dynamodb = FakeApp(), aws("dynamodb")
    fake.fail_keys_always.add("b")
    for key in "ab":
        dynamodb.put_item(TableName=table["name"], Item={"pk": {"S": key}})
    run(fake, stream_max_retries=2)
    eventually(lambda: len(fake.stream_keys()) == 3, what="the retries")

    dynamodb.put_item(TableName=table["name"], Item={"pk": {"S": "c"}})
    eventually(lambda: fake.stream_keys() == [["a", "b"], ["b"], ["b"], ["c"]], what="moving on")


def test_the_stream_goes_on_after_a_cancelled_transaction(run, aws, table):
    """A cancelled transaction writes no stream record, and the records after it still arrive (moto undoes it
    by putting back a copy of the table; local/moto_server.py keeps the stream readers hold)."""
    fake, dynamodb = FakeApp(), aws("dynamodb")
    dynamodb.put_item(TableName=table["name"], Item={"pk": {"S": "a"}})
    run(fake)
    eventually(lambda: fake.stream_keys() == [["a"]], what="the first record")

    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table["name"], "Item": {"pk": {"S": "never"}}}},
            {"ConditionCheck": {"TableName": table["name"], "Key": {"pk": {"S": "missing"}},
                                "ConditionExpression": "attribute_exists(pk)"}}])
    dynamodb.put_item(TableName=table["name"], Item={"pk": {"S": "b"}})

    eventually(lambda: fake.stream_keys() == [["a"], ["b"]], what="the record written after the cancellation")


# --- schedules ----------------------------------------------------------------------------------------

def test_a_rate_schedule_fires_with_an_eventbridge_event_and_can_be_sped_up(run):
    fake = FakeApp()
    run(fake, schedule_speedup=600)  # rate(1 minute) -> every 0.1 s

    eventually(lambda: len(fake.scheduled) >= 2, what="two firings")
    event = fake.scheduled[0]["event"]
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["resources"] == [f"arn:aws:events:{REGION}:123456789012:rule/fake-local-tick"]
    assert event["time"].endswith("Z") and event["detail"] == {}
    assert fake.scheduled[0]["context"].function_name == "fake-local-tick"


def utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


def test_schedule_expressions():
    at = utc(2026, 11, 23, 10, 15, 30)  # a Monday

    def next_time(expression):
        return schedules.parse(expression).next_after(at)

    assert next_time("rate(5 minutes)") == utc(2026, 11, 23, 10, 20, 30)
    assert schedules.parse("rate(1 day)").sped_up(24).period.total_seconds() == 3600
    assert next_time("cron(0 2 * * ? *)") == utc(2026, 11, 24, 2, 0)
    assert next_time("cron(*/20 * * * ? *)") == utc(2026, 11, 23, 10, 20)
    # EventBridge counts weekdays from Sunday = 1: MON-FRI are 2-6.
    assert next_time("cron(30 9 ? * MON-FRI *)") == utc(2026, 11, 24, 9, 30)
    assert next_time("cron(0 8 ? * 1 *)") == utc(2026, 11, 29, 8, 0)  # Sunday
    assert next_time("cron(0 0 1 JAN ? 2027)") == utc(2027, 1, 1)
    assert next_time("cron(0 0 1 1 ? 2020)") is None
    for unsupported in ("cron(0 0 L * ? *)", "cron(0 0 ? * 2#1 *)", "rate(0 minutes)", "every day", "cron(0 0 * *)"):
        with pytest.raises(schedules.UnsupportedSchedule):
            schedules.parse(unsupported)


def test_several_pollers_share_a_queue_and_each_message_is_delivered_once(run, aws, queue):
    fake, sqs = FakeApp(), aws("sqs")
    delivered_by = set()
    handler = fake.app.handler_map["work"]

    def noting_the_poller(event, context):
        delivered_by.add(threading.current_thread().name)
        return handler(event, context)

    fake.app.handler_map["work"] = noting_the_poller
    fake.fail_once.add("message 7")
    for start in range(0, 150, 10):
        sqs.send_message_batch(QueueUrl=queue["url"], Entries=[
            {"Id": str(n), "MessageBody": f"message {n}"} for n in range(start, start + 10)])
    runner = run(fake, sqs_pollers=3)

    eventually(lambda: len(fake.bodies()) == 151, what="every delivery")
    eventually(lambda: queue_is_empty(sqs, queue["url"]), what="the deletes")
    bodies = fake.bodies()
    assert sorted(bodies) == sorted([f"message {n}" for n in range(150)] + ["message 7"])  # the failure came back
    assert len([t for t in runner._threads if t.name.startswith("events-work-")]) == 3
    assert len(delivered_by) > 1  # not one poller doing it all


def test_settle_waits_until_every_message_and_its_retry_is_handled(run, aws, queue, table):
    fake, sqs = FakeApp(), aws("sqs")
    fake.fail_once.add("message 3")  # comes back after the queue's 1 s visibility timeout
    sqs.send_message_batch(QueueUrl=queue["url"], Entries=[
        {"Id": str(n), "MessageBody": f"message {n}"} for n in range(10)])
    aws("dynamodb").put_item(TableName=table["name"], Item={"pk": {"S": "written before READY"}})
    runner = run(fake)

    assert runner.settle(timeout=30, quiet_seconds=0.5)
    assert sorted(fake.bodies()) == sorted([f"message {n}" for n in range(10)] + ["message 3"])
    assert ["written before READY"] in fake.stream_keys()
    assert queue_is_empty(sqs, queue["url"])


def test_settle_gives_up_at_its_timeout_while_a_message_keeps_failing(run, aws, queue):
    fake, sqs = FakeApp(), aws("sqs")
    fake.fail_always.add("poison")
    sqs.send_message(QueueUrl=queue["url"], MessageBody="poison")
    runner = run(fake)

    assert not runner.settle(timeout=1.5, quiet_seconds=0.5)
