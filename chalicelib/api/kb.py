"""Knowledge base routes: the public help center (list, read, search, votes, deflection) and the agents' and
editors' side under /agent/kb (any agent reads internal articles and proposes drafts; admins and supervisors
edit, publish, archive and restore: the service checks)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api.auth import ADMIN_GROUP, Agent, staff
from chalicelib.api.clients import client_network
from chalicelib.api.http import route
from chalicelib.domain.kb import Article, Editor, HistoryEntry
from chalicelib.domain.kb_pages import help_center_path, page_path
from chalicelib.domain.kb_render import render
from chalicelib.domain.permissions import Action, supervises
from chalicelib.errors import Invalid
from chalicelib.services import kb as service
from chalicelib.services.kb_ports import Hit, Page
from chalicelib.settings import get_settings

kb_api = Blueprint(__name__)

LANG = {"type": "string", "enum": ["fa", "he", "en"]}
QUERY = {"type": "string", "maxLength": 500}
SLUG = {"type": "string", "minLength": 1, "maxLength": 80}
TITLE = {"type": "string", "minLength": 1, "maxLength": 200}
BODY = {"type": "string", "maxLength": 100_000, "x-multiline": True}
VERSION = {"type": "integer", "minimum": 1}
ID = {"type": "string", "minLength": 1, "maxLength": 40}
TAGS = {"type": "array", "items": {"type": "string", "maxLength": 40}, "maxItems": 20}
VISIBILITY = {"type": "string", "enum": ["public", "internal"]}
NAMES = {"type": "object", "properties": {lang: {"type": "string", "maxLength": 100} for lang in ("fa", "he", "en")},
         "additionalProperties": False}


def _object(required, properties):
    shape = {"type": "object", "properties": properties, "additionalProperties": False}
    return {**shape, "required": required} if required else shape


NEW_ARTICLE = _object(["category", "lang", "title", "slug", "body"], {
    "category": ID, "visibility": VISIBILITY, "tags": TAGS, "order": {"type": "integer", "minimum": 0, "maximum": 999_999},
    "lang": LANG, "title": TITLE, "slug": SLUG, "body": BODY})
EDIT_TEXT = _object(["title", "slug", "body", "version"], {"title": TITLE, "slug": SLUG, "body": BODY, "version": VERSION})
LANG_VERSION = _object(["lang", "version"], {"lang": LANG, "version": VERSION})
RESTORE = _object(["lang", "revision", "version"], {"lang": LANG, "revision": {"type": "integer", "minimum": 1},
                                                    "version": VERSION})
SETTINGS = _object(["version"], {"category": ID, "visibility": VISIBILITY, "tags": TAGS,
                                 "order": {"type": "integer", "minimum": 0, "maximum": 999_999}, "version": VERSION})
CATEGORIES = _object(["categories"], {"categories": {"type": "array", "maxItems": 200, "items": _object(
    ["id", "names"], {"id": ID, "names": NAMES, "order": {"type": "integer", "minimum": 0, "maximum": 9999},
                      "parent": {"type": "string", "maxLength": 40}})}})
PREVIEW = _object(["body"], {"body": BODY})
VOTE = _object(["helpful"], {"helpful": {"type": "boolean"}})
DEFLECTION = _object(["outcome", "articles"], {
    "outcome": {"type": "string", "enum": ["deflected", "filed"]},
    "articles": {"type": "array", "maxItems": 5, "items": _object(["lang", "slug"], {"lang": LANG, "slug": SLUG})}})
FROM_REPLY = _object(["ticket", "text", "title", "category", "lang"], {
    "ticket": {"type": "integer", "minimum": 1, "maximum": 999_999_999_999}, "text": BODY, "title": TITLE,
    "category": ID, "lang": LANG})


def _query() -> dict:
    return kb_api.current_request.query_params or {}


def _lang() -> str:
    lang = _query().get("lang", "")
    if lang not in ("fa", "he", "en"):
        raise Invalid.field("lang", "invalid" if lang else "required")
    return lang


def _editor(agent: Agent) -> Editor:
    found = staff(agent)
    return Editor(id=found.id, admin=ADMIN_GROUP in agent.groups,
                  supervisor=any(supervises(found, d) for d in bootstrap.catalog().departments()))


def _hit(hit: Hit, *, staff_view: bool = False) -> dict:
    shaped = {"slug": hit.slug, "title": hit.title, "snippet": hit.snippet, "lang": hit.lang, "category": hit.category}
    if staff_view:
        shaped.update({"id": hit.article_id, "visibility": hit.visibility.value})
    return shaped


def _page(page: Page) -> dict:
    return {"id": page.article_id, "lang": page.lang, "slug": page.slug, "title": page.title, "html": page.html,
            "category": page.category, "tags": list(page.tags), "revision": page.revision,
            "visibility": page.visibility.value, "published_at": page.published_at.isoformat(),
            "alternates": page.alternates, "static_url": page_path(page.lang, page.slug),
            "url": help_center_path(page.lang, page.slug)}


def _text(text) -> dict | None:
    return None if text is None else {"title": text.title, "slug": text.slug, "body": text.body,
                                      "revision": text.revision, "by": text.by, "at": text.at.isoformat()}


def _article(article: Article) -> dict:
    return {"id": article.id, "category": article.category, "visibility": article.visibility.value,
            "tags": list(article.tags), "author": article.author, "order": article.order, "version": article.version,
            "created_at": article.created_at.isoformat(),
            "versions": {lang: {"state": v.state.value, "pending": v.pending, "draft": _text(v.draft),
                                "published": _text(v.published)} for lang, v in article.versions.items()}}


def _entry(entry: HistoryEntry) -> dict:
    return {"action": entry.action.value, "by": entry.by, "at": entry.at.isoformat(), "lang": entry.lang,
            "revision": entry.text.revision if entry.text else None, "title": entry.text.title if entry.text else None,
            "data": entry.data}


def _slug(raw: str) -> str:
    """A slug from the path: percent-decoded here (a slug never holds '%'), whether or not the gateway did."""
    from urllib.parse import unquote

    return unquote(raw)


def _visitor() -> str:
    request = kb_api.current_request
    address = ((request.context or {}).get("identity") or {}).get("sourceIp") or ""
    return service.visitor_key(address, request.headers.get("user-agent", ""), bootstrap.secrets().link_secret())


# ---------------------------------------------------------------- public: the help center
@route(kb_api, "/kb/categories", summary="Knowledge base categories, in order (one level of nesting)")
def categories():
    return {"categories": [{"id": c.id, "names": c.names, "order": c.order, "parent": c.parent}
                           for c in service.categories(bootstrap.knowledge_base())]}


@route(kb_api, "/kb/articles", query={"lang": {"schema": LANG, "required": True}},
       summary="Published public articles in a language, in category order")
def list_articles():
    rows = service.listing(bootstrap.knowledge_base(), lang=_lang(), staff=False)
    return {"articles": [{k: r[k] for k in ("slug", "title", "lang", "category")} for r in rows]}


@route(kb_api, "/kb/search", query={"q": {"schema": QUERY, "required": True}, "lang": {"schema": LANG, "required": True}},
       refusals=(429,), summary="Search published public articles in a language (also the ticket form's suggestions)")
def search():
    limit = 5 if _query().get("suggest") else 10
    hits = service.search(bootstrap.article_search(), bootstrap.rate_limiter(), bootstrap.clock(),
                          query=_query().get("q", ""), lang=_lang(), internal=False,
                          network=client_network(kb_api.current_request), limit=limit)
    return {"results": [_hit(h) for h in hits]}


@route(kb_api, "/kb/articles/{lang}/{slug}", refusals=(404,),
       summary="A published public article by its address, rendered, with the other languages and related articles")
def read_article(lang, slug):
    if lang not in ("fa", "he", "en"):
        raise Invalid.field("lang", "invalid")
    page = service.read(bootstrap.knowledge_base(), lang=lang, slug=_slug(slug), staff=False)
    related = service.related(bootstrap.article_search(), page, internal=False)
    return {**_page(page), "related": [_hit(h) for h in related]}


@route(kb_api, "/kb/articles/{lang}/{slug}/votes", method="POST", request=VOTE, refusals=(404, 429),
       summary="Was this helpful? Counted once per visitor and day for the version shown")
def vote_article(lang, slug, body):
    if lang not in ("fa", "he", "en"):
        raise Invalid.field("lang", "invalid")
    counted = service.vote(bootstrap.knowledge_base(), bootstrap.rate_limiter(), bootstrap.clock(), lang=lang,
                           slug=_slug(slug), helpful=body["helpful"], visitor=_visitor(),
                           network=client_network(kb_api.current_request))
    return {"counted": counted}


@route(kb_api, "/kb/deflections", method="POST", status=202, request=DEFLECTION, refusals=(429,),
       summary="The ticket form's suggestions: opened and left without filing (deflected), or filed anyway")
def deflection(body):
    service.record_deflection(bootstrap.knowledge_base(), bootstrap.rate_limiter(), bootstrap.clock(),
                              outcome=body["outcome"], articles=body["articles"],
                              network=client_network(kb_api.current_request))
    return {"recorded": True}


# ---------------------------------------------------------------- agents
@route(kb_api, "/agent/kb/articles", audience="agent", query={"lang": {"schema": LANG, "required": True}},
       summary="Published articles in a language, internal ones too")
def agent_list(agent: Agent):
    return {"articles": service.listing(bootstrap.knowledge_base(), lang=_lang(), staff=True)}


@route(kb_api, "/agent/kb/search", audience="agent",
       query={"q": {"schema": QUERY, "required": True}, "lang": {"schema": LANG, "required": True}},
       summary="Search published articles, internal ones too (the ticket page's knowledge base search)")
def agent_search(agent: Agent):
    hits = service.search(bootstrap.article_search(), None, bootstrap.clock(), query=_query().get("q", ""),
                          lang=_lang(), internal=True)
    return {"results": [_hit(h, staff_view=True) for h in hits]}


@route(kb_api, "/agent/kb/articles/{article_id}", audience="agent", refusals=(404,),
       summary="An article with every language's draft and published text")
def agent_article(article_id, agent: Agent):
    return _article(service._article(bootstrap.knowledge_base(), article_id))


@route(kb_api, "/agent/kb/articles/{article_id}/link", audience="agent", refusals=(404,),
       query={"lang": {"schema": LANG, "required": True}},
       summary="The article's public link in the customer's language, or another with fallback: true")
def agent_link(article_id, agent: Agent):
    return service.link_for_customer(bootstrap.knowledge_base(), article_id=article_id, lang=_lang(),
                                     site_url=get_settings().customer_site_url)


@route(kb_api, "/agent/kb/articles", method="POST", status=201, audience="agent", request=NEW_ARTICLE,
       summary="A new article (a draft; an agent's is a proposal for the editors)")
def create_article(agent: Agent, body):
    article = service.create_article(bootstrap.knowledge_base(), _editor(agent), bootstrap.clock(),
                                     category=body["category"], visibility=body.get("visibility", "public"),
                                     tags=body.get("tags", []), lang=body["lang"], title=body["title"],
                                     slug=body["slug"], body=body["body"], order=body.get("order", 0))
    return _article(article)


@route(kb_api, "/agent/kb/articles/{article_id}/texts/{lang}", method="PUT", audience="agent", request=EDIT_TEXT,
       refusals=(404, 409), summary="Save the draft of one language (agents: only their own unpublished proposals)")
def edit_text(article_id, lang, agent: Agent, body):
    article = service.edit_text(bootstrap.knowledge_base(), _editor(agent), bootstrap.clock(), article_id=article_id,
                                lang=lang, title=body["title"], slug=body["slug"], body=body["body"],
                                version=body["version"])
    return _article(article)


@route(kb_api, "/agent/kb/preview", method="POST", audience="agent", request=PREVIEW,
       summary="A body rendered and sanitized exactly as readers will get it")
def preview(agent: Agent, body):
    return {"html": render(body["body"])}


@route(kb_api, "/agent/kb/drafts-from-reply", method="POST", status=201, audience="agent", request=FROM_REPLY,
       refusals=(404,), summary="Turn a reply into an internal draft; the customer's details in it are flagged")
def draft_from_reply(agent: Agent, body):
    from chalicelib.services.workflow import ticket_for

    ticket = ticket_for(tickets=bootstrap.tickets(), catalog=bootstrap.catalog(), number=body["ticket"],
                        staff=staff(agent), action=Action.VIEW)
    names = tuple(x for x in (ticket.customer.name, ticket.customer.email, ticket.customer.phone or "") if x)
    article, flagged = service.draft_from_text(bootstrap.knowledge_base(), _editor(agent), bootstrap.clock(),
                                               text=body["text"], lang=body["lang"], title=body["title"],
                                               category=body["category"], names=names)
    return {"article": _article(article), "flagged": flagged}


# ---------------------------------------------------------------- editors (admins and supervisors)
@route(kb_api, "/agent/kb/files", method="POST", status=201, audience="agent",
       request=_object(["upload_id"], {"upload_id": {"type": "string", "maxLength": 64}}),
       summary="Publish an uploaded image or file for articles (uploaded with POST /uploads) (editors)")
def publish_file(agent: Agent, body):
    return service.publish_file(bootstrap.files(), bootstrap.static_site(), bootstrap.limits(), _editor(agent),
                                upload_id=body["upload_id"])


@route(kb_api, "/agent/kb/review", audience="agent", summary="Drafts waiting for review (editors)")
def review(agent: Agent):
    from chalicelib.domain.kb import require_editor

    require_editor(_editor(agent))
    return {"drafts": [{"id": p.article_id, "lang": p.lang, "title": p.title, "by": p.by, "at": p.at.isoformat()}
                       for p in bootstrap.knowledge_base().pending()]}


@route(kb_api, "/agent/kb/articles/{article_id}/history", audience="agent", refusals=(404,),
       summary="The article's timeline: every edit, publication, archive and restore (editors)")
def history(article_id, agent: Agent):
    from chalicelib.domain.kb import require_editor

    require_editor(_editor(agent))
    service._article(bootstrap.knowledge_base(), article_id)
    return {"history": [_entry(e) for e in bootstrap.knowledge_base().history(article_id)]}


@route(kb_api, "/agent/kb/articles/{article_id}/stats", audience="agent", refusals=(404,),
       summary="Views, helpful votes and deflections per published version (editors)")
def stats(article_id, agent: Agent):
    from chalicelib.domain.kb import require_editor

    require_editor(_editor(agent))
    return {"stats": bootstrap.knowledge_base().stats(article_id)}


@route(kb_api, "/agent/kb/articles/{article_id}/publish", method="POST", audience="agent", request=LANG_VERSION,
       refusals=(404, 409), summary="Publish a language's draft (editors)")
def publish(article_id, agent: Agent, body):
    return _article(service.publish(bootstrap.knowledge_base(), _editor(agent), bootstrap.clock(),
                                    article_id=article_id, lang=body["lang"], version=body["version"]))


@route(kb_api, "/agent/kb/articles/{article_id}/archive", method="POST", audience="agent", request=LANG_VERSION,
       refusals=(404, 409), summary="Withdraw a language's published version from readers (editors)")
def archive(article_id, agent: Agent, body):
    return _article(service.archive(bootstrap.knowledge_base(), _editor(agent), bootstrap.clock(),
                                    article_id=article_id, lang=body["lang"], version=body["version"]))


@route(kb_api, "/agent/kb/articles/{article_id}/restore", method="POST", audience="agent", request=RESTORE,
       refusals=(404, 409), summary="An earlier text becomes the draft again (editors)")
def restore(article_id, agent: Agent, body):
    return _article(service.restore(bootstrap.knowledge_base(), _editor(agent), bootstrap.clock(),
                                    article_id=article_id, lang=body["lang"], revision=body["revision"],
                                    version=body["version"]))


@route(kb_api, "/agent/kb/articles/{article_id}/settings", method="PUT", audience="agent", request=SETTINGS,
       refusals=(404, 409), summary="Category, visibility, tags and order of an article (editors)")
def settings(article_id, agent: Agent, body):
    return _article(service.change_settings(bootstrap.knowledge_base(), _editor(agent), bootstrap.clock(),
                                            article_id=article_id, version=body["version"],
                                            category=body.get("category"),
                                            visibility=body.get("visibility"), tags=body.get("tags"),
                                            order=body.get("order")))


@route(kb_api, "/agent/kb/categories", method="PUT", audience="agent", request=CATEGORIES,
       summary="Replace the categories (editors)")
def save_categories(agent: Agent, body):
    saved = service.save_categories(bootstrap.knowledge_base(), _editor(agent), body["categories"])
    return {"categories": [{"id": c.id, "names": c.names, "order": c.order, "parent": c.parent} for c in saved]}
