"""The search engine on local shards (no AWS): ranking, authorization, filters, sorts, pages, replacement.

Documents are built directly (views/search/document.py is pure); queries go through the real analysis
(domain/search_text.py) and the real tantivy engine."""
from dataclasses import replace

import pytest

from chalicelib.adapters.search_engine import Engine, Shards
from chalicelib.domain import search_text
from chalicelib.views.search.document import NO_DUE, SearchDocument
from chalicelib.views.search.query import Filters, Scope, SearchRequest, Sort, customer_scope, decode_cursor

ADMIN = Scope(everything=True, internal=True)
DAY = 86_400
DEC = 1_796_083_200  # 2026-12-01T00:00:00Z


def doc(number: int, subject: str = "a ticket", *, public=("hello",), internal=(), department="billing",
        assignee="", customer="ana@example.com", created=DEC, status="open", sla_due=NO_DUE, **more) -> SearchDocument:
    from datetime import datetime, timezone
    shard = datetime.fromtimestamp(created, timezone.utc).strftime("%Y-%m")
    fields = dict(number=number, shard=shard, status=status, priority="normal", department=department, group="",
                  assignee=assignee, customer=customer, customer_phone="", created=created, updated=created,
                  sla_due=sla_due, has_attachment=False, unconfirmed=False, subject=subject, public=tuple(public),
                  internal=tuple(internal), people=("Ana Example", customer), files=(), labels=(),
                  assignee_name=assignee.title(), customer_name="Ana Example")
    fields.update(more)
    return SearchDocument(**fields)


@pytest.fixture
def shards(tmp_path):
    return Shards(tmp_path / "search")


def search(shards, q="", scope=ADMIN, **request):
    parsed = search_text.parse_query(q) if q else None
    return Engine(shards).search(SearchRequest(q=q, **request), scope, parsed)


def numbers(page):
    return [h.number for h in page.hits]


def test_a_word_in_the_subject_ranks_above_the_same_word_in_a_message(shards):
    shards.replace([doc(1, "question about delivery", public=("my invoice is wrong",)),
                    doc(2, "invoice is wrong", public=("please help with it",))])
    assert numbers(search(shards, "invoice")) == [2, 1]


def test_words_in_a_row_rank_above_the_same_words_scattered(shards):
    shards.replace([doc(1, public=("the card was charged twice and the payment failed yesterday",)),
                    doc(2, public=("the payment was charged twice while the card failed",))])
    assert numbers(search(shards, "payment failed")) == [1, 2]


def test_a_quoted_phrase_finds_only_the_words_in_that_order(shards):
    shards.replace([doc(1, public=("payment failed again",)), doc(2, public=("failed payment again",))])
    assert numbers(search(shards, '"payment failed"')) == [1]


def test_every_word_is_required_and_an_excluded_word_removes_a_ticket(shards):
    shards.replace([doc(1, public=("printer paper jam",)), doc(2, public=("printer toner empty",)),
                    doc(3, public=("paper order",))])
    assert sorted(numbers(search(shards, "printer paper"))) == [1]
    assert numbers(search(shards, "printer -toner")) == [1]


def test_the_last_word_is_a_prefix_while_typing(shards):
    shards.replace([doc(1, public=("refund requested",)), doc(2, public=("nothing here",))])
    assert numbers(search(shards, "refu")) == [1]


def test_a_misspelled_long_word_is_found_when_the_exact_word_finds_nothing(shards):
    shards.replace([doc(1, public=("the shipment never arrived",)), doc(2, public=("all good",))])
    assert numbers(search(shards, "shipmnet arrived")) == [1]


@pytest.mark.parametrize("q", ["42", "#42"])
def test_a_ticket_number_finds_that_ticket_first(shards, q):
    shards.replace([doc(7, public=("see ticket 42 for the same question",)), doc(42, "login trouble")])
    assert numbers(search(shards, q))[0] == 42


def test_an_agent_finds_the_tickets_of_their_departments_and_their_own_desk_only(shards):
    shards.replace([doc(1, "server down", department="billing"), doc(2, "server down", department="sales"),
                    doc(3, "server down", department="sales", assignee="bob")])
    bob = Scope(departments=frozenset({"billing"}), agent="bob", internal=True)
    assert sorted(numbers(search(shards, "server", bob))) == [1, 3]
    other = Scope(departments=frozenset({"support"}), agent="eve", internal=True)
    page = search(shards, "server", other)
    assert numbers(page) == [] and page.total == 0
    assert search(shards, "", other, filters=Filters(department=frozenset({"billing"}))).total == 0
    assert search(shards, "server", Scope()).total == 0  # a scope that names nothing finds nothing


def test_a_customer_finds_only_their_own_tickets_and_never_by_internal_notes(shards):
    shards.replace([doc(1, "broken screen", internal=("vip customer, secretword",)),
                    doc(2, "broken screen", customer="other@example.com")])
    mine = customer_scope(email="Ana@Example.com")
    assert numbers(search(shards, "broken", mine)) == [1]
    assert search(shards, "secretword", mine).total == 0
    assert numbers(search(shards, "secretword", ADMIN)) == [1]
    assert "secretword" not in "".join(h.snippet for h in search(shards, "broken", mine).hits)


def test_filters_and_an_empty_query_list_the_desk(shards):
    shards.replace([doc(1, status="open", assignee="bob"), doc(2, status="closed"),
                    doc(3, status="open", created=DEC + 3 * DAY)])
    assert sorted(numbers(search(shards, filters=Filters(status=frozenset({"open"}))))) == [1, 3]
    assert numbers(search(shards, filters=Filters(assignee=""))) == [3, 2]  # unassigned, newest first
    assert numbers(search(shards, filters=Filters(assignee="bob"))) == [1]
    assert numbers(search(shards, filters=Filters(created=(DEC + DAY, None)))) == [3]


def test_sorts_by_newest_and_by_sla_due_across_shards(shards):
    shards.replace([doc(1, created=DEC - 40 * DAY, sla_due=DEC + 5), doc(2, created=DEC, sla_due=NO_DUE),
                    doc(3, created=DEC + DAY, sla_due=DEC + 1)])
    assert len(shards.names()) == 2
    assert numbers(search(shards, sort=Sort.NEWEST)) == [3, 2, 1]
    assert numbers(search(shards, sort=Sort.SLA)) == [3, 1, 2]


def test_pages_have_an_exact_total_and_no_cap(shards):
    shards.replace([doc(n, "same words", created=DEC - (n % 3) * 31 * DAY) for n in range(1, 1201)])
    seen, offset = [], 0
    while True:
        page = search(shards, "same", offset=offset, limit=100, sort=Sort.NEWEST)
        assert page.total == 1200
        seen += numbers(page)
        offset += len(page.hits)
        if offset >= page.total:
            break
    assert sorted(seen) == list(range(1, 1201))


def test_a_document_replaces_the_previous_one_of_its_ticket(shards):
    shards.replace([doc(1, "old subject")])
    shards.replace([doc(1, "new subject")])
    shards.replace([doc(1, "new subject")])  # delivered twice
    assert search(shards, "old").total == 0
    assert numbers(search(shards, "new")) == [1]


def test_snippets_are_escaped_and_mark_the_match(shards):
    shards.replace([doc(1, public=("<script>alert(1)</script> the refund is late",))])
    snippet = search(shards, "refund").hits[0].snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark>refund</mark>" in snippet


def test_a_cursor_is_checked():
    from chalicelib.errors import Invalid
    with pytest.raises(Invalid) as caught:
        decode_cursor("not a cursor!")
    assert caught.value.fields == {"cursor": "invalid"}


@pytest.mark.parametrize("written, typed", [
    ("می‌خواهم کتاب‌ها را ببینم", "کتاب"),              # Persian plural with ZWNJ, found by the bare word
    ("میخواهم کتابها را ببینم", "کتاب‌ها"),            # joined in the ticket, typed with ZWNJ
    ("مشکل در پرداخت قبض", "مشكل"),                   # Arabic kaf/yeh typed, Persian written
    ("יש בעיה ובחשבון שלי", "חשבון"),                 # Hebrew prefix letters
    ("הזמנה מספר #A-20931 לא הגיעה", "a20931"),        # an order code without punctuation
    ("order #A-20931 missing", "20931"),               # ... and by its digits
    ("شماره سفارش ۱۲۳۴۵۶ است", "123456"),              # digits of any script
    ("The iPhone 15 در سفارش من نیست", "iphone"),      # an English product name inside a Persian sentence
])
def test_texts_in_persian_hebrew_arabic_and_english_are_found_as_people_type(shards, written, typed):
    shards.replace([doc(1, public=(written,)), doc(2, public=("unrelated text",))])
    page = search(shards, typed + " ")  # typed to the end: not a prefix
    assert numbers(page) == [1]
    assert "<mark>" in page.hits[0].snippet


def test_the_snippet_comes_from_the_best_matching_message_even_deep_in_a_long_one(shards):
    long = "filler words here. " * 300 + "the <b>warranty</b> claim was refused" + " more filler." * 100
    shards.replace([doc(1, public=("warranty question", long))])
    [hit] = search(shards, "warranty claim refused").hits
    assert "<mark>claim</mark>" in hit.snippet and "&lt;b&gt;" in hit.snippet
    assert hit.snippet.startswith("\u2026") and hit.snippet.endswith("\u2026")


@pytest.mark.parametrize("q", ['"unbalanced quote', "a-b_c.d/e:f@g+h&i", "#A-20931", "(x) [y] {z} *?^$|\\",
                               "צה\"ל", "۱۲۳ ١٢٣", "x" * 60, "e\u0301cole", "\u200cکتاب\u200c", "a" * 499,
                               "-x -y z", '"" ""x', "+98 912 123 4567", "O'Reilly's", "ab ab ab ab ab ab ab"])
def test_strange_queries_are_answered_or_refused_by_field_never_crash(shards, q):
    from chalicelib.errors import Invalid
    shards.replace([doc(1, "a-b_c d e", public=("the (x) [y] text 20931",))])
    try:
        parsed = search_text.parse_query(q)
    except Invalid as exc:
        assert set(exc.fields) == {"q"}
        return
    Engine(shards).search(SearchRequest(q=q), ADMIN, None if parsed.is_empty else parsed)
