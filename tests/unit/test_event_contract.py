"""The event contract (issue 14, "The read side"; domain/event_contract.py): every document the outbox publishes
carries `schema_version` and has the one shape consumers read. The documents are the ones the real services
write (through a repository that records `to_document` of each event at its write, as the DynamoDB adapter
stores them), for every event type; documents that break the shape are refused, so the check can fail."""
import copy

import pytest

from chalicelib.domain import links
from chalicelib.domain.business_hours import PRESETS
from chalicelib.domain.event_contract import (
    OPEN_TICKETS, SUPPORTED_VERSIONS, TICKET_EVENT, problems, readable, version_of,
)
from chalicelib.domain.events import OPEN_TICKETS_MAIL, SCHEMA_VERSION, to_document
from chalicelib.domain.sign_in import CustomerAccess
from chalicelib.domain.sla import SlaPolicy
from chalicelib.domain.tickets import EventType
from chalicelib.errors import LimitReached
from chalicelib.services import agent_desk, automation, imports, notifications, ratings, sla, workflow
from chalicelib.services import tickets as service
from tests.fakes import (
    FakeAgents, FakeFiles, FakeSecrets, FixedClock, InMemoryCatalog, InMemoryPresence, InMemoryTickets, desk_of,
)
from tests.unit.test_import_service import Files, record
from tests.unit.test_ticket_services import LIMITS, open_ticket, reply_as_agent
from tests.unit.test_unconfirmed import ALLOWANCE, HOME
from tests.unit.test_workflow import staff


class PublishingTickets(InMemoryTickets):
    """In-memory tickets that keep the document of every event written, as the table's stream publishes it."""

    def __init__(self):
        super().__init__()
        self.published: list[dict] = []

    def create(self, ticket, events, attachments, **options):
        super().create(ticket, events, attachments, **options)
        self.published += [to_document(e, ticket) for e in events]

    def save(self, before, after, events, attachments=()):
        super().save(before, after, events, attachments)
        self.published += [to_document(e, after) for e in events]

    def record(self, ticket, events):
        fresh = [e for e in events if e.id not in {known.id for known in self.events[ticket.number]}]
        written = super().record(ticket, events)
        self.published += [to_document(e, ticket) for e in fresh]
        return written

    def create_imported(self, ticket, events, attachments, *, claim):
        result = super().create_imported(ticket, events, attachments, claim=claim)
        self.published += [to_document(e, ticket) for e in events]
        return result

    def queue_open_tickets_mail(self, customer_key, document, *, at, every):
        queued = super().queue_open_tickets_mail(customer_key, document, at=at, every=every)
        if queued:
            self.published.append(document)
        return queued


@pytest.fixture(scope="module")
def published() -> list[dict]:
    """A ticket's life through the services, touching every event type; an imported ticket; a refused address."""
    catalog = InMemoryCatalog()
    catalog.save_sla_policy(SlaPolicy(calendar=PRESETS["24x7"], reassign_to_supervisor=True))
    ports = {"tickets": PublishingTickets(), "catalog": catalog, "agents": FakeAgents(), "files": FakeFiles(),
             "secrets": FakeSecrets(), "clock": FixedClock(), "limits": LIMITS}
    tickets, clock = ports["tickets"], ports["clock"]

    opened = open_ticket(ports, priority="high", customer_phone="09121234567", client_network=HOME,
                         unconfirmed=ALLOWANCE)                                     # created, message, assigned
    number, access = opened.number, CustomerAccess(key=opened.access_key)
    desk = desk_of(ports)
    service.view_as_customer(desk, number=number, access=access)                   # confirmed
    service.set_sms_updates(desk, number=number, access=access, enabled=True)
    for hours in (3.25, 1):                                                         # sla warning, then breach
        clock.advance(hours=hours)
        sla.sweep(desk, now=clock.now())
    admin = staff("admin", admin=True)
    workflow.change_priority(desk, number=number, staff=admin, priority="low",
                             version=tickets.get(number).version)                   # priority changed
    service.add_note(tickets=tickets, clock=clock, number=number, agent=admin.actor, text="یادداشت داخلی")
    agent_desk.log_time(desk, number=number, staff=admin, minutes=15, note="تماس تلفنی")  # time logged
    board = InMemoryPresence()
    agent_desk.report_presence(desk, board, number=number, staff=admin, state="viewing")
    clock.advance(seconds=20)
    agent_desk.report_presence(desk, board, number=number, staff=admin, state="left")  # time spent
    message_id = reply_as_agent(ports, number).id                                   # message, status changed
    ratings.rate(desk, number=number,
                 message_id=message_id, signature=links.rating_signature(FakeSecrets().link_secret(), number,
                                                                         message_id),
                 rating="good", comment="ممنون")                                   # rated
    for days in (6, 8, 31):                                                        # reminded, closed, archived
        clock.advance(days=days)
        automation.remind_silent(desk, now=clock.now())
        automation.close_silent(desk, now=clock.now())
        automation.archive_closed(desk, now=clock.now())
    first = next(d for d in tickets.published if d["type"] == EventType.MESSAGE_ADDED)
    notifications.mail_undeliverable(first, tickets=tickets, clock=clock, error="550 mailbox unavailable")

    imports.import_ticket(record(), tickets=tickets, files=ports["files"], source=Files({}),
                          secrets=ports["secrets"], clock=clock, limits=LIMITS,
                          settings=imports.ImportSettings.read(catalog))

    for _ in range(ALLOWANCE.per_address + 1):                                     # an address's open tickets
        try:
            open_ticket(ports, customer_email="stranger@example.com", client_network=HOME, unconfirmed=ALLOWANCE)
        except LimitReached:
            break
    return tickets.published


def test_the_scenario_publishes_every_event_type_and_the_open_tickets_list(published):
    assert {d["type"] for d in published} == {t.value for t in EventType} | {OPEN_TICKETS_MAIL}


def test_every_published_document_keeps_the_contract(published):
    for document in published:
        assert document["schema_version"] == SCHEMA_VERSION == 1
        assert problems(document) == [], document


def test_the_snapshot_says_how_the_ticket_came_and_an_older_document_without_it_still_keeps_the_contract(published):
    documents = [d for d in published if d["type"] != OPEN_TICKETS_MAIL]
    imported = {d["ticket_number"] for d in documents if "source" in d["data"]}
    assert imported and {d["ticket"]["channel"] for d in documents} == {"web", "import"}
    for document in documents:
        assert document["ticket"]["channel"] == ("import" if document["ticket_number"] in imported else "web")
    assert problems(_broken(documents[0], lambda d: d["ticket"].pop("channel"))) == []


def test_a_message_event_carries_its_message_and_no_other_event_does(published):
    for document in published:
        assert ("message" in document) == (document["type"] == EventType.MESSAGE_ADDED)


def _broken(document: dict, change) -> dict:
    copied = copy.deepcopy(document)
    change(copied)
    return copied


@pytest.mark.parametrize("what,change", [
    ("no schema_version", lambda d: d.pop("schema_version")),
    ("a newer schema_version", lambda d: d.update(schema_version=2)),
    ("an unknown type", lambda d: d.update(type="ticket.teleported")),
    ("a field the contract does not name", lambda d: d.update(link_hash="secret")),
    ("a ticket field the contract does not name", lambda d: d["ticket"].update(version=3)),
    ("a missing ticket snapshot", lambda d: d.pop("ticket")),
    ("a number as text", lambda d: d.update(ticket_number="1001")),
    ("a time that is no time", lambda d: d.update(occurred_at="yesterday")),
    ("an unknown status", lambda d: d["ticket"].update(status="sleeping")),
    ("an unknown channel", lambda d: d["ticket"].update(channel="fax")),
    ("a message on an event that has none", lambda d: d.update(message={"id": "x"})),
])
def test_a_document_that_breaks_the_shape_is_refused(published, what, change):
    document = next(d for d in published if d["type"] == EventType.STATUS_CHANGED)
    assert problems(_broken(document, change)), what


@pytest.mark.parametrize("kind,change", [
    (EventType.MESSAGE_ADDED, lambda d: d.pop("message")),
    (EventType.MESSAGE_ADDED, lambda d: d["message"].update(text=None)),
    (EventType.STATUS_CHANGED, lambda d: d["data"].update(to="sleeping")),
    (EventType.ASSIGNED, lambda d: d["data"].pop("to")),
    (EventType.SLA_BREACHED, lambda d: d["data"].pop("escalation")),
    (EventType.RATED, lambda d: d["data"].update(extra=True)),
    (EventType.CONFIRMED, lambda d: d["data"].update(how="guess")),
    (OPEN_TICKETS_MAIL, lambda d: d["customer"].update(language="xx")),
    (OPEN_TICKETS_MAIL, lambda d: d.update(ticket={})),
])
def test_each_types_data_has_its_own_shape(published, kind, change):
    document = next(d for d in published if d["type"] == kind)
    assert problems(document) == []
    assert problems(_broken(document, change))


def test_consumers_read_the_versions_they_know_and_leave_others_alone():
    assert SUPPORTED_VERSIONS == {SCHEMA_VERSION}
    assert readable({"schema_version": 1}) and not readable({"schema_version": 2})
    assert version_of({}) == 1 and readable({})  # written before the field existed


def test_the_schemas_are_valid_json_schema():
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(TICKET_EVENT)
    Draft202012Validator.check_schema(OPEN_TICKETS)
