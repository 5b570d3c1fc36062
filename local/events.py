"""The event runner: delivers locally the events that Lambda's event sources deliver in AWS.

`chalice local` serves HTTP only, so without this nothing would ever read the table's stream, the SQS
queues or fire the schedules. For each event source the Chalice app declares, one thread polls moto and
calls the same handler object Lambda would call (`app.handler_map[name]`, i.e. `app.<function>`) with
a Lambda-shaped event and a fake Lambda context, keeping Lambda's delivery rules:

- SQS: batches of up to 10; with ReportBatchItemFailures, the messages not reported as failed are
  deleted; a handler that raises deletes none. Undeleted messages reappear after the queue's visibility
  timeout and moto moves them to the DLQ after the redrive policy's maxReceiveCount (as SQS does).
- DynamoDB stream: reads every shard from the configured starting position; a batch with failures is
  retried from the first failed record, a bounded number of times, then skipped with an error log (in
  AWS the records would go to the on-failure destination).
- Schedules: `rate(...)`, sped up by LOCAL_SCHEDULE_SPEEDUP; a subset of `cron(...)` at real times.

A failing handler or a failing poll is logged and never stops the runner.
"""
from __future__ import annotations

import base64
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from chalice.app import (
    CloudWatchEventConfig, DynamoDBEventConfig, KinesisEventConfig, S3EventConfig, ScheduledEventConfig,
    SNSEventConfig, SQSEventConfig,
)

from local import schedules

log = logging.getLogger(__name__)

ACCOUNT_ID = "123456789012"  # moto's account
# Chalice's decorators take literal queue names; locally the provisioned queues are found through these.
QUEUE_URL_ENV = {"notifications": "NOTIFICATIONS_QUEUE_URL", "alerts": "ALERTS_QUEUE_URL",
                 "inbound-mail": "INBOUND_MAIL_QUEUE_URL", "uploads": "UPLOADS_QUEUE_URL",
                 "stats": "STATS_QUEUE_URL", "search-index.fifo": "SEARCH_QUEUE_URL",
                 "kb-publish.fifo": "KB_QUEUE_URL"}
# The one table with a stream; every @app.on_dynamodb_record handler reads it.
STREAM_ARN_ENV = "HELPDESK_STREAM_ARN"
SPEEDUP_ENV = "LOCAL_SCHEDULE_SPEEDUP"
# Receivers per queue, as Lambda polls a queue with several pollers at once (it starts with five): one's
# batch is received (and the last one's deleted) while another's is handled. Bounded: the handlers still
# run one at a time (see invoke).
SQS_POLLERS = 3


# --- the Lambda invocation -------------------------------------------------------------------------

@dataclass
class FakeLambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""
    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 512
    timeout_seconds: float = 60.0
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "local"
    _started: float = field(default_factory=time.monotonic, repr=False)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


def lambda_context(app_name: str, handler_name: str, region: str) -> FakeLambdaContext:
    function_name = f"{app_name}-local-{handler_name}"  # how Chalice names a stage's functions
    return FakeLambdaContext(
        function_name=function_name,
        invoked_function_arn=f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{function_name}",
        log_group_name=f"/aws/lambda/{function_name}")


# Lambda runs each function in its own process. Here the handlers share one process, and with it
# Powertools' logger (context keys) and metrics (flushed per invocation): one invocation at a time keeps
# each handler's logs and metrics its own.
_one_invocation_at_a_time = threading.Lock()


def invoke(app, handler_name: str, event: dict, region: str) -> Any:
    # handler_map holds what Lambda calls (the decorated function with its middleware), for blueprints too.
    with _one_invocation_at_a_time:
        return app.handler_map[handler_name](event, lambda_context(app.app_name, handler_name, region))


def failed_item_ids(result: Any, batch_ids: list[str]) -> set[str]:
    """Lambda's ReportBatchItemFailures contract: the listed ids failed. No report, an empty one or a
    response that is not an object is full success (handlers that do not report may return anything);
    a malformed list or an id that is not in the batch fails the whole batch."""
    if not isinstance(result, dict) or not result.get("batchItemFailures"):
        return set()
    failures = result["batchItemFailures"]
    if not isinstance(failures, list):
        return set(batch_ids)
    ids = {f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures}
    return ids if ids <= set(batch_ids) else set(batch_ids)


# --- event shapes ------------------------------------------------------------------------------------

def _base64_bytes(value: Any) -> Any:
    """boto3 decodes binary attributes to bytes; Lambda events carry them base64-encoded."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: _base64_bytes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_base64_bytes(v) for v in value]
    return value


def stream_record(record: dict, stream_arn: str, region: str) -> dict:
    """A Lambda DynamoDB-stream record from a `get_records` record."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):  # boto3 parses it; Lambda sends epoch seconds
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    shaped = {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion", region),
        "dynamodb": _base64_bytes(dynamodb),
        "eventSourceARN": stream_arn,
    }
    if "userIdentity" in record:  # TTL deletions: Streams says {"Type", "PrincipalId"}, Lambda's event {"type", ...}
        shaped["userIdentity"] = {name[:1].lower() + name[1:]: value for name, value in record["userIdentity"].items()}
    return shaped


def _message_attribute(value: dict) -> dict:
    shaped = {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
    if "StringValue" in value:
        shaped["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        shaped["binaryValue"] = _base64_bytes(value["BinaryValue"])
    return shaped


def sqs_record(message: dict, queue_arn: str, region: str) -> dict:
    """A Lambda SQS record from a `receive_message` message."""
    shaped = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {name: _message_attribute(v) for name, v in message.get("MessageAttributes", {}).items()},
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        shaped["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return shaped


def scheduled_event(rule_name: str, region: str, at: datetime) -> dict:
    """An EventBridge "Scheduled Event", as a rule's Lambda target receives it."""
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
        "account": ACCOUNT_ID, "time": at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region, "resources": [f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{rule_name}"], "detail": {},
    }


# --- pollers: each `poll()` does one round and says whether it found work ------------------------------

def _client(service: str, region: str, endpoint_url: str | None):
    # endpoint_url None: boto3 honours AWS_ENDPOINT_URL, which the local runtime points at moto.
    import boto3
    return boto3.session.Session().client(service, region_name=region, endpoint_url=endpoint_url)


class QueuePoller:
    def __init__(self, app, handler_name: str, queue_url: str, *, region: str, endpoint_url: str | None = None,
                 batch_size: int = 10, wait_seconds: int = 1) -> None:
        self.app, self.handler_name, self.queue_url, self.region = app, handler_name, queue_url, region
        self.batch_size, self.wait_seconds = min(batch_size, 10), wait_seconds  # SQS gives at most 10
        self._sqs = _client("sqs", region, endpoint_url)
        self._queue_arn: str | None = None
        self.last_delivery = 0.0  # time.monotonic() of the last batch handed to the handler

    def describe(self) -> str:
        return f"{self.handler_name} <- SQS {self.queue_url}"

    def poll(self) -> bool:
        if self._queue_arn is None:
            self._queue_arn = self._sqs.get_queue_attributes(
                QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        messages = self._sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=self.batch_size, WaitTimeSeconds=self.wait_seconds,
            AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
        if not messages:
            return False
        self.last_delivery = time.monotonic()
        event = {"Records": [sqs_record(m, self._queue_arn, self.region) for m in messages]}
        ids = [m["MessageId"] for m in messages]
        try:
            failed = failed_item_ids(invoke(self.app, self.handler_name, event, self.region), ids)
        except Exception:
            log.exception("%s raised on %d message(s); none deleted, they come back after the visibility "
                          "timeout", self.handler_name, len(messages))
            return True
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
        if failed:
            log.warning("%s failed %d of %d message(s); they come back after the visibility timeout",
                        self.handler_name, len(failed), len(messages))
        return True


class StreamPoller:
    def __init__(self, app, handler_name: str, stream_arn: str, *, region: str, endpoint_url: str | None = None,
                 batch_size: int = 100, starting_position: str = "TRIM_HORIZON", max_retries: int = 3,
                 retry_delay_seconds: float = 1.0, stopping: threading.Event | None = None) -> None:
        self.app, self.handler_name, self.stream_arn, self.region = app, handler_name, stream_arn, region
        self.batch_size, self.starting_position = batch_size, starting_position
        self.max_retries, self.retry_delay_seconds = max_retries, retry_delay_seconds
        self._stopping = stopping or threading.Event()
        self._streams = _client("dynamodbstreams", region, endpoint_url)
        self._iterators: dict[str, str] = {}  # open shard id -> where to read next
        self._finished: set[str] = set()  # closed shards already read to the end
        self._look_for_shards = True
        # shard id -> sequence number of the last record done with (delivered, or given up on): what Lambda's
        # event source mapping checkpoints; the local stack drops records up to it (local/state.py).
        self.done: dict[str, int] = {}
        self.last_delivery = 0.0  # time.monotonic() of the last records handed to the handler

    def describe(self) -> str:
        return f"{self.handler_name} <- DynamoDB stream {self.stream_arn}"

    def poll(self) -> bool:
        if self._look_for_shards or not self._iterators:
            self._open_new_shards()
            self._look_for_shards = False
        found = False
        for shard_id, iterator in list(self._iterators.items()):
            page = self._streams.get_records(ShardIterator=iterator, Limit=self.batch_size)
            if page.get("NextShardIterator"):
                self._iterators[shard_id] = page["NextShardIterator"]
            else:  # the shard was closed (split): read its children from the next round on
                del self._iterators[shard_id]
                self._finished.add(shard_id)
                self._look_for_shards = True
            if page["Records"]:
                found = True
                self.last_delivery = time.monotonic()
                if self._deliver([stream_record(r, self.stream_arn, self.region) for r in page["Records"]]):
                    self.done[shard_id] = int(page["Records"][-1]["dynamodb"]["SequenceNumber"])
        return found

    def _open_new_shards(self) -> None:
        first_time = not self._finished and not self._iterators
        shards, start_after = [], None
        while True:
            kwargs = {"ExclusiveStartShardId": start_after} if start_after else {}
            description = self._streams.describe_stream(StreamArn=self.stream_arn, **kwargs)["StreamDescription"]
            shards += description.get("Shards", [])
            start_after = description.get("LastEvaluatedShardId")
            if not start_after:
                break
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id in self._finished or shard_id in self._iterators:
                continue
            # The configured position applies to the stream as first seen; later shards are read whole.
            position = self.starting_position if first_time else "TRIM_HORIZON"
            self._iterators[shard_id] = self._streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=position)["ShardIterator"]

    def _deliver(self, records: list[dict]) -> bool:
        """True when done with the records (delivered, or given up on); False if stopped before."""
        pending = records
        for attempt in range(self.max_retries + 1):
            ids = [r["dynamodb"]["SequenceNumber"] for r in pending]
            try:
                failed = failed_item_ids(invoke(self.app, self.handler_name, {"Records": pending}, self.region), ids)
            except Exception:
                log.exception("%s raised on %d stream record(s)", self.handler_name, len(pending))
                failed = set(ids)
            if not failed:
                return True
            # As Lambda does: records before the first failure are done; retry from that one on.
            pending = pending[min(ids.index(i) for i in failed):]
            if attempt < self.max_retries:
                log.warning("%s failed stream records from %s; retry %d of %d", self.handler_name,
                            pending[0]["dynamodb"]["SequenceNumber"], attempt + 1, self.max_retries)
                if self._stopping.wait(self.retry_delay_seconds * (attempt + 1)):
                    return False
        log.error("%s: gave up on %d stream record(s) (sequence numbers %s..%s); in AWS they would go to the "
                  "on-failure destination", self.handler_name, len(pending),
                  pending[0]["dynamodb"]["SequenceNumber"], pending[-1]["dynamodb"]["SequenceNumber"])
        return True


class ScheduleTimer:
    def __init__(self, app, handler_name: str, schedule, *, region: str) -> None:
        self.app, self.handler_name, self.schedule, self.region = app, handler_name, schedule, region
        self.rule_name = f"{app.app_name}-local-{handler_name}"

    def run(self, stopping: threading.Event) -> None:
        next_at = self.schedule.next_after(_now())
        while next_at is not None and not stopping.wait(max(0.0, (next_at - _now()).total_seconds())):
            try:
                invoke(self.app, self.handler_name, scheduled_event(self.rule_name, self.region, next_at), self.region)
            except Exception:
                log.exception("scheduled %s raised", self.handler_name)
            # From the later of the planned time and now: a slow run skips the missed firings.
            next_at = self.schedule.next_after(max(next_at, _now()))


def _now() -> datetime:
    return datetime.now(timezone.utc)


# --- the runner ----------------------------------------------------------------------------------------

class EventRunner:
    """One thread per event source of `app`. `queue_urls` maps a queue name (as in the decorator) to its
    URL; `stream_arns` maps a stream handler's name to the stream it reads."""

    def __init__(self, app, *, queue_urls: Mapping[str, str], stream_arns: Mapping[str, str],
                 region: str = "us-east-1", endpoint_url: str | None = None, schedule_speedup: float = 1.0,
                 sqs_wait_seconds: int = 1, stream_idle_seconds: float = 0.25, stream_max_retries: int = 3,
                 retry_delay_seconds: float = 1.0, sqs_pollers: int = SQS_POLLERS) -> None:
        self.app, self.region, self.endpoint_url = app, region, endpoint_url
        self.sqs_pollers = max(1, sqs_pollers)
        self.queue_urls, self.stream_arns = dict(queue_urls), dict(stream_arns)
        self.schedule_speedup = schedule_speedup
        self.sqs_wait_seconds, self.stream_idle_seconds = sqs_wait_seconds, stream_idle_seconds
        self.stream_max_retries, self.retry_delay_seconds = stream_max_retries, retry_delay_seconds
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._stream_pollers: list[StreamPoller] = []
        self._queue_pollers: list[QueuePoller] = []
        self.sources: list[str] = []  # what is being delivered, for the log and the banner

    @classmethod
    def from_environment(cls, app, environ: Mapping[str, str] = os.environ, **options) -> "EventRunner":
        stream_arn = environ.get(STREAM_ARN_ENV)
        return cls(
            app,
            queue_urls={queue: environ[var] for queue, var in QUEUE_URL_ENV.items() if environ.get(var)},
            stream_arns={source.name: stream_arn for source in app.event_sources
                         if isinstance(source, DynamoDBEventConfig) and stream_arn},
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            endpoint_url=environ.get("AWS_ENDPOINT_URL"),
            schedule_speedup=float(environ.get(SPEEDUP_ENV) or 1), **options)

    def start(self) -> "EventRunner":
        for source in self.app.event_sources:
            worker = self._worker_for(source)
            for name, target in [worker] if isinstance(worker, tuple) else worker or ():
                thread = threading.Thread(target=target, name=f"events-{name}", daemon=True)
                thread.start()
                self._threads.append(thread)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Lets each worker finish the batch it holds, `timeout` seconds for all of them together."""
        self._stopping.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("%s did not stop within %ss", thread.name, timeout)
        self._threads.clear()

    def stream_checkpoints(self) -> dict[str, dict[str, int]]:
        """{stream ARN: {shard id: sequence number of the last record that every reader is done with}}."""
        checkpoints: dict[str, dict[str, int]] = {}
        for arn in {poller.stream_arn for poller in self._stream_pollers}:
            readers = [dict(poller.done) for poller in self._stream_pollers if poller.stream_arn == arn]
            shards = set.intersection(*(set(done) for done in readers))
            checkpoints[arn] = {shard: min(done[shard] for done in readers) for shard in shards}
        return checkpoints

    def settle(self, timeout: float = 180.0, quiet_seconds: float = 2.0) -> bool:
        """Wait until every queue is empty (nothing visible, in flight or delayed) and nothing was delivered from a
        queue or the stream for `quiet_seconds`: what was just written has reached every consumer (the demo data's
        mail, search index and report figures). False if that did not happen within `timeout`."""
        sqs = _client("sqs", self.region, self.endpoint_url)
        counts = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                  "ApproximateNumberOfMessagesDelayed"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self._stopping.is_set():
            pollers = [*self._queue_pollers, *self._stream_pollers]
            quiet = time.monotonic() - max((p.last_delivery for p in pollers), default=0.0) >= quiet_seconds
            if quiet and not any(int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=counts)["Attributes"][name])
                                 for url in self.queue_urls.values() for name in counts):
                return True
            self._stopping.wait(0.5)
        return False

    @property
    def alive(self) -> bool:
        return bool(self._threads) and all(t.is_alive() for t in self._threads)

    def _worker_for(self, source) -> tuple[str, Callable[[], None]] | list[tuple[str, Callable[[], None]]] | None:
        name = source.name
        if isinstance(source, SQSEventConfig):
            queue = source.queue or (source.queue_arn or "").rsplit(":", 1)[-1]
            if queue not in self.queue_urls:
                return self._skip(name, f"no URL for queue {queue!r} (see QUEUE_URL_ENV in local/events.py)")
            # Several receivers of one queue: moto hands each message to one (local/moto_patches.py, 8), and
            # each deletes or leaves what it received, by the rules of QueuePoller.poll.
            # A FIFO queue gets one: Lambda hands a message group to one batch at a time, in order.
            receivers = 1 if queue.endswith(".fifo") else self.sqs_pollers
            pollers = [QueuePoller(self.app, name, self.queue_urls[queue], region=self.region,
                                   endpoint_url=self.endpoint_url, batch_size=source.batch_size,
                                   wait_seconds=self.sqs_wait_seconds) for _ in range(receivers)]
            self._queue_pollers += pollers
            self.sources.append(f"{pollers[0].describe()} ({len(pollers)} pollers)")
            # receive_message long-polls itself; a short poll (tests: quick to stop) needs a pause.
            return [self._polling(f"{name}-{n}", poller, idle_seconds=0 if self.sqs_wait_seconds else 0.05,
                                  described=True) for n, poller in enumerate(pollers, 1)]
        if isinstance(source, DynamoDBEventConfig):
            if name not in self.stream_arns:
                return self._skip(name, f"no stream ARN (set {STREAM_ARN_ENV})")
            poller = StreamPoller(self.app, name, self.stream_arns[name], region=self.region,
                                  endpoint_url=self.endpoint_url, batch_size=source.batch_size,
                                  starting_position=source.starting_position, max_retries=self.stream_max_retries,
                                  retry_delay_seconds=self.retry_delay_seconds, stopping=self._stopping)
            self._stream_pollers.append(poller)
            return self._polling(name, poller, idle_seconds=self.stream_idle_seconds)
        if isinstance(source, ScheduledEventConfig):
            expression = source.schedule_expression
            expression = expression if isinstance(expression, str) else expression.to_string()
            try:
                schedule = schedules.parse(expression)
            except schedules.UnsupportedSchedule as exc:
                return self._skip(name, f"schedule not supported locally: {exc}")
            if isinstance(schedule, schedules.RateSchedule) and self.schedule_speedup != 1:
                schedule = schedule.sped_up(self.schedule_speedup)
            elif self.schedule_speedup != 1:
                log.info("%s: %s runs at real times (%s applies to rate() only)", name, expression, SPEEDUP_ENV)
            timer = ScheduleTimer(self.app, name, schedule, region=self.region)
            self.sources.append(f"{name} <- {expression}")
            return name, lambda: timer.run(self._stopping)
        if isinstance(source, (SNSEventConfig, S3EventConfig, KinesisEventConfig, CloudWatchEventConfig)):
            return self._skip(name, f"{type(source).__name__} is not delivered locally")
        return None

    def _skip(self, name: str, why: str) -> None:
        log.warning("event handler %s will not fire locally: %s", name, why)
        return None

    def _polling(self, name: str, poller, idle_seconds: float,
                 described: bool = False) -> tuple[str, Callable[[], None]]:
        if not described:
            self.sources.append(poller.describe())

        def loop() -> None:
            while not self._stopping.is_set():
                try:
                    found = poller.poll()
                except Exception:
                    # moto hiccup or a bug here: log, back off, keep going (Lambda's pollers never give up).
                    log.exception("polling for %s failed", name)
                    found = False
                    self._stopping.wait(1.0)
                if not found and idle_seconds:
                    self._stopping.wait(idle_seconds)
        return name, loop
