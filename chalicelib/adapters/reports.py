"""The report buckets in DynamoDB (table REPORTS_TABLE): counters added with UpdateItem ADD, each event applied
in ONE TransactWriteItems with its applied-marker, so a redelivered event changes nothing and a failed one
changes nothing (views/reports)."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from chalicelib.adapters.aws import client
from chalicelib.domain.reports import TOTAL, BucketKey, Contributions
from chalicelib.views.reports import MARKER_DAYS, ReportStore

KEY_ATTRIBUTES = ("pk", "sk")


def bucket_pk(dimension: str, member: str) -> str:
    return f"RPT#{dimension}#{member}"


def marker_key(event_id: str) -> dict:
    return {"pk": {"S": f"APPLIED#{event_id}"}, "sk": {"S": "APPLIED"}}


class AlreadyApplied(Exception):
    pass


def _update(table: str, key: BucketKey, counters: Counter) -> dict:
    names, values, parts = {}, {}, []
    for i, (name, amount) in enumerate(sorted(counters.items())):
        names[f"#a{i}"], values[f":v{i}"] = name, {"N": str(int(amount))}
        parts.append(f"#a{i} :v{i}")
    return {"Update": {"TableName": table,
                       "Key": {"pk": {"S": bucket_pk(key.dimension, key.member)}, "sk": {"S": key.day}},
                       "UpdateExpression": "ADD " + ", ".join(parts),
                       "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}}


def transaction(table: str, event_id: str, contributions: Contributions, now: datetime) -> list[dict]:
    """The TransactItems applying one event: the marker first (its condition refuses a second time), then one
    Update per bucket touched."""
    expires = int((now + timedelta(days=MARKER_DAYS)).timestamp())
    marker = {"Put": {"TableName": table, "Item": {**marker_key(event_id), "expires_at": {"N": str(expires)}},
                      "ConditionExpression": "attribute_not_exists(pk)"}}
    return [marker, *(_update(table, key, counters) for key, counters in sorted(contributions.items()))]


class DynamoReportStore(ReportStore):
    def __init__(self, table_name: str):
        self.table = table_name

    def apply(self, event_id: str, contributions: Contributions, *, now: datetime) -> bool:
        dynamodb = client("dynamodb")
        try:
            dynamodb.transact_write_items(TransactItems=transaction(self.table, event_id, contributions, now))
        except dynamodb.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False  # applied before: the marker is there, nothing was added
            raise
        return True

    def days(self, dimension: str, member: str, first: date, last: date) -> list[tuple[str, Counter]]:
        found, start = [], None
        while True:
            page = client("dynamodb").query(
                TableName=self.table, KeyConditionExpression="pk = :pk AND sk BETWEEN :a AND :b",
                ExpressionAttributeValues={":pk": {"S": bucket_pk(dimension, member)},
                                           ":a": {"S": first.isoformat()}, ":b": {"S": last.isoformat()}},
                **({"ExclusiveStartKey": start} if start else {}))
            found.extend((item["sk"]["S"], _counters(item)) for item in page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                return found

    def total(self, dimension: str, member: str) -> Counter:
        page = client("dynamodb").query(
            TableName=self.table, KeyConditionExpression="pk = :pk AND sk = :sk",
            ExpressionAttributeValues={":pk": {"S": bucket_pk(dimension, member)}, ":sk": {"S": TOTAL}})
        items = page.get("Items", [])
        return _counters(items[0]) if items else Counter()


def _counters(item: dict) -> Counter:
    return Counter({name: int(value["N"]) for name, value in item.items()
                    if name not in KEY_ATTRIBUTES and "N" in value})


class StoredTimelines:
    """The event documents as the ticket table stored (and the outbox published) them: what a replay reads.
    By key only: the last ticket number from the counter, then each ticket's events (one Query per ticket)."""

    def __init__(self, table_name: str):
        from chalicelib.adapters.models import use_table
        use_table(table_name)

    def last_number(self) -> int:
        from chalicelib.adapters.models import CounterItem
        try:
            return int(CounterItem.get("COUNTER", "ticket").value) + 1000  # DynamoTicketRepository.next_number
        except CounterItem.DoesNotExist:
            return 1000

    def documents(self, number: int) -> list[dict]:
        from chalicelib.adapters.models import EVENT_PREFIX, EventItem, ticket_pk
        return [item.doc for item in EventItem.query(ticket_pk(number), EventItem.sk.startswith(EVENT_PREFIX))]

    def checkpoint(self, store: "DynamoReportStore") -> int | None:
        found = client("dynamodb").get_item(TableName=store.table, Key=_REPLAY_KEY, ConsistentRead=True)
        return int(found["Item"]["last"]["N"]) if "Item" in found else None

    def save_checkpoint(self, store: "DynamoReportStore", number: int) -> None:
        client("dynamodb").put_item(TableName=store.table, Item={**_REPLAY_KEY, "last": {"N": str(number)}})


_REPLAY_KEY = {"pk": {"S": "REPLAY#progress"}, "sk": {"S": "REPLAY"}}
