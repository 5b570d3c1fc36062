"""What the use cases need from the outside world. Adapters implement these; unit tests use fakes."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timezone

from chalicelib.domain.catalog import Department
from chalicelib.domain.mail import MailContent
from chalicelib.domain.tickets import Attachment, Ticket, TicketEvent


class Clock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class VersionConflict(Exception):
    """The ticket changed since it was read."""


class TicketRepository(ABC):
    @abstractmethod
    def next_number(self) -> int: ...

    @abstractmethod
    def create(self, ticket: Ticket, events: list[TicketEvent], attachments: list[Attachment]) -> None:
        """Write the ticket, its first events and attachments in one transaction."""

    @abstractmethod
    def save(self, ticket: Ticket, events: list[TicketEvent], attachments: list[Attachment]) -> None:
        """Write the changed ticket (its version one above the stored one) with new events, atomically.
        Raises VersionConflict if someone else saved first."""

    @abstractmethod
    def get(self, number: int) -> Ticket | None: ...

    @abstractmethod
    def timeline(self, number: int) -> list[TicketEvent]: ...

    @abstractmethod
    def attachment(self, number: int, attachment_id: str) -> Attachment | None: ...

    @abstractmethod
    def queue(self, department: str) -> list[Ticket]:
        """Active tickets of a department, oldest first."""


class CatalogRepository(ABC):
    @abstractmethod
    def departments(self) -> list[Department]: ...

    @abstractmethod
    def save(self, department: Department) -> None: ...


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


class FileStore(ABC):
    @abstractmethod
    def presign_upload(self, key: str, *, content_type: str, max_bytes: int, filename: str,
                       expires_in: int) -> PresignedPost: ...

    @abstractmethod
    def inspect_upload(self, key: str, head_bytes: int) -> StoredUpload | None:
        """What really arrived: type, size, filename and the first bytes; None if nothing did."""

    @abstractmethod
    def keep(self, upload_key: str, attachment_key: str) -> None:
        """Move an accepted upload out of the expiring uploads/ area."""

    @abstractmethod
    def download_url(self, key: str, *, filename: str, content_type: str, expires_in: int) -> str: ...


class AgentDirectory(ABC):
    @abstractmethod
    def display_name(self, username: str) -> str:
        """The name customers see on an agent's replies (never the agent's address)."""


class SecretSource(ABC):
    @abstractmethod
    def link_secret(self) -> bytes: ...


class EventBus(ABC):
    @abstractmethod
    def publish(self, document: dict) -> None: ...


class Mailer(ABC):
    @abstractmethod
    def send(self, mail: MailContent, *, message_id: str, thread_id: str) -> None: ...
