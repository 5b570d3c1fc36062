"""Publishing an article off the request path (issue 15, GUIDE §7), on moto as Lambda runs it: the editor's
transaction writes an article event beside the article; the outbox relay queues it on the KB publication FIFO
queue (never on the ticket topic); the consumer re-reads the article and writes the static page, the sitemap and
the article index. Redelivery and reordering converge on the article as the table has it."""
import json
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError
from chalice.test import Client

from chalicelib import bootstrap
from chalicelib.adapters.kb import ARTICLE_EVENT_PREFIX, KbItem, S3StaticSite, article_pk
from chalicelib.domain.event_contract import ARTICLE_EVENT, problems, schema_for
from chalicelib.domain.kb import Editor
from chalicelib.services import kb as service
from tests.events.test_handlers import drain, sqs_event
from tests.fakes import FixedClock

EDITOR = Editor("kb.editor@example.com", admin=True)


@pytest.fixture(scope="module")
def client(aws_stack):
    from app import app
    service.save_categories(bootstrap.knowledge_base(), EDITOR, [{"id": "general", "names": {"en": "General"}}])
    with Client(app) as test_client:
        yield test_client


def article(title="Refunds", *, lang="en", visibility="public"):
    return service.create_article(bootstrap.knowledge_base(), EDITOR, FixedClock(), category="general",
                                  visibility=visibility, tags=[], lang=lang, title=title,
                                  slug=f"p-{uuid.uuid4().hex[:8]}", body=f"{title} **body**")


def publish(draft, lang="en"):
    return service.publish(bootstrap.knowledge_base(), EDITOR, FixedClock(), article_id=draft.id, lang=lang,
                           version=draft.version)


def events_of(article_id) -> list[dict]:
    return [item.doc for item in KbItem.query(article_pk(article_id), KbItem.sk.startswith(ARTICLE_EVENT_PREFIX))]


def consume(client, documents):
    """The KB queue's messages, as Lambda hands a batch to the publication consumer."""
    return client.lambda_.invoke("publish_articles", sqs_event([json.dumps(d) for d in documents]))


def stream_of(article_id, name="INSERT"):
    """The table's stream records of the article's event items, as Lambda hands them to the relay."""
    records = []
    for i, item in enumerate(KbItem.query(article_pk(article_id), KbItem.sk.startswith(ARTICLE_EVENT_PREFIX))):
        image = item.serialize()
        records.append({"eventID": str(i), "eventName": name, "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
                        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/1",
                        "dynamodb": {"Keys": {"pk": image["pk"], "sk": image["sk"]}, "NewImage": image,
                                     "SequenceNumber": f"{100 + i}", "StreamViewType": "NEW_IMAGE"}})
    return {"Records": records}


def page(aws_stack, lang, slug) -> str | None:
    try:
        return boto3.client("s3").get_object(Bucket=aws_stack["WEB_BUCKET"],
                                             Key=f"customer/kb/{lang}/{slug}.html")["Body"].read().decode()
    except ClientError:
        return None


def sitemap(aws_stack) -> str:
    return boto3.client("s3").get_object(Bucket=aws_stack["WEB_BUCKET"], Key="customer/kb/sitemap.xml")[
        "Body"].read().decode()


def found(word, internal=False):
    return [h.article_id for h in bootstrap.article_search().search(word, "en", internal=internal, limit=10)]


def test_the_publish_request_writes_only_the_table_and_an_event_that_keeps_the_contract(client, aws_stack):
    word = f"zq{uuid.uuid4().hex[:8]}"
    published = publish(article(f"Refunds {word}"))
    slug = published.versions["en"].published.slug
    assert page(aws_stack, "en", slug) is None and found(word) == []  # nothing but the table on the request path
    [event] = events_of(published.id)
    assert event["type"] == "article.published" and event["version"] == published.version
    assert schema_for(event) is ARTICLE_EVENT and problems(event) == []
    assert problems({**event, "type": "ticket.created"}) != []          # read as a ticket event: refused
    assert problems({**event, "previous": [{"lang": "xx", "slug": "a"}]}) != []
    assert problems({key: v for key, v in event.items() if key != "schema_version"}) != []


def test_the_relay_queues_article_events_once_and_never_on_the_ticket_topic(client, aws_stack):
    drain(aws_stack["KB_QUEUE_URL"]), drain(aws_stack["SEARCH_QUEUE_URL"]), drain(aws_stack["NOTIFICATIONS_QUEUE_URL"])
    published = publish(article())
    client.lambda_.invoke("publish_ticket_events", stream_of(published.id))
    client.lambda_.invoke("publish_ticket_events", stream_of(published.id))  # the stream retries the batch
    client.lambda_.invoke("publish_ticket_events", stream_of(published.id, name="REMOVE"))  # TTL expiry: nothing
    queued = drain(aws_stack["KB_QUEUE_URL"])
    assert [q["event_id"] for q in queued] == [e["event_id"] for e in events_of(published.id)]
    assert drain(aws_stack["SEARCH_QUEUE_URL"]) == []
    assert not any("article" in json.dumps(m) for m in drain(aws_stack["NOTIFICATIONS_QUEUE_URL"]))


def test_the_consumer_writes_page_sitemap_and_index_and_redelivery_changes_nothing(client, aws_stack):
    word = f"zq{uuid.uuid4().hex[:8]}"
    published = publish(article(f"Delivery {word}"))
    slug = published.versions["en"].published.slug
    consume(client, events_of(published.id))
    first = page(aws_stack, "en", slug)
    assert f"Delivery {word}" in first and f"/customer/kb/en/{slug}.html" in sitemap(aws_stack)
    assert found(word) == [published.id]
    consume(client, events_of(published.id) * 2)  # redelivered, twice in one batch
    assert page(aws_stack, "en", slug) == first and found(word) == [published.id]


def test_two_publications_end_in_the_newest_whatever_order_their_events_arrive_in(client, aws_stack):
    old, new = f"zq{uuid.uuid4().hex[:8]}", f"zq{uuid.uuid4().hex[:8]}"
    first = publish(article(f"Title {old}"))
    slug = first.versions["en"].published.slug
    edited = service.edit_text(bootstrap.knowledge_base(), EDITOR, FixedClock(), article_id=first.id, lang="en",
                               title=f"Title {new}", slug=slug, body="new body", version=first.version)
    second = publish(edited)
    older, newer = sorted(events_of(first.id), key=lambda e: e["version"])
    consume(client, [newer])
    consume(client, [older])  # late: it renders the article as it is now, not as it was
    assert f"Title {new}" in page(aws_stack, "en", slug) and f"Title {old}" not in page(aws_stack, "en", slug)
    assert found(new) == [second.id] and found(old) == []


def test_archiving_and_going_internal_remove_the_page_even_when_an_old_event_comes_late(client, aws_stack):
    published = publish(article())
    slug = published.versions["en"].published.slug
    consume(client, events_of(published.id))
    archived = service.archive(bootstrap.knowledge_base(), EDITOR, FixedClock(), article_id=published.id, lang="en",
                               version=published.version)
    events = sorted(events_of(published.id), key=lambda e: e["version"])
    assert events[-1]["type"] == "article.archived" and events[-1]["previous"] == [{"lang": "en", "slug": slug}]
    consume(client, events[::-1])  # the archive first, then the older publication
    assert page(aws_stack, "en", slug) is None and f"/customer/kb/en/{slug}.html" not in sitemap(aws_stack)
    assert archived.version == events[-1]["version"]

    other = publish(article())
    other_slug = other.versions["en"].published.slug
    consume(client, events_of(other.id))
    service.change_settings(bootstrap.knowledge_base(), EDITOR, FixedClock(), article_id=other.id,
                            version=other.version, visibility="internal")
    consume(client, events_of(other.id))
    assert page(aws_stack, "en", other_slug) is None and f"/customer/kb/en/{other_slug}.html" not in sitemap(aws_stack)


def test_a_failed_write_fails_the_batch_and_the_next_delivery_completes_it(client, aws_stack, monkeypatch):
    published = publish(article())
    slug = published.versions["en"].published.slug
    original = S3StaticSite.put

    def failing(self, key, body, content_type):
        raise ClientError({"Error": {"Code": "SlowDown", "Message": "try later"}}, "PutObject")

    monkeypatch.setattr(S3StaticSite, "put", failing)
    with pytest.raises(ClientError):
        consume(client, events_of(published.id))  # SQS keeps the batch and delivers it again, in order
    monkeypatch.setattr(S3StaticSite, "put", original)
    consume(client, events_of(published.id))
    assert page(aws_stack, "en", slug) is not None


def test_drafts_and_edits_write_no_event(client):
    draft = article()
    service.edit_text(bootstrap.knowledge_base(), EDITOR, FixedClock(), article_id=draft.id, lang="en", title="T2",
                      slug=draft.versions["en"].draft.slug, body="b", version=draft.version)
    assert events_of(draft.id) == []


def test_a_batch_of_several_articles_lands_in_one_index_change(client, aws_stack, monkeypatch):
    from chalicelib.adapters.kb_search import S3ArticleSearch

    words = [f"zq{uuid.uuid4().hex[:8]}" for _ in range(3)]
    articles = [publish(article(f"Batch {word}")) for word in words]
    changes, original = [], S3ArticleSearch._change

    def counted(self, clear, rows):
        changes.append(len(rows))
        return original(self, clear, rows)

    monkeypatch.setattr(S3ArticleSearch, "_change", counted)
    consume(client, [event for a in articles for event in events_of(a.id)])
    assert changes == [3]  # one lease, one commit, one upload for the batch
    for word, published in zip(words, articles):
        assert found(word) == [published.id]
        assert f"Batch {word}" in page(aws_stack, "en", published.versions["en"].published.slug)
