"""What the use cases need from the outside world. Adapters implement these; unit tests use fakes."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from chalicelib.domain.alerts import AgentProfile
from chalicelib.domain.attachments import Limits, UploadRecord
from chalicelib.domain.catalog import Department
from chalicelib.domain.mail import MailContent
from chalicelib.domain.policies import Policies, UnconfirmedAllowance
from chalicelib.domain.presence import Presence
from chalicelib.domain.rate_limits import RateLimit
from chalicelib.domain.routing import RoutingRule
from chalicelib.domain.sign_in import CodeRecord
from chalicelib.domain.sla import SlaPolicy
from chalicelib.domain.tickets import Attachment, Ticket, TicketEvent, TimerStage


class Clock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class VersionConflict(Exception):
    """The ticket changed since it was read."""


class AlreadyImported(Exception):
    """A ticket with that (source, external id) was imported before."""

    def __init__(self, claim: str, number: int | None = None):
        super().__init__(claim)
        self.number = number


class TicketTooLarge(Exception):
    """The ticket's history needs more items than one transaction can write."""


class AttachmentSource(ABC):
    """Where imported tickets' files come from (local paths, http(s) URLs): the import tool's side."""

    @abstractmethod
    def fetch(self, ref: str, max_bytes: int) -> tuple[bytes, str | None]:
        """The file's bytes (at most max_bytes + 1 of them: more means too large) and the content type the
        source declared, if any. Raises FetchFailed with a reason code (`not_found`, `unreachable`)."""


class FetchFailed(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TurnClaim:
    """A group's round-robin turn `taken`, taken inside the new ticket's own transaction: the group's counter
    moves from taken - 1 to taken, or nothing is written and TurnTaken is raised."""
    department: str
    group: str
    taken: int


class TurnTaken(Exception):
    """Another request took that round-robin turn first (this container's idea of the counter was behind)."""


class OpenLimitReached(Exception):
    """A place the new ticket needs is taken: `which` is "customer" (the customer's open-ticket limit, for
    confirmed tickets), "address" or "network" (the unconfirmed allowance of the address or client network)."""

    def __init__(self, key: str, which: str = "customer"):
        super().__init__(key)
        self.which = which


class TicketRepository(ABC):
    """Tickets, their timelines, and the indexes derived from them. Every write of a ticket is one
    transaction that also keeps the derived records true: the customer's count of active confirmed tickets
    (for the open-ticket limit), the counts of active unconfirmed tickets per address and per client network
    (the unconfirmed allowance), and the hand-over trail per agent and per group (from ASSIGNED events).
    What people list (queues, a customer's tickets, hand-overs) is read through TicketViews, apart from this."""

    @abstractmethod
    def next_number(self) -> int: ...

    @abstractmethod
    def create(self, ticket: Ticket, events: list[TicketEvent], attachments: list[Attachment], *,
               open_limit: int | None = None, unconfirmed: UnconfirmedAllowance | None = None,
               turn: TurnClaim | None = None) -> None:
        """Write the ticket, its first events and attachments in one transaction. A confirmed ticket: with
        `open_limit`, raise OpenLimitReached("customer") (writing nothing) if the customer already has that
        many active confirmed tickets. An unconfirmed one: with `unconfirmed`, raise OpenLimitReached
        ("address" or "network") if its address, or its client network, already has that many active
        unconfirmed tickets. Unconfirmed tickets never count against `open_limit`, nor confirmed ones
        against the allowance. With `turn`, the group's round-robin counter moves to turn.taken in the same
        transaction, or TurnTaken is raised (writing nothing)."""

    @abstractmethod
    def save(self, before: Ticket, after: Ticket, events: list[TicketEvent],
             attachments: list[Attachment] = ()) -> None:
        """Write the changed ticket (after.version == before.version + 1) with new events, atomically.
        Raises VersionConflict if someone else saved first. The counts move with the ticket: confirming
        moves it from the unconfirmed counts to the customer's open count (even past the limit), closing
        takes it out of whichever it was in, reopening puts it back (no limit applies to changes)."""

    @abstractmethod
    def record(self, ticket: Ticket, events: list[TicketEvent]) -> bool:
        """Add internal events that change nothing about the ticket (agent time): no new version, so nobody's
        open page turns stale. Each event once: an event already stored (same id and moment) is not written again.
        False when it was there already."""

    @abstractmethod
    def queue_open_tickets_mail(self, customer_key: str, document: dict, *, at: datetime,
                                every: timedelta) -> bool:
        """Put the mail `document` (an outbox document, see services/tickets.py) on the outbox for the
        address, unless one was queued for it less than `every` before `at`: True if queued. Atomic, so
        parallel callers queue at most one."""

    @abstractmethod
    def get(self, number: int) -> Ticket | None: ...

    @abstractmethod
    def timeline(self, number: int) -> list[TicketEvent]: ...

    @abstractmethod
    def attachment(self, number: int, attachment_id: str) -> Attachment | None: ...

    @abstractmethod
    def count_assigned(self, agent: str) -> int:
        """How many active tickets an agent has (reads only that agent's index entries)."""

    @abstractmethod
    def due(self, stage: TimerStage, started_before: datetime, limit: int) -> list[int]:
        """Numbers of tickets waiting at `stage` whose clock started before the given time, oldest first.
        Reads only those entries (an eventually consistent index: callers re-read each ticket)."""

    @abstractmethod
    def sla_due(self, before: datetime, limit: int) -> list[int]:
        """Numbers of tickets with an SLA checkpoint (warning or breach) before the given time, earliest first.
        Reads only those entries (an eventually consistent index: callers re-read each ticket)."""

    @abstractmethod
    def imported(self, claim: str) -> int | None:
        """The number of the ticket imported under `claim` (domain/imports.claim_key), or None."""

    @abstractmethod
    def create_imported(self, ticket: Ticket, events: list[TicketEvent], attachments: list[Attachment], *,
                        claim: str) -> None:
        """Write an imported ticket with its whole history and the claim on (source, external id) in one
        transaction: all of it or nothing. Raises AlreadyImported (writing nothing) if the claim exists, and
        TicketTooLarge (writing nothing) if the history does not fit in one transaction. The customer's count
        of active tickets follows the ticket (no open-ticket limit: the tickets already exist)."""


class TicketViews(ABC):
    """Read-only lists of tickets, served by the keys and sparse indexes the ticket repository keeps true (no
    scan: each costs what it returns). Kept apart from the write side so that a read model (search, reports)
    can serve a list later without touching the use cases that change tickets. Eventually consistent: a use
    case that acts on a listed ticket re-reads it from the TicketRepository."""

    @abstractmethod
    def queue(self, department: str) -> list[Ticket]:
        """Active tickets of a department, oldest first."""

    @abstractmethod
    def assigned_to(self, agent: str) -> list[Ticket]:
        """Active tickets on an agent's desk, oldest first."""

    @abstractmethod
    def of_customer(self, *, email: str | None = None, phone: str | None = None) -> list[Ticket]:
        """Every ticket (archived ones too) filed with that address (case-folded) or E.164 number, newest first."""

    @abstractmethod
    def handovers(self, *, agent: str | None = None, group: tuple[str, str] | None = None,
                  limit: int = 100) -> list[TicketEvent]:
        """The hand-over trail (ASSIGNED events) involving an agent or a (department, group), newest first."""


@dataclass(frozen=True)
class CatalogSnapshot:
    """Everything admins edit that requests read, as of one moment."""
    departments: tuple[Department, ...]
    rules: tuple[RoutingRule, ...]
    policies: Policies
    sla_policy: SlaPolicy


class CatalogRepository(ABC):
    """The organisation and its rules, edited by admins and read on every request that needs them."""

    @abstractmethod
    def departments(self) -> list[Department]: ...

    @abstractmethod
    def save(self, department: Department) -> None: ...

    @abstractmethod
    def delete(self, department_id: str) -> None: ...

    @abstractmethod
    def rules(self) -> list[RoutingRule]: ...

    @abstractmethod
    def save_rules(self, rules: list[RoutingRule]) -> None: ...

    @abstractmethod
    def policies(self) -> Policies: ...

    @abstractmethod
    def save_policies(self, policies: Policies) -> None: ...

    @abstractmethod
    def sla_policy(self) -> SlaPolicy:
        """SLA targets, calendar and escalation; the defaults until an admin saves one."""

    @abstractmethod
    def save_sla_policy(self, policy: SlaPolicy) -> None: ...

    @abstractmethod
    def next_turn(self, department: str, group: str) -> int:
        """An ever-increasing counter per group, taken atomically (round-robin assignment)."""

    def snapshot(self) -> CatalogSnapshot:
        """All of the above at once (an adapter may read it with fewer calls)."""
        return CatalogSnapshot(departments=tuple(self.departments()), rules=tuple(self.rules()),
                               policies=self.policies(), sla_policy=self.sla_policy())

    def last_turn(self, department: str, group: str) -> int | None:
        """The group's last taken turn as this container last saw it, without a read (None: not known). It may
        be behind: a TurnClaim on the next one then fails with TurnTaken, and the caller takes next_turn."""
        return None

    def saw_turn(self, department: str, group: str, turn: int) -> None:
        """Remember `turn` as the group's last taken turn (after a ticket's transaction took it)."""


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class StoredUpload:
    content_type: str
    size: int
    filename: str
    head: bytes
    version: str | None = None  # the object version read (None in a bucket without versioning)


class FileStore(ABC):
    @abstractmethod
    def presign_upload(self, key: str, *, content_type: str, max_bytes: int, filename: str,
                       expires_in: int) -> PresignedPost: ...

    @abstractmethod
    def inspect_upload(self, key: str, head_bytes: int) -> StoredUpload | None:
        """What really arrived (the object's current version): type, size, filename, the first bytes and the
        version; None if nothing did."""

    @abstractmethod
    def keep(self, upload_key: str, attachment_key: str, version: str | None = None) -> None:
        """Copy an accepted upload out of the expiring uploads/ area: exactly `version` when given (the one
        that was checked, even if the browser has posted another over it since)."""

    @abstractmethod
    def save_upload_record(self, record: UploadRecord) -> None:
        """Write what is known of an upload (its grant, then its check); the same record twice is one."""

    @abstractmethod
    def upload_record(self, upload_id: str) -> UploadRecord | None:
        """One upload's record (the checker's read); None if it was never granted or has expired."""

    @abstractmethod
    def upload_records(self, upload_ids: list[str]) -> dict[str, UploadRecord]:
        """The records of several uploads in one read, by id; ids without one are missing from the answer.
        Records past their `expires_at` are missing too, even before TTL deletes them."""

    @abstractmethod
    def download_url(self, key: str, *, filename: str, content_type: str, expires_in: int) -> str: ...

    @abstractmethod
    def put_document(self, key: str, body: bytes, content_type: str) -> None:
        """Store bytes the server holds (an archived ticket's transcript, a file a mail brought); same key,
        same object."""

    @abstractmethod
    def read_document(self, key: str) -> bytes | None:
        """The whole object (a raw inbound mail); None if there is none."""

    @abstractmethod
    def delete_documents(self, keys: list[str]) -> None:
        """Remove stored objects (the files of a mail that became no ticket); keys already gone are no error."""


class AgentDirectory(ABC):
    """Agents are known by the address they sign in with (their id in groups, assignments and the timeline);
    the pool's own username of such an account is an opaque identifier that tokens carry."""

    @abstractmethod
    def identify(self, username: str) -> tuple[str, str]:
        """(agent id, display name) of the pool user a token names; LookupError if the account is gone."""

    @abstractmethod
    def display_name(self, agent_id: str) -> str:
        """The name customers see on an agent's replies (never the agent's address)."""

    @abstractmethod
    def agents(self, *, fresh: bool = False) -> list[tuple[str, str]]:
        """Every agent as (username, display name): whom an admin may put in groups and supervisors. Up to a
        minute old unless `fresh` (checking an admin's edit must see an agent invited a moment ago)."""


class PresenceBoard(ABC):
    """Who has a ticket open right now (short-lived records, forgotten on their own)."""

    @abstractmethod
    def touch(self, number: int, presence: Presence) -> None:
        """Record an agent's latest report on a ticket, replacing their previous one."""

    @abstractmethod
    def present(self, number: int, seen_after: datetime) -> list[Presence]:
        """Agents who reported on the ticket after the given moment."""

    @abstractmethod
    def leave(self, number: int, presence: Presence) -> None:
        """The agent left the ticket: their record no longer counts (not shown, no open interval), unless a
        newer report replaced it meanwhile."""

    @abstractmethod
    def idle(self, before: datetime, limit: int) -> list[tuple[int, Presence]]:
        """Open records (ticket number, presence) whose last report is older than `before`, oldest first, at most
        `limit`: the intervals nobody closed. By index, never a scan."""


class SecretSource(ABC):
    @abstractmethod
    def link_secret(self) -> bytes: ...


class EventBus(ABC):
    @abstractmethod
    def publish(self, document: dict) -> None: ...


class Mailer(ABC):
    @abstractmethod
    def send(self, mail: MailContent, *, message_id: str, thread_id: str) -> None:
        """Send from the desk's mailbox. `message_id` and `thread_id` are local parts on the mailbox's domain:
        the mail's own Message-ID, and the root it threads under ("": none). A mail that answers a received
        one names that mail in `mail.in_reply_to` instead. Raises DeliveryFailed if the provider refuses."""


class SmsSender(ABC):
    @abstractmethod
    def send(self, phone: str, text: str) -> None:
        """Send a text message to an E.164 number."""


class DeliveryFailed(Exception):
    """The mail or SMS provider did not take the message."""


class AgentProfiles(ABC):
    """Agents' contact settings for alerts (domain/alerts.py), one document per agent."""

    @abstractmethod
    def get(self, agent: str) -> AgentProfile | None: ...

    @abstractmethod
    def save(self, profile: AgentProfile) -> None: ...


class SmsQuota(ABC):
    """A per-recipient count of SMS in fixed windows (alerts.SMS_PER_WINDOW per alerts.SMS_WINDOW)."""

    @abstractmethod
    def take(self, recipient: str, at: datetime) -> bool:
        """Count one SMS for the recipient if the window still allows one, atomically; False changes nothing."""


class RateLimiter(ABC):
    """Fixed-window request counters for abuse limits (domain/rate_limits.py), shared by every container."""

    @abstractmethod
    def take(self, limit: RateLimit, key: str, at: datetime) -> bool:
        """Count one request of `key` in the window of `limit` that `at` falls in, if fewer than limit.limit
        were counted there; atomically (parallel requests never exceed it). False: refused, nothing counted."""


class SignInCodes(ABC):
    """Customers' one-time sign-in codes, one record per identity key (rules: domain/sign_in.py)."""

    @abstractmethod
    def get(self, identity: str) -> CodeRecord | None: ...

    @abstractmethod
    def save(self, identity: str, record: CodeRecord) -> None:
        """Write the whole record if the stored one is still at version record.version - 1 (0: none
        stored); raise VersionConflict otherwise."""

    @abstractmethod
    def count_attempt(self, identity: str, now: datetime) -> CodeRecord | None:
        """Atomically count one guess on the identity's code if it still takes guesses (not expired,
        attempts left) and return the record as counted; None, changing nothing, if it does not. However
        many guesses race, no code is ever guessed more than MAX_ATTEMPTS times."""

    @abstractmethod
    def consume(self, identity: str, digest: str) -> bool:
        """Remove the code if it is still the one with `digest`: True for the one caller that removed it."""


class AgentAccounts(ABC):
    """Agents' accounts in the pool: their second factor, signing them out, disabling them."""

    @abstractmethod
    def has_second_factor(self, agent_id: str) -> bool:
        """Whether the agent has enrolled an authenticator app (TOTP) and the pool asks for it at sign-in.
        May be a little stale (cached briefly) once true."""

    @abstractmethod
    def enabled(self, agent_id: str) -> bool:
        """Whether the account may sign in."""

    @abstractmethod
    def sign_out_everywhere(self, agent_id: str) -> None:
        """Revoke the agent's refresh tokens (they must sign in again everywhere)."""

    @abstractmethod
    def disable(self, agent_id: str) -> None:
        """The account can no longer sign in (its tokens are revoked as well)."""

    @abstractmethod
    def enable(self, agent_id: str) -> None:
        """The account may sign in again."""


class Revocations(ABC):
    """When each agent was last signed out everywhere or disabled: tokens from sign-ins before it are refused.
    The pool's tokens are JWTs, valid by themselves until they expire; this is what ends them at once."""

    @abstractmethod
    def revoke(self, agent_id: str, at: datetime) -> None:
        """Refuse the agent's tokens from sign-ins before `at` (later calls may only move it forward)."""

    @abstractmethod
    def revoked_before(self, agent_id: str) -> datetime | None:
        """The latest such moment, None if never (one strongly consistent read)."""


# ---------------------------------------------------------------- contexts

@dataclass(frozen=True)
class TicketDesk:
    """The ports and settings the ticket use cases need (open, reply, note, the agents' edits), built once per
    container by bootstrap.ticket_desk(); unit tests build one from fakes. A route or handler hands it over
    whole, with the command of its use case."""
    tickets: TicketRepository
    views: TicketViews
    catalog: CatalogRepository
    agents: AgentDirectory
    files: FileStore
    secrets: SecretSource
    clock: Clock
    limits: Limits
    site_url: str = ""  # the customer site: private links are built on it
    unconfirmed: UnconfirmedAllowance = UnconfirmedAllowance()


@dataclass(frozen=True)
class SignInDesk:
    """The ports a customer's sign-in needs (bootstrap.sign_in_desk()): codes, the secret they are derived with,
    mail and SMS to send them, the abuse limits, and the tickets a proven address confirms."""
    codes: SignInCodes
    secrets: SecretSource
    mailer: Mailer
    sms: SmsSender
    clock: Clock
    limiter: RateLimiter
    tickets: TicketRepository | None = None  # None: a sign-in confirms nothing (tests of the codes alone)
    views: TicketViews | None = None


@dataclass(frozen=True)
class AccountsDesk:
    """The ports an admin's work on agents' accounts needs (bootstrap.accounts_desk())."""
    accounts: AgentAccounts
    directory: AgentDirectory
    revocations: Revocations
    clock: Clock


@dataclass(frozen=True)
class AlertDesk:
    """The ports and addresses alerts need (bootstrap.alert_desk()): who is on call and how to reach them (agents'
    profiles, the catalog's groups, the directory), the senders, the SMS quota, the link secret, and the sites
    and mailbox the alerts point to."""
    profiles: AgentProfiles
    catalog: CatalogRepository
    agents: AgentDirectory
    mailer: Mailer
    sms: SmsSender
    quota: SmsQuota
    secrets: SecretSource
    site_url: str
    portal_url: str
    mailbox: str
