"""Knowledge base use cases. Ports come in as arguments: the knowledge base store, the static site, the search
index, the rate limiter, the clock."""
from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

from chalicelib.domain import kb as rules
from chalicelib.domain.kb import Article, Category, Editor, KbVisibility
from chalicelib.domain.kb_pages import page_html, page_key, sitemap_xml
from chalicelib.domain.kb_render import plain_text, render
from chalicelib.domain.rate_limits import RateLimit
from chalicelib.domain.tickets import new_id
from chalicelib.errors import Conflict, FieldProblems, Forbidden, Invalid, NotFound
from chalicelib.services.kb_ports import ArticleSearch, Hit, KnowledgeBase, Listed, Page, SlugTaken, StaticSite
from chalicelib.services.ports import RateLimiter, VersionConflict

# Public endpoints, per client network (as the other public endpoints of issue 11).
SEARCH_PER_NETWORK = RateLimit("kb_search_per_network", 600, timedelta(minutes=10))
VOTES_PER_NETWORK = RateLimit("kb_votes_per_network", 200, timedelta(hours=1))
DEFLECTIONS_PER_NETWORK = RateLimit("kb_deflections_per_network", 200, timedelta(hours=1))
MAX_SUGGESTIONS = 5
VOTE_KEPT = timedelta(days=2)


def _limit(limiter: RateLimiter, limit: RateLimit, key: str, now) -> None:
    if not limiter.take(limit, key, now):
        raise limit.reached(now, "too many requests from your network: try again later")


# ---------------------------------------------------------------- categories
def categories(kb: KnowledgeBase) -> list[Category]:
    return rules.ordered_categories(kb.categories())


def save_categories(kb: KnowledgeBase, editor: Editor, categories: list[dict]) -> list[Category]:
    rules.require_editor(editor)
    checked = rules.check_categories([Category(id=c["id"], names=c.get("names") or {}, order=int(c.get("order", 0)),
                                               parent=c.get("parent") or None) for c in categories])
    kb.save_categories(checked)
    return rules.ordered_categories(checked)


# ---------------------------------------------------------------- writing articles
def _article(kb: KnowledgeBase, article_id: str) -> Article:
    article = kb.get(article_id) if article_id and len(article_id) <= 64 else None
    if article is None:
        raise NotFound("no such article")
    return article


def _check_version(article: Article, version: int) -> None:
    if article.version != version:
        raise Conflict("the article changed since you read it: reload", details={"version": article.version})


def pages_of(article: Article) -> dict[str, Page]:
    """What readers see of the article now: each published language, rendered and sanitized."""
    alternates = rules.alternates(article)
    pages = {}
    for lang, version in article.published_languages().items():
        text = version.published
        pages[lang] = Page(article_id=article.id, lang=lang, slug=text.slug, title=text.title, html=render(text.body),
                           text=plain_text(text.body), category=article.category, visibility=article.visibility,
                           tags=article.tags, revision=text.revision, published_at=text.at, order=article.order,
                           alternates={o: a for o, a in alternates.items() if o != lang})
    return pages


def _store(kb: KnowledgeBase, before: Article | None, after: Article, entries) -> Article:
    try:
        kb.save(before, after, entries, pages_of(after))
    except VersionConflict:
        raise Conflict("the article changed since you read it: reload") from None
    except SlugTaken as taken:
        raise Invalid(f"{taken.lang}: the address {taken.slug} is taken", fields={"slug": "taken"}) from None
    return replace(after, version=before.version + 1 if before is not None else 1)


def _category_known(kb: KnowledgeBase, category: str) -> None:
    if category not in {c.id for c in kb.categories()}:
        raise Invalid.field("category", "not_found")


def create_article(kb: KnowledgeBase, editor: Editor, clock, *, category: str, visibility: str, tags: list[str],
                   lang: str, title: str, slug: str, body: str, order: int = 0) -> Article:
    """Editors create articles; an agent's new article is a proposal: a draft that an editor reviews."""
    problems = FieldProblems()
    problems.check(rules.check_lang, lang)
    rules.check_text(problems, "", title=title, slug=slug, body=body)
    clean_tags = problems.check(rules.clean_tags, tags)
    problems.raise_any()
    _category_known(kb, category)
    now = clock.now()
    article = rules.new_article(id=new_id()[:16], category=category, visibility=KbVisibility(visibility),
                                tags=clean_tags or (), author=editor.id, at=now, order=order)
    article, entry = rules.edit_text(article, lang, title=title, slug=slug, body=body, by=editor.id, at=now)
    return _store(kb, None, article, [entry])


def edit_text(kb: KnowledgeBase, editor: Editor, clock, *, article_id: str, lang: str, title: str, slug: str,
              body: str, version: int) -> Article:
    problems = FieldProblems()
    problems.check(rules.check_lang, lang)
    rules.check_text(problems, "", title=title, slug=slug, body=body)
    problems.raise_any()
    article = _article(kb, article_id)
    rules.require_may_change_text(editor, article, lang)
    _check_version(article, version)
    changed, entry = rules.edit_text(article, lang, title=title, slug=slug, body=body, by=editor.id, at=clock.now())
    return _store(kb, article, changed, [entry])


def change_settings(kb: KnowledgeBase, editor: Editor, clock, site: StaticSite, index: ArticleSearch, *,
                    article_id: str, version: int, site_origin: str, category: str | None = None, visibility: str | None = None,
                    tags: list[str] | None = None, order: int | None = None) -> Article:
    rules.require_editor(editor)
    article = _article(kb, article_id)
    _check_version(article, version)
    if category is not None:
        _category_known(kb, category)
    changed, entry = rules.change_settings(
        article, category=category, visibility=KbVisibility(visibility) if visibility else None,
        tags=rules.clean_tags(tags) if tags is not None else None, order=order, by=editor.id, at=clock.now())
    saved = _store(kb, article, changed, [entry])
    write_static(kb, site, article, saved, site_origin)
    index_article(index, saved)
    return saved


def publish(kb: KnowledgeBase, site: StaticSite, index: ArticleSearch, editor: Editor, clock, *, article_id: str,
            lang: str, version: int, site_origin: str) -> Article:
    """The draft of a language becomes what readers see: an event on the article's timeline, the static page
    and the sitemap rewritten, the article's entries in the search index replaced. The table write is the
    commit point; the static files and the index follow it (rebuild_index repairs an index that missed one)."""
    rules.require_editor(editor)
    rules.check_lang(lang)
    article = _article(kb, article_id)
    _check_version(article, version)
    changed, entry = rules.publish(article, lang, by=editor.id, at=clock.now())
    saved = _store(kb, article, changed, [entry])
    write_static(kb, site, article, saved, site_origin)
    index_article(index, saved)
    return saved


def archive(kb: KnowledgeBase, site: StaticSite, index: ArticleSearch, editor: Editor, clock, *, article_id: str,
            lang: str, version: int, site_origin: str) -> Article:
    rules.require_editor(editor)
    rules.check_lang(lang)
    article = _article(kb, article_id)
    _check_version(article, version)
    changed, entry = rules.archive(article, lang, by=editor.id, at=clock.now())
    saved = _store(kb, article, changed, [entry])
    write_static(kb, site, article, saved, site_origin)
    index_article(index, saved)
    return saved


def restore(kb: KnowledgeBase, editor: Editor, clock, *, article_id: str, lang: str, revision: int,
            version: int) -> Article:
    rules.require_editor(editor)
    article = _article(kb, article_id)
    _check_version(article, version)
    entry = next((e for e in kb.history(article_id) if e.lang == lang and e.text is not None
                  and e.text.revision == revision), None)
    if entry is None:
        raise NotFound("no such revision")
    changed, restored = rules.restore(article, entry, by=editor.id, at=clock.now())
    return _store(kb, article, changed, [restored])


def listed(page: Page) -> Listed:
    return Listed(article_id=page.article_id, lang=page.lang, slug=page.slug, title=page.title,
                  category=page.category, visibility=page.visibility, text=page.text, tags=page.tags, order=page.order)


def index_article(index: ArticleSearch, article: Article) -> None:
    """The article's published versions, as the search index should hold them. A failure is logged, not
    raised: the publication is committed, and rebuild_index (ops/rebuild_kb_index.py) catches the index up."""
    from chalicelib.observability import logger

    try:
        index.write(article.id, [listed(page) for page in pages_of(article).values()])
    except Exception:  # noqa: BLE001 - the index is derived; the editor's change stands
        logger.exception("article index not updated", extra={"article": article.id})


def rebuild_index(kb: KnowledgeBase, index: ArticleSearch) -> int:
    """The whole article index from the knowledge base's lists (a Query per language and visibility)."""
    rows = [row for lang in rules.LANGUAGES for visibility in KbVisibility for row in kb.listing(lang, visibility)]
    index.rebuild(rows)
    return len(rows)


def write_static(kb: KnowledgeBase, site: StaticSite, before: Article, after: Article, site_origin: str) -> None:
    """Static pages of the public published versions (written, or removed when no longer public), and the sitemap."""
    names = {c.id: c.names for c in kb.categories()}
    now_public = pages_of(after) if after.visibility == KbVisibility.PUBLIC else {}
    for page in now_public.values():
        name = (names.get(page.category) or {}).get(page.lang) or page.category
        site.put(page_key(page.lang, page.slug), page_html(lang=page.lang, title=page.title, html=page.html,
                                                           category_name=name, alternates=page.alternates,
                                                           slug=page.slug, origin=site_origin),
                 "text/html; charset=utf-8")
    for lang, version in before.published_languages().items():
        if version.published and (lang not in now_public or now_public[lang].slug != version.published.slug):
            site.delete(page_key(lang, version.published.slug))
    site.put("customer/kb/sitemap.xml", sitemap_xml(site_origin, kb.sitemap()), "application/xml; charset=utf-8")


# ---------------------------------------------------------------- reading
def read(kb: KnowledgeBase, *, lang: str, slug: str, staff: bool, count: bool = True) -> Page:
    """A published version by its address. Internal articles are for agents: to anyone else they do not exist."""
    rules.check_lang(lang)
    page = kb.page(lang, rules.clean_slug(slug)) if len(slug) <= 200 else None
    if page is None or not rules.may_read(page.visibility, staff=staff):
        raise NotFound("no such article")
    if count and not staff:
        kb.count_view(page.article_id, lang, page.revision)
    return page


def listing(kb: KnowledgeBase, *, lang: str, staff: bool) -> list[dict]:
    rules.check_lang(lang)
    order = {c.id: n for n, c in enumerate(rules.ordered_categories(kb.categories()))}
    rows = kb.listing(lang, KbVisibility.PUBLIC) + (kb.listing(lang, KbVisibility.INTERNAL) if staff else [])
    rows.sort(key=lambda r: (order.get(r.category, len(order)), r.order, r.title))
    return [{"slug": r.slug, "title": r.title, "lang": r.lang, "category": r.category, "id": r.article_id,
             "visibility": r.visibility.value} for r in rows]


def search(index: ArticleSearch, limiter: RateLimiter | None, clock, *, query: str, lang: str, internal: bool,
           network: str = "", limit: int = 10) -> list[Hit]:
    rules.check_lang(lang)
    if len(query) > 500:
        raise Invalid.field("q", "too_long")
    if limiter is not None:
        _limit(limiter, SEARCH_PER_NETWORK, network or "unknown", clock.now())
    return index.search(query, lang, internal=internal, limit=limit)


def related(index: ArticleSearch, page: Page, *, internal: bool, limit: int = 5) -> list[Hit]:
    return index.related(page.article_id, page.lang, internal=internal, limit=limit)


def visitor_key(address: str, user_agent: str, secret: bytes) -> str:
    """Who a visitor without sign-in is, as far as one vote a day goes: their address and browser, keyed so the
    table holds no address."""
    return hashlib.blake2b(f"{address}|{user_agent}".encode(), key=secret[:64], digest_size=12).hexdigest()


def vote(kb: KnowledgeBase, limiter: RateLimiter, clock, *, lang: str, slug: str, helpful: bool, visitor: str,
         network: str) -> bool:
    """Count a vote on the version readers see now; a second one that day by the same visitor is not counted."""
    now = clock.now()
    _limit(limiter, VOTES_PER_NETWORK, network or "unknown", now)
    page = read(kb, lang=lang, slug=slug, staff=False, count=False)
    return kb.vote(page.article_id, lang, page.revision, visitor=visitor, day=now.date().isoformat(),
                   helpful=helpful, expires_at=int((now + VOTE_KEPT).timestamp()))


def record_deflection(kb: KnowledgeBase, limiter: RateLimiter, clock, *, outcome: str,
                      articles: list[dict], network: str) -> None:
    """'deflected': the customer opened these suggestions and left without filing; 'filed': they filed anyway
    after these were shown. Only published public articles count."""
    now = clock.now()
    _limit(limiter, DEFLECTIONS_PER_NETWORK, network or "unknown", now)
    known = []
    for index, item in enumerate(articles[:MAX_SUGGESTIONS]):
        try:
            page = read(kb, lang=item["lang"], slug=item["slug"], staff=False, count=False)
        except NotFound:
            raise Invalid.field(f"articles.{index}", "not_found") from None
        known.append((page.article_id, page.lang))
    kb.record_deflection(day=now.date().isoformat(), outcome=outcome, articles=known)


def link_for_customer(kb: KnowledgeBase, *, article_id: str, lang: str, site_url: str) -> dict:
    """An article's link in the customer's language, or in another one with `fallback` (the agent adds a note)."""
    article = _article(kb, article_id)
    if article.visibility != KbVisibility.PUBLIC:
        raise Forbidden("internal articles are not for customers")
    picked = rules.pick_language(article, lang)
    if picked is None:
        raise NotFound("the article is not published")
    chosen, fallback = picked
    from chalicelib.domain.kb_pages import page_path

    text = article.versions[chosen].published
    origin = site_url.split("/customer", 1)[0].rstrip("/")
    return {"url": origin + page_path(chosen, text.slug), "title": text.title, "lang": chosen, "fallback": fallback}


def draft_from_text(kb: KnowledgeBase, editor: Editor, clock, *, text: str, lang: str, title: str, category: str,
                    names: tuple[str, ...] = ()) -> tuple[Article, list[dict]]:
    """A reply becomes an internal draft; the customer's name, addresses, phones and order numbers in it are
    flagged for the editor to remove."""
    flagged = rules.personal_data(text, names=names)
    slug = "-".join(rules.clean_slug(title).split())[:60].strip("-") or "draft"
    slug = f"{slug}-{new_id()[:6]}"
    article = create_article(kb, editor, clock, category=category, visibility=KbVisibility.INTERNAL.value, tags=[],
                             lang=lang, title=title, slug=slug, body=text)
    return article, flagged


FILE_EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
                   "image/webp": ".webp", "text/plain": ".txt", "application/zip": ".zip",
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx"}


def publish_file(files, site: StaticSite, limits, editor: Editor, *, upload_id: str) -> dict:
    """An image or file for articles, uploaded like a ticket attachment (POST /uploads, presigned POST, the stored
    bytes sniffed against the type allow list: no SVG, no HTML), then copied to the site's bucket, where readers
    get it from the web origin. Editors only: what lands there is public."""
    import re as _re

    from chalicelib.domain import attachments
    from chalicelib.services.uploads import upload_key

    rules.require_editor(editor)
    found = files.inspect_upload(upload_key(upload_id), attachments.SNIFF_BYTES) if _re.fullmatch(
        r"[0-9a-f]{32}", upload_id or "") else None
    if found is None:
        raise Invalid.field("upload_id", "not_uploaded")
    attachments.check_stored("upload_id", found.content_type, found.size, found.head, limits)
    body = files.read_document(upload_key(upload_id))
    if body is None:
        raise Invalid.field("upload_id", "not_uploaded")
    path = f"/customer/kb/files/{new_id()}{FILE_EXTENSIONS[found.content_type]}"
    site.put(path.lstrip("/"), body, found.content_type)
    label = found.filename.replace("[", "(").replace("]", ")")
    image = found.content_type.startswith("image/")
    return {"url": path, "content_type": found.content_type, "size": found.size,
            "markdown": f"{'!' if image else ''}[{label}]({path})"}
