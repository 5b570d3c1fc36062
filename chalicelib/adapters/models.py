"""PynamoDB models of the one helpdesk table. Persistence schema only: repositories map to the domain.

Items (pk / sk):
  T#<number> / META          the ticket header, with the keys of the indexes below
  T#<number> / EV#<time>#<n>#<id> one timeline event (also the outbox: the stream publishes these inserts)
  T#<number> / ATT#<id>      one attachment (who may download it)
  T#<number> / PRESENCE#<agent> who has the ticket open right now (expires by TTL `expires_at`)
  COUNTER    / ticket        the last ticket number handed out
  CUST#<email> / OPEN        the customer's count of active confirmed tickets (the open-ticket limit's condition)
  CUST#<email> / UNCONFIRMED the address's count of active unconfirmed tickets (the unconfirmed allowance)
  NET#<network> / UNCONFIRMED  the same per client network (IPv4 /24, IPv6 /64) the tickets were filed from
  CUST#<email> / OPENLIST    when the last "your open tickets" mail was queued (epoch seconds, its rate limit)
  MAIL#<email> / EV#<time>#00#<id>  such a mail on the outbox (published from the stream); TTL expires_at
  HANDOVER#agent#<id> / <time>#<number>#<event>       the hand-over trail of an agent ...
  HANDOVER#group#<dept>/<group> / <time>#<number>#<event>  ... and of a work group
  TURN#<dept>#<group> / TURN the group's round-robin counter
  SIGNIN#<identity> / CODE   a customer's sign-in code (HMAC only), its guesses and recent sends; TTL expires_at
  AGENT#<email> / PROFILE    an agent's alert settings: phone, language, quiet hours, on-call groups, SMS opt-out
  SMSQUOTA#<recipient> / <window>  SMS sent to a recipient in one rate-limit window; TTL expires_at
  RATE#<limit>#<key> / <window>    requests of one key (a client network...) in one window of an abuse limit
                             (adapters/rate_limits.py); TTL expires_at
  UPLOAD#<id> / UPLOAD        a presigned upload: what its grant allowed, then its check's verdict and the
                             object version checked (services/uploads.py); TTL expires_at, with the object
  IMPORT#<source>#<external id> / IMPORT  the claim of an imported ticket (its number): never imported twice
  CANNED#<scope> / A#<id>, CANNEDID#<id> / WHERE  canned answers by scope, and where each is (adapters/canned.py)
  CATALOG    / DEPT#<id>     a department with its categories, groups and supervisors
  CATALOG    / RULES, POLICIES  routing rules; limits and timings
  CATALOG    / SLA           SLA targets, business-hours calendar and escalation

Indexes on the ticket header (all but `customer` sparse: an item without the keys is not in the index):
  queue     DEPT#<dept>      / <created>#<number>   active tickets of a department
  assignee  AGENT#<id>       / <created>#<number>   active tickets on an agent's desk
  customer  CUST#<email>     / <created>#<number>   every ticket of a customer (history)
  phone     PHONE#<e164>     / <created>#<number>   every ticket filed with that mobile number
  timer     TIMER#<stage>    / <since>#<number>     the automatic step a ticket waits for (auto-close, archive)
  sla       SLA              / <checkpoint>#<number> the next SLA warning or breach moment of a running target

All models share one Meta: `use_table` binds them to the table named in settings at first use (PynamoDB
re-opens its connection when Meta.table_name changes), so nothing depends on import order.
"""
import os

from pynamodb.attributes import (
    BooleanAttribute, JSONAttribute, ListAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
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


class AssigneeIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "assignee"
        projection = AllProjection()

    assignee_pk = UnicodeAttribute(hash_key=True)
    assignee_sk = UnicodeAttribute(range_key=True)


class PhoneIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "phone"
        projection = AllProjection()

    phone_pk = UnicodeAttribute(hash_key=True)
    phone_sk = UnicodeAttribute(range_key=True)


class TimerIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "timer"
        projection = KeysOnlyProjection()  # the jobs re-read each ticket consistently anyway

    timer_pk = UnicodeAttribute(hash_key=True)
    timer_sk = UnicodeAttribute(range_key=True)


class SlaIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "sla"
        projection = KeysOnlyProjection()  # the sweep re-reads each ticket consistently anyway

    sla_pk = UnicodeAttribute(hash_key=True)
    sla_sk = UnicodeAttribute(range_key=True)


class PresenceIdleIndex(GlobalSecondaryIndex):
    """The `timer` index seen from the presence records: open ones sit in one partition, keyed by their last
    report, so the job closing forgotten time intervals reads only those (never a scan)."""
    class Meta:
        index_name = "timer"
        projection = KeysOnlyProjection()

    timer_pk = UnicodeAttribute(hash_key=True)
    timer_sk = UnicodeAttribute(range_key=True)


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
    group_id = UnicodeAttribute(default="")
    assignee_id = UnicodeAttribute(null=True)
    assignee_name = UnicodeAttribute(null=True)
    agent_priority = UnicodeAttribute(null=True)
    customer_phone = UnicodeAttribute(null=True)
    last_public_at = UTCDateTimeAttribute(null=True)
    reminded_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    follows = NumberAttribute(null=True)
    sms_updates = BooleanAttribute(null=True)  # missing on tickets written before it existed: False
    sender_verified = BooleanAttribute(null=True)  # missing on tickets written before it existed: True
    confirmed = BooleanAttribute(null=True)  # stored only as False (filed without proof); missing = confirmed
    client_network = UnicodeAttribute(null=True)  # where an unconfirmed ticket was filed from (its allowance)
    agent_replies = NumberAttribute(null=True)  # public agent replies so far; missing on older tickets: 0
    channel = UnicodeAttribute(null=True)  # web | mail | import; missing on tickets written before it existed: web
    queue_pk = UnicodeAttribute(null=True)
    queue_sk = UnicodeAttribute(null=True)
    customer_pk = UnicodeAttribute()
    customer_sk = UnicodeAttribute()
    assignee_pk = UnicodeAttribute(null=True)
    assignee_sk = UnicodeAttribute(null=True)
    phone_pk = UnicodeAttribute(null=True)
    phone_sk = UnicodeAttribute(null=True)
    timer_pk = UnicodeAttribute(null=True)
    timer_sk = UnicodeAttribute(null=True)
    sla = JSONAttribute(null=True)
    sla_pk = UnicodeAttribute(null=True)
    sla_sk = UnicodeAttribute(null=True)
    queue_index = QueueIndex()
    customer_index = CustomerIndex()
    assignee_index = AssigneeIndex()
    phone_index = PhoneIndex()
    timer_index = TimerIndex()
    sla_index = SlaIndex()


class EventItem(Model):
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute()


class OutboxItem(Model):
    """A mail document that belongs to no ticket, published from the stream like a timeline event."""
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute()
    expires_at = NumberAttribute()  # epoch seconds: the table's TTL attribute (published long before)


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


class DocumentItem(Model):
    """An item that is one JSON document: catalog entries, hand-over trail entries."""
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute()


class PresenceItem(Model):
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    agent_name = UnicodeAttribute()
    state = UnicodeAttribute()
    since = UTCDateTimeAttribute()
    seen_at = UTCDateTimeAttribute()
    opened_at = UTCDateTimeAttribute(null=True)  # start of the agent's current time interval (reports)
    gone = BooleanAttribute(null=True)  # the agent left the page: no longer shown, no open interval
    timer_pk = UnicodeAttribute(null=True)  # while open: PRESENCE_OPEN, in the `timer` index
    timer_sk = UnicodeAttribute(null=True)  # <last report>#<ticket>#<agent>
    idle_index = PresenceIdleIndex()
    expires_at = NumberAttribute()  # epoch seconds: the table's TTL attribute


class SignInItem(Model):
    """One identity's sign-in code. Deleted by TTL once neither the code nor the send throttle needs it."""
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    digest = UnicodeAttribute(null=True)
    code_expires_at = UTCDateTimeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    sent = ListAttribute(of=UTCDateTimeAttribute, default=list)
    version = NumberAttribute()
    expires_at = TTLAttribute(null=True)


class UploadItem(Model):
    """One presigned upload (adapters/uploads.py); deleted by TTL when uploads/ drops the object."""
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    state = UnicodeAttribute()
    size = NumberAttribute(default=0)
    version = UnicodeAttribute(null=True)
    problem = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()  # epoch seconds: the table's TTL attribute


class SmsQuotaItem(Model):
    """SMS sent to one recipient in one window of alerts.SMS_WINDOW; deleted by TTL after the window."""
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    sent = NumberAttribute(default=0)
    expires_at = NumberAttribute()  # epoch seconds: the table's TTL attribute


def ticket_pk(number: int) -> str:
    return f"T#{number}"


META = "META"
EVENT_PREFIX = "EV#"
CATALOG = "CATALOG"
DEPARTMENT_PREFIX = "DEPT#"
ATTACHMENT_PREFIX = "ATT#"
PRESENCE_PREFIX = "PRESENCE#"
