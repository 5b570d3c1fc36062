"""The KB publication consumer: the FIFO queue of article events (one message group, so one invocation at a time).

A batch's events name articles; each is re-read from the table and its static pages, its article index entries and
the sitemap are rewritten (services/kb.apply_article_events). Any failure fails the whole batch, which SQS delivers
again in order (re-rendering is idempotent); after 10 tries it waits in the DLQ (an alarm), and
`python -m ops.rebuild_kb_index` repairs the index.
"""
import json

from chalicelib import bootstrap
from chalicelib.domain import kb_events
from chalicelib.observability import logger
from chalicelib.services import kb as service
from chalicelib.settings import get_settings


def events_of(event) -> list[dict]:
    found = []
    for record in event.to_dict().get("Records", []):
        try:
            document = json.loads(record["body"])
            document["article_id"]  # noqa: B018 - a message without one is logged and dropped
        except (KeyError, TypeError, ValueError):
            logger.warning("KB message without an article", extra={"id": record.get("messageId")})
            continue
        if int(document.get("schema_version", 0)) != kb_events.SCHEMA_VERSION:
            logger.warning("KB message of an unknown schema_version", extra={"id": record.get("messageId")})
            continue
        found.append(document)
    return found


def handle(event) -> dict:
    articles = service.apply_article_events(bootstrap.knowledge_base(), bootstrap.static_site(),
                                            bootstrap.article_search(), events_of(event),
                                            site_origin=get_settings().web_origin.rstrip("/"))
    logger.info("articles published", extra={"articles": articles})
    return {"articles": articles}
