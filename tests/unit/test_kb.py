"""Knowledge base rules (domain/kb.py, kb_render.py, kb_pages.py) and the article search index, without AWS."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import kb
from chalicelib.domain.kb import Category, Editor, KbVisibility, State
from chalicelib.domain.kb_pages import page_html, sitemap_xml
from chalicelib.domain.kb_render import render, sanitize
from chalicelib.errors import Conflict, FieldProblems, Forbidden, Invalid

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
HANDLER = re.compile(r"<[^>]*\son\w+\s*=", re.IGNORECASE)


# ---------------------------------------------------------------- rendering: nothing an editor types runs script
@pytest.mark.parametrize("markdown", [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle/></svg>",
    "<a href=\"#\" onclick=\"alert(1)\">x</a>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
])
def test_rendered_markdown_holds_no_script(markdown):
    html = render(markdown)
    assert "<script" not in html.lower() and "<svg" not in html.lower() and "<iframe" not in html.lower()
    assert not HANDLER.search(html)
    assert not re.search(r'(href|src)="\s*(javascript|vbscript|data):', html, re.IGNORECASE)
    assert not re.search(r"<[^>]*\sstyle=", html)  # as text (escaped) it is harmless


@pytest.mark.parametrize("raw, kept", [
    ('<p>hi<script>alert(1)</script></p>', "<p>hi</p>"),
    ('<a href="javascript:alert(1)">x</a>', "<a rel=\"noopener noreferrer nofollow\">x</a>"),
    ('<img src="data:image/png;base64,AAAA" alt="a">', '<img alt="a">'),
    ('<img src="https://example.com/a.png" onerror="alert(1)">', '<img src="https://example.com/a.png">'),
    ('<svg><a href="https://example.com">x</a></svg>', ""),
    ('<p onmouseover="alert(1)" style="color:red">x</p>', "<p>x</p>"),
])
def test_the_sanitizer_is_the_second_wall_for_raw_html(raw, kept):
    assert sanitize(raw) == kept


def test_markdown_renders_what_articles_need():
    html = render("# Title\n\n**bold** *it* `code`\n\n- a\n- b\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                  "[help](https://example.com/help) ![pic](/attachments/x.png)")
    for part in ("<h1>Title</h1>", "<strong>bold</strong>", "<em>it</em>", "<code>code</code>", "<li>a</li>",
                 "<table>", '<a href="https://example.com/help"', '<img src="/attachments/x.png" alt="pic">'):
        assert part in html


def test_static_page_allows_no_script_and_links_the_other_languages():
    page = page_html(lang="fa", title="<b>عنوان</b>", html="<p>متن</p>", category_name="صورتحساب",
                     alternates={"en": {"slug": "refund", "title": "Refund"}}, slug="بازپرداخت",
                     origin="https://help.example.com").decode()
    assert 'dir="rtl"' in page and 'lang="fa"' in page
    assert "default-src 'none'" in page and "script-src" not in page and "<script" not in page
    assert "&lt;b&gt;عنوان&lt;/b&gt;" in page  # the title is text
    assert 'hreflang="en" href="https://help.example.com/customer/kb/en/refund.html"' in page
    assert "/customer/kb/fa/%D8%A8" in page
    assert sitemap_xml("https://h.example", [("en", "a&b")]).decode().count("<loc>https://h.example/customer/kb/en/a%26b.html</loc>") == 1


# ---------------------------------------------------------------- articles
def article():
    a = kb.new_article(id="a1", category="billing", visibility=KbVisibility.PUBLIC, tags=(), author="ed", at=T0)
    a, _ = kb.edit_text(a, "en", title="Refunds", slug="refunds", body="v1", by="ed", at=T0)
    return a


def test_a_new_version_is_a_draft_waiting_for_review():
    a = article()
    assert a.versions["en"].state == State.DRAFT and a.versions["en"].pending
    assert a.published_languages() == {}


def test_publishing_shows_the_draft_and_later_edits_wait_for_the_next_publication():
    a, entry = kb.publish(article(), "en", by="ed", at=T0 + timedelta(minutes=1))
    assert entry.action == kb.HistoryAction.PUBLISHED and entry.data == {"revision": 1}
    assert not a.versions["en"].pending
    with pytest.raises(Conflict):
        kb.publish(a, "en", by="ed", at=T0)
    a, _ = kb.edit_text(a, "en", title="Refunds 2", slug="refunds", body="v2", by="ed", at=T0 + timedelta(minutes=2))
    assert a.versions["en"].published.body == "v1" and a.versions["en"].draft.body == "v2"
    assert a.versions["en"].pending


def test_a_published_address_never_changes():
    a, _ = kb.publish(article(), "en", by="ed", at=T0)
    with pytest.raises(Invalid) as refused:
        kb.edit_text(a, "en", title="x", slug="new-address", body="x", by="ed", at=T0)
    assert refused.value.fields == {"slug": "fixed"}
    unpublished = article()
    changed, _ = kb.edit_text(unpublished, "en", title="x", slug="new-address", body="x", by="ed", at=T0)
    assert changed.versions["en"].draft.slug == "new-address"


def test_restore_makes_an_earlier_text_the_next_draft_revision():
    a = article()
    a, _ = kb.edit_text(a, "en", title="Second", slug="refunds", body="v2", by="ed", at=T0)
    first = kb.HistoryEntry("a1", kb.HistoryAction.CREATED, "ed", T0, lang="en",
                            text=kb.Text("Refunds", "refunds", "v1", 1, "ed", T0))
    restored, entry = kb.restore(a, first, by="boss", at=T0 + timedelta(hours=1))
    draft = restored.versions["en"].draft
    assert (draft.title, draft.body, draft.revision, draft.by) == ("Refunds", "v1", 3, "boss")
    assert entry.data == {"from_revision": 1} and entry.action == kb.HistoryAction.RESTORED


def test_archiving_withdraws_a_version_and_it_can_come_back():
    a, _ = kb.publish(article(), "en", by="ed", at=T0)
    a, _ = kb.archive(a, "en", by="ed", at=T0)
    assert a.versions["en"].state == State.ARCHIVED and a.published_languages() == {}
    a, _ = kb.publish(a, "en", by="ed", at=T0)
    assert a.versions["en"].state == State.PUBLISHED


@pytest.mark.parametrize("editor, author, published, allowed", [
    (Editor("boss", admin=True), "someone", True, True),
    (Editor("sup", supervisor=True), "someone", True, True),
    (Editor("agent"), "agent", False, True),     # their own proposal
    (Editor("agent"), "agent", True, False),     # once published, editors only
    (Editor("agent"), "someone", False, False),  # someone else's
])
def test_who_may_change_a_text(editor, author, published, allowed):
    a = kb.new_article(id="a", category="c", visibility=KbVisibility.PUBLIC, tags=(), author=author, at=T0)
    a, _ = kb.edit_text(a, "en", title="t", slug="s", body="b", by=author, at=T0)
    if published:
        a, _ = kb.publish(a, "en", by="boss", at=T0)
    if allowed:
        kb.require_may_change_text(editor, a, "en")
    else:
        with pytest.raises(Forbidden):
            kb.require_may_change_text(editor, a, "en")


@pytest.mark.parametrize("slug, code", [
    ("refund-policy", None), ("بازپرداخت-وجه", None), ("החזר-כספי", None), ("Refund", None),
    ("", "required"), ("two words", "invalid"), ("-leading", "invalid"), ("a--b", "invalid"), ("a/b", "invalid"),
    ("a" * 81, "too_long"), ("..", "invalid"),
])
def test_slugs_are_words_of_any_script_joined_by_hyphens(slug, code):
    problems = FieldProblems()
    kb.check_text(problems, "", title="t", slug=slug, body="b")
    assert problems.get("slug") == code


def test_categories_nest_one_level_and_keep_their_order():
    cats = [Category("b", {"en": "B"}, order=2), Category("a", {"en": "A"}, order=1),
            Category("a2", {"en": "A2"}, order=2, parent="a"), Category("a1", {"en": "A1"}, order=1, parent="a")]
    assert [c.id for c in kb.ordered_categories(kb.check_categories(cats))] == ["a", "a1", "a2", "b"]
    with pytest.raises(Invalid) as refused:
        kb.check_categories([*cats, Category("deep", {"en": "D"}, parent="a1")])
    assert refused.value.fields == {"categories.4.parent": "too_deep"}


def test_a_link_goes_in_the_customers_language_or_falls_back():
    a, _ = kb.publish(article(), "en", by="ed", at=T0)
    assert kb.pick_language(a, "en") == ("en", False)
    assert kb.pick_language(a, "fa") == ("en", True)
    assert kb.pick_language(article(), "fa") is None


def test_personal_data_in_a_reply_is_flagged():
    text = "سلام مریم کریمی، سفارش 12345678 به maryam@example.com ارسال شد. تماس: ۰۹۱۲ ۳۴۵ ۶۷۸۹"
    found = kb.personal_data(text, names=("مریم کریمی",))
    assert {f["kind"] for f in found} == {"name", "order", "email", "phone"}
    assert all(text[f["start"]:f["end"]] == f["text"] for f in found)
    assert kb.personal_data("Nothing personal here.") == []


# ---------------------------------------------------------------- the article search index
def listed(article_id, lang, title, text, visibility=KbVisibility.PUBLIC, tags=()):
    from chalicelib.services.kb_ports import Listed
    return Listed(article_id=article_id, lang=lang, slug=article_id, title=title, category="c",
                  visibility=visibility, text=text, tags=tags)


@pytest.fixture
def article_index(tmp_path):
    from chalicelib.adapters.kb_search import KbShards, S3ArticleSearch

    index = S3ArticleSearch(KbShards(tmp_path))  # the local index alone: S3 and the lease are search_store's
    index.rebuild([listed("fa1", "fa", "بازگرداندن کالا", "هفت روز فرصت دارید"),
                   listed("he1", "he", "החזרת מוצר", "אפשר להחזיר מוצר תוך ארבעה עשר יום"),
                   listed("in1", "fa", "کالا داخلی", "فقط کارکنان", KbVisibility.INTERNAL)])
    return index


def ids(hits):
    return [h.article_id for h in hits]


def test_the_article_index_finds_spelling_variants_within_the_language(article_index):
    assert ids(article_index.search("كالا", "fa", internal=False, limit=5)) == ["fa1"]  # Arabic kaf
    assert ids(article_index.search("החזרט", "he", internal=False, limit=5)) == ["he1"]  # a letter off
    assert ids(article_index.search("להחזיר מוצר פגום", "he", internal=False, limit=5)) == ["he1"]  # prefix ל, ranked
    assert ids(article_index.search("کالا", "he", internal=False, limit=5)) == []  # another language: no answer
    assert article_index.search("אפשר להחזיר", "he", internal=False, limit=5)[0].snippet.startswith("אפשר להחזיר")


def test_internal_articles_are_searched_only_for_agents(article_index):
    assert set(ids(article_index.search("کالا", "fa", internal=True, limit=5))) == {"fa1", "in1"}
    assert ids(article_index.search("کالا", "fa", internal=False, limit=5)) == ["fa1"]


def test_a_publication_replaces_one_article_and_withdrawing_removes_it(article_index):
    article_index.write("fa2", [listed("fa2", "fa", "هزینه ارسال کالا", "رایگان")])
    assert set(ids(article_index.search("کالا", "fa", internal=False, limit=5))) == {"fa1", "fa2"}
    assert ids(article_index.related("fa1", "fa", internal=False, limit=5)) == ["fa2"]
    article_index.write("fa2", [listed("fa2", "fa", "هزینه پست", "رایگان")])  # edited and published again
    assert ids(article_index.search("کالا", "fa", internal=False, limit=5)) == ["fa1"]
    article_index.write("fa1", [])  # archived
    assert ids(article_index.search("بازگرداندن", "fa", internal=False, limit=5)) == []


def test_an_empty_or_stop_word_query_finds_nothing_rather_than_failing(article_index):
    assert article_index.search("...", "fa", internal=False, limit=5) == []
    assert article_index.search("the and of", "en", internal=False, limit=5) == []
