"""moto's DynamoDB as the local runtime, the tests and the bench run it (local/moto_patches.py): a transaction
copies only what it touches, a cancelled one leaves no trace, and nothing keeps discarded copies alive."""
import gc
import time
import uuid

import boto3
import pytest

from local.moto_server import MotoServer
from local.testing import free_port

REGION = "us-east-1"


@pytest.fixture(scope="module")
def dynamodb():
    server = MotoServer(port=free_port()).start()
    yield boto3.client("dynamodb", region_name=REGION, endpoint_url=server.url)
    server.stop()


@pytest.fixture
def table(dynamodb):
    """A table shaped like the helpdesk's: pk/sk, a GSI, a stream of new and old images."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "queue")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "queue", "KeySchema": [{"AttributeName": "queue", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    return name


def stream_records(dynamodb, table):
    streams = boto3.client("dynamodbstreams", region_name=REGION, endpoint_url=dynamodb.meta.endpoint_url)
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=1000)["Records"]
    return [(r["eventName"], r["dynamodb"]["Keys"]["sk"]["S"]) for r in records]


def everything(dynamodb, table):
    items = dynamodb.scan(TableName=table, ConsistentRead=True)["Items"]
    in_queue = dynamodb.query(TableName=table, IndexName="queue", KeyConditionExpression="queue = :q",
                              ExpressionAttributeValues={":q": {"S": "open"}})["Items"]
    key = lambda item: (item["pk"]["S"], item["sk"]["S"])  # noqa: E731
    return sorted(items, key=key), sorted(in_queue, key=key)


def item(sk, **attributes):
    return {"pk": {"S": "ticket"}, "sk": {"S": sk}, **{k: {"S": v} for k, v in attributes.items()}}


def test_a_cancelled_transaction_leaves_items_indexes_and_stream_as_they_were(dynamodb, table):
    dynamodb.put_item(TableName=table, Item=item("a", queue="open", status="open"))
    dynamodb.put_item(TableName=table, Item=item("b", queue="open"))
    before, records_before = everything(dynamodb, table), stream_records(dynamodb, table)

    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": {"pk": {"S": "ticket"}, "sk": {"S": "a"}},
                        "UpdateExpression": "SET #s = :closed REMOVE queue",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":closed": {"S": "closed"}}}},
            {"Delete": {"TableName": table, "Key": {"pk": {"S": "ticket"}, "sk": {"S": "b"}}}},
            {"Put": {"TableName": table, "Item": item("new", queue="open")}},
            {"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": "ticket"}, "sk": {"S": "missing"}},
                                "ConditionExpression": "attribute_exists(pk)"}}])

    assert everything(dynamodb, table) == before
    assert stream_records(dynamodb, table) == records_before == [("INSERT", "a"), ("INSERT", "b")]
    # and the table goes on: the next write is the stream's next record
    dynamodb.put_item(TableName=table, Item=item("c"))
    assert stream_records(dynamodb, table)[-1] == ("INSERT", "c")


def test_a_transaction_that_fails_on_a_later_item_undoes_the_earlier_ones(dynamodb, table):
    """The condition fails on the last operation, after moto applied the first two."""
    dynamodb.put_item(TableName=table, Item=item("counter", n="1"))
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": item("x", queue="open")}},
            {"Update": {"TableName": table, "Key": {"pk": {"S": "ticket"}, "sk": {"S": "counter"}},
                        "UpdateExpression": "SET n = :two", "ExpressionAttributeValues": {":two": {"S": "2"}}}},
            {"Put": {"TableName": table, "Item": item("counter2"),
                     "ConditionExpression": "attribute_exists(pk)"}}])
    assert [i["sk"]["S"] for i in everything(dynamodb, table)[0]] == ["counter"]
    assert dynamodb.get_item(TableName=table, Key={"pk": {"S": "ticket"}, "sk": {"S": "counter"}})["Item"]["n"] == \
        {"S": "1"}
    assert stream_records(dynamodb, table) == [("INSERT", "counter")]


def test_a_committed_transaction_writes_every_item_and_its_stream_records(dynamodb, table):
    dynamodb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": item("a", queue="open")}},
        {"Put": {"TableName": table, "Item": item("b")}}])
    items, in_queue = everything(dynamodb, table)
    assert [i["sk"]["S"] for i in items] == ["a", "b"] and [i["sk"]["S"] for i in in_queue] == ["a"]
    assert stream_records(dynamodb, table) == [("INSERT", "a"), ("INSERT", "b")]


def moto_objects():
    from moto.core.model_instances import model_data
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    gc.collect()
    live = gc.get_objects()
    tracked = sum(len(model.instances_tracked) for service, models in model_data.items()
                  if service not in ("ses", "sns") for model in models.values())
    return {"items": sum(isinstance(o, Item) for o in live), "tables": sum(isinstance(o, Table) for o in live),
            "tracked": tracked}


def test_memory_stays_flat_over_many_transactions_and_queries(dynamodb, table):
    """moto 5.2 alone: n one-item transactions leave n(n+1)/2 items and n+1 tables alive. Here each
    transaction, committed or cancelled, and each query leaves only the items the table holds."""
    def open_ticket(n):
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": item(f"t{n}", queue="open"),
                     "ConditionExpression": "attribute_not_exists(pk)"}}])

    for n in range(10):
        open_ticket(n)
    start = moto_objects()
    for n in range(10, 110):
        open_ticket(n)
        with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
            open_ticket(n)  # already there: cancelled
        dynamodb.query(TableName=table, KeyConditionExpression="pk = :p",
                       ExpressionAttributeValues={":p": {"S": "ticket"}}, Limit=5)
    end = moto_objects()

    assert end["tracked"] == start["tracked"] == 0
    assert end["tables"] == start["tables"]
    # 100 items written, each with its stream record's old/new images: a few objects per item, not n².
    assert end["items"] - start["items"] <= 100 * 3


def test_a_query_on_the_table_key_reads_its_partition_only(dynamodb, table):
    for pk in ("p1", "p2", "p3"):
        for sk in ("1", "2", "3"):
            dynamodb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": sk}})
    answer = dynamodb.query(TableName=table, KeyConditionExpression="pk = :p AND sk > :s", ScanIndexForward=False,
                            ExpressionAttributeValues={":p": {"S": "p2"}, ":s": {"S": "1"}})
    assert [(i["pk"]["S"], i["sk"]["S"]) for i in answer["Items"]] == [("p2", "3"), ("p2", "2")]
    assert answer["ScannedCount"] == 2
    page = dynamodb.query(TableName=table, KeyConditionExpression="pk = :p", Limit=2,
                          ExpressionAttributeValues={":p": {"S": "p3"}})
    rest = dynamodb.query(TableName=table, KeyConditionExpression="pk = :p", ExclusiveStartKey=page["LastEvaluatedKey"],
                          ExpressionAttributeValues={":p": {"S": "p3"}})
    assert [i["sk"]["S"] for i in page["Items"] + rest["Items"]] == ["1", "2", "3"]
    assert dynamodb.query(TableName=table, KeyConditionExpression="pk = :p",
                          ExpressionAttributeValues={":p": {"S": "none"}})["Items"] == []


def test_an_index_query_reads_the_items_that_have_the_value_after_every_kind_of_write(dynamodb, table):
    """Index queries read a map of the index's values, kept by each write: what they return is what a walk
    of the whole table finds (moto's way), after puts, updates that set, change or remove the index's key,
    deletes, batch writes and a cancelled transaction."""
    def in_queue(value):
        answer = dynamodb.query(TableName=table, IndexName="queue", KeyConditionExpression="queue = :q",
                                ExpressionAttributeValues={":q": {"S": value}})
        return sorted(i["sk"]["S"] for i in answer["Items"])

    def walked(value):
        items = dynamodb.scan(TableName=table, ConsistentRead=True)["Items"]
        return sorted(i["sk"]["S"] for i in items if i.get("queue") == {"S": value})

    def key(sk):
        return {"pk": {"S": "ticket"}, "sk": {"S": sk}}

    def set_queue(sk, value):
        dynamodb.update_item(TableName=table, Key=key(sk), UpdateExpression="SET queue = :q",
                             ExpressionAttributeValues={":q": {"S": value}})

    dynamodb.put_item(TableName=table, Item=item("a", queue="open"))
    assert in_queue("open") == ["a"]  # the first index query builds the map
    dynamodb.put_item(TableName=table, Item=item("b", queue="open"))
    dynamodb.put_item(TableName=table, Item=item("c"))
    set_queue("c", "open")  # gains the key
    set_queue("a", "closed")  # changes it
    dynamodb.update_item(TableName=table, Key=key("b"), UpdateExpression="REMOVE queue")  # loses it
    set_queue("new", "open")  # an update that creates the item
    assert in_queue("open") == walked("open") == ["c", "new"]
    assert in_queue("closed") == walked("closed") == ["a"]
    dynamodb.put_item(TableName=table, Item=item("c", queue="closed"))  # a put over an item
    dynamodb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item("d", queue="open")}},
                                                    {"DeleteRequest": {"Key": key("new")}}]})
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": key("d"), "UpdateExpression": "SET queue = :q",
                        "ExpressionAttributeValues": {":q": {"S": "closed"}}}},
            {"Put": {"TableName": table, "Item": item("e", queue="open")}},
            {"ConditionCheck": {"TableName": table, "Key": key("missing"),
                                "ConditionExpression": "attribute_exists(pk)"}}])
    dynamodb.delete_item(TableName=table, Key=key("a"))

    assert in_queue("open") == walked("open") == ["d"]
    assert in_queue("closed") == walked("closed") == ["c"]
    assert in_queue("nothing") == []


def test_a_topic_remembers_its_last_messages_only(dynamodb):
    from local.moto_patches import TOPIC_HISTORY
    from moto.sns import sns_backends

    sns = boto3.client("sns", region_name=REGION, endpoint_url=dynamodb.meta.endpoint_url)
    arn = sns.create_topic(Name=f"t-{uuid.uuid4().hex[:8]}")["TopicArn"]
    for n in range(TOPIC_HISTORY + 20):
        sns.publish(TopicArn=arn, Message=f"event {n}")
    history = sns_backends["123456789012"][REGION].topics[arn].sent_notifications
    assert [message for _, message, *_ in history][-1] == f"event {TOPIC_HISTORY + 19}"
    assert len(history) == TOPIC_HISTORY


def test_items_share_their_attribute_names(dynamodb, table):
    from moto.dynamodb.models import dynamodb_backends

    for sk in ("x", "y"):
        dynamodb.put_item(TableName=table, Item=item(sk, **{"a_long_attribute_name": "1"}))
    stored = dynamodb_backends["123456789012"][REGION].tables[table].items
    names = [next(k for k in stored[next(iter(stored))][i].attrs if k == "a_long_attribute_name")
             for i in list(stored[next(iter(stored))])]
    assert len(names) == 2 and names[0] is names[1]


def test_stream_iterators_expire_instead_of_piling_up(dynamodb, table, monkeypatch):
    """Every GetRecords hands out a new iterator; moto kept them all (the event runner polls 4 times a second)."""
    from local import moto_patches
    from moto.dynamodbstreams import dynamodbstreams_backends

    monkeypatch.setattr(moto_patches, "ITERATOR_LIFETIME_SECONDS", 0.5)
    streams = boto3.client("dynamodbstreams", region_name=REGION, endpoint_url=dynamodb.meta.endpoint_url)
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    dynamodb.put_item(TableName=table, Item=item("a"))
    for _ in range(20):
        page = streams.get_records(ShardIterator=iterator)
        iterator = page["NextShardIterator"]
    time.sleep(0.6)
    dynamodb.put_item(TableName=table, Item=item("b"))
    page = streams.get_records(ShardIterator=iterator)  # the newest still works
    assert [r["dynamodb"]["Keys"]["sk"]["S"] for r in page["Records"]] == ["b"]
    held = dynamodbstreams_backends["123456789012"][REGION].shard_iterators
    assert len([a for a in held if a.startswith(arn.rsplit("/stream/", 1)[0])]) == 1


def with_ttl(dynamodb, table, attribute="expires_at"):
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute})


def ttl_item(sk, expires_at=None, queue="open", kind="N"):
    found = item(sk, queue=queue)
    if expires_at is not None:
        found["expires_at"] = {kind: str(expires_at)}
    return found


def test_expired_items_go_with_their_index_entries_and_unexpired_ones_stay(dynamodb, table):
    from local.moto_patches import expire_items

    now = 1_800_000_000
    with_ttl(dynamodb, table)
    for entry in (ttl_item("expired", now - 60), ttl_item("expires-now", now), ttl_item("later", now + 1),
                  ttl_item("no-ttl"), ttl_item("ttl-as-text", now - 60, kind="S"),
                  ttl_item("six-years-ago", now - 6 * 365 * 24 * 3600)):
        dynamodb.put_item(TableName=table, Item=entry)
    everything(dynamodb, table)  # the index's map is built: it must follow the deletions

    assert expire_items(now, {table}) == 2

    items, in_queue = everything(dynamodb, table)
    kept = ["later", "no-ttl", "six-years-ago", "ttl-as-text"]
    assert [i["sk"]["S"] for i in items] == kept and [i["sk"]["S"] for i in in_queue] == kept
    assert expire_items(now, {table}) == 0


def test_a_ttl_deletion_leaves_a_remove_record_marked_as_the_service(dynamodb, table):
    from local.events import stream_record
    from local.moto_patches import expire_items

    with_ttl(dynamodb, table)
    dynamodb.put_item(TableName=table, Item=ttl_item("session", expires_at=1000))
    dynamodb.delete_item(TableName=table, Key={"pk": {"S": "ticket"}, "sk": {"S": "session"}})  # by a user
    dynamodb.put_item(TableName=table, Item=ttl_item("session", expires_at=1000))
    expire_items(2000, {table})

    streams = boto3.client("dynamodbstreams", region_name=REGION, endpoint_url=dynamodb.meta.endpoint_url)
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    assert [(r["eventName"], "userIdentity" in r) for r in records] == [
        ("INSERT", False), ("REMOVE", False), ("INSERT", False), ("REMOVE", True)]
    assert records[-1]["dynamodb"]["OldImage"]["expires_at"] == {"N": "1000"}
    # As Lambda hands it to a stream handler:
    assert stream_record(records[-1], arn, REGION)["userIdentity"] == {
        "type": "Service", "principalId": "dynamodb.amazonaws.com"}


def test_nothing_expires_in_a_table_without_ttl_or_with_it_switched_off(dynamodb, table):
    from local.moto_patches import expire_items

    dynamodb.put_item(TableName=table, Item=ttl_item("old", expires_at=1000))
    assert expire_items(2000, {table}) == 0
    with_ttl(dynamodb, table)
    dynamodb.update_time_to_live(TableName=table,
                                 TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires_at"})
    assert expire_items(2000, {table}) == 0
    assert [i["sk"]["S"] for i in everything(dynamodb, table)[0]] == ["old"]


def test_a_queue_hands_each_message_to_one_of_its_receivers(dynamodb):
    """moto checked a message's visibility and marked it received in two steps: receivers racing each other
    both got it."""
    import collections
    import threading

    endpoint = dynamodb.meta.endpoint_url
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=endpoint)
    url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}", Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
    for start in range(0, 400, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": str(start + n)} for n in range(10)])
    received, lock = collections.Counter(), threading.Lock()

    def receiver():
        client = boto3.client("sqs", region_name=REGION, endpoint_url=endpoint)
        while messages := client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            with lock:
                received.update(m["Body"] for m in messages)

    receivers = [threading.Thread(target=receiver) for _ in range(8)]
    for thread in receivers:
        thread.start()
    for thread in receivers:
        thread.join()
    assert len(received) == 400 and set(received.values()) == {1}


def test_a_queue_remembers_the_receipts_of_its_recently_deleted_messages_only(dynamodb, monkeypatch):
    from local import moto_patches
    from moto.sqs.models import sqs_backends

    monkeypatch.setattr(moto_patches, "DELETED_RECEIPTS_KEPT", 5)
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=dynamodb.meta.endpoint_url)
    name = f"q-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    handles = []
    for n in range(8):
        sqs.send_message(QueueUrl=url, MessageBody=str(n))
        [message] = sqs.receive_message(QueueUrl=url)["Messages"]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        handles.append(message["ReceiptHandle"])

    sqs.delete_message(QueueUrl=url, ReceiptHandle=handles[-1])  # deleting again still succeeds, as in SQS
    remembered = set(sqs_backends["123456789012"][REGION].queues[name].deleted_messages)
    assert len(remembered) == 5 and set(handles[-4:]) <= remembered and not set(handles[:3]) & remembered
