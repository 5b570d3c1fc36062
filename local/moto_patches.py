"""Fixes to moto 5.2's DynamoDB, applied in process by `apply()` (MotoServer.start calls it, so `make run`,
the tests and the bench all run the same moto). Each one is written up in docs/local.md.

1. Transactions snapshot only the items they touch. moto's TransactWriteItems deep-copies every table a
   transaction names, to put it back if the transaction is cancelled: each transaction costs time and
   memory in proportion to the whole table. Here the copy of the table is skipped (moto's own rollback then
   puts back the same table object: a no-op) and the items the transaction writes are saved before and put
   back after a cancellation, with the table's stream cut back to where it was: a cancelled transaction
   leaves no item, no index entry (moto's indexes are computed from the items) and no stream record.
2. DynamoDB objects are not tracked. moto keeps every instance of every model class alive in
   `moto.core.model_instances` (for /moto-api/data.json): every table copy, every item a query returned
   (queries deep-copy their results), every stream record. Nothing reads DynamoDB's there (the local
   outbox reads SES and SNS only), so DynamoDB's classes stop registering their instances.
3. A Query on a table's own key reads the one partition. moto walks (and sorts) every item of the table
   for each Query; DynamoDB reads only the partition, and so does this one. Index queries still walk the
   table (moto keeps no index structures); see docs/local.md.
"""
from __future__ import annotations

import copy
import threading
from typing import Any

_applied = False
_lock = threading.Lock()


def apply() -> None:
    """Idempotent; safe from several threads."""
    global _applied
    with _lock:
        if _applied:
            return
        _snapshot_only_touched_items()
        _stop_tracking_dynamodb_models()
        _query_one_partition()
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


def _untracked_new(cls, *args: Any, **kwargs: Any):
    return object.__new__(cls)


def _stop_tracking_dynamodb_models() -> None:
    import moto.dynamodb.models  # noqa: F401  (registers DynamoDB's model classes)
    from moto.core.model_instances import model_data

    for cls in model_data.get("dynamodb", {}).values():
        cls.__new__ = staticmethod(_untracked_new)  # subclasses defined later inherit it
        cls.instances_tracked.clear()


def _query_one_partition() -> None:
    from moto.dynamodb.models.table import Table

    query, all_items = Table.query, Table.all_items
    current = threading.local()  # (table, its partition) while a Query on the table's key runs

    def walked_items(self):
        partition = getattr(current, "partition", None)
        if partition is not None and partition[0] is self:
            return partition[1]
        return all_items(self)

    def query_partition(self, hash_key, *args, **kwargs):
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name is not None or hash_key is None:
            return query(self, hash_key, *args, **kwargs)
        partition = self.items.get(hash_key)
        if partition is None:
            found: list = []
        elif self.range_key_attr:
            found = list(partition.values())
        else:
            found = [partition]
        current.partition = (self, found)  # what moto's query walks, for this call only
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            current.partition = None

    Table.query, Table.all_items = query_partition, walked_items
