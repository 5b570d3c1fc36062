"""Knowledge base routes: the public help center (list, read, search, votes, deflection) and the agents' and
editors' side under /agent/kb (any agent reads internal articles and proposes drafts; admins and supervisors
edit, publish, archive and restore: the service checks)."""
from __future__ import annotations

import importlib.util
import sys

import msgspec
from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.api import schemas, shapes
from chalicelib.api.auth import ADMIN_GROUP, Agent, staff
from chalicelib.api.clients import client_network
from chalicelib.api.contract import UNSET, to_builtins
from chalicelib.api.http import route
from chalicelib.domain.permissions import Action, supervises
from chalicelib.errors import Invalid
from chalicelib.settings import get_settings


def _on_first_use(name: str):
    """The module `name`, executed when one of its attributes is first read (importlib's LazyLoader): declaring
    the routes does not load the knowledge base service and its domain (cold start, issue 13)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


service = _on_first_use("chalicelib.services.kb")

kb_api = Blueprint(__name__)

LANG = {"type": "string", "enum": ["fa", "he", "en"]}
QUERY = {"type": "string", "maxLength": 500}


def _query() -> dict:
    return kb_api.current_request.query_params or {}


def _lang() -> str:
    lang = _query().get("lang", "")
    if lang not in ("fa", "he", "en"):
        raise Invalid.field("lang", "invalid" if lang else "required")
    return lang


def editor_of(agent: Agent):
    """The agent as the knowledge base sees them: admins and supervisors of any department edit."""
    from chalicelib.domain.kb import Editor

    found = staff(agent)
    return Editor(id=found.id, admin=ADMIN_GROUP in agent.groups,
                  supervisor=any(supervises(found, d) for d in bootstrap.catalog().departments()))


def _given(value):
    """A settings field left out of the body: None (unchanged)."""
    return None if value is UNSET else value


_article = shapes.kb_article


def _page(page, related) -> shapes.KbPage:
    from chalicelib.domain.kb_pages import help_center_path, page_path

    return shapes.KbPage(id=page.article_id, lang=page.lang, slug=page.slug, title=page.title, html=page.html,
                         category=page.category, tags=list(page.tags), revision=page.revision,
                         visibility=page.visibility.value, published_at=page.published_at.isoformat(),
                         alternates=page.alternates, static_url=page_path(page.lang, page.slug),
                         url=help_center_path(page.lang, page.slug),
                         related=[shapes.kb_hit(h) for h in related])


def _slug(raw: str) -> str:
    """A slug from the path: percent-decoded here (a slug never holds '%'), whether or not the gateway did."""
    from urllib.parse import unquote

    return unquote(raw)


def _visitor() -> str:
    request = kb_api.current_request
    address = ((request.context or {}).get("identity") or {}).get("sourceIp") or ""
    return service.visitor_key(address, request.headers.get("user-agent", ""), bootstrap.secrets().link_secret())


# ---------------------------------------------------------------- public: the help center
@route(kb_api, "/kb/categories", response=shapes.KbCategories,
       summary="Knowledge base categories, in order (one level of nesting)")
def categories():
    return shapes.kb_categories(service.categories(bootstrap.knowledge_base()))


@route(kb_api, "/kb/articles", query={"lang": {"schema": LANG, "required": True}}, response=shapes.KbListing,
       summary="Published public articles in a language, in category order")
def list_articles():
    rows = service.listing(bootstrap.knowledge_base(), lang=_lang(), staff=False)
    return shapes.KbListing(articles=[shapes.KbListed(**{k: r[k] for k in ("slug", "title", "lang", "category")})
                                      for r in rows])


@route(kb_api, "/kb/search", query={"q": {"schema": QUERY, "required": True}, "lang": {"schema": LANG, "required": True}},
       refusals=(429,), response=shapes.KbHits,
       summary="Search published public articles in a language (also the ticket form's suggestions)")
def search():
    limit = 5 if _query().get("suggest") else 10
    hits = service.search(bootstrap.article_search(), bootstrap.rate_limiter(), bootstrap.clock(),
                          query=_query().get("q", ""), lang=_lang(), internal=False,
                          network=client_network(kb_api.current_request), limit=limit)
    return shapes.KbHits(results=[shapes.kb_hit(h) for h in hits])


@route(kb_api, "/kb/articles/{lang}/{slug}", refusals=(404,), response=shapes.KbPage,
       summary="A published public article by its address, rendered, with the other languages and related articles")
def read_article(lang, slug):
    if lang not in ("fa", "he", "en"):
        raise Invalid.field("lang", "invalid")
    page = service.read(bootstrap.knowledge_base(), lang=lang, slug=_slug(slug), staff=False)
    related = service.related(bootstrap.article_search(), page, internal=False)
    return _page(page, related)


@route(kb_api, "/kb/articles/{lang}/{slug}/votes", method="POST", request=schemas.Vote, refusals=(404, 429),
       response=shapes.KbVoted,
       summary="Was this helpful? Counted once per visitor and day for the version shown")
def vote_article(lang, slug, body: schemas.Vote):
    if lang not in ("fa", "he", "en"):
        raise Invalid.field("lang", "invalid")
    counted = service.vote(bootstrap.knowledge_base(), bootstrap.rate_limiter(), bootstrap.clock(), lang=lang,
                           slug=_slug(slug), helpful=body.helpful, visitor=_visitor(),
                           network=client_network(kb_api.current_request))
    return shapes.KbVoted(counted=counted)


@route(kb_api, "/kb/deflections", method="POST", status=202, request=schemas.Deflection, refusals=(429,),
       response=shapes.KbRecorded,
       summary="The ticket form's suggestions: opened and left without filing (deflected), or filed anyway")
def deflection(body: schemas.Deflection):
    service.record_deflection(bootstrap.knowledge_base(), bootstrap.rate_limiter(), bootstrap.clock(),
                              outcome=body.outcome, articles=to_builtins(body.articles),
                              network=client_network(kb_api.current_request))
    return shapes.KbRecorded(recorded=True)


# ---------------------------------------------------------------- agents
@route(kb_api, "/agent/kb/articles", audience="agent", query={"lang": {"schema": LANG, "required": True}},
       response=shapes.KbStaffListing,
       summary="Published articles in a language, internal ones too")
def agent_list(agent: Agent):
    return shapes.KbStaffListing(articles=service.listing(bootstrap.knowledge_base(), lang=_lang(), staff=True))


@route(kb_api, "/agent/kb/search", audience="agent",
       query={"q": {"schema": QUERY, "required": True}, "lang": {"schema": LANG, "required": True}},
       response=shapes.KbHits,
       summary="Search published articles, internal ones too (the ticket page's knowledge base search)")
def agent_search(agent: Agent):
    hits = service.search(bootstrap.article_search(), None, bootstrap.clock(), query=_query().get("q", ""),
                          lang=_lang(), internal=True)
    return shapes.KbHits(results=[shapes.kb_hit(h, staff_view=True) for h in hits])


@route(kb_api, "/agent/kb/articles/{article_id}", audience="agent", refusals=(404,), response=shapes.KbArticle,
       summary="An article with every language's draft and published text")
def agent_article(article_id, agent: Agent):
    return _article(service._article(bootstrap.knowledge_base(), article_id))


@route(kb_api, "/agent/kb/articles/{article_id}/link", audience="agent", refusals=(404,), response=shapes.KbLink,
       query={"lang": {"schema": LANG, "required": True}},
       summary="The article's public link in the customer's language, or another with fallback: true")
def agent_link(article_id, agent: Agent):
    return msgspec.convert(service.link_for_customer(bootstrap.knowledge_base(), article_id=article_id, lang=_lang(),
                                                     site_url=get_settings().customer_site_url), shapes.KbLink)


@route(kb_api, "/agent/kb/articles", method="POST", status=201, audience="agent", request=schemas.NewArticle,
       response=shapes.KbArticle,
       summary="A new article (a draft; an agent's is a proposal for the editors)")
def create_article(agent: Agent, body: schemas.NewArticle):
    article = service.create_article(bootstrap.knowledge_base(), editor_of(agent), bootstrap.clock(),
                                     category=body.category, visibility=body.visibility, tags=body.tags,
                                     lang=body.lang, title=body.title, slug=body.slug, body=body.body,
                                     order=body.order)
    return _article(article)


@route(kb_api, "/agent/kb/articles/{article_id}/texts/{lang}", method="PUT", audience="agent",
       request=schemas.EditArticleText, response=shapes.KbArticle,
       refusals=(404, 409), summary="Save the draft of one language (agents: only their own unpublished proposals)")
def edit_text(article_id, lang, agent: Agent, body: schemas.EditArticleText):
    article = service.edit_text(bootstrap.knowledge_base(), editor_of(agent), bootstrap.clock(), article_id=article_id,
                                lang=lang, title=body.title, slug=body.slug, body=body.body, version=body.version)
    return _article(article)


@route(kb_api, "/agent/kb/preview", method="POST", audience="agent", request=schemas.Preview, response=shapes.KbPreview,
       summary="A body rendered and sanitized exactly as readers will get it")
def preview(agent: Agent, body: schemas.Preview):
    from chalicelib.domain.kb_render import render  # markdown-it and nh3: only when an editor previews

    return shapes.KbPreview(html=render(body.body))


@route(kb_api, "/agent/kb/drafts-from-reply", method="POST", status=201, audience="agent",
       request=schemas.DraftFromReply, response=shapes.KbDraftFromReply,
       refusals=(404,), summary="Turn a reply into an internal draft; the customer's details in it are flagged")
def draft_from_reply(agent: Agent, body: schemas.DraftFromReply):
    from chalicelib.services.workflow import ticket_for

    ticket = ticket_for(tickets=bootstrap.tickets(), catalog=bootstrap.catalog(), number=body.ticket,
                        staff=staff(agent), action=Action.VIEW)
    names = tuple(x for x in (ticket.customer.name, ticket.customer.email, ticket.customer.phone or "") if x)
    article, flagged = service.draft_from_text(bootstrap.knowledge_base(), editor_of(agent), bootstrap.clock(),
                                               text=body.text, lang=body.lang, title=body.title,
                                               category=body.category, names=names)
    return shapes.KbDraftFromReply(article=_article(article), flagged=flagged)


# ---------------------------------------------------------------- editors (admins and supervisors)
@route(kb_api, "/agent/kb/files", method="POST", status=201, audience="agent",
       request=schemas.PublishFile, response=shapes.KbFile,
       summary="Publish an uploaded image or file for articles (uploaded with POST /uploads) (editors)")
def publish_file(agent: Agent, body: schemas.PublishFile):
    return msgspec.convert(service.publish_file(bootstrap.files(), bootstrap.static_site(), bootstrap.limits(),
                                                editor_of(agent), upload_id=body.upload_id), shapes.KbFile)


@route(kb_api, "/agent/kb/review", audience="agent", response=shapes.KbReview,
       summary="Drafts waiting for review (editors)")
def review(agent: Agent):
    from chalicelib.domain.kb import require_editor

    require_editor(editor_of(agent))
    return shapes.KbReview(drafts=[shapes.KbPending(id=p.article_id, lang=p.lang, title=p.title, by=p.by,
                                                    at=p.at.isoformat())
                                   for p in bootstrap.knowledge_base().pending()])


@route(kb_api, "/agent/kb/articles/{article_id}/history", audience="agent", refusals=(404,),
       response=shapes.KbHistory,
       summary="The article's timeline: every edit, publication, archive and restore (editors)")
def history(article_id, agent: Agent):
    from chalicelib.domain.kb import require_editor

    require_editor(editor_of(agent))
    service._article(bootstrap.knowledge_base(), article_id)
    return shapes.KbHistory(history=[shapes.kb_history_entry(e)
                                     for e in bootstrap.knowledge_base().history(article_id)])


@route(kb_api, "/agent/kb/articles/{article_id}/stats", audience="agent", refusals=(404,), response=shapes.KbStats,
       summary="Views, helpful votes and deflections per published version (editors)")
def stats(article_id, agent: Agent):
    from chalicelib.domain.kb import require_editor

    require_editor(editor_of(agent))
    return shapes.KbStats(stats=bootstrap.knowledge_base().stats(article_id))


@route(kb_api, "/agent/kb/articles/{article_id}/publish", method="POST", audience="agent",
       request=schemas.LanguageVersion, response=shapes.KbArticle,
       refusals=(404, 409), summary="Publish a language's draft (editors)")
def publish(article_id, agent: Agent, body: schemas.LanguageVersion):
    return _article(service.publish(bootstrap.knowledge_base(), editor_of(agent), bootstrap.clock(),
                                    article_id=article_id, lang=body.lang, version=body.version))


@route(kb_api, "/agent/kb/articles/{article_id}/archive", method="POST", audience="agent",
       request=schemas.LanguageVersion, response=shapes.KbArticle,
       refusals=(404, 409), summary="Withdraw a language's published version from readers (editors)")
def archive(article_id, agent: Agent, body: schemas.LanguageVersion):
    return _article(service.archive(bootstrap.knowledge_base(), editor_of(agent), bootstrap.clock(),
                                    article_id=article_id, lang=body.lang, version=body.version))


@route(kb_api, "/agent/kb/articles/{article_id}/restore", method="POST", audience="agent",
       request=schemas.RestoreText, response=shapes.KbArticle,
       refusals=(404, 409), summary="An earlier text becomes the draft again (editors)")
def restore(article_id, agent: Agent, body: schemas.RestoreText):
    return _article(service.restore(bootstrap.knowledge_base(), editor_of(agent), bootstrap.clock(),
                                    article_id=article_id, lang=body.lang, revision=body.revision,
                                    version=body.version))


@route(kb_api, "/agent/kb/articles/{article_id}/settings", method="PUT", audience="agent",
       request=schemas.ArticleSettings, response=shapes.KbArticle,
       refusals=(404, 409), summary="Category, visibility, tags and order of an article (editors)")
def settings(article_id, agent: Agent, body: schemas.ArticleSettings):
    return _article(service.change_settings(bootstrap.knowledge_base(), editor_of(agent), bootstrap.clock(),
                                            article_id=article_id, version=body.version,
                                            category=_given(body.category), visibility=_given(body.visibility),
                                            tags=_given(body.tags), order=_given(body.order)))


@route(kb_api, "/agent/kb/categories", method="PUT", audience="agent", request=schemas.PutKbCategories,
       response=shapes.KbCategories,
       summary="Replace the categories (editors)")
def save_categories(agent: Agent, body: schemas.PutKbCategories):
    saved = service.save_categories(bootstrap.knowledge_base(), editor_of(agent), to_builtins(body.categories))
    return shapes.kb_categories(saved)
