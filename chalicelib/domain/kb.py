"""Knowledge base articles: categories (ordered, nesting one level), per-language versions (fa, he, en) each with
its own title, slug and Markdown body, a state per version (draft, published, archived), a visibility (public, or
internal for agents only), tags, an author, and an edit history from which an earlier text can be restored.

Each language version keeps the text being edited (`draft`) apart from the text readers see (`published`): editing
a published article changes nothing for readers until it is published again. Once a version was published its
slug is fixed, so a shared address never breaks. Pure Python: table-tested in tests/unit/test_kb.py.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.text import has_unsafe_characters
from chalicelib.errors import Conflict, FieldProblems, Forbidden, Invalid

LANGUAGES = ("fa", "he", "en")
MAX_TITLE = 200
MAX_BODY = 100_000
MAX_TAGS = 20
MAX_TAG = 40
MAX_SLUG = 80
_SLUG = re.compile(r"^[^\W_](?:[\w-]*[^\W_])?$")  # letters and digits of any script, inner hyphens/underscores
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class State(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class KbVisibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


@dataclass(frozen=True)
class Category:
    id: str
    names: dict[str, str]
    order: int = 0
    parent: str | None = None  # one level of nesting: a parent has no parent


@dataclass(frozen=True)
class Text:
    """One language's text at one revision."""
    title: str
    slug: str
    body: str
    revision: int
    by: str
    at: datetime


@dataclass(frozen=True)
class LanguageVersion:
    lang: str
    draft: Text                       # what editors work on
    published: Text | None = None     # what readers see (None: never published, or archived)
    state: State = State.DRAFT

    @property
    def pending(self) -> bool:
        """Edits waiting for review: a text not published yet, or changed since it was."""
        return self.state != State.ARCHIVED and (self.published is None
                                                  or self.draft.revision > self.published.revision)

    @property
    def slug_fixed(self) -> bool:
        return self.published is not None or self.state == State.ARCHIVED


@dataclass(frozen=True)
class Article:
    id: str
    category: str
    visibility: KbVisibility
    tags: tuple[str, ...]
    author: str
    created_at: datetime
    order: int = 0
    versions: dict[str, LanguageVersion] = field(default_factory=dict)
    version: int = 1  # optimistic lock: every save names the version it read

    def in_language(self, lang: str) -> LanguageVersion | None:
        return self.versions.get(lang)

    def published_languages(self) -> dict[str, LanguageVersion]:
        return {lang: v for lang, v in self.versions.items() if v.state == State.PUBLISHED}


class HistoryAction(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    PUBLISHED = "published"
    ARCHIVED = "archived"
    RESTORED = "restored"
    SETTINGS = "settings"  # category, visibility, tags, order


@dataclass(frozen=True)
class HistoryEntry:
    """One change on the article's timeline: who, when, what; edits carry the text so it can be restored."""
    article_id: str
    action: HistoryAction
    by: str
    at: datetime
    lang: str | None = None
    text: Text | None = None
    data: dict = field(default_factory=dict)


# ---------------------------------------------------------------- who may do what
@dataclass(frozen=True)
class Editor:
    """A signed-in agent as the knowledge base sees them."""
    id: str
    admin: bool = False
    supervisor: bool = False  # supervises some department

    @property
    def may_edit(self) -> bool:
        return self.admin or self.supervisor


def require_editor(editor: Editor) -> None:
    if not editor.may_edit:
        raise Forbidden("only admins and supervisors edit the knowledge base")


def require_may_change_text(editor: Editor, article: Article, lang: str) -> None:
    """Editors change any text; an agent only proposes: the draft of a version never published, of an
    article they wrote."""
    if editor.may_edit:
        return
    version = article.in_language(lang)
    if article.author != editor.id or (version is not None and version.slug_fixed):
        raise Forbidden("agents may only propose drafts of their own unpublished articles")


# ---------------------------------------------------------------- checking input
def clean_slug(value: str) -> str:
    return unicodedata.normalize("NFC", value.strip()).lower()


def check_text(problems: FieldProblems, prefix: str, *, title: str, slug: str, body: str) -> None:
    if not title.strip():
        problems[f"{prefix}title"] = "required"
    elif len(title) > MAX_TITLE:
        problems[f"{prefix}title"] = "too_long"
    elif has_unsafe_characters(title):
        problems[f"{prefix}title"] = "invalid_character"
    slug = clean_slug(slug)
    if not slug:
        problems[f"{prefix}slug"] = "required"
    elif len(slug) > MAX_SLUG:
        problems[f"{prefix}slug"] = "too_long"
    elif not _SLUG.match(slug) or "--" in slug:
        problems[f"{prefix}slug"] = "invalid"
    if len(body) > MAX_BODY:
        problems[f"{prefix}body"] = "too_long"
    elif has_unsafe_characters(body, multiline=True):
        problems[f"{prefix}body"] = "invalid_character"


def check_lang(lang: str, path: str = "lang") -> str:
    if lang not in LANGUAGES:
        raise Invalid.field(path, "invalid")
    return lang


def check_id(value: str, path: str) -> str:
    if not _ID.match(value or ""):
        raise Invalid.field(path, "invalid")
    return value


def clean_tags(tags: list[str]) -> tuple[str, ...]:
    if len(tags) > MAX_TAGS:
        raise Invalid.field("tags", "too_many")
    cleaned = []
    for index, tag in enumerate(tags):
        tag = unicodedata.normalize("NFC", tag.strip()).lower()
        if not tag or len(tag) > MAX_TAG or has_unsafe_characters(tag):
            raise Invalid.field(f"tags.{index}", "invalid")
        if tag not in cleaned:
            cleaned.append(tag)
    return tuple(cleaned)


def check_categories(categories: list[Category]) -> list[Category]:
    """Unique ids; a parent must exist and be top-level (one level of nesting)."""
    problems = FieldProblems()
    ids = [c.id for c in categories]
    by_id = {c.id: c for c in categories}
    for index, category in enumerate(categories):
        problems.check(check_id, category.id, f"categories.{index}.id")
        if ids.count(category.id) > 1:
            problems[f"categories.{index}.id"] = "duplicate"
        if not any((category.names.get(lang) or "").strip() for lang in LANGUAGES):
            problems[f"categories.{index}.names"] = "required"
        if set(category.names) - set(LANGUAGES):
            problems[f"categories.{index}.names"] = "invalid"
        if category.parent is not None:
            parent = by_id.get(category.parent)
            if parent is None or parent.id == category.id:
                problems[f"categories.{index}.parent"] = "not_found"
            elif parent.parent is not None:
                problems[f"categories.{index}.parent"] = "too_deep"
    problems.raise_any()
    return sorted(categories, key=lambda c: (c.order, c.id))


def ordered_categories(categories: list[Category]) -> list[Category]:
    """Top-level categories by order, each followed by its children by order."""
    top = sorted((c for c in categories if c.parent is None), key=lambda c: (c.order, c.id))
    out = []
    for parent in top:
        out.append(parent)
        out.extend(sorted((c for c in categories if c.parent == parent.id), key=lambda c: (c.order, c.id)))
    return out


# ---------------------------------------------------------------- changes
def new_article(*, id: str, category: str, visibility: KbVisibility, tags: tuple[str, ...], author: str,
                at: datetime, order: int = 0) -> Article:
    return Article(id=id, category=category, visibility=visibility, tags=tags, author=author, created_at=at,
                   order=order)


def edit_text(article: Article, lang: str, *, title: str, slug: str, body: str, by: str,
              at: datetime) -> tuple[Article, HistoryEntry]:
    """A new draft revision of one language. A published slug stays (shared addresses keep working)."""
    current = article.in_language(lang)
    slug = clean_slug(slug)
    if current is not None and current.slug_fixed and slug != current.draft.slug:
        raise Invalid("a published article keeps its address", fields={"slug": "fixed"})
    revision = (current.draft.revision + 1) if current else 1
    text = Text(title=title.strip(), slug=slug, body=body, revision=revision, by=by, at=at)
    if current is None:
        version = LanguageVersion(lang=lang, draft=text)
    else:
        version = replace(current, draft=text, state=State.DRAFT if current.state == State.ARCHIVED and
                          current.published is None else current.state)
    action = HistoryAction.CREATED if current is None else HistoryAction.EDITED
    return (replace(article, versions={**article.versions, lang: version}),
            HistoryEntry(article.id, action, by, at, lang=lang, text=text))


def publish(article: Article, lang: str, *, by: str, at: datetime) -> tuple[Article, HistoryEntry]:
    version = article.in_language(lang)
    if version is None:
        raise Invalid.field("lang", "not_found")
    if not version.draft.body.strip():
        raise Invalid.field("body", "required")
    if version.state == State.PUBLISHED and not version.pending:
        raise Conflict("this text is already published")
    text = replace(version.draft, at=at)
    published = replace(version, published=text, state=State.PUBLISHED)
    return (replace(article, versions={**article.versions, lang: published}),
            HistoryEntry(article.id, HistoryAction.PUBLISHED, by, at, lang=lang, text=text,
                         data={"revision": text.revision}))


def archive(article: Article, lang: str, *, by: str, at: datetime) -> tuple[Article, HistoryEntry]:
    """Withdraw a language version from readers (its address then answers 404); it can be published again."""
    version = article.in_language(lang)
    if version is None:
        raise Invalid.field("lang", "not_found")
    if version.state == State.ARCHIVED:
        raise Conflict("already archived")
    archived = replace(version, published=None, state=State.ARCHIVED)
    return (replace(article, versions={**article.versions, lang: archived}),
            HistoryEntry(article.id, HistoryAction.ARCHIVED, by, at, lang=lang))


def restore(article: Article, entry: HistoryEntry, *, by: str, at: datetime) -> tuple[Article, HistoryEntry]:
    """The text of an earlier entry becomes a new draft revision (published again only when someone publishes)."""
    if entry.text is None or entry.lang is None:
        raise Invalid.field("entry", "no_text")
    current = article.in_language(entry.lang)
    slug = current.draft.slug if current is not None and current.slug_fixed else entry.text.slug
    changed, _ = edit_text(article, entry.lang, title=entry.text.title, slug=slug, body=entry.text.body, by=by, at=at)
    text = changed.versions[entry.lang].draft
    return changed, HistoryEntry(article.id, HistoryAction.RESTORED, by, at, lang=entry.lang, text=text,
                                 data={"from_revision": entry.text.revision})


def change_settings(article: Article, *, category: str | None = None, visibility: KbVisibility | None = None,
                    tags: tuple[str, ...] | None = None, order: int | None = None, by: str,
                    at: datetime) -> tuple[Article, HistoryEntry]:
    changes = {name: value for name, value in (("category", category), ("visibility", visibility),
                                                ("tags", tags), ("order", order)) if value is not None}
    changed = replace(article, **changes)
    data = {name: (list(value) if isinstance(value, tuple) else str(value) if isinstance(value, StrEnum) else value)
            for name, value in changes.items()}
    return changed, HistoryEntry(article.id, HistoryAction.SETTINGS, by, at, data=data)


# ---------------------------------------------------------------- reading
def may_read(visibility: KbVisibility, *, staff: bool) -> bool:
    return visibility == KbVisibility.PUBLIC or staff


def alternates(article: Article) -> dict[str, dict[str, str]]:
    """The other published languages of an article: lang -> {slug, title} (the help center links them)."""
    return {lang: {"slug": v.published.slug, "title": v.published.title}
            for lang, v in article.published_languages().items() if v.published is not None}


def pick_language(article: Article, wanted: str) -> tuple[str, bool] | None:
    """The published language to link for a customer who reads `wanted`: that one, or else the first other
    published one (True: a fallback, the agent adds a note). None if nothing is published."""
    published = article.published_languages()
    if wanted in published:
        return wanted, False
    for lang in LANGUAGES:
        if lang in published:
            return lang, True
    return None


# ---------------------------------------------------------------- turning a reply into a draft
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)\+?[\d۰-۹٠-٩][\d۰-۹٠-٩ ()-]{6,}[\d۰-۹٠-٩](?!\w)")
_ORDER = re.compile(r"(?i)(?:#|\border\s*(?:no\.?|number|#)?\s*:?\s*|سفارش\s*|הזמנה\s*)([A-Z]{0,4}-?\d{4,})")


def personal_data(text: str, *, names: tuple[str, ...] = ()) -> list[dict]:
    """What an editor must remove before a reply becomes an article: the customer's name, addresses, phone
    numbers and order numbers, each with where it is (start, end) and its kind."""
    found: list[dict] = [{"kind": "order", "text": m.group(1), "start": m.start(1), "end": m.end(1)}
                         for m in _ORDER.finditer(text)]  # first: a number after "order" is an order, not a phone
    for kind, pattern in (("email", _EMAIL), ("phone", _PHONE)):
        found += [{"kind": kind, "text": m.group(0), "start": m.start(), "end": m.end()} for m in pattern.finditer(text)]
    for name in names:
        for part in {name.strip(), *name.split()}:
            if len(part) < 2:
                continue
            start = text.find(part)
            while start != -1:
                found.append({"kind": "name", "text": part, "start": start, "end": start + len(part)})
                start = text.find(part, start + len(part))
    found.sort(key=lambda f: (f["start"], -f["end"]))  # stable: at one start, the longest, then the first kind
    kept, last_end = [], -1
    for item in found:  # overlapping finds: the first (longest) wins
        if item["start"] >= last_end:
            kept.append(item)
            last_end = item["end"]
    return kept
