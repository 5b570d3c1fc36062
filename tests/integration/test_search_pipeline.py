"""The search pipeline on moto, as Lambda runs it: the outbox relay feeds the FIFO index queue, the indexer
re-reads each ticket (so redelivery and reordering converge), readers in other containers find the change, and
the rebuild command produces an index that answers exactly as the incremental one."""
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from chalice.test import Client

from chalicelib import bootstrap
from chalicelib.adapters.search_engine import Shards
from chalicelib.adapters.search_store import DynamoLease, S3IndexStore, S3SearchIndex, S3SearchReader
from chalicelib.domain import search_text
from chalicelib.services import tickets as service
from chalicelib.views.search import indexer
from chalicelib.views.search.query import Scope, SearchRequest, Sort
from tests.events.test_handlers import drain, sqs_event, stream_event
from tests.fakes import FakeAgents, FakeFiles, FakeSecrets, FixedClock
from tests.fakes import open_ticket as open_with_fakes
from tests.unit.test_ticket_services import AGENT, LIMITS, form

ADMIN = Scope(everything=True, internal=True)


@pytest.fixture(scope="module")
def client(aws_stack):
    from app import app
    with Client(app) as test_client:
        yield test_client


def a_word() -> str:
    return "zq" + uuid.uuid4().hex[:8]  # a word no other test's ticket has


def open_ticket(subject: str, text: str, *, at: datetime | None = None) -> int:
    clock = FixedClock(at or datetime.now(timezone.utc))
    opened = open_with_fakes(tickets=bootstrap.tickets(), catalog=bootstrap.catalog(), agents=FakeAgents(),
                             files=FakeFiles(), secrets=FakeSecrets(), clock=clock, limits=LIMITS,
                             site_url="http://x/", confirmed=True,
                             **form(subject=subject, text=text,
                                    customer_email=f"c-{uuid.uuid4().hex[:8]}@example.com"))
    return opened.number


def deliver(client, numbers):
    """The index queue's messages for these tickets, as Lambda hands a batch to the indexer."""
    bodies = [json.dumps({"ticket_number": n, "event_id": uuid.uuid4().hex}) for n in numbers]
    return client.lambda_.invoke("index_tickets", sqs_event(bodies))


def other_container(prefix: str = "search/", bucket: str | None = None, tmp_path=None) -> S3SearchReader:
    """A reader with a /tmp of its own, as another API container has."""
    root = tmp_path / uuid.uuid4().hex
    return S3SearchReader(S3IndexStore(bucket or bootstrap.search_store().bucket, Shards(root), prefix=prefix,
                                       check_every=0))


def found(reader, q, sort=Sort.RELEVANCE):
    page = reader.search(SearchRequest(q=q, sort=sort, limit=100), ADMIN, search_text.parse_query(q))
    return [(h.number, h.subject, h.status, h.snippet) for h in page.hits], page.total


def test_the_relay_sends_every_event_to_the_fifo_index_queue_once(client, aws_stack):
    from tests.events.test_handlers import conversation_documents
    _, documents = conversation_documents()
    drain(aws_stack["SEARCH_QUEUE_URL"])
    client.lambda_.invoke("publish_ticket_events", stream_event(documents))
    client.lambda_.invoke("publish_ticket_events", stream_event(documents))  # the stream retries the batch
    bodies = drain(aws_stack["SEARCH_QUEUE_URL"])
    assert sorted(b["event_id"] for b in bodies) == sorted(d["event_id"] for d in documents)
    assert {b["ticket_number"] for b in bodies} == {documents[0]["ticket_number"]}


def test_redelivered_and_reordered_events_converge_to_the_ticket_as_it_is(client, tmp_path):
    first, second = a_word(), a_word()
    number = open_ticket(f"printer {first}", f"the office printer {first} is off")
    deliver(client, [number])
    service.agent_reply(tickets=bootstrap.tickets(), files=FakeFiles(), clock=FixedClock(), limits=LIMITS,
                        number=number, agent=AGENT, text=f"please try the {second} cable", attachments=[])
    deliver(client, [number, number])  # the reply's event, twice
    deliver(client, [number])          # the creation event, late
    reader = other_container(tmp_path=tmp_path)
    [(hit, _, _, snippet)], total = found(reader, second)
    assert (hit, total) == (number, 1) and f"<mark>{second}</mark>" in snippet
    assert found(reader, first)[1] == 1  # one document per ticket, however often it was indexed


def test_a_batch_naming_a_missing_ticket_indexes_the_rest(client, tmp_path):
    word = a_word()
    number = open_ticket(f"scanner {word}", "text")
    deliver(client, [10 ** 9, number])
    assert found(other_container(tmp_path=tmp_path), word)[1] == 1


def test_the_rebuilt_index_answers_exactly_as_the_incremental_one(client, aws_stack, tmp_path):
    word, other = a_word(), a_word()
    now = datetime.now(timezone.utc)
    numbers = [open_ticket(f"{word} invoice {i}", f"{other} پرداخت ناموفق بود {i}", at=now - timedelta(days=40 * i))
               for i in range(4)]
    service.add_note(tickets=bootstrap.tickets(), clock=FixedClock(), number=numbers[0], agent=AGENT,
                     text=f"internal {other} note")
    for number in numbers:  # incremental: one event at a time, as they came
        deliver(client, [number])
    prefix = f"rebuild-test/{uuid.uuid4().hex[:8]}/"
    rebuilt = S3SearchIndex(S3IndexStore(bootstrap.search_store().bucket, Shards(tmp_path / "rebuild"),
                                         prefix=prefix),
                            DynamoLease(aws_stack["HELPDESK_TABLE"], name=f"rebuild-{prefix}"))
    states = []
    indexer.rebuild(tickets=bootstrap.tickets(), catalog=bootstrap.catalog(), index=rebuilt, first=min(numbers),
                    last=max(numbers), batch=2, done=lambda upto, written: states.append(upto))
    assert states[-1] == max(numbers)
    live, again = other_container(tmp_path=tmp_path), other_container(prefix=prefix, tmp_path=tmp_path)
    for q in (word, other, f'"{other} پرداخت"', "پرداخت " + word, f"{word} -{other}", f"{word[:5]}"):
        for sort in Sort:
            assert found(live, q, sort) == found(again, q, sort), (q, sort)
    assert found(live, word)[1] == 4


def test_the_rebuild_command_reads_tickets_by_number_and_resumes(client, aws_stack, tmp_path, monkeypatch):
    from ops import rebuild_search
    word = a_word()
    numbers = [open_ticket(f"{word} modem", "text") for _ in range(3)]
    state = tmp_path / "state.json"
    monkeypatch.setattr(bootstrap.tickets(), "last_number", lambda: max(numbers))
    state.write_text(json.dumps({"done_upto": min(numbers) - 1, "last": max(numbers)}))
    import io
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    assert rebuild_search.main(["--resume", "--state", str(state), "--batch", "2"]) == 0
    assert json.loads(state.read_text())["done_upto"] == max(numbers)
    assert "3/3 tickets" in err.getvalue()
    assert found(other_container(tmp_path=tmp_path), word)[1] == 3
