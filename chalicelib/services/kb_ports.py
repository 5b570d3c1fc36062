"""Ports of the knowledge base (adapters/kb.py implements them on the helpdesk table, S3 and tantivy)."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain.kb import Article, Category, HistoryEntry, KbVisibility


@dataclass(frozen=True)
class Page:
    """One published language version as readers get it: the rendered (sanitized) body and its neighbours."""
    article_id: str
    lang: str
    slug: str
    title: str
    html: str
    text: str            # plain text of the body (search, snippets)
    category: str
    visibility: KbVisibility
    tags: tuple[str, ...]
    revision: int
    published_at: datetime
    order: int = 0
    alternates: dict[str, dict[str, str]] = field(default_factory=dict)  # other languages: {slug, title}


@dataclass(frozen=True)
class Listed:
    """A published article in a language's list (what the list and the search index are built from)."""
    article_id: str
    lang: str
    slug: str
    title: str
    category: str
    visibility: KbVisibility
    text: str
    tags: tuple[str, ...]
    order: int = 0


@dataclass(frozen=True)
class Pending:
    article_id: str
    lang: str
    title: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Hit:
    article_id: str
    lang: str
    slug: str
    title: str
    category: str
    snippet: str
    visibility: KbVisibility


class KnowledgeBase(ABC):
    @abstractmethod
    def categories(self) -> list[Category]: ...

    @abstractmethod
    def save_categories(self, categories: list[Category]) -> None: ...

    @abstractmethod
    def get(self, article_id: str) -> Article | None: ...

    @abstractmethod
    def save(self, before: Article | None, after: Article, entries: list[HistoryEntry],
             pages: dict[str, Page], events: list[dict] = ()) -> None:
        """Write the article (new, or still at before.version: else VersionConflict), its history entries,
        its slug claims (a slug another article holds in that language: SlugTaken), and what readers see:
        `pages` are its published languages now, every other page and list entry of it is removed.
        `events` (domain/kb_events.py) are written in the same transaction: the outbox of the static pages,
        the sitemap and the article index, which the publication consumer follows."""

    @abstractmethod
    def page(self, lang: str, slug: str) -> Page | None: ...

    @abstractmethod
    def listing(self, lang: str, visibility: KbVisibility) -> list[Listed]: ...

    @abstractmethod
    def sitemap(self) -> list[tuple[str, str]]:
        """(lang, slug) of every published public version."""

    @abstractmethod
    def pending(self) -> list[Pending]: ...

    @abstractmethod
    def history(self, article_id: str) -> list[HistoryEntry]: ...

    @abstractmethod
    def count_view(self, article_id: str, lang: str, revision: int) -> None: ...

    @abstractmethod
    def vote(self, article_id: str, lang: str, revision: int, *, visitor: str, day: str, helpful: bool,
             expires_at: int) -> bool:
        """Count one vote of `visitor` on `day` for this version; False (nothing counted) if they already did."""

    @abstractmethod
    def record_deflection(self, *, day: str, outcome: str, articles: list[tuple[str, str]]) -> None:
        """outcome 'deflected' (opened an article, left without filing) or 'filed' (filed anyway);
        `articles` (article id, lang) were shown (filed) or opened (deflected)."""

    @abstractmethod
    def stats(self, article_id: str) -> list[dict]: ...

    @abstractmethod
    def daily_counts(self, first: str, last: str) -> list[dict]:
        """Per day, article and language of first..last (ISO dates, the desk's days): {"day", "article_id",
        "lang", "views", "helpful", "not_helpful", "deflected", "filed"}; read by key (a Query per month)."""

    @abstractmethod
    def titles(self, article_ids: list[str]) -> dict[str, dict[str, dict]]:
        """{article id: {lang: {"title", "slug", "published"}}} of these articles (missing ones left out)."""


class SlugTaken(Exception):
    def __init__(self, lang: str, slug: str):
        super().__init__(f"{lang}/{slug}")
        self.lang, self.slug = lang, slug


class StaticSite(ABC):
    """The customer site's bucket: published articles as static HTML pages, and the sitemap."""

    @abstractmethod
    def put(self, key: str, body: bytes, content_type: str) -> None: ...

    @abstractmethod
    def delete(self, key: str) -> None: ...


class ArticleSearch(ABC):
    """The article index: published versions only (what `Listed` rows say), searched within one language."""

    @abstractmethod
    def write(self, article_id: str, rows: list[Listed]) -> None:
        """The article's entries become `rows` (its published versions now; none: it leaves the index)."""

    def write_many(self, articles: dict[str, list[Listed]]) -> None:
        """Several articles' entries at once (an adapter may do it in one change)."""
        for article_id, rows in articles.items():
            self.write(article_id, rows)

    @abstractmethod
    def rebuild(self, rows: list[Listed]) -> None: ...

    @abstractmethod
    def search(self, query: str, lang: str, *, internal: bool, limit: int) -> list[Hit]: ...

    @abstractmethod
    def related(self, article_id: str, lang: str, *, internal: bool, limit: int) -> list[Hit]: ...
