"""Search over published articles: a tantivy index of its own (not the tickets'), held in memory by each
container and rebuilt from the knowledge base's lists when the knowledge base changed.

For the size a help center has (1k articles, ~3k language versions) the rebuild costs tens of milliseconds and
six Queries; whether it is stale costs one GetItem (KBINDEX / VERSION), asked at most every `check_seconds`, so a
burst of keystrokes costs at most one AWS call. Text goes through domain/text.normalize at index and query
time (the same folding as everywhere: ي/ی, ك/ک, Hebrew final letters, digits). Past ~50k versions, or when an
index in S3 written by a consumer of article events is wanted, replace this class behind the same port.
"""
from __future__ import annotations

import re
import threading
import time

from chalicelib.domain.kb import LANGUAGES, KbVisibility
from chalicelib.domain.text import normalize, tokens
from chalicelib.services.kb_ports import ArticleSearch, Hit, KnowledgeBase, Listed

_WORDS = re.compile(r"\S+")
SNIPPET_WORDS = 24


def snippet(text: str, terms: list[str], words: int = SNIPPET_WORDS) -> str:
    """About `words` words of `text` around the first word matching a term (as typed: not normalized)."""
    found = list(_WORDS.finditer(text))
    if not found:
        return ""
    at = 0
    for index, match in enumerate(found):
        word = " ".join(tokens(match.group(0)))
        if any(word.startswith(term) or term in word for term in terms):
            at = index
            break
    start = max(0, at - words // 3)
    chosen = found[start:start + words]
    out = text[chosen[0].start():chosen[-1].end()]
    return ("… " if start > 0 else "") + out + (" …" if start + words < len(found) else "")


class TantivyArticleSearch(ArticleSearch):
    def __init__(self, kb: KnowledgeBase, *, check_seconds: float = 5.0, clock=time.monotonic):
        self.kb, self.check_seconds, self.clock = kb, check_seconds, clock
        self._lock = threading.Lock()
        self._built_version: int | None = None
        self._checked_at = float("-inf")
        self._index = self._schema = None
        self._docs: dict[str, Listed] = {}

    # building
    def _fresh(self) -> None:
        now = self.clock()
        with self._lock:
            if self._index is not None and now - self._checked_at < self.check_seconds:
                return
            version = self.kb.index_version()
            self._checked_at = now
            if self._index is not None and version == self._built_version:
                return
            rows = [row for lang in LANGUAGES for visibility in KbVisibility for row in self.kb.listing(lang, visibility)]
            self._build(rows)
            self._built_version = version

    def _build(self, rows: list[Listed]) -> None:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("key", stored=True, tokenizer_name="raw")
        builder.add_text_field("lang", tokenizer_name="raw")
        builder.add_text_field("visibility", tokenizer_name="raw")
        builder.add_text_field("title")
        builder.add_text_field("body")
        schema = builder.build()
        index = tantivy.Index(schema)
        writer = index.writer(15_000_000, 1)
        docs = {}
        for row in rows:
            key = f"{row.article_id}#{row.lang}"
            docs[key] = row
            writer.add_document(tantivy.Document(
                key=key, lang=row.lang, visibility=row.visibility.value,
                title=" ".join(tokens(row.title + " " + " ".join(row.tags))), body=" ".join(tokens(row.text))))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        self._index, self._schema, self._docs = index, schema, docs

    # reading
    def _query(self, terms: list[str], lang: str, internal: bool):
        import tantivy

        Q, Occur, schema = tantivy.Query, tantivy.Occur, self._schema
        should = []
        for n, term in enumerate(terms[:12]):
            last = n == len(terms) - 1  # the word being typed: its prefix counts
            for field, boost in (("title", 3.0), ("body", 1.0)):
                should.append((Occur.Should, Q.boost_query(Q.term_query(schema, field, term), boost * 2)))
                if len(term) >= 3:
                    # a letter off (a spelling variant) costs relevance but still finds the article
                    should.append((Occur.Should, Q.boost_query(
                        Q.fuzzy_term_query(schema, field, term, 1 if len(term) >= 4 else 0, True, last), boost)))
        must = [(Occur.Must, Q.term_query(schema, "lang", lang)),
                (Occur.Must, Q.boolean_query(should))]
        if not internal:
            must.append((Occur.Must, Q.term_query(schema, "visibility", KbVisibility.PUBLIC.value)))
        return Q.boolean_query(must)

    def _hits(self, query, terms: list[str], limit: int, skip: str | None = None) -> list[Hit]:
        searcher = self._index.searcher()
        hits = []
        for _score, address in searcher.search(query, limit + 1).hits:
            row = self._docs[searcher.doc(address)["key"][0]]
            if row.article_id == skip:
                continue
            hits.append(Hit(article_id=row.article_id, lang=row.lang, slug=row.slug, title=row.title,
                            category=row.category, snippet=snippet(row.text, terms), visibility=row.visibility))
        return hits[:limit]

    def search(self, query: str, lang: str, *, internal: bool, limit: int) -> list[Hit]:
        terms = tokens(query)
        if not terms:
            return []
        self._fresh()
        return self._hits(self._query(terms, lang, internal), terms, limit)

    def related(self, article_id: str, lang: str, *, internal: bool, limit: int) -> list[Hit]:
        """More like this, within the language: the article's title and tags as the query."""
        self._fresh()
        row = self._docs.get(f"{article_id}#{lang}")
        if row is None:
            return []
        terms = list(dict.fromkeys(tokens(row.title + " " + " ".join(row.tags))))
        terms = [t for t in terms if len(t) >= 3] or terms
        if not terms:
            return []
        return self._hits(self._query(terms, lang, internal), [], limit, skip=article_id)


def normalized(text: str) -> str:  # re-exported for tests: the folding the index applies
    return normalize(text)
