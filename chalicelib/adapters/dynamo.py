"""DynamoDB repositories (PynamoDB). Every read is a GetItem or a Query on a key: nothing scans. The lists people
read (queues, a customer's tickets, hand-overs) are in adapters/ticket_views.py."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.models import (
    ATTACHMENT_PREFIX, CATALOG, DEPARTMENT_PREFIX, EVENT_PREFIX, META, AttachmentItem, CounterItem, DocumentItem,
    EventItem, OutboxItem, TicketItem, ticket_pk, use_table,
)
from chalicelib.domain.catalog import Category, Department, Group
from chalicelib.domain.events import attachment_document, attachment_from_document, from_document, to_document
from chalicelib.domain.policies import Policies
from chalicelib.domain.routing import RoutingRule, Strategy
from chalicelib.domain.sla import SlaPolicy, sla_document, sla_from_document
from chalicelib.domain.tickets import (
    Actor, Attachment, AuthorKind, Customer, EventType, Language, Priority, Status, Ticket, TicketEvent, TimerStage,
)
from chalicelib.services.ports import (
    AlreadyImported, CatalogRepository, CatalogSnapshot, OpenLimitReached, TicketRepository, TicketTooLarge, TurnClaim, TurnTaken,
    VersionConflict,
)

SLA_PARTITION = "SLA"
CREATE_ATTEMPTS = 5  # concurrent transactions on one customer's counter are cancelled, not queued
TRANSACTION_ITEMS = 100  # DynamoDB's limit on the items of one TransactWriteItems
IMPORT_PREFIX = "IMPORT#"  # IMPORT#<source>#<external id> / IMPORT: the claim of one imported ticket


def stamp(moment: datetime) -> str:
    """A sortable key fragment: fixed width, UTC, so that string order is time order."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _order(moment: datetime, number: int) -> str:
    return f"{stamp(moment)}#{number:010d}"


def ticket_item(ticket: Ticket) -> TicketItem:
    created = _order(ticket.created_at, ticket.number)
    item = TicketItem(
        pk=ticket_pk(ticket.number), sk=META, number=ticket.number, subject=ticket.subject,
        department=ticket.department, category=ticket.category, priority=ticket.priority.value,
        language=ticket.language.value, customer_name=ticket.customer.name, customer_email=ticket.customer.email,
        customer_phone=ticket.customer.phone, status=ticket.status.value, created_at=ticket.created_at,
        last_activity_at=ticket.last_activity_at, link_salt=ticket.link_salt, link_hash=ticket.link_hash,
        version=ticket.version, group_id=ticket.group,
        assignee_id=ticket.assignee.id if ticket.assignee else None,
        assignee_name=ticket.assignee.name if ticket.assignee else None,
        agent_priority=ticket.agent_priority.value if ticket.agent_priority else None,
        last_public_at=ticket.last_public_at, reminded_at=ticket.reminded_at, closed_at=ticket.closed_at,
        follows=ticket.follows, customer_pk=_customer_pk(ticket.customer.key), customer_sk=created,
        sla=sla_document(ticket.sla) if ticket.sla else None, sms_updates=ticket.sms_updates,
        sender_verified=ticket.sender_verified,
        confirmed=None if ticket.confirmed else False, client_network=ticket.client_network,
        agent_replies=ticket.agent_replies or None, channel=ticket.channel,
    )
    # Sparse indexes: a ticket is in a queue or on a desk only while active, and waits for a job only
    # while a timer runs; losing the keys takes it out.
    if ticket.is_active:
        item.queue_pk, item.queue_sk = f"DEPT#{ticket.department}", created
        if ticket.assignee:
            item.assignee_pk, item.assignee_sk = _agent_pk(ticket.assignee.id), created
    if ticket.customer.phone:
        item.phone_pk, item.phone_sk = f"PHONE#{ticket.customer.phone}", created
    if timer := ticket.timer:
        item.timer_pk, item.timer_sk = f"TIMER#{timer.stage.value}", _order(timer.since, ticket.number)
    if ticket.is_active and ticket.sla and (checkpoint := ticket.sla.next_checkpoint):
        item.sla_pk, item.sla_sk = SLA_PARTITION, _order(checkpoint, ticket.number)
    return item


def _customer_pk(email_key: str) -> str:
    return f"CUST#{email_key}"


def _agent_pk(agent: str) -> str:
    return f"AGENT#{agent}"


def _ticket(item: TicketItem) -> Ticket:
    assignee = (Actor(kind=AuthorKind.AGENT, id=item.assignee_id, name=item.assignee_name or item.assignee_id)
                if item.assignee_id else None)
    return Ticket(
        number=int(item.number), subject=item.subject, department=item.department, category=item.category,
        priority=Priority(item.priority), language=Language(item.language),
        customer=Customer(name=item.customer_name, email=item.customer_email, phone=item.customer_phone),
        status=Status(item.status), created_at=item.created_at, last_activity_at=item.last_activity_at,
        link_salt=item.link_salt, link_hash=item.link_hash, version=int(item.version), group=item.group_id or "",
        assignee=assignee, agent_priority=Priority(item.agent_priority) if item.agent_priority else None,
        last_public_at=item.last_public_at, reminded_at=item.reminded_at, closed_at=item.closed_at,
        follows=int(item.follows) if item.follows is not None else None,
        sla=sla_from_document(item.sla) if item.sla else None, sms_updates=bool(item.sms_updates),
        sender_verified=item.sender_verified is not False,
        confirmed=item.confirmed is not False, client_network=item.client_network,
        agent_replies=int(item.agent_replies or 0), channel=item.channel or "web",
    )


def event_items(ticket: Ticket, events: list[TicketEvent]) -> list[EventItem]:
    # Time orders the timeline; the index keeps one write's events in the order given; the event id keeps
    # two writes at the same instant apart.
    return [EventItem(pk=ticket_pk(ticket.number), sk=f"{EVENT_PREFIX}{e.occurred_at.isoformat()}#{i:02d}#{e.id}",
                      doc=to_document(e, ticket)) for i, e in enumerate(events)]


def attachment_items(number: int, attachments: list[Attachment]) -> list[AttachmentItem]:
    return [AttachmentItem(pk=ticket_pk(number), sk=f"{ATTACHMENT_PREFIX}{a.id}", doc=attachment_document(a))
            for a in attachments]


def handover_parties(event: TicketEvent) -> set[str]:
    """The trail partitions a hand-over belongs to: every agent and group on either side of it."""
    parties = set()
    for side in ("from", "to"):
        place = event.data.get(side) or {}
        if place.get("agent"):
            parties.add(f"HANDOVER#agent#{place['agent']}")
        if place.get("group"):
            parties.add(f"HANDOVER#group#{place['department']}/{place['group']}")
    return parties


def handover_items(ticket: Ticket, events: list[TicketEvent]) -> list[DocumentItem]:
    return [DocumentItem(pk=party, sk=f"{stamp(e.occurred_at)}#{ticket.number:010d}#{e.id}", doc=to_document(e, ticket))
            for e in events if e.type == EventType.ASSIGNED for party in sorted(handover_parties(e))]


OPEN, UNCONFIRMED = "OPEN", "UNCONFIRMED"
OPEN_TICKETS_MAIL_TTL = timedelta(days=2)  # the outbox record is published at once; kept a while for tracing


def _places(ticket: Ticket) -> dict[tuple[str, str], str]:
    """The counters this ticket takes one place in (keyed by the +tag-folded address: variants of one
    address share one limit), each with the name of its limit: an active
    confirmed ticket the customer's open count; an active unconfirmed one its address's and its network's
    unconfirmed counts; a closed or archived ticket none."""
    if ticket.holds_open_place:
        return {(_customer_pk(ticket.customer.limit_key), OPEN): "customer"}
    if ticket.holds_unconfirmed_place:
        places = {(_customer_pk(ticket.customer.limit_key), UNCONFIRMED): "address"}
        if ticket.client_network:
            places[(f"NET#{ticket.client_network}", UNCONFIRMED)] = "network"
        return places
    return {}


def _reasons(exc: TransactWriteError) -> set[str]:
    return {r.code for r in (exc.cancellation_reasons or []) if r is not None}


def _which_failed(exc: TransactWriteError, places: dict[tuple[str, str], str]) -> str:
    """The limit whose condition failed. DynamoDB gives one reason per item in request order, and PynamoDB
    sends updates last, in the order they were added: the counters are the last len(places) items."""
    reasons = list(exc.cancellation_reasons or [])
    counted = reasons[len(reasons) - len(places):] if len(reasons) >= len(places) else []
    for reason, which in zip(counted, places.values()):
        if reason is not None and reason.code == "ConditionalCheckFailed":
            return which
    return next(iter(places.values()), "customer")


def turn_key(department: str, group: str) -> tuple[str, str]:
    return f"TURN#{department}#{group}", "TURN"


def _turn_claim(turn: TurnClaim):
    """The update that takes turn.taken: only if the group's counter still stands at the turn before."""
    pk, sk = turn_key(turn.department, turn.group)
    before = (CounterItem.value.does_not_exist() | (CounterItem.value == 0)) if turn.taken == 1 \
        else CounterItem.value == turn.taken - 1
    return CounterItem(pk=pk, sk=sk), [CounterItem.value.set(turn.taken)], before


def _turn_failed(exc: TransactWriteError, places: dict[tuple[str, str], str]) -> bool:
    """Whether the turn's condition failed: its update comes right before the places' (see _which_failed)."""
    reasons = list(exc.cancellation_reasons or [])
    index = len(reasons) - len(places) - 1
    return 0 <= index < len(reasons) and reasons[index] is not None and reasons[index].code == "ConditionalCheckFailed"


class DynamoTicketRepository(TicketRepository):
    def __init__(self, table_name: str):
        use_table(table_name)
        self._connection: Connection | None = None

    def _transaction(self) -> TransactWrite:
        if self._connection is None:
            self._connection = Connection(region=TicketItem.Meta.region)
        return TransactWrite(connection=self._connection)

    def next_number(self) -> int:
        counter = CounterItem(pk="COUNTER", sk="ticket")
        # ADD on a missing item starts from 0: no seeding needed, and concurrent callers never share a number.
        counter.update(actions=[CounterItem.value.add(1)])
        return int(counter.value) + 1000

    def last_number(self) -> int:
        """The last ticket number handed out (1000 before the first): numbers are sequential, so every ticket
        can be read by number without a Scan (ops/rebuild_search.py)."""
        try:
            return int(CounterItem.get("COUNTER", "ticket").value) + 1000
        except CounterItem.DoesNotExist:
            return 1000

    def create(self, ticket, events, attachments, *, open_limit=None, unconfirmed=None, turn=None):
        limits = {"customer": open_limit,
                  "address": unconfirmed.per_address if unconfirmed else None,
                  "network": unconfirmed.per_network if unconfirmed else None}
        places = _places(ticket)
        for _ in range(CREATE_ATTEMPTS):
            try:
                with self._transaction() as tx:
                    tx.save(ticket_item(ticket), condition=TicketItem.pk.does_not_exist())
                    self._write_records(tx, ticket, events, attachments)
                    if turn is not None:  # an update added before the places: they stay the last items
                        tx.update(*_turn_claim(turn))
                    # Each place is taken in the same transaction, under its limit: parallel requests cannot
                    # all see room for one more.
                    for (pk, sk), which in places.items():
                        limit = limits[which]
                        condition = None
                        if limit is not None:
                            condition = CounterItem.value.does_not_exist() | (CounterItem.value < limit)
                        tx.update(CounterItem(pk=pk, sk=sk), actions=[CounterItem.value.add(1)], condition=condition)
                return
            except TransactWriteError as exc:
                reasons = _reasons(exc)
                if turn is not None and _turn_failed(exc, places):
                    raise TurnTaken(turn) from exc
                if "ConditionalCheckFailed" in reasons:
                    raise OpenLimitReached(ticket.customer.limit_key, _which_failed(exc, places)) from exc
                if "TransactionConflict" not in reasons:
                    raise
        raise VersionConflict(ticket.number)

    def save(self, before, after, events, attachments=()):
        moves = {place: 0 for place in {**_places(before), **_places(after)}}
        for place in _places(before):
            moves[place] -= 1
        for place in _places(after):
            moves[place] += 1
        try:
            with self._transaction() as tx:
                tx.save(ticket_item(after), condition=TicketItem.version == before.version)
                self._write_records(tx, after, events, list(attachments))
                for (pk, sk), delta in moves.items():
                    if delta:
                        tx.update(CounterItem(pk=pk, sk=sk), actions=[CounterItem.value.add(delta)])
        except TransactWriteError as exc:
            if exc.cause_response_code == "TransactionCanceledException":
                raise VersionConflict(after.number) from exc
            raise

    def record(self, ticket, events):
        from pynamodb.exceptions import PutError

        written = False
        for item in event_items(ticket, events):  # the key holds the moment and the id: the same event, the same key
            try:
                item.save(condition=EventItem.pk.does_not_exist())
                written = True
            except PutError as exc:
                if exc.cause_response_code != "ConditionalCheckFailedException":
                    raise
        return written

    def queue_open_tickets_mail(self, customer_key, document, *, at, every):
        cutoff = int((at - every).timestamp())
        sent = CounterItem(pk=_customer_pk(customer_key), sk="OPENLIST")
        outbox = OutboxItem(pk=f"MAIL#{customer_key}", sk=f"{EVENT_PREFIX}{at.isoformat()}#00#{document['event_id']}",
                            doc=document, expires_at=int((at + OPEN_TICKETS_MAIL_TTL).timestamp()))
        try:
            with self._transaction() as tx:
                tx.update(sent, actions=[CounterItem.value.set(int(at.timestamp()))],
                          condition=CounterItem.value.does_not_exist() | (CounterItem.value <= cutoff))
                tx.save(outbox, condition=OutboxItem.pk.does_not_exist())
        except TransactWriteError as exc:
            if _reasons(exc) & {"ConditionalCheckFailed", "TransactionConflict"}:
                return False  # one was queued within the window, or is being queued right now
            raise
        return True

    @staticmethod
    def _write_records(tx, ticket, events, attachments) -> None:
        for item in [*event_items(ticket, events), *attachment_items(ticket.number, attachments),
                     *handover_items(ticket, events)]:
            tx.save(item, condition=EventItem.pk.does_not_exist())

    def imported(self, claim: str) -> int | None:
        try:
            return int(DocumentItem.get(f"{IMPORT_PREFIX}{claim}", "IMPORT", consistent_read=True).doc["number"])
        except DocumentItem.DoesNotExist:
            return None

    def create_imported(self, ticket, events, attachments, *, claim):
        records = [*event_items(ticket, events), *attachment_items(ticket.number, attachments),
                   *handover_items(ticket, events)]
        if len(records) + 3 > TRANSACTION_ITEMS:  # + the ticket, the claim and the customer's counter
            raise TicketTooLarge(ticket.number)
        claim_item = DocumentItem(pk=f"{IMPORT_PREFIX}{claim}", sk="IMPORT",
                                  doc={"number": ticket.number, "created_at": stamp(ticket.created_at)})
        for _ in range(CREATE_ATTEMPTS):
            try:
                with self._transaction() as tx:
                    tx.save(claim_item, condition=DocumentItem.pk.does_not_exist())
                    tx.save(ticket_item(ticket), condition=TicketItem.pk.does_not_exist())
                    for item in records:
                        tx.save(item, condition=EventItem.pk.does_not_exist())
                    for pk, sk in _places(ticket):
                        tx.update(CounterItem(pk=pk, sk=sk), actions=[CounterItem.value.add(1)])
                return
            except TransactWriteError as exc:
                reasons = _reasons(exc)
                if "ConditionalCheckFailed" in reasons:
                    raise AlreadyImported(claim, self.imported(claim)) from exc
                if "TransactionConflict" not in reasons:
                    raise
        raise VersionConflict(ticket.number)

    def get(self, number: int) -> Ticket | None:
        try:
            return _ticket(TicketItem.get(ticket_pk(number), META, consistent_read=True))
        except TicketItem.DoesNotExist:
            return None

    def timeline(self, number: int) -> list[TicketEvent]:
        items = EventItem.query(ticket_pk(number), EventItem.sk.startswith(EVENT_PREFIX), consistent_read=True)
        return [from_document(item.doc) for item in items]

    def attachment(self, number: int, attachment_id: str) -> Attachment | None:
        try:
            item = AttachmentItem.get(ticket_pk(number), f"{ATTACHMENT_PREFIX}{attachment_id}")
        except AttachmentItem.DoesNotExist:
            return None
        return attachment_from_document(item.doc)

    def count_assigned(self, agent: str) -> int:
        return TicketItem.assignee_index.count(_agent_pk(agent))

    def due(self, stage: TimerStage, started_before: datetime, limit: int) -> list[int]:
        items = TicketItem.timer_index.query(f"TIMER#{stage.value}", TicketItem.timer_sk < stamp(started_before),
                                             limit=limit)
        return [int(item.pk.removeprefix("T#")) for item in items]

    def sla_due(self, before: datetime, limit: int) -> list[int]:
        items = TicketItem.sla_index.query(SLA_PARTITION, TicketItem.sla_sk < stamp(before), limit=limit)
        return [int(item.pk.removeprefix("T#")) for item in items]



def department_document(d: Department) -> dict:
    return {"id": d.id, "names": d.names, "supervisors": list(d.supervisors),
            "categories": [{"id": c.id, "names": c.names} for c in d.categories],
            "groups": [{"id": g.id, "names": g.names, "members": list(g.members), "strategy": g.strategy.value}
                       for g in d.groups]}


def department_from_document(d: dict) -> Department:
    return Department(
        id=d["id"], names=d["names"], supervisors=tuple(d.get("supervisors", ())),
        categories=tuple(Category(id=c["id"], names=c["names"]) for c in d["categories"]),
        groups=tuple(Group(id=g["id"], names=g["names"], members=tuple(g.get("members", ())),
                           strategy=Strategy(g.get("strategy", Strategy.ROUND_ROBIN))) for g in d.get("groups", ())))


def _rules_from(doc: dict) -> list[RoutingRule]:
    return [RoutingRule(category=r["category"], department=r["department"], group=r["group"],
                        keywords=tuple(r.get("keywords", ()))) for r in doc["rules"]]


class DynamoCatalogRepository(CatalogRepository):
    def __init__(self, table_name: str):
        use_table(table_name)
        self._turns: dict[tuple[str, str], int] = {}  # last taken round-robin turns this container saw

    def departments(self) -> list[Department]:
        return [department_from_document(item.doc)
                for item in DocumentItem.query(CATALOG, DocumentItem.sk.startswith(DEPARTMENT_PREFIX))]

    def save(self, department: Department) -> None:
        DocumentItem(pk=CATALOG, sk=f"{DEPARTMENT_PREFIX}{department.id}", doc=department_document(department)).save()

    def delete(self, department_id: str) -> None:
        DocumentItem(pk=CATALOG, sk=f"{DEPARTMENT_PREFIX}{department_id}").delete()

    def rules(self) -> list[RoutingRule]:
        try:
            return _rules_from(DocumentItem.get(CATALOG, "RULES").doc)
        except DocumentItem.DoesNotExist:
            return []

    def save_rules(self, rules: list[RoutingRule]) -> None:
        DocumentItem(pk=CATALOG, sk="RULES", doc={"rules": [
            {"category": r.category, "department": r.department, "group": r.group, "keywords": list(r.keywords)}
            for r in rules]}).save()

    def policies(self) -> Policies:
        try:
            return Policies(**DocumentItem.get(CATALOG, "POLICIES").doc)
        except DocumentItem.DoesNotExist:
            return Policies()

    def save_policies(self, policies: Policies) -> None:
        DocumentItem(pk=CATALOG, sk="POLICIES", doc=policies.to_dict()).save()

    def sla_policy(self) -> SlaPolicy:
        try:
            return SlaPolicy.parse(DocumentItem.get(CATALOG, "SLA").doc)
        except DocumentItem.DoesNotExist:
            return SlaPolicy()

    def save_sla_policy(self, policy: SlaPolicy) -> None:
        DocumentItem(pk=CATALOG, sk="SLA", doc=policy.to_document()).save()

    def snapshot(self) -> CatalogSnapshot:
        """Departments, rules, policies and SLA policy with one Query (all of them live under pk CATALOG)."""
        departments, docs = [], {}
        for item in DocumentItem.query(CATALOG):
            if item.sk.startswith(DEPARTMENT_PREFIX):
                departments.append(department_from_document(item.doc))
            else:
                docs[item.sk] = item.doc
        return CatalogSnapshot(
            departments=tuple(departments), rules=tuple(_rules_from(docs["RULES"]) if "RULES" in docs else ()),
            policies=Policies(**docs["POLICIES"]) if "POLICIES" in docs else Policies(),
            sla_policy=SlaPolicy.parse(docs["SLA"]) if "SLA" in docs else SlaPolicy())

    def next_turn(self, department: str, group: str) -> int:
        counter = CounterItem(*turn_key(department, group))
        counter.update(actions=[CounterItem.value.add(1)])
        self.saw_turn(department, group, int(counter.value))
        return int(counter.value)

    def last_turn(self, department: str, group: str) -> int | None:
        return self._turns.get((department, group))

    def saw_turn(self, department: str, group: str, turn: int) -> None:
        # Concurrent requests in one container: keep the highest seen (a lower one would only cost a retry).
        self._turns[(department, group)] = max(turn, self._turns.get((department, group), 0))
