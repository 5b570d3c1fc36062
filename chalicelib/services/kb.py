"""Knowledge base use cases. Ports come in as arguments: the knowledge base store, the static site, the search
index, the rate limiter, the clock."""
from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

from chalicelib.domain import kb as rules
from chalicelib.domain import kb_events
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
    version = before.version + 1 if before is not None else 1
    events = [e for e in (kb_events.article_event(entry, before, version, new_id()) for entry in entries) if e]
    try:
        kb.save(before, after, entries, pages_of(after), events)
    except VersionConflict:
        raise Conflict("the article changed since you read it: reload") from None
    except SlugTaken as taken:
        raise Invalid(f"{taken.lang}: the address {taken.slug} is taken", fields={"slug": "taken"}) from None
    return replace(after, version=version)


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


def change_settings(kb: KnowledgeBase, editor: Editor, clock, *, article_id: str, version: int,
                    category: str | None = None, visibility: str | None = None, tags: list[str] | None = None,
                    order: int | None = None) -> Article:
    rules.require_editor(editor)
    article = _article(kb, article_id)
    _check_version(article, version)
    if category is not None:
        _category_known(kb, category)
    changed, entry = rules.change_settings(
        article, category=category, visibility=KbVisibility(visibility) if visibility else None,
        tags=rules.clean_tags(tags) if tags is not None else None, order=order, by=editor.id, at=clock.now())
    return _store(kb, article, changed, [entry])


def publish(kb: KnowledgeBase, editor: Editor, clock, *, article_id: str, lang: str, version: int) -> Article:
    """The draft of a language becomes what readers see: an entry and an article event on the article's timeline,
    in the one transaction that is the commit point. The static page, the sitemap and the article index follow
    from the event, off the request path (apply_article_events, fed by the table's stream)."""
    rules.require_editor(editor)
    rules.check_lang(lang)
    article = _article(kb, article_id)
    _check_version(article, version)
    changed, entry = rules.publish(article, lang, by=editor.id, at=clock.now())
    return _store(kb, article, changed, [entry])


def archive(kb: KnowledgeBase, editor: Editor, clock, *, article_id: str, lang: str, version: int) -> Article:
    rules.require_editor(editor)
    rules.check_lang(lang)
    article = _article(kb, article_id)
    _check_version(article, version)
    changed, entry = rules.archive(article, lang, by=editor.id, at=clock.now())
    return _store(kb, article, changed, [entry])


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


def rebuild_index(kb: KnowledgeBase, index: ArticleSearch) -> int:
    """The whole article index from the knowledge base's lists (a Query per language and visibility)."""
    rows = [row for lang in rules.LANGUAGES for visibility in KbVisibility for row in kb.listing(lang, visibility)]
    index.rebuild(rows)
    return len(rows)


def apply_article_events(kb: KnowledgeBase, site: StaticSite, index: ArticleSearch, events: list[dict], *,
                         site_origin: str) -> list[str]:
    """The publication consumer's work for a batch of article events (in order): each named article is re-read
    and its static pages, its index entries and then the sitemap are written as the table has them now. Nothing
    is taken from the event but the article's id and the pages it had before the change, so a redelivered, late
    or repeated event converges on the newest state. A failure raises: the batch comes back (FIFO, in order).
    Returns the article ids it refreshed."""
    previous: dict[str, set[tuple[str, str]]] = {}
    for event in events:
        if not kb_events.is_article_event(event):
            continue
        addresses = previous.setdefault(event["article_id"], set())
        addresses.update((a["lang"], a["slug"]) for a in event.get("previous") or ())
    names = {c.id: c.names for c in kb.categories()} if previous else {}
    entries: dict[str, list[Listed]] = {}
    for article_id, before in previous.items():
        article = kb.get(article_id)
        pages = pages_of(article) if article is not None else {}
        public = {(p.lang, p.slug): p for p in pages.values() if p.visibility == KbVisibility.PUBLIC}
        for page in public.values():
            name = (names.get(page.category) or {}).get(page.lang) or page.category
            site.put(page_key(page.lang, page.slug), page_html(
                lang=page.lang, title=page.title, html=page.html, category_name=name, alternates=page.alternates,
                slug=page.slug, origin=site_origin), "text/html; charset=utf-8")
        for lang, slug in sorted(before - set(public)):
            holder = kb.page(lang, slug)  # another article may have taken the address since: its page stays
            if holder is None or holder.visibility != KbVisibility.PUBLIC:
                site.delete(page_key(lang, slug))
        entries[article_id] = [listed(page) for page in pages.values()]
    if previous:
        index.write_many(entries)  # one index change for the batch
        site.put("customer/kb/sitemap.xml", sitemap_xml(site_origin, kb.sitemap()), "application/xml; charset=utf-8")
    return list(previous)


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


def help_center_report(kb: KnowledgeBase, editor: Editor, *, first, last) -> dict:
    """Views, helpful votes and deflections per article language over the desk's days first..last (issue 16's
    "help center" report): admins and supervisors, as for the rest of the knowledge base's figures. Day items are
    read by key (one Query per month) and summed here: the cost grows with the articles read in the period."""
    rules.require_editor(editor)
    rows: dict[tuple[str, str], dict] = {}
    counted = ("views", "helpful", "not_helpful", "deflected", "filed")
    for day in kb.daily_counts(first.isoformat(), last.isoformat()):
        row = rows.setdefault((day["article_id"], day["lang"]), {"article_id": day["article_id"], "lang": day["lang"],
                                                                 **{name: 0 for name in counted}})
        for name in counted:
            row[name] += day[name]
    titles = kb.titles(sorted({article for article, _ in rows})) if rows else {}
    out = []
    for (article_id, lang), row in rows.items():
        text = (titles.get(article_id) or {}).get(lang) or {}
        votes = row["helpful"] + row["not_helpful"]
        out.append({**row, "title": text.get("title", ""), "slug": text.get("slug", ""),
                    "helpful_share": round(row["helpful"] / votes, 3) if votes else None})
    out.sort(key=lambda r: (-r["views"], -r["deflected"], r["title"], r["lang"]))
    totals = {name: sum(r[name] for r in out) for name in counted}
    return {"from": first.isoformat(), "to": last.isoformat(), "articles": out, "totals": totals}


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
