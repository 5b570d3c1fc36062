"""The search read model's ports: the adapters (tantivy on S3 today; an Amazon OpenSearch Service adapter when a
desk outgrows it, docs/search.md) implement these two."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from chalicelib.views.search.document import SearchDocument
from chalicelib.views.search.query import Scope, SearchRequest


@dataclass(frozen=True)
class Hit:
    number: int
    subject: str
    status: str
    department: str
    assignee: dict | None  # {"id", "name"}
    customer: str          # the customer's name
    updated: int           # epoch seconds
    snippet: str           # escaped HTML, matches in <mark>


@dataclass(frozen=True)
class Page:
    hits: list[Hit]
    total: int             # exact: every match the searcher may see


class SearchIndex(ABC):
    """The one writer's side."""

    @abstractmethod
    def write(self, documents: list[SearchDocument], removed: list[tuple[str, int]] = ()) -> None:
        """Each document replaces its ticket's; `removed` (shard, number) are forgotten. All or nothing."""


class SearchReader(ABC):
    @abstractmethod
    def search(self, request: SearchRequest, scope: Scope, parsed=None) -> Page:
        """`parsed` is search_text.parse_query(request.q), None for an empty query (a filtered list)."""
