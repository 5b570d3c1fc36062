"""Fixes to moto 5.2's DynamoDB, applied in process by `apply()` (MotoServer.start calls it, so `make run`,
the tests and the bench all run the same moto). Each one is written up in docs/local.md.

1. Transactions snapshot only the items they touch. moto's TransactWriteItems deep-copies every table a
   transaction names, to put it back if the transaction is cancelled: each transaction costs time and
   memory in proportion to the whole table. Here the copy of the table is skipped (moto's own rollback then
   puts back the same table object: a no-op) and the items the transaction writes are saved before and put
   back after a cancellation, with the table's stream cut back to where it was: a cancelled transaction
   leaves no item, no index entry (moto's indexes are computed from the items) and no stream record.
2. Only SES's and SNS's objects are tracked. moto keeps every instance of every model class alive in
   `moto.core.model_instances` (for /moto-api/data.json): every table copy, every item a query returned
   (queries deep-copy their results), every stream record, every SQS message ever sent, every S3 object
   ever written (the search index is rewritten often). The local outbox reads SES and SNS only (the mail
   and SMS sent), so the other services' classes stop registering their instances.
3. A Query reads one partition. moto walks (and sorts) every item of the table for each Query; DynamoDB
   reads only the partition, and so does this one: the table's by its key, a global secondary index's
   through a map of its key values to the items that have them (_IndexPartitions), kept by every write.
4. An SNS topic remembers its last TOPIC_HISTORY messages, not all. moto keeps every message published to
   a topic (`Topic.sent_notifications`, for tests that inspect moto's internals); the ticket-events topic
   gets several per ticket. Nothing here reads them (subscribers got them), and the outbox leaves them out.
5. Items share their attribute names. moto keeps each item's attribute names as the strings parsed from
   its request: one copy per item and attribute; here one per name.
6. Stream shard iterators expire after 15 minutes, as in DynamoDB Streams. moto keeps every iterator it
   ever handed out, and every GetRecords hands out one: the event runner's 4 polls a second piled up
   ~350 MB a day.
7. Items expire by TTL (`expire_items()`, not a patch: the local runtime calls it every TTL_SWEEP_SECONDS, see
   local/runtime.py): moto keeps every item whose TTL has passed; DynamoDB deletes them in the background,
   each with a REMOVE stream record marked as the service's.
8. A queue hands a message to one receiver. moto's ReceiveMessage checks that a message is visible, then
   marks it received: two receivers of one queue (the event runner's several pollers) could both get it.
   Here receives of one queue take turns, as SQS's own bookkeeping is atomic.
9. A queue remembers the receipt handles of its last DELETED_RECEIPTS_KEPT deleted messages, not all. moto
   keeps every handle of every message ever deleted (so that deleting twice succeeds, as in SQS): ~8 a ticket.
10. moto's server lists its own package folder once, not on every request. To find the service a request is
   for, it checks the Host header against `list_of_moto_modules()`, which lists moto's ~150 folders with a
   stat each: about a tenth of the server's time while the demo data's events are handled.
"""
from __future__ import annotations

import collections
import copy
import threading
from typing import Any

TOPIC_HISTORY = 100
_applied = False
_lock = threading.Lock()


def apply() -> None:
    """Idempotent; safe from several threads."""
    global _applied
    with _lock:
        if _applied:
            return
        _snapshot_only_touched_items()
        _track_only_what_the_outbox_reads()
        _query_one_partition()
        _bounded_topic_history()
        _one_copy_of_each_attribute_name()
        _shard_iterators_expire()
        _one_receive_at_a_time_per_queue()
        _recent_deleted_receipts_only()
        _moto_modules_listed_once()
        _applied = True


class _CopyExceptTables:
    """Stands in for the `copy` module inside moto.dynamodb.models: deepcopy hands a Table back as it is."""

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, self._table_type) else copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _snapshot_only_touched_items() -> None:
    import moto.dynamodb.models as models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    models.copy = _CopyExceptTables(Table)
    transact = DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items: list[dict[str, Any]]) -> None:
        saved = []  # (table, hash, range, the item before or None), in the transaction's order
        streams = {}  # table name -> (table, its shard, its length before)
        for entry in transact_items if isinstance(transact_items, list) else ():
            for op_type, op in entry.items():
                table = self.tables.get(op.get("TableName")) if isinstance(op, dict) else None
                if table is None or op_type not in ("Put", "Delete", "Update"):
                    continue
                try:
                    key = op["Key"] if op_type != "Put" else {a: op["Item"][a] for a in table.table_key_attrs}
                    hash_value, range_value = self.get_keys_value(table, key)
                    before = table.get_item(hash_value, range_value)
                except Exception:  # a malformed operation: moto rejects the transaction before writing
                    continue
                saved.append((table, hash_value, range_value, copy.deepcopy(before)))
                if table.stream_shard is not None and table.name not in streams:
                    streams[table.name] = (table, table.stream_shard, len(table.stream_shard.items))
        try:
            return transact(self, transact_items)
        except Exception:
            for table, hash_value, range_value, before in reversed(saved):
                _put_back(table, hash_value, range_value, before)
            for table, shard, length in streams.values():
                del shard.items[length:]
                table.stream_shard, shard.table = shard, table
            raise

    transact_write_items.__doc__ = transact.__doc__
    DynamoDBBackend.transact_write_items = transact_write_items


def _put_back(table, hash_value, range_value, before) -> None:
    partitions = _IndexPartitions.if_built(table)
    if partitions is not None:
        partitions.remove(_stored(table, hash_value, range_value))
        partitions.add(before)
    if range_value is None:
        if before is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = before
        return
    partition = table.items[hash_value]
    if before is None:
        partition.pop(range_value, None)
        if not partition:
            del table.items[hash_value]
    else:
        partition[range_value] = before


# What the local outbox (/_local/outbox.json) reads: the mail and SMS "sent".
TRACKED_SERVICES = ("ses", "sns")


def _tracked_new(cls, *args: Any, **kwargs: Any):
    instance = object.__new__(cls)
    if cls.__module__.split(".")[1] in TRACKED_SERVICES:  # as InstanceTrackerMeta names the service
        cls.instances_tracked.append(instance)
    return instance


def _track_only_what_the_outbox_reads() -> None:
    from moto.core.common_models import BaseModel
    from moto.core.model_instances import model_data

    BaseModel.__new__ = staticmethod(_tracked_new)  # every model class inherits it, those not imported yet too
    for service, models in model_data.items():
        if service not in TRACKED_SERVICES:
            for cls in models.values():
                cls.instances_tracked.clear()


def _query_one_partition() -> None:
    """Key queries read the table's partition; index queries the index's (see _IndexPartitions)."""
    from moto.dynamodb.models.table import LocalSecondaryIndex, Table

    query, all_items = Table.query, Table.all_items
    current = threading.local()  # (table, the items of the partition) while one of its queries runs

    def walked_items(self):
        partition = getattr(current, "partition", None)
        if partition is not None and partition[0] is self:
            return partition[1]
        return all_items(self)

    def table_partition(self, hash_key) -> list:
        partition = self.items.get(hash_key)
        if partition is None:
            return []
        return list(partition.values()) if self.range_key_attr else [partition]

    def query_partition(self, hash_key, *args, **kwargs):
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        found = None
        if hash_key is not None and index_name is None:
            found = table_partition(self, hash_key)
        elif hash_key is not None and len(kwargs.get("hash_key_conditions") or ()) <= 1:
            index = next((i for i in self.all_indexes() if i.name == index_name), None)
            if isinstance(index, LocalSecondaryIndex):
                found = table_partition(self, hash_key)
            elif index is not None:
                found = _IndexPartitions.of(self).items(self, index_name, hash_key)
        if found is None:  # an index moto would reject, or a key of several attributes: moto's own walk
            return query(self, hash_key, *args, **kwargs)
        current.partition = (self, found)  # what moto's query walks, for this call only
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            current.partition = None

    Table.query, Table.all_items = query_partition, walked_items
    _IndexPartitions.follow_writes(all_items)


class _IndexPartitions:
    """For one table: for each global secondary index keyed on one attribute, its value -> the keys of the
    items that have it. Built at the first index query, then kept up to date by every write (put, delete,
    update, a cancelled transaction's undo); read back through the table's items, so an entry that went
    stale anyway is skipped, never returned."""

    ATTRIBUTE = "_local_index_partitions"

    def __init__(self, table, all_items) -> None:
        self.attributes = self.hash_attributes(table)
        self.keys = {name: {} for name in self.attributes}  # index -> value -> set of (hash, range)
        for item in all_items(table):
            self.add(item)

    @staticmethod
    def hash_attributes(table) -> dict[str, str]:
        found = {}
        for index in table.global_indexes or ():
            hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
            if len(hashes) == 1:
                found[index.name] = hashes[0]
        return found

    _all_items = None

    @classmethod
    def of(cls, table) -> "_IndexPartitions":
        partitions = table.__dict__.get(cls.ATTRIBUTE)
        if partitions is None or partitions.attributes != cls.hash_attributes(table):
            partitions = cls(table, cls._all_items)
            table.__dict__[cls.ATTRIBUTE] = partitions
        return partitions

    @classmethod
    def if_built(cls, table) -> "_IndexPartitions | None":
        return table.__dict__.get(cls.ATTRIBUTE)

    def add(self, item) -> None:
        if item is None:
            return
        for name, attribute in self.attributes.items():
            value = item.attrs.get(attribute)
            if value is not None:
                self.keys[name].setdefault(value, set()).add((item.hash_key, item.range_key))

    def remove(self, item, values: dict | None = None) -> None:
        if item is None:
            return
        for name, attribute in self.attributes.items():
            value = (values or item.attrs).get(attribute)
            keys = self.keys[name].get(value) if value is not None else None
            if keys is not None:
                keys.discard((item.hash_key, item.range_key))
                if not keys:
                    del self.keys[name][value]

    def values(self, item) -> dict:
        return {attribute: item.attrs.get(attribute) for attribute in self.attributes.values()} if item else {}

    def items(self, table, index_name: str, value) -> list | None:
        if index_name not in self.attributes:
            return None
        attribute, found = self.attributes[index_name], []
        for hash_value, range_value in list(self.keys[index_name].get(value, ())):
            item = _stored(table, hash_value, range_value)
            if item is not None and item.attrs.get(attribute) == value:
                found.append(item)
        return found

    @classmethod
    def follow_writes(cls, all_items) -> None:
        from moto.dynamodb.models import DynamoDBBackend
        from moto.dynamodb.models.dynamo_type import DynamoType
        from moto.dynamodb.models.table import Table

        cls._all_items = staticmethod(all_items)
        put_item, delete_item, update_item = Table.put_item, Table.delete_item, DynamoDBBackend.update_item

        def put(self, item_attrs, *args, **kwargs):
            partitions = cls.if_built(self)
            if partitions is None:
                return put_item(self, item_attrs, *args, **kwargs)
            try:
                hash_value = DynamoType(item_attrs[self.hash_key_attr])
                range_value = DynamoType(item_attrs[self.range_key_attr]) if self.range_key_attr else None
                before = _stored(self, hash_value, range_value)
            except Exception:  # moto rejects it below
                before = None
            item = put_item(self, item_attrs, *args, **kwargs)
            partitions.remove(before)
            partitions.add(item)
            return item

        def delete(self, hash_key, range_key):
            item = delete_item(self, hash_key, range_key)
            partitions = cls.if_built(self)
            if partitions is not None:
                partitions.remove(item)
            return item

        def update(self, table_name, key, *args, **kwargs):
            table = self.tables.get(table_name)
            partitions = cls.if_built(table) if table is not None else None
            if partitions is None:
                return update_item(self, table_name, key, *args, **kwargs)
            try:
                hash_value, range_value = self.get_keys_value(table, key)
            except Exception:  # moto rejects the key itself
                return update_item(self, table_name, key, *args, **kwargs)
            before = _stored(table, hash_value, range_value)
            values = copy.deepcopy(partitions.values(before))  # the item is changed in place
            try:
                return update_item(self, table_name, key, *args, **kwargs)
            finally:
                after = _stored(table, hash_value, range_value)
                if before is not None:
                    partitions.remove(before, values)
                partitions.add(after)

        Table.put_item, Table.delete_item, DynamoDBBackend.update_item = put, delete, update


def _stored(table, hash_value, range_value):
    """The item at that key, or None (without adding an empty partition, as table.get_item does)."""
    partition = table.items.get(hash_value)
    if partition is None or range_value is None:
        return partition if range_value is None and not table.range_key_attr else None
    return partition.get(range_value)


def _bounded_topic_history() -> None:
    import collections

    from moto.sns.models import Topic

    init = Topic.__init__

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.sent_notifications = collections.deque(self.sent_notifications, maxlen=TOPIC_HISTORY)

    Topic.__init__ = __init__


def _one_copy_of_each_attribute_name() -> None:
    import sys

    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    set_attribute = LimitedSizeDict.__setitem__

    def __setitem__(self, key, value) -> None:
        set_attribute(self, sys.intern(key) if type(key) is str else key, value)

    LimitedSizeDict.__setitem__ = __setitem__


ITERATOR_LIFETIME_SECONDS = 15 * 60  # DynamoDB Streams: a shard iterator expires 15 minutes after it is returned


def _shard_iterators_expire() -> None:
    import collections
    import time

    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    get_shard_iterator, get_records = DynamoDBStreamsBackend.get_shard_iterator, DynamoDBStreamsBackend.get_records

    def handed_out(self, arn: str) -> None:
        born = self.__dict__.setdefault("_iterators_born", collections.OrderedDict())
        now = time.monotonic()
        born[arn] = now
        while born:
            oldest, at = next(iter(born.items()))
            if now - at < ITERATOR_LIFETIME_SECONDS:
                break
            del born[oldest]
            self.shard_iterators.pop(oldest, None)  # using it is then an error (DynamoDB: ExpiredIteratorException)

    def get_shard_iterator_expiring(self, *args: Any, **kwargs: Any):
        iterator = get_shard_iterator(self, *args, **kwargs)
        handed_out(self, iterator.arn)
        return iterator

    def get_records_expiring(self, *args: Any, **kwargs: Any):
        page = get_records(self, *args, **kwargs)
        if page.get("NextShardIterator"):
            handed_out(self, page["NextShardIterator"])
        return page

    DynamoDBStreamsBackend.get_shard_iterator = get_shard_iterator_expiring
    DynamoDBStreamsBackend.get_records = get_records_expiring


# --- Time to live: what DynamoDB does in the background -------------------------------------------------

# DynamoDB leaves an item alone if its TTL attribute is more than five years in the past (it reads as not
# meant to be epoch seconds), or is not a Number.
TTL_IGNORED_BEFORE_SECONDS = 5 * 365 * 24 * 3600
# What a TTL deletion's stream record carries (DynamoDB Streams' shape; Lambda's event says the same in
# lower camel case: {"type": "Service", "principalId": "dynamodb.amazonaws.com"}).
TTL_USER_IDENTITY = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}


def expire_items(now: float | None = None, tables: "set[str] | None" = None) -> int:
    """Deletes the expired items of every table whose TimeToLiveSpecification is enabled, as DynamoDB's TTL
    does (there within days, typically minutes to hours; moto never does): items whose TTL attribute is a
    Number of epoch seconds at or before `now` (time.time()). Each deletion is an ordinary delete (its
    index entries go) and leaves a REMOVE stream record marked as the service's, like DynamoDB's. This walks
    moto's in-memory tables, the way DynamoDB's own background process reads its partitions: no Scan by
    anyone's code. Call it with moto at rest (MotoServer.gate.closed()). `tables` (names) limits it to those.
    Returns how many items went."""
    import time

    from moto.dynamodb.models import dynamodb_backends

    now = time.time() if now is None else now
    removed = 0
    for _, regions in list(dynamodb_backends.items()):
        for _, backend in list(regions.items()):
            for table in list(backend.tables.values()):
                if tables is not None and table.name not in tables:
                    continue
                ttl = getattr(table, "ttl", None) or {}
                attribute = ttl.get("AttributeName")
                if ttl.get("TimeToLiveStatus") != "ENABLED" or not attribute:
                    continue
                for item in [i for i in _every_item(table) if _has_expired(i.attrs.get(attribute), now)]:
                    if table.delete_item(item.hash_key, item.range_key) is None:
                        continue
                    removed += 1
                    if table.stream_shard is not None and table.stream_shard.items:
                        table.stream_shard.items[-1].record["userIdentity"] = dict(TTL_USER_IDENTITY)
    return removed


def _every_item(table):
    """The table's items, unsorted (moto's all_items sorts them all)."""
    if not table.range_key_attr:
        return list(table.items.values())
    return [item for partition in list(table.items.values()) for item in list(partition.values())]


def _has_expired(value, now: float) -> bool:
    if value is None or value.type != "N":
        return False
    try:
        expires = float(value.value)
    except (TypeError, ValueError):
        return False
    return now - TTL_IGNORED_BEFORE_SECONDS <= expires <= now


def _one_receive_at_a_time_per_queue() -> None:
    from moto.sqs.models import SQSBackend

    receive = SQSBackend.receive_message

    def receive_message(self, queue_name: str, *args: Any, **kwargs: Any):
        queue = self.get_queue(queue_name)
        # One lock per queue, kept on it (local/state.py saves a lock as a new one); setdefault is atomic.
        turn = queue.__dict__.get("_local_receiving") or queue.__dict__.setdefault("_local_receiving", threading.Lock())
        with turn:  # a long poll holds it while it waits: the queue's other receivers wait behind it
            return receive(self, queue_name, *args, **kwargs)

    receive_message.__doc__ = receive.__doc__
    SQSBackend.receive_message = receive_message


DELETED_RECEIPTS_KEPT = 1000  # per queue: a second delete of one of these still succeeds


class _RecentlyDeleted(set):
    """The receipt handles of a queue's deleted messages, the last DELETED_RECEIPTS_KEPT of them."""

    def __init__(self, handles=()) -> None:
        super().__init__()
        self.order: collections.deque = collections.deque()
        self.update(handles)

    def update(self, *others) -> None:
        for handles in others:
            for handle in handles:
                if handle not in self:
                    super().add(handle)
                    self.order.append(handle)
        while len(self.order) > DELETED_RECEIPTS_KEPT:
            self.discard(self.order.popleft())


def _recent_deleted_receipts_only() -> None:
    from moto.sqs.models import Queue

    delete = Queue.delete_message

    def delete_message(self, receipt_handle: str) -> None:
        if type(self.deleted_messages) is not _RecentlyDeleted:  # a new queue, or one of a saved state
            self.deleted_messages = _RecentlyDeleted(self.deleted_messages)
        return delete(self, receipt_handle)

    Queue.delete_message = delete_message


def _moto_modules_listed_once() -> None:
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())  # the installed package: it does not change while running
    backends.list_of_moto_modules = lambda: modules
