"""Article events (issue 15): what the knowledge base's outbox carries when what readers see may change.

An editor's publish, archive, settings change or restore writes, in the same transaction as the article, one
article event item; the table's stream carries it and the outbox relay hands it to the KB publication queue,
whose consumer re-reads the article and rewrites the static page, the sitemap and the article index. The document
names the article, not its content: the consumer always renders the article as it is when it runs, so a
redelivered or late event converges on the newest state. Its shape is the contract in domain/event_contract.py
(ARTICLE_EVENT); these documents never go to the ticket topic.
"""
from __future__ import annotations

from chalicelib.domain.kb import Article, HistoryAction, HistoryEntry, KbVisibility

SCHEMA_VERSION = 1
PREFIX = "article."
# The history actions that change (or may change) what readers see, and their event types.
TYPES = {HistoryAction.PUBLISHED: "article.published", HistoryAction.ARCHIVED: "article.archived",
         HistoryAction.SETTINGS: "article.settings_changed", HistoryAction.RESTORED: "article.restored"}


def public_addresses(article: Article | None) -> list[dict[str, str]]:
    """The (lang, slug) of the article's published public versions: its static pages."""
    if article is None or article.visibility != KbVisibility.PUBLIC:
        return []
    return [{"lang": lang, "slug": v.published.slug} for lang, v in sorted(article.published_languages().items())
            if v.published]


def article_event(entry: HistoryEntry, before: Article | None, version: int, event_id: str) -> dict | None:
    """The event document of a history entry (None for entries readers never notice: drafts and edits).
    `previous` lists the static pages the article had before the change, so the consumer can remove those that
    are no longer public; `version` is the article's version after the change."""
    kind = TYPES.get(entry.action)
    if kind is None:
        return None
    return {"schema_version": SCHEMA_VERSION, "event_id": event_id, "type": kind, "article_id": entry.article_id,
            "lang": entry.lang, "version": version, "occurred_at": entry.at.isoformat(),
            "actor": {"kind": "agent", "id": entry.by}, "previous": public_addresses(before)}


def is_article_event(document: dict) -> bool:
    return str(document.get("type", "")).startswith(PREFIX)
