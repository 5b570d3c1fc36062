"""Search over published articles: the same analysis and engine as ticket search (domain/search_text.py through
adapters/search_engine.analyzed: one position per word holding its folded term and variants; parse_query for what
was typed), in a tantivy index of its own, held in memory by each container and rebuilt from the knowledge base's
lists when the knowledge base changed.

For the size of a help center (1k articles, ~3k language versions) a rebuild costs one Query per language and
visibility (paged) and about a second; whether the index is stale costs one GetItem (KBINDEX / VERSION), asked at
most every `check_seconds`, so a burst of keystrokes costs no call beyond the rate limit's. Words are ranked, not
all required (a customer's sentence rarely has every word in an article): more and rarer matches rank higher,
the title above tags above the body, a word as typed above its variants; a long word may be misspelt by a letter.
Where this stops scaling (bench/kb.py: kb_index_build_ms) the ticket search's S3-stored index, written by a
consumer of article events, replaces it behind the same port.
"""
from __future__ import annotations

import html
import re
import threading
import time
from functools import lru_cache

from chalicelib.domain import search_text
from chalicelib.domain.kb import LANGUAGES, KbVisibility
from chalicelib.errors import Invalid
from chalicelib.services.kb_ports import ArticleSearch, Hit, KnowledgeBase, Listed

FIELDS = {"title": 3.0, "tags": 1.5, "body": 1.0}
FUZZY_MIN = 5       # words this long may be misspelt by one letter
PREFIX_MIN = 2      # the word being typed matches as a prefix from this length
VARIANT_WEIGHT = 0.6
EMPTY_QUERY = ("no_words", "only_stop_words", "only_excluded")  # nothing to look for: no results, not an error
_MARKS = re.compile(r"</?mark>")


@lru_cache(maxsize=1)
def schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    builder.add_text_field("lang", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("visibility", tokenizer_name="raw", index_option="basic")
    for name in FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace")
    return builder.build()


def plain_snippet(text: str, parsed) -> str:
    """search_text.snippet (the same window as ticket search) as plain text: the help center shows it as text."""
    return html.unescape(_MARKS.sub("", search_text.snippet(text, parsed)))


def parse(query: str):
    """What was typed, as the ticket search parses it; a sentence is cut to the words a query may hold."""
    words = query.split()
    if len(words) > search_text.MAX_QUERY_WORDS:
        query = " ".join(words[:search_text.MAX_QUERY_WORDS])
    try:
        return search_text.parse_query(query)
    except Invalid as refused:
        if set(refused.fields.values()) <= set(EMPTY_QUERY):
            return None
        raise


class TantivyArticleSearch(ArticleSearch):
    def __init__(self, kb: KnowledgeBase, *, check_seconds: float = 5.0, clock=time.monotonic):
        self.kb, self.check_seconds, self.clock = kb, check_seconds, clock
        self._lock = threading.Lock()
        self._built_version: int | None = None
        self._checked_at = float("-inf")
        self._index = None
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

        from chalicelib.adapters.search_engine import analyzed

        index = tantivy.Index(schema())
        writer = index.writer(32_000_000, 1)
        docs = {}
        for row in rows:
            key = f"{row.article_id}#{row.lang}"
            docs[key] = row
            doc = tantivy.Document()
            doc.add_text("key", key)
            doc.add_text("lang", row.lang)
            doc.add_text("visibility", row.visibility.value)
            doc.add_pre_tokenized_text("title", analyzed(row.title))
            doc.add_pre_tokenized_text("tags", analyzed(" ".join(row.tags)))
            doc.add_pre_tokenized_text("body", analyzed(row.text))
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        self._index, self._docs = index, docs

    # reading
    def _word(self, word) -> list:
        import tantivy

        Q = tantivy.Query
        options = []
        for field, field_weight in FIELDS.items():
            for n, term in enumerate(word.terms):
                weight = field_weight * (1.0 if n == 0 else VARIANT_WEIGHT)
                if len(term) >= FUZZY_MIN:
                    q = Q.fuzzy_term_query(schema(), field, term, distance=1, prefix=word.prefix)
                elif word.prefix and len(term) >= PREFIX_MIN:
                    q = Q.boolean_query([(tantivy.Occur.Should, Q.term_query(schema(), field, term)),
                                         (tantivy.Occur.Should, Q.regex_query(schema(), field, re.escape(term) + ".*"))])
                else:
                    q = Q.term_query(schema(), field, term)
                options.append((tantivy.Occur.Should, Q.boost_query(q, weight)))
        return options

    def _query(self, parsed, lang: str, internal: bool, *, skip: str | None = None):
        import tantivy

        Q, Occur = tantivy.Query, tantivy.Occur
        should = []
        for word in parsed.words:
            should.append((Occur.Should, Q.boolean_query(self._word(word))))
        for phrase in parsed.phrases:
            should += [(Occur.Should, Q.boost_query(Q.phrase_query(schema(), field, list(phrase.terms), 0), weight * 2))
                       for field, weight in FIELDS.items() if len(phrase.terms) > 1] or [
                (Occur.Should, Q.boolean_query(self._word(search_text.Word(phrase.text, phrase.terms))))]
        clauses = [(Occur.Must, Q.term_query(schema(), "lang", lang)), (Occur.Must, Q.boolean_query(should))]
        if not internal:
            clauses.append((Occur.Must, Q.term_query(schema(), "visibility", KbVisibility.PUBLIC.value)))
        for excluded in parsed.excluded:
            clauses.append((Occur.MustNot, Q.boolean_query(self._word(excluded))))
        if skip:
            clauses.append((Occur.MustNot, Q.term_query(schema(), "key", skip)))
        return Q.boolean_query(clauses)

    def _hits(self, parsed, lang: str, internal: bool, limit: int, *, skip: str | None = None,
              snippets: bool = True) -> list[Hit]:
        if not parsed.words and not parsed.phrases:
            return []
        searcher = self._index.searcher()
        hits = []
        for _score, address in searcher.search(self._query(parsed, lang, internal, skip=skip), limit).hits:
            row = self._docs[searcher.doc(address)["key"][0]]
            hits.append(Hit(article_id=row.article_id, lang=row.lang, slug=row.slug, title=row.title,
                            category=row.category, visibility=row.visibility,
                            snippet=plain_snippet(row.text, parsed) if snippets else ""))
        return hits

    def search(self, query: str, lang: str, *, internal: bool, limit: int) -> list[Hit]:
        parsed = parse(query)
        if parsed is None:
            return []
        self._fresh()
        return self._hits(parsed, lang, internal, limit)

    def related(self, article_id: str, lang: str, *, internal: bool, limit: int) -> list[Hit]:
        """More like this, within the language: the article's title and tags as the query."""
        self._fresh()
        row = self._docs.get(f"{article_id}#{lang}")
        if row is None:
            return []
        parsed = parse(" ".join([row.title, *row.tags]) + " ")  # a trailing space: no word is a prefix
        if parsed is None:
            return []
        return self._hits(parsed, lang, internal, limit, skip=f"{article_id}#{lang}", snippets=False)
