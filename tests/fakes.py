"""In-memory implementations of the service ports, for unit tests. They keep the same promises as the
real adapters (tests/integration/test_ticket_repository.py runs one contract against both)."""
from __future__ import annotations

import copy
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from chalicelib.domain.alerts import SMS_PER_WINDOW, SMS_WINDOW, AgentProfile
from chalicelib.domain.attachments import Limits, UploadRecord
from chalicelib.domain.catalog import Category, Department, Group
from chalicelib.domain.identity import canonical
from chalicelib.domain.mail import MailContent
from chalicelib.domain.policies import Policies
from chalicelib.domain.sign_in import CodeRecord
from chalicelib.domain.sla import SlaPolicy
from chalicelib.domain.tickets import Attachment, EventType, Ticket, TicketEvent
from chalicelib.services.ports import (
    AgentDirectory, AgentProfiles, AlreadyImported, CatalogRepository, DeliveryFailed, EventBus, FileStore, Mailer,
    OpenLimitReached, PresenceBoard, PresignedPost, RateLimiter, SecretSource, SignInCodes, SmsQuota, SmsSender,
    StoredUpload, TicketRepository, TicketTooLarge, TicketViews, VersionConflict,
)

PDF = b"%PDF-1.4\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


class FixedClock:
    def __init__(self, now: datetime | None = None):
        self.current = now or datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta) -> None:
        self.current += timedelta(**delta)


class InMemoryTickets(TicketRepository, TicketViews):
    """Both sides of the ticket store: the repository and the lists read from it (TicketViews)."""

    def __init__(self):
        self.counter = 1000
        self.tickets: dict[int, Ticket] = {}
        self.events: dict[int, list[TicketEvent]] = {}
        self.attachments: dict[tuple[int, str], Attachment] = {}
        self.fail_next_saves = 0  # simulate writers that won the race
        self.claims: dict[str, int] = {}  # imported tickets by (source, external id)
        self.max_items = 100  # one transaction's items
        self.outbox: list[dict] = []  # "your open tickets" mails queued
        self.open_tickets_mail_at: dict[str, datetime] = {}

    def next_number(self) -> int:
        self.counter += 1
        return self.counter

    def create(self, ticket, events, attachments, *, open_limit=None, unconfirmed=None, turn=None):
        assert turn is None  # InMemoryCatalog knows no last turn, so it is never asked to claim one
        assert ticket.number not in self.tickets
        if ticket.holds_open_place and open_limit is not None and self._active_of(ticket.customer.limit_key) >= open_limit:
            raise OpenLimitReached(ticket.customer.limit_key, "customer")
        if ticket.holds_unconfirmed_place and unconfirmed is not None:
            waiting = [t for t in self.tickets.values() if t.holds_unconfirmed_place]
            if sum(1 for t in waiting if t.customer.limit_key == ticket.customer.limit_key) >= unconfirmed.per_address:
                raise OpenLimitReached(ticket.customer.limit_key, "address")
            if ticket.client_network and sum(1 for t in waiting if t.client_network == ticket.client_network) \
                    >= unconfirmed.per_network:
                raise OpenLimitReached(ticket.customer.limit_key, "network")
        self.tickets[ticket.number] = ticket
        self.events[ticket.number] = list(events)
        self.attachments.update({(ticket.number, a.id): a for a in attachments})

    def _active_of(self, limit_key: str) -> int:
        return sum(1 for t in self.tickets.values() if t.customer.limit_key == limit_key and t.holds_open_place)

    def queue_open_tickets_mail(self, customer_key, document, *, at, every):
        last = self.open_tickets_mail_at.get(customer_key)
        if last is not None and at - last < every:
            return False
        self.open_tickets_mail_at[customer_key] = at
        self.outbox.append(document)
        return True

    def save(self, before, after, events, attachments=()):
        if self.fail_next_saves:
            self.fail_next_saves -= 1
            stored = self.tickets[after.number]
            self.tickets[after.number] = replace(stored, version=stored.version + 1)
            raise VersionConflict(after.number)
        if self.tickets[after.number].version != before.version or after.version != before.version + 1:
            raise VersionConflict(after.number)
        self.tickets[after.number] = after
        self.events[after.number].extend(events)
        self.attachments.update({(after.number, a.id): a for a in attachments})

    def record(self, ticket, events):
        stored = {e.id for e in self.events[ticket.number]}
        fresh = [e for e in events if e.id not in stored]
        self.events[ticket.number].extend(fresh)
        return bool(fresh)

    def get(self, number):
        return self.tickets.get(number)

    def timeline(self, number):
        return list(self.events.get(number, []))

    def attachment(self, number, attachment_id):
        return self.attachments.get((number, attachment_id))

    def _oldest_first(self, tickets):
        return sorted(tickets, key=lambda t: (t.created_at, t.number))

    def queue(self, department):
        return self._oldest_first(t for t in self.tickets.values() if t.department == department and t.is_active)

    def assigned_to(self, agent):
        return self._oldest_first(t for t in self.tickets.values()
                                  if t.is_active and t.assignee and t.assignee.id == agent)

    def count_assigned(self, agent):
        return len(self.assigned_to(agent))

    def of_customer(self, *, email=None, phone=None):
        found = [t for t in self.tickets.values()
                 if (email and t.customer.key == canonical(email)) or (phone and t.customer.phone == phone)]
        return list(reversed(self._oldest_first(found)))

    def due(self, stage, started_before, limit):
        waiting = [(t.timer.since, t.number) for t in self.tickets.values()
                   if t.timer and t.timer.stage == stage and t.timer.since < started_before]
        return [number for _, number in sorted(waiting)[:limit]]

    def sla_due(self, before, limit):
        due = [(t.sla.next_checkpoint, t.number) for t in self.tickets.values()
               if t.is_active and t.sla and t.sla.next_checkpoint and t.sla.next_checkpoint < before]
        return [number for _, number in sorted(due)[:limit]]

    def imported(self, claim):
        return self.claims.get(claim)

    def create_imported(self, ticket, events, attachments, *, claim):
        if claim in self.claims:
            raise AlreadyImported(claim, self.claims[claim])
        if len(events) + len(attachments) + 3 > self.max_items:
            raise TicketTooLarge(ticket.number)
        assert ticket.number not in self.tickets
        self.claims[claim] = ticket.number
        self.tickets[ticket.number] = ticket
        self.events[ticket.number] = list(events)
        self.attachments.update({(ticket.number, a.id): a for a in attachments})

    def handovers(self, *, agent=None, group=None, limit=100):
        def involves(event):
            places = [event.data.get("from") or {}, event.data.get("to") or {}]
            return any((agent and p.get("agent") == agent)
                       or (group and (p.get("department"), p.get("group")) == group) for p in places)

        trail = [e for events in self.events.values() for e in events if e.type == EventType.ASSIGNED and involves(e)]
        return sorted(trail, key=lambda e: (e.occurred_at, e.ticket_number), reverse=True)[:limit]


class InMemoryCatalog(CatalogRepository):
    def __init__(self, departments: list[Department] | None = None):
        self.items = {d.id: d for d in departments or [SUPPORT]}
        self.routing_rules = []
        self.current_policies = Policies()
        self.current_sla_policy = SlaPolicy()
        self.turns: dict[tuple[str, str], int] = {}

    def departments(self):
        return list(self.items.values())

    def save(self, department):
        self.items[department.id] = department

    def delete(self, department_id):
        self.items.pop(department_id, None)

    def rules(self):
        return list(self.routing_rules)

    def save_rules(self, rules):
        self.routing_rules = list(rules)

    def policies(self):
        return self.current_policies

    def save_policies(self, policies):
        self.current_policies = policies

    def sla_policy(self):
        return self.current_sla_policy

    def save_sla_policy(self, policy):
        self.current_sla_policy = policy

    def next_turn(self, department, group):
        self.turns[(department, group)] = self.turns.get((department, group), 0) + 1
        return self.turns[(department, group)]


SUPPORT = Department(id="support", names={"en": "Support", "fa": "پشتیبانی", "he": "תמיכה"},
                     categories=(Category(id="billing", names={"en": "Billing", "fa": "صورتحساب", "he": "חיוב"}),),
                     groups=(Group(id="desk", names={"en": "Front desk", "fa": "پیشخوان", "he": "דלפק"},
                                   members=("agent.fa", "agent.he")),),
                     supervisors=("admin",))


class FakeFiles(FileStore):
    """S3 with versions (every post under a key is a new version) and the table's upload records."""

    # What the fake's upload checker allows; the service re-checks the size against its own limits.
    CHECK_LIMITS = Limits(max_file_bytes=10 * 2**20, max_message_bytes=25 * 2**20, max_files=10)

    def __init__(self):
        self.objects: dict[str, tuple[str, bytes, str]] = {}  # key -> (content_type, bytes, filename)
        self.versions: dict[str, list[tuple[str, tuple[str, bytes, str]]]] = {}  # key -> [(version, object)]
        self.presigned: list[dict] = []
        self.records: dict[str, UploadRecord] = {}
        self.record_reads = 0  # calls of upload_records (one BatchGetItem each in AWS)
        self.inspections = 0

    def put_upload(self, upload_id: str, content_type: str, data: bytes, filename: str = "file.bin", *,
                   granted: bool = True, checked: bool = True, stored_type: str | None = None) -> str:
        """What a browser does with a grant (`granted`: as start_upload records it), and then, if `checked`,
        what the uploads queue's consumer does when S3 announces the object."""
        from chalicelib.services import uploads
        if granted and upload_id not in self.records:
            self.records[upload_id] = UploadRecord(upload_id=upload_id, filename=filename, content_type=content_type,
                                                   expires_at=datetime.now(timezone.utc) + timedelta(days=1))
        key = f"uploads/{upload_id}"
        self.objects[key] = (stored_type or content_type, data, filename)
        self.versions.setdefault(key, []).append((f"v{sum(map(len, self.versions.values())) + 1}", self.objects[key]))
        if checked:
            uploads.check_upload(self, self.CHECK_LIMITS, upload_id)
        return upload_id

    def presign_upload(self, key, *, content_type, max_bytes, filename, expires_in):
        self.presigned.append({"key": key, "content_type": content_type, "max_bytes": max_bytes,
                               "filename": filename})
        return PresignedPost(url="https://s3.example/bucket", fields={"key": key})

    def inspect_upload(self, key, head_bytes):
        self.inspections += 1
        if key not in self.objects:
            return None
        content_type, data, filename = self.objects[key]
        version = self.versions[key][-1][0] if self.versions.get(key) else None
        return StoredUpload(content_type=content_type, size=len(data), filename=filename, head=data[:head_bytes],
                            version=version)

    def keep(self, upload_key, attachment_key, version=None):
        if version is None:
            self.objects[attachment_key] = copy.copy(self.objects[upload_key])
        else:
            self.objects[attachment_key] = dict(self.versions[upload_key])[version]

    def save_upload_record(self, record):
        self.records[record.upload_id] = record

    def upload_record(self, upload_id):
        return self.records.get(upload_id)

    def upload_records(self, upload_ids):
        self.record_reads += 1
        now = datetime.now(timezone.utc)
        return {u: self.records[u] for u in upload_ids if u in self.records and self.records[u].expires_at > now}

    def download_url(self, key, *, filename, content_type, expires_in):
        return f"https://s3.example/{key}?download={filename}"

    def put_document(self, key, body, content_type):
        self.objects[key] = (content_type, body, key.rsplit("/", 1)[-1])

    def read_document(self, key):
        return self.objects[key][1] if key in self.objects else None

    def delete_documents(self, keys):
        for key in keys:
            self.objects.pop(key, None)


class FakeSecrets(SecretSource):
    def link_secret(self) -> bytes:
        return b"test-secret-of-enough-length-for-hmac"


class FakeMailer(Mailer):
    def __init__(self, fail: bool = False):
        self.sent: list[tuple[MailContent, str, str]] = []
        self.fail = fail

    def send(self, mail, *, message_id, thread_id):
        if self.fail:
            raise DeliveryFailed("mail provider down")
        self.sent.append((mail, message_id, thread_id))


class FakeSms(SmsSender):
    def __init__(self, fail: bool = False):
        self.sent: list[tuple[str, str]] = []
        self.fail = fail

    def send(self, phone, text):
        if self.fail:
            raise DeliveryFailed("sms provider down")
        self.sent.append((phone, text))


class InMemoryAgentProfiles(AgentProfiles):
    def __init__(self, *profiles: AgentProfile):
        self.profiles = {p.agent: p for p in profiles}
        self.reads = 0

    def get(self, agent):
        self.reads += 1
        return self.profiles.get(agent)

    def save(self, profile):
        self.profiles[profile.agent] = profile


class FakeSmsQuota(SmsQuota):
    """Counts per recipient and fixed window, like the adapter's counter item."""

    def __init__(self):
        self.counts: dict[tuple[str, int], int] = {}

    def take(self, recipient, at):
        window = (recipient, int(at.timestamp() // SMS_WINDOW.total_seconds()))
        if self.counts.get(window, 0) >= SMS_PER_WINDOW:
            return False
        self.counts[window] = self.counts.get(window, 0) + 1
        return True


class InMemoryRateLimiter(RateLimiter):
    """Fixed-window counters per limit and key, checked and counted under a lock like the conditional update."""

    def __init__(self):
        self.counts: dict[tuple[str, str, int], int] = {}
        self.lock = threading.Lock()

    def take(self, limit, key, at):
        window = (limit.name, key, limit.window_of(at))
        with self.lock:
            if self.counts.get(window, 0) >= limit.limit:
                return False
            self.counts[window] = self.counts.get(window, 0) + 1
            return True


class FakeBus(EventBus):
    def __init__(self):
        self.published: list[dict] = []

    def publish(self, document):
        self.published.append(document)


class InMemorySignInCodes(SignInCodes):
    """Conditional writes like DynamoDB's: each check-and-write holds a lock (the contract test races them)."""

    def __init__(self):
        self.records: dict[str, CodeRecord] = {}
        self.lock = threading.Lock()

    def get(self, identity):
        return self.records.get(identity)

    def save(self, identity, record):
        with self.lock:
            stored = self.records.get(identity)
            if (stored.version if stored else 0) != record.version - 1:
                raise VersionConflict(identity)
            self.records[identity] = record

    def count_attempt(self, identity, now):
        with self.lock:
            stored = self.records.get(identity)
            if stored is None or not stored.accepts_attempt(now):
                return None
            self.records[identity] = replace(stored, attempts=stored.attempts + 1, version=stored.version + 1)
            return self.records[identity]

    def consume(self, identity, digest):
        with self.lock:
            stored = self.records.get(identity)
            if stored is None or stored.digest != digest:
                return False
            self.records[identity] = replace(stored, digest=None, expires_at=None, version=stored.version + 1)
            return True


class FakeAgents(AgentDirectory):
    """The pool's agents by username -> display name."""

    def __init__(self, names: dict[str, str] | None = None):
        self.names = dict(names if names is not None else AGENT_NAMES)

    def identify(self, username):
        return username, self.display_name(username)

    def display_name(self, agent_id):
        return self.names.get(agent_id, "Support")

    def agents(self, *, fresh=False):
        return sorted(self.names.items())


AGENT_NAMES = {"agent.fa": "مینا", "agent.he": "אורי", "admin": "Sam", "lead": "רונית", "expert": "Dana"}


class InMemoryPresence(PresenceBoard):
    def __init__(self):
        self.records: dict[tuple[int, str], object] = {}

    def touch(self, number, presence):
        self.records[(number, presence.agent.id)] = presence

    def present(self, number, seen_after):
        return [p for (n, _), p in self.records.items() if n == number and p.seen_at > seen_after]

    def leave(self, number, presence):
        if self.records.get((number, presence.agent.id)) == presence:
            self.records.pop((number, presence.agent.id))

    def idle(self, before, limit):
        found = sorted(((p.seen_at, n, p) for (n, _), p in self.records.items() if p.seen_at < before),
                       key=lambda f: (f[0], f[1]))
        return [(n, p) for _, n, p in found[:limit]]


def open_ticket(**ports_and_form):
    """services.tickets.open_ticket with the desk's ports and the new ticket's fields given side by side, as
    the tests write them: each goes where it belongs (TicketDesk / NewTicket)."""
    from dataclasses import fields

    from chalicelib.services import tickets as service
    from chalicelib.services.ports import TicketDesk

    desk_names = {f.name for f in fields(TicketDesk)}
    desk = desk_of({name: value for name, value in ports_and_form.items() if name in desk_names})
    return service.open_ticket(desk, service.NewTicket(**{name: value for name, value in ports_and_form.items()
                                                           if name not in desk_names}))


def desk_of(ports: dict, **overrides):
    """The TicketDesk of a test's ports (a dict of fakes, or of adapters over the moto table): the in-memory
    ticket store serves both the repository and the views; missing ports are fakes that fail nothing."""
    from dataclasses import fields

    from chalicelib.services.ports import TicketDesk

    given = {**ports, **overrides}
    names = {f.name for f in fields(TicketDesk)}
    defaults = {"agents": FakeAgents(), "files": FakeFiles(), "secrets": FakeSecrets(), "clock": FixedClock(),
                "limits": Limits(max_file_bytes=1000, max_message_bytes=1500, max_files=3)}
    if "views" not in given:
        tickets = given["tickets"]
        if isinstance(tickets, TicketViews):
            given["views"] = tickets
        else:
            from chalicelib import bootstrap
            given["views"] = bootstrap.ticket_views()
    return TicketDesk(**{**defaults, **{name: value for name, value in given.items() if name in names}})


def alert_desk(ports: dict):
    """The AlertDesk of a test's ports (missing ones are fakes that fail nothing)."""
    from dataclasses import fields

    from chalicelib.services.ports import AlertDesk

    defaults = {"profiles": InMemoryAgentProfiles(), "catalog": InMemoryCatalog(), "agents": FakeAgents(),
                "mailer": FakeMailer(), "sms": FakeSms(), "quota": FakeSmsQuota(), "secrets": FakeSecrets(),
                "site_url": "https://help.example/customer/", "portal_url": "https://help.example/portal/",
                "mailbox": "help@example.com"}
    names = {f.name for f in fields(AlertDesk)}
    return AlertDesk(**{**defaults, **{name: value for name, value in ports.items() if name in names}})
