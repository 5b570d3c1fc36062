"""PynamoDB models of the one helpdesk table. Persistence schema only: repositories map to the domain.

Items (pk / sk):
  T#<number> / META          the ticket header; carries the sparse `queue` GSI keys while active and the
                             `customer` GSI keys always
  T#<number> / EV#<time>#<n>#<id> one timeline event (also the outbox: the stream publishes these inserts)
  T#<number> / ATT#<id>      one attachment (who may download it)
  COUNTER    / ticket        the last ticket number handed out
  CATALOG    / DEPT#<id>     a department with its categories

All models share one Meta: `use_table` binds them to the table named in settings at first use (PynamoDB
re-opens its connection when Meta.table_name changes), so nothing depends on import order.
"""
import os

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", "us-east-1")


class _Meta:
    table_name = "helpdesk"
    region = _region()


def use_table(name: str) -> None:
    _Meta.table_name = name


class QueueIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "queue"
        projection = AllProjection()

    queue_pk = UnicodeAttribute(hash_key=True)
    queue_sk = UnicodeAttribute(range_key=True)


class CustomerIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "customer"
        projection = AllProjection()

    customer_pk = UnicodeAttribute(hash_key=True)
    customer_sk = UnicodeAttribute(range_key=True)


class TicketItem(Model):
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    number = NumberAttribute()
    subject = UnicodeAttribute()
    department = UnicodeAttribute()
    category = UnicodeAttribute()
    priority = UnicodeAttribute()
    language = UnicodeAttribute()
    customer_name = UnicodeAttribute()
    customer_email = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    last_activity_at = UTCDateTimeAttribute()
    link_salt = UnicodeAttribute()
    link_hash = UnicodeAttribute()
    version = NumberAttribute()
    queue_pk = UnicodeAttribute(null=True)
    queue_sk = UnicodeAttribute(null=True)
    customer_pk = UnicodeAttribute()
    customer_sk = UnicodeAttribute()
    queue_index = QueueIndex()
    customer_index = CustomerIndex()


class EventItem(Model):
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute()


class AttachmentItem(Model):
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute()


class CounterItem(Model):
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    value = NumberAttribute(default=0)


class DepartmentItem(Model):
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute()


def ticket_pk(number: int) -> str:
    return f"T#{number}"


META = "META"
EVENT_PREFIX = "EV#"
ATTACHMENT_PREFIX = "ATT#"
