"""The search engine: tantivy indexes on local disk, one per shard (month of creation).

Text is analyzed by our own pure functions (domain/search_text.py) and handed to tantivy pre-tokenized, so the
index and the query use one analysis: each word of the text is a position holding its folded term and every
variant of it (Hebrew prefix letters stripped, Persian plural and ZWNJ spellings, digits, codes, phones), so
phrases still match word after word. tantivy brings BM25, phrase/prefix/fuzzy queries, fast-field filters and
sorts. Imported only by the indexer and by a search (never at the API's import: cold start).

The engine only knows directories; adapters/search_store.py keeps them in step with S3.
"""
from __future__ import annotations

import heapq
import html
from bisect import bisect_right
import re
import shutil
from functools import lru_cache
from pathlib import Path

import tantivy

from chalicelib.domain import search_text
from chalicelib.views.search.document import SearchDocument
from chalicelib.views.search.ports import Hit, Page, SearchReader
from chalicelib.views.search.query import Filters, Scope, SearchRequest, Sort

Q = tantivy.Query
MUST, SHOULD, MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot

# Searched text fields and their weight in the score. `notes` is searched for agents only.
TEXT_FIELDS = {"subject": 3.0, "body": 1.0, "notes": 1.0, "people": 1.5, "files": 1.0, "labels": 0.5}
PUBLIC_FIELDS = ("subject", "body", "people", "files", "labels")
EXPANDED_FIELDS = ("subject", "body", "notes", "people")  # where prefixes and typos are looked for
KEYWORDS = ("key", "status", "priority", "department", "group", "assignee", "customer", "customer_phone")
FUZZY_MIN = 5          # words this long may be misspelled by one letter (two from FUZZY_TWO)
FUZZY_TWO = 9
PREFIX_MIN = 2         # a last word shorter than this is matched only as typed
VARIANT_WEIGHT = 0.6   # a variant of a word (prefix letters stripped, a plural's stem...) scores this much less
SNIPPET_MESSAGES = 50
SNIPPET_PLAIN = 160    # characters shown of a ticket found without words
SNIPPET_WINDOW = 600   # characters of a long message around its first match that the snippet is made from  # messages of one ticket a snippet is looked for in


@lru_cache(maxsize=1)
def schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_unsigned_field("number", stored=True, fast=True)
    for name in KEYWORDS:
        b.add_text_field(name, tokenizer_name="raw", index_option="basic", stored=name in (
            "status", "department", "assignee"))
    for name in TEXT_FIELDS:
        b.add_text_field(name, tokenizer_name="whitespace", stored=name in ("subject", "body", "notes"))
    for name in ("assignee_name", "customer_name"):
        b.add_text_field(name, tokenizer_name="raw", index_option="basic", stored=True)
    for name in ("created", "updated", "sla_due"):
        b.add_integer_field(name, stored=name == "updated", indexed=True, fast=True)
    for name in ("has_attachment", "unconfirmed"):
        b.add_boolean_field(name, indexed=True, fast=True)
    return b.build()


# --- indexing -------------------------------------------------------------------------------------------------

def _spans(text: str) -> list[tuple[str, int, int]]:
    """Every index term of the text with the span it stands for: the one analysis index_terms() is made of."""
    spans = getattr(search_text, "_analyse", None)
    if spans is not None:
        return spans(text)
    found = []  # the public functions alone: each word's terms, then whatever only the whole text yields
    for token in search_text.tokens(text):
        found += [(term, token.start, token.end) for term in search_text.index_terms(text[token.start:token.end])]
    seen = {term for term, _, _ in found}
    return found + [(t, len(text), len(text)) for t in search_text.index_terms(text) if t not in seen]


def analyzed(text: str) -> tantivy.PreTokenizedString:
    """One position per word of the text as written, holding the word's folded term and every variant of it
    (a compound or a phone number sits at the position of its first word), so phrases match word after word."""
    starts = [token.start for token in search_text.tokens(text)]
    placed = {}
    for term, start, end in _spans(text):
        if term:
            position = max(0, bisect_right(starts, start) - 1)
            placed.setdefault((position, term), (start, end))
    return tantivy.PreTokenizedString(text, [tantivy.Token(term, position, start, end) for (position, term), (start, end)
                                             in sorted(placed.items(), key=lambda item: item[0][0])])


def to_tantivy(doc: SearchDocument) -> tantivy.Document:
    d = tantivy.Document()
    d.add_unsigned("number", doc.number)
    d.add_text("key", str(doc.number))
    for name in KEYWORDS[1:]:
        d.add_text(name, getattr(doc, name))
    d.add_pre_tokenized_text("subject", analyzed(doc.subject))
    for field, texts in (("body", doc.public), ("notes", doc.internal), ("people", doc.people),
                         ("files", doc.files), ("labels", doc.labels)):
        for text in texts:
            d.add_pre_tokenized_text(field, analyzed(text))
    d.add_text("assignee_name", doc.assignee_name)
    d.add_text("customer_name", doc.customer_name)
    for name in ("created", "updated", "sla_due"):
        d.add_integer(name, getattr(doc, name))
    d.add_boolean("has_attachment", doc.has_attachment)
    d.add_boolean("unconfirmed", doc.unconfirmed)
    return d


# --- the shards on disk ---------------------------------------------------------------------------------------

SHARD_NAME = re.compile(r"^\d{4}-\d{2}$")


class Shards:
    """The shard indexes under one directory (/tmp/search in Lambda). Readers reopen a shard after its files
    changed (`reopen`); the one writer changes them with `replace`."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._open: dict[str, tantivy.Index] = {}
        self._names: list[str] | None = None

    def path(self, shard: str) -> Path:
        if not SHARD_NAME.match(shard):
            raise ValueError(f"not a shard name: {shard!r}")
        return self.root / shard

    def names(self) -> list[str]:
        """Newest first (remembered until a shard is opened for writing, reopened or dropped)."""
        if self._names is None:
            self._names = sorted((p.name for p in self.root.iterdir() if SHARD_NAME.match(p.name)
                                  and (p / "meta.json").exists()), reverse=True)
        return self._names

    def index(self, shard: str, *, create: bool = False) -> tantivy.Index | None:
        if shard not in self._open:
            path = self.path(shard)
            if not (path / "meta.json").exists():
                if not create:
                    return None
                path.mkdir(parents=True, exist_ok=True)
                self._names = None
            self._open[shard] = tantivy.Index(schema(), path=str(path), reuse=True)
        return self._open[shard]

    def reopen(self, shard: str) -> None:
        self._open.pop(shard, None)
        self._names = None

    def drop(self, shard: str) -> None:
        self._open.pop(shard, None)
        self._names = None
        shutil.rmtree(self.path(shard), ignore_errors=True)

    def replace(self, documents: list[SearchDocument], removed: list[tuple[str, int]] = (),
                *, heap: int = 32_000_000) -> set[str]:
        """Each ticket's document replaces whatever its shard held for it (so a redelivery changes nothing);
        `removed` are (shard, number) pairs to forget. One commit per touched shard; returns those shards."""
        by_shard: dict[str, list] = {}
        for doc in documents:
            by_shard.setdefault(doc.shard, []).append(doc)
        for shard, number in removed:
            by_shard.setdefault(shard, []).append(number)
        for shard, items in by_shard.items():
            index = self.index(shard, create=True)
            writer = index.writer(heap, 1)
            for item in items:
                number = item if isinstance(item, int) else item.number
                writer.delete_documents_by_term("key", str(number))
                if not isinstance(item, int):
                    writer.add_document(to_tantivy(item))
            writer.commit()
            writer.wait_merging_threads()
            index.reload()
        return set(by_shard)

    def bulk(self, shard: str, heap: int = 256_000_000, threads: int = 0):
        """A writer for loading many documents at once (rebuild, benchmarks): `add_document`, then `commit`."""
        return self.index(shard, create=True).writer(heap, threads)


# --- searching ------------------------------------------------------------------------------------------------

def _keyword(name: str, values) -> tantivy.Query:
    values = sorted(values)
    terms = [Q.term_query(schema(), name, v, index_option="basic") for v in values]
    if len(terms) == 1:
        return terms[0]
    if len(terms) <= 64:  # a few terms OR-ed: microseconds; term_set_query builds an automaton per search
        return Q.boolean_query([(SHOULD, t) for t in terms])
    return Q.term_set_query(schema(), name, values)


def _range(name: str, low: int | None, high: int | None) -> tantivy.Query:
    return Q.range_query(schema(), name, tantivy.FieldType.Integer, lower_bound=low, upper_bound=high)


def scope_query(scope: Scope) -> tantivy.Query | None:
    """The authorization filter; None when the searcher may find every ticket."""
    if scope.everything:
        return None
    options = []
    if scope.departments:
        options.append(_keyword("department", scope.departments))
    if scope.agent:
        options.append(_keyword("assignee", [scope.agent]))
    if scope.customer:
        options.append(_keyword("customer", [scope.customer]))
    if scope.customer_phone:
        options.append(_keyword("customer_phone", [scope.customer_phone]))
    if not options:
        return Q.empty_query()
    return options[0] if len(options) == 1 else Q.boolean_query([(SHOULD, o) for o in options])


def filter_queries(f: Filters) -> list[tantivy.Query]:
    found = []
    for name in ("status", "department", "priority"):
        if values := getattr(f, name):
            found.append(_keyword(name, values))
    if f.group:
        found.append(_keyword("group", [f.group]))
    if f.assignee is not None:
        found.append(_keyword("assignee", [f.assignee]))
    if f.customer:
        found.append(_keyword("customer_phone" if f.customer.startswith("+") else "customer", [f.customer]))
    for name in ("created", "updated"):
        low, high = getattr(f, name)
        if low is not None or high is not None:
            found.append(_range(name, low, high))
    for name in ("has_attachment", "unconfirmed"):
        if (value := getattr(f, name)) is not None:
            found.append(Q.term_query(schema(), name, value))
    return found


def _fields(scope: Scope) -> dict[str, float]:
    return {f: w for f, w in TEXT_FIELDS.items() if scope.internal or f in PUBLIC_FIELDS}


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    return queries[0] if len(queries) == 1 else Q.boolean_query([(SHOULD, q) for q in queries])


def _word_query(alternatives: list[str], fields: dict[str, float], *, prefix: bool, fuzzy: bool) -> tantivy.Query:
    """Any spelling of one word in any field. Expansions (prefix while typing, typos) walk a term dictionary,
    so only the word as typed is expanded, and only in the free-text fields; its variants match exactly."""
    s = schema()
    options = []
    for field, field_weight in fields.items():
        expand = field in EXPANDED_FIELDS
        for n, term in enumerate(alternatives):
            weight = field_weight * (1.0 if n == 0 else VARIANT_WEIGHT)  # the word as typed ranks above variants
            if expand and n == 0 and fuzzy and len(term) >= FUZZY_MIN:
                q = Q.fuzzy_term_query(s, field, term, distance=2 if len(term) >= FUZZY_TWO else 1,
                                       prefix=prefix)
            elif expand and n == 0 and prefix and len(term) >= PREFIX_MIN:
                q = _any([Q.term_query(s, field, term), Q.regex_query(s, field, re.escape(term) + ".*")])
            else:
                q = Q.term_query(s, field, term)
            options.append(Q.boost_query(q, weight) if weight != 1.0 else q)
    return _any(options)


def _phrase_query(terms: list[str], fields: dict[str, float], slop: int = 0) -> tantivy.Query:
    s = schema()
    return _any([Q.boost_query(Q.phrase_query(s, field, terms, slop), weight)
                 for field, weight in fields.items() if field in ("subject", "body", "notes", "people")])


def _phrase_or_word(terms, fields: dict[str, float]) -> tantivy.Query:
    terms = list(terms)
    if len(terms) == 1:
        return _word_query(terms, fields, prefix=False, fuzzy=False)
    return _phrase_query(terms, fields)


def text_query(parsed, scope: Scope, *, fuzzy: bool = False) -> tantivy.Query | None:
    """The words of a parsed query (search_text.SearchQuery): every word required (any of its alternative
    spellings, in any searched field), quoted phrases required word after word, excluded words absent; the
    words in a row add a bonus, so a phrase ranks above the same words scattered; a ticket number ranks first."""
    fields = _fields(scope)
    clauses = []
    words = list(parsed.words)
    for word in words:
        clauses.append((MUST, _word_query(list(word.terms), fields, prefix=word.prefix, fuzzy=fuzzy)))
    for phrase in parsed.phrases:
        clauses.append((MUST, _phrase_or_word(phrase.terms, fields)))
    if len(words) >= 2 and not any(w.prefix for w in words[:-1]):
        clauses.append((SHOULD, Q.boost_query(_phrase_query([w.terms[0] for w in words], fields, slop=1), 2.0)))
    number = getattr(parsed, "number", None)
    if number is not None:
        by_number = Q.boost_query(Q.term_query(schema(), "key", str(number), index_option="basic"), 100.0)
        required = [q for occur, q in clauses if occur == MUST]
        # `123` finds ticket 123 even if no text says 123, and texts that say it.
        clauses = [(SHOULD, by_number)] + ([(SHOULD, Q.boolean_query(clauses))] if required else clauses)
    for excluded in parsed.excluded:
        clauses.append((MUST_NOT, _word_query(list(excluded.terms), fields, prefix=False, fuzzy=False)))
    for excluded in parsed.excluded_phrases:
        clauses.append((MUST_NOT, _phrase_or_word(excluded.terms, fields)))
    if not any(occur != MUST_NOT for occur, _ in clauses):
        return Q.boolean_query([(MUST, Q.all_query()), *clauses]) if clauses else None
    return Q.boolean_query(clauses)


def _has_long_word(parsed) -> bool:
    return any(len(w.terms[0]) >= FUZZY_MIN for w in parsed.words)


class Engine(SearchReader):
    """Searches the shards of a `Shards` directory; the result rows carry snippets of the best-matching text."""

    def __init__(self, shards: Shards):
        self.shards = shards

    def search(self, request: SearchRequest, scope: Scope, parsed=None) -> Page:
        if scope.nothing:
            return Page([], 0)
        page = self._run(request, scope, parsed, fuzzy=False)
        if page.total == 0 and parsed is not None and parsed.words and _has_long_word(parsed):
            page = self._run(request, scope, parsed, fuzzy=True)  # typo tolerance when exact terms find nothing
        return page

    def _query(self, request: SearchRequest, scope: Scope, parsed, fuzzy: bool) -> tuple[tantivy.Query, bool]:
        text = text_query(parsed, scope, fuzzy=fuzzy) if parsed is not None else None
        filters = [q for q in (scope_query(scope), *filter_queries(request.filters)) if q is not None]
        if text is None:
            base = Q.all_query()
            clauses = [(MUST, base)]
        else:
            clauses = [(MUST, text)]
        clauses += [(MUST, Q.const_score_query(q, 0.0)) for q in filters]
        return (clauses[0][1] if len(clauses) == 1 else Q.boolean_query(clauses)), text is not None

    def _run(self, request: SearchRequest, scope: Scope, parsed, *, fuzzy: bool) -> Page:
        query, scored = self._query(request, scope, parsed, fuzzy)
        sort = request.sort if scored or request.sort != Sort.RELEVANCE else Sort.NEWEST
        want = request.offset + request.limit
        total = 0
        ranked: list[tuple[tuple, int, object, object]] = []  # (order key, tie, searcher, address)
        for n, shard in enumerate(self.shards.names()):
            index = self.shards.index(shard)
            if index is None:
                continue
            searcher = index.searcher()
            if sort == Sort.RELEVANCE:
                result = searcher.search(query, want, count=True)
                addresses = [a for _, a in result.hits]
                created = searcher.fast_field_values("created", addresses) if addresses else []
                keys = [(-score, -(c or 0)) for (score, _), c in zip(result.hits, created)]
            elif sort == Sort.NEWEST:
                result = searcher.search(query, want, count=True, order_by_field="created", order=tantivy.Order.Desc)
                keys = [(-value,) for value, _ in result.hits]
            else:
                result = searcher.search(query, want, count=True, order_by_field="sla_due", order=tantivy.Order.Asc)
                keys = [(value,) for value, _ in result.hits]
            total += result.count or 0
            ranked.extend((key, i + n * want, searcher, address)
                          for i, (key, (_, address)) in enumerate(zip(keys, result.hits)))
        chosen = heapq.nsmallest(want, ranked, key=lambda r: (r[0], r[1]))[request.offset:]
        return Page([self._hit(searcher, address, parsed, scope) for _, _, searcher, address in chosen], total)

    def _hit(self, searcher, address, parsed, scope: Scope) -> Hit:
        doc = searcher.doc(address).to_dict()

        def first(name, default=""):
            values = doc.get(name) or [default]
            return values[0]

        texts = list(doc.get("body") or [])
        if scope.internal:
            texts += list(doc.get("notes") or [])
        assignee_id = first("assignee")
        return Hit(number=int(first("number", 0)), subject=first("subject"), status=first("status"),
                   department=first("department"),
                   assignee={"id": assignee_id, "name": first("assignee_name")} if assignee_id else None,
                   customer=first("customer_name"), updated=int(first("updated", 0)),
                   snippet=best_snippet(texts[:SNIPPET_MESSAGES], parsed))


def _query_terms(parsed) -> list[str]:
    terms = [t for w in parsed.words for t in w.terms] + [t for p in parsed.phrases for t in p.terms]
    return [t for t in dict.fromkeys(terms) if t]


def best_snippet(texts: list[str], parsed) -> str:
    """The snippet of the text that holds the most query terms (folded substring test: cheap), so only one text
    is analyzed for the highlighting; the first message when none holds any."""
    if not texts:
        return ""
    if parsed is None:  # a filtered list: the start of the first message, nothing to highlight
        text = " ".join(texts[0][:SNIPPET_PLAIN + 40].split())
        return html.escape(text[:SNIPPET_PLAIN]) + ("\u2026" if len(text) > SNIPPET_PLAIN else "")
    terms = _query_terms(parsed)
    best, best_count, best_at = texts[0], 0, 0
    for text in texts:
        folded = search_text.fold(text)
        found = [folded.find(t) for t in terms]
        count = sum(1 for at in found if at >= 0)
        if count > best_count:
            best, best_count, best_at = text, count, min(at for at in found if at >= 0)
    if len(best) <= SNIPPET_WINDOW:
        return search_text.snippet(best, parsed)
    # A long text: highlight only a window around the first match (folding may shift offsets a little).
    start = max(0, min(best_at - SNIPPET_WINDOW // 3, len(best) - SNIPPET_WINDOW))
    window = best[start:start + SNIPPET_WINDOW]
    shown = search_text.snippet(window, parsed)
    if start > 0 and not shown.startswith("\u2026"):
        shown = "\u2026" + shown
    if start + SNIPPET_WINDOW < len(best) and not shown.endswith("\u2026"):
        shown += "\u2026"
    return shown
