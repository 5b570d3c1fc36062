"""Search over published articles: the same analysis and engine as ticket search (domain/search_text.py through
adapters/search_engine.analyzed: one position per word holding its folded term and variants; parse_query for what
was typed), in a tantivy index of its own, kept in S3 like the ticket index (adapters/search_store.S3IndexStore
under `kb-index/`, its own lease `SEARCH#kb`) and read by each container from its /tmp copy.

Publishing changes the index by one article (its language versions deleted and the published ones added: only
that article is analysed), under the lease, and publishes the new manifest; a reader looks at the manifest with a
conditional GET at most every `check_seconds`, so a burst of keystrokes costs no call beyond the rate limit's.
Words are ranked, not all required (a customer's sentence rarely has every word in an article): more and rarer
matches rank higher, the title above tags above the body, a word as typed above its variants; a long word may be
misspelt by a letter. `rebuild` writes the whole index from the knowledge base's lists (services/kb.rebuild_index).
"""
from __future__ import annotations

import html
import re
import shutil
import tempfile
from pathlib import Path

from chalicelib.domain import search_text
from chalicelib.domain.kb import KbVisibility
from chalicelib.errors import Invalid
from chalicelib.services.kb_ports import ArticleSearch, Hit, Listed

SHARD = "kb"
FIELDS = {"title": 3.0, "tags": 1.5, "body": 1.0}
FUZZY_MIN = 5       # words this long may be misspelt by one letter
PREFIX_MIN = 2      # the word being typed matches as a prefix from this length
VARIANT_WEIGHT = 0.6
EMPTY_QUERY = ("no_words", "only_stop_words", "only_excluded")  # nothing to look for: no results, not an error
_MARKS = re.compile(r"</?mark>")
_SCHEMA = None


def schema():
    global _SCHEMA
    if _SCHEMA is None:
        import tantivy

        builder = tantivy.SchemaBuilder()
        for name in ("key", "article", "lang", "visibility"):
            builder.add_text_field(name, stored=name in ("key", "visibility"), tokenizer_name="raw", index_option="basic")
        for name in ("slug", "title_text", "category", "text"):  # what a hit shows
            builder.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
        for name in FIELDS:
            builder.add_text_field(name, tokenizer_name="whitespace")
        _SCHEMA = builder.build()
    return _SCHEMA


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


def document(row: Listed):
    import tantivy

    from chalicelib.adapters.search_engine import analyzed

    doc = tantivy.Document()
    doc.add_text("key", f"{row.article_id}#{row.lang}")
    doc.add_text("article", row.article_id)
    doc.add_text("lang", row.lang)
    doc.add_text("visibility", row.visibility.value)
    doc.add_text("slug", row.slug)
    doc.add_text("title_text", row.title)
    doc.add_text("category", row.category)
    doc.add_text("text", row.text)
    doc.add_pre_tokenized_text("title", analyzed(row.title))
    doc.add_pre_tokenized_text("tags", analyzed(" ".join(row.tags)))
    doc.add_pre_tokenized_text("body", analyzed(row.text))
    return doc


class KbShards:
    """The one shard directory S3IndexStore keeps in step (its interface of adapters/search_engine.Shards)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._index = None

    def path(self, shard: str) -> Path:
        if shard != SHARD:
            raise ValueError(f"not the article index: {shard!r}")
        return self.root / shard

    def names(self) -> list[str]:
        return [SHARD] if (self.root / SHARD / "meta.json").exists() else []

    def index(self, *, create: bool = False):
        import tantivy

        if self._index is None:
            path = self.path(SHARD)
            if not (path / "meta.json").exists():
                if not create:
                    return None
                path.mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(schema(), path=str(path), reuse=True)
        return self._index

    def reopen(self, shard: str) -> None:
        self._index = None

    def drop(self, shard: str) -> None:
        self._index = None
        shutil.rmtree(self.path(shard), ignore_errors=True)


class S3ArticleSearch(ArticleSearch):
    """`store` (S3IndexStore) and `lease` (DynamoLease) None: a local index only (tests)."""

    def __init__(self, shards: KbShards, *, store=None, lease=None):
        self.shards, self.store, self.lease = shards, store, lease

    @classmethod
    def in_s3(cls, *, bucket: str, table: str, directory: str = "", check_seconds: float = 5.0) -> "S3ArticleSearch":
        from chalicelib.adapters.search_store import DynamoLease, S3IndexStore

        shards = KbShards(directory or tempfile.mkdtemp(prefix="helpdesk-kb-"))  # Lambda: under /tmp
        return cls(shards, store=S3IndexStore(bucket, shards, prefix="kb-index/", check_every=check_seconds),
                   lease=DynamoLease(table, name="kb"))

    # writing (editors' publications; the rebuild)
    def write(self, article_id: str, rows: list[Listed]) -> None:
        self._change(lambda writer: writer.delete_documents_by_term("article", article_id), rows)

    def write_many(self, articles: dict[str, list[Listed]]) -> None:
        """Several articles' entries in one change: one lease, one commit, one upload (the publication consumer's
        batch)."""
        def clear(writer):
            for article_id in articles:
                writer.delete_documents_by_term("article", article_id)
        self._change(clear, [row for rows in articles.values() for row in rows])

    def rebuild(self, rows: list[Listed]) -> None:
        self._change(lambda writer: writer.delete_all_documents(), rows)

    def _change(self, clear, rows: list[Listed]) -> None:
        if self.lease is not None:
            self.lease.acquire()
        try:
            if self.store is not None:
                self.store.refresh(force=True)  # what the last writer published, whoever it was
            index = self.shards.index(create=True)
            writer = index.writer(32_000_000, 1)
            clear(writer)
            for row in rows:
                writer.add_document(document(row))
            writer.commit()
            writer.wait_merging_threads()
            index.reload()
            if self.store is not None:
                try:
                    self.store.publish({SHARD}, self.lease)
                except Exception:
                    self.store.forget({SHARD})  # local copy ahead of S3: re-read it next time
                    raise
        finally:
            if self.lease is not None:
                self.lease.release()

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
        should = [(Occur.Should, Q.boolean_query(self._word(word))) for word in parsed.words]
        for phrase in parsed.phrases:
            if len(phrase.terms) > 1:
                should += [(Occur.Should, Q.boost_query(Q.phrase_query(schema(), field, list(phrase.terms), 0),
                                                        weight * 2)) for field, weight in FIELDS.items()]
            else:
                should.append((Occur.Should, Q.boolean_query(self._word(search_text.Word(phrase.text, phrase.terms)))))
        clauses = [(Occur.Must, Q.term_query(schema(), "lang", lang, index_option="basic")),
                   (Occur.Must, Q.boolean_query(should))]
        if not internal:
            clauses.append((Occur.Must, Q.term_query(schema(), "visibility", KbVisibility.PUBLIC.value,
                                                     index_option="basic")))
        for excluded in parsed.excluded:
            clauses.append((Occur.MustNot, Q.boolean_query(self._word(excluded))))
        if skip:
            clauses.append((Occur.MustNot, Q.term_query(schema(), "key", skip, index_option="basic")))
        return Q.boolean_query(clauses)

    def _index(self):
        if self.store is not None:
            self.store.refresh()  # a conditional GET of the manifest, at most every check_seconds
        return self.shards.index()

    def _hits(self, index, parsed, lang: str, internal: bool, limit: int, *, skip: str | None = None,
              snippets: bool = True) -> list[Hit]:
        if index is None or (not parsed.words and not parsed.phrases):
            return []
        searcher = index.searcher()
        hits = []
        for _score, address in searcher.search(self._query(parsed, lang, internal, skip=skip), limit).hits:
            doc = searcher.doc(address).to_dict()
            article_id, _, hit_lang = doc["key"][0].rpartition("#")
            hits.append(Hit(article_id=article_id, lang=hit_lang, slug=doc["slug"][0], title=doc["title_text"][0],
                            category=doc["category"][0], visibility=KbVisibility(doc["visibility"][0]),
                            snippet=plain_snippet(doc["text"][0], parsed) if snippets else ""))
        return hits

    def search(self, query: str, lang: str, *, internal: bool, limit: int) -> list[Hit]:
        parsed = parse(query)
        if parsed is None:
            return []
        return self._hits(self._index(), parsed, lang, internal, limit)

    def related(self, article_id: str, lang: str, *, internal: bool, limit: int) -> list[Hit]:
        """More like this, within the language: the article's title and tags as the query."""
        import tantivy

        index = self._index()
        if index is None:
            return []
        searcher = index.searcher()
        found = searcher.search(tantivy.Query.term_query(schema(), "key", f"{article_id}#{lang}",
                                                         index_option="basic"), 1).hits
        if not found:
            return []
        doc = searcher.doc(found[0][1]).to_dict()
        parsed = parse(doc["title_text"][0] + " ")  # a trailing space: no word is a prefix
        if parsed is None:
            return []
        return self._hits(index, parsed, lang, internal, limit, skip=f"{article_id}#{lang}", snippets=False)
