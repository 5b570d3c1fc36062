"""The knowledge base in the helpdesk table, its static pages in the web bucket. Every read is a GetItem or a
Query on a key: nothing scans.

Items (pk / sk):
  KB#<id> / ARTICLE                      the article (all its language versions); `version` is the lock
  KB#<id> / H#<time>#<n>                 its history / timeline (edits carry their text: restore reads them)
  KBSLUG#<lang>#<slug> / CLAIM           which article holds a slug in a language (unique by condition)
  KBSLUG#<lang>#<slug> / PAGE            the published version, rendered: a reader's article is one GetItem
  KBLIST#<lang>#<visibility> / <category>#<order>#<id>  the published articles of a language, in category order
  KBREVIEW / <time>#<id>#<lang>          drafts waiting for review (a text not published yet, or changed since)
  KBMAP / <lang>#<slug>                  a published public version (keys only: the sitemap is one small Query)
  KBCATEGORIES / CATEGORIES              the categories (few: one item)
  KBSTAT#<id> / <lang>#<revision>        views, helpful / not helpful votes, deflections of one published version
  KBVOTE#<visitor>#<day> / <id>#<lang>#<revision>  one visitor's vote of a day (TTL expires_at)
  KBDAY#<day> / DEFLECTION               the day's deflections and tickets filed anyway
  KBRDAY#<yyyy-mm> / <day>#<id>#<lang>   an article language's views, votes and deflections of one (desk-local) day:
                                         the help-center report reads a month per Query (GET /reports/help-center)
  KB#<id> / KBEV#<time>#<event id>       an article event (the outbox: the stream carries it to the publication
                                         queue, events/kb_publish.py; TTL expires_at, a week)
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.models import _Meta, use_table
from chalicelib.domain.kb import (
    Article, Category, HistoryAction, HistoryEntry, KbVisibility, LanguageVersion, State, Text,
)
from chalicelib.services.kb_ports import KnowledgeBase, Listed, Page, Pending, SlugTaken, StaticSite
from chalicelib.services.ports import VersionConflict

ARTICLE = "ARTICLE"
ARTICLE_EVENT_PREFIX = "KBEV#"  # not EV#: a ticket event's prefix, which the relay publishes on the ticket topic
EVENT_KEPT_SECONDS = 7 * 24 * 3600
CLAIM = "CLAIM"
PAGE = "PAGE"


class KbItem(Model):
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute(null=True)
    version = NumberAttribute(null=True)
    article = UnicodeAttribute(null=True)   # a slug claim's holder
    expires_at = NumberAttribute(null=True)  # the table's TTL attribute (votes)


class KbCounter(Model):
    Meta = _Meta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    views = NumberAttribute(null=True)
    helpful = NumberAttribute(null=True)
    not_helpful = NumberAttribute(null=True)
    deflected = NumberAttribute(null=True)
    filed = NumberAttribute(null=True)
    value = NumberAttribute(null=True)


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


# ---------------------------------------------------------------- documents
def text_doc(text: Text | None) -> dict | None:
    if text is None:
        return None
    return {"title": text.title, "slug": text.slug, "body": text.body, "revision": text.revision, "by": text.by,
            "at": text.at.isoformat()}


def text_of(doc: dict | None) -> Text | None:
    if not doc:
        return None
    return Text(title=doc["title"], slug=doc["slug"], body=doc["body"], revision=int(doc["revision"]), by=doc["by"],
                at=_time(doc["at"]))


def article_doc(article: Article) -> dict:
    return {"id": article.id, "category": article.category, "visibility": article.visibility.value,
            "tags": list(article.tags), "author": article.author, "created_at": article.created_at.isoformat(),
            "order": article.order,
            "versions": {lang: {"state": v.state.value, "draft": text_doc(v.draft), "published": text_doc(v.published)}
                         for lang, v in article.versions.items()}}


def article_of(doc: dict, version: int) -> Article:
    return Article(id=doc["id"], category=doc["category"], visibility=KbVisibility(doc["visibility"]),
                   tags=tuple(doc["tags"]), author=doc["author"], created_at=_time(doc["created_at"]),
                   order=int(doc.get("order", 0)), version=version,
                   versions={lang: LanguageVersion(lang=lang, draft=text_of(v["draft"]), published=text_of(v["published"]),
                                                   state=State(v["state"])) for lang, v in doc["versions"].items()})


def entry_doc(entry: HistoryEntry) -> dict:
    return {"article_id": entry.article_id, "action": entry.action.value, "by": entry.by, "at": entry.at.isoformat(),
            "lang": entry.lang, "text": text_doc(entry.text), "data": entry.data}


def entry_of(doc: dict) -> HistoryEntry:
    return HistoryEntry(article_id=doc["article_id"], action=HistoryAction(doc["action"]), by=doc["by"],
                        at=_time(doc["at"]), lang=doc.get("lang"), text=text_of(doc.get("text")),
                        data=doc.get("data") or {})


def page_doc(page: Page) -> dict:
    return {"article_id": page.article_id, "lang": page.lang, "slug": page.slug, "title": page.title,
            "html": page.html, "text": page.text, "category": page.category, "visibility": page.visibility.value,
            "tags": list(page.tags), "revision": page.revision, "published_at": page.published_at.isoformat(),
            "order": page.order, "alternates": page.alternates}


def page_of(doc: dict) -> Page:
    return Page(article_id=doc["article_id"], lang=doc["lang"], slug=doc["slug"], title=doc["title"], html=doc["html"],
                text=doc["text"], category=doc["category"], visibility=KbVisibility(doc["visibility"]),
                tags=tuple(doc["tags"]), revision=int(doc["revision"]), published_at=_time(doc["published_at"]),
                order=int(doc.get("order", 0)), alternates=doc.get("alternates") or {})


def article_pk(article_id: str) -> str:
    return f"KB#{article_id}"


def slug_pk(lang: str, slug: str) -> str:
    return f"KBSLUG#{lang}#{slug}"


def list_key(lang: str, visibility: KbVisibility, category: str, order: int, article_id: str) -> tuple[str, str]:
    return f"KBLIST#{lang}#{visibility.value}", f"{category}#{order:06d}#{article_id}"


def review_key(article: Article, lang: str) -> tuple[str, str] | None:
    version = article.versions.get(lang)
    if version is None or not version.pending:
        return None
    return "KBREVIEW", f"{stamp(version.draft.at)}#{article.id}#{lang}"


def _list_keys_of(article: Article) -> set[tuple[str, str]]:
    return {list_key(lang, article.visibility, article.category, article.order, article.id)
            for lang in article.published_languages()}


def _reasons(exc: TransactWriteError) -> list[str | None]:
    return [getattr(r, "code", None) for r in (exc.cancellation_reasons or [])]


def report_key(day: str, article_id: str, lang: str) -> tuple[str, str]:
    return f"KBRDAY#{day[:7]}", f"{day}#{article_id}#{lang}"


class DynamoKnowledgeBase(KnowledgeBase):
    def __init__(self, table_name: str, zone: str = "UTC"):
        use_table(table_name)
        self._connection: Connection | None = None
        self.zone = zone  # the desk's days (REPORTS_ZONE), as the other reports count them

    def _report_counter(self, article_id: str, lang: str) -> "KbCounter":
        from zoneinfo import ZoneInfo

        day = datetime.now(timezone.utc).astimezone(ZoneInfo(self.zone)).date().isoformat()
        return KbCounter(*report_key(day, article_id, lang))

    def _transaction(self) -> TransactWrite:
        if self._connection is None:
            self._connection = Connection(region=KbItem.Meta.region)
        return TransactWrite(connection=self._connection)

    # categories
    def categories(self) -> list[Category]:
        try:
            item = KbItem.get("KBCATEGORIES", "CATEGORIES")
        except KbItem.DoesNotExist:
            return []
        return [Category(id=c["id"], names=c["names"], order=int(c.get("order", 0)), parent=c.get("parent"))
                for c in item.doc or []]

    def save_categories(self, categories: list[Category]) -> None:
        KbItem("KBCATEGORIES", "CATEGORIES", doc=[{"id": c.id, "names": c.names, "order": c.order, "parent": c.parent}
                                                  for c in categories]).save()

    # articles
    def get(self, article_id: str) -> Article | None:
        try:
            item = KbItem.get(article_pk(article_id), ARTICLE, consistent_read=True)
        except KbItem.DoesNotExist:
            return None
        return article_of(item.doc, int(item.version))

    def save(self, before, after, entries, pages, events=()) -> None:
        new_version = (before.version + 1) if before is not None else 1
        claims = {(lang, v.draft.slug) for lang, v in after.versions.items()}
        old_claims = {(lang, v.draft.slug) for lang, v in before.versions.items()} if before else set()
        new_lists = {list_key(p.lang, p.visibility, p.category, p.order, p.article_id): p for p in pages.values()}
        old_lists = _list_keys_of(before) if before else set()
        old_pages = {(lang, v.published.slug) for lang, v in before.published_languages().items()
                     if v.published} if before else set()
        new_map = {("KBMAP", f"{p.lang}#{p.slug}") for p in pages.values() if p.visibility == KbVisibility.PUBLIC}
        old_map = {("KBMAP", f"{lang}#{v.published.slug}") for lang, v in before.published_languages().items()
                   if v.published and before.visibility == KbVisibility.PUBLIC} if before else set()
        new_reviews = {key for key in (review_key(after, lang) for lang in after.versions) if key}
        old_reviews = {key for key in (review_key(before, lang) for lang in before.versions) if key} if before else set()
        try:
            with self._transaction() as tx:
                item = KbItem(article_pk(after.id), ARTICLE, doc=article_doc(after), version=new_version)
                if before is None:
                    tx.save(item, condition=KbItem.pk.does_not_exist())
                else:
                    tx.save(item, condition=KbItem.version == before.version)
                for n, entry in enumerate(entries):
                    tx.save(KbItem(article_pk(after.id), f"H#{stamp(entry.at)}#{n:02d}", doc=entry_doc(entry)))
                for event in events:  # the event id keeps two changes of one instant apart
                    tx.save(KbItem(article_pk(after.id), f"{ARTICLE_EVENT_PREFIX}{event['occurred_at']}#{event['event_id']}",
                                   doc=event, expires_at=int(time.time()) + EVENT_KEPT_SECONDS))
                for lang, slug in claims - old_claims:
                    tx.save(KbItem(slug_pk(lang, slug), CLAIM, article=after.id),
                            condition=KbItem.article.does_not_exist() | (KbItem.article == after.id))
                for lang, slug in old_claims - claims:  # an unpublished slug that was changed: free it
                    if (lang, slug) not in old_pages:
                        tx.delete(KbItem(slug_pk(lang, slug), CLAIM))
                for page in pages.values():
                    tx.save(KbItem(slug_pk(page.lang, page.slug), PAGE, doc=page_doc(page)))
                for lang, slug in old_pages - {(p.lang, p.slug) for p in pages.values()}:
                    tx.delete(KbItem(slug_pk(lang, slug), PAGE))
                for (pk, sk), page in new_lists.items():
                    tx.save(KbItem(pk, sk, doc={"article_id": page.article_id, "lang": page.lang, "slug": page.slug,
                                                "title": page.title, "category": page.category,
                                                "visibility": page.visibility.value, "text": page.text[:20_000],
                                                "tags": list(page.tags), "order": page.order}))
                for pk, sk in old_lists - set(new_lists):
                    tx.delete(KbItem(pk, sk))
                for pk, sk in new_map - old_map:
                    tx.save(KbItem(pk, sk))
                for pk, sk in old_map - new_map:
                    tx.delete(KbItem(pk, sk))
                for pk, sk in new_reviews - old_reviews:
                    lang = sk.rsplit("#", 1)[1]
                    draft = after.versions[lang].draft
                    tx.save(KbItem(pk, sk, doc={"article_id": after.id, "lang": lang, "title": draft.title,
                                                "by": draft.by, "at": draft.at.isoformat()}))
                for pk, sk in old_reviews - new_reviews:
                    tx.delete(KbItem(pk, sk))
        except TransactWriteError as exc:
            if "ConditionalCheckFailed" not in _reasons(exc):
                raise
            # PynamoDB reorders the items of a transaction: which condition failed is read back, not counted.
            current = self.get(after.id)
            if (before is None) != (current is None) or (current and before and current.version != before.version):
                raise VersionConflict() from exc
            for lang, slug in sorted(claims - old_claims):
                try:
                    holder = KbItem.get(slug_pk(lang, slug), CLAIM, consistent_read=True).article
                except KbItem.DoesNotExist:
                    continue
                if holder != after.id:
                    raise SlugTaken(lang, slug) from exc
            raise VersionConflict() from exc

    def page(self, lang: str, slug: str) -> Page | None:
        try:
            return page_of(KbItem.get(slug_pk(lang, slug), PAGE).doc)
        except KbItem.DoesNotExist:
            return None

    def listing(self, lang: str, visibility: KbVisibility) -> list[Listed]:
        return [Listed(article_id=d["article_id"], lang=d["lang"], slug=d["slug"], title=d["title"],
                       category=d["category"], visibility=KbVisibility(d["visibility"]), text=d.get("text", ""),
                       tags=tuple(d.get("tags") or ()), order=int(d.get("order", 0)))
                for d in (item.doc for item in KbItem.query(f"KBLIST#{lang}#{visibility.value}"))]

    def sitemap(self) -> list[tuple[str, str]]:
        return [tuple(item.sk.split("#", 1)) for item in KbItem.query("KBMAP")]

    def pending(self) -> list[Pending]:
        return [Pending(article_id=d["article_id"], lang=d["lang"], title=d["title"], by=d["by"], at=_time(d["at"]))
                for d in (item.doc for item in KbItem.query("KBREVIEW"))]

    def history(self, article_id: str) -> list[HistoryEntry]:
        return [entry_of(item.doc) for item in KbItem.query(article_pk(article_id), KbItem.sk.startswith("H#"))]

    def count_view(self, article_id, lang, revision) -> None:
        KbCounter(f"KBSTAT#{article_id}", f"{lang}#{revision:06d}").update(actions=[KbCounter.views.add(1)])
        self._report_counter(article_id, lang).update(actions=[KbCounter.views.add(1)])

    def vote(self, article_id, lang, revision, *, visitor, day, helpful, expires_at) -> bool:
        counter = KbCounter(f"KBSTAT#{article_id}", f"{lang}#{revision:06d}")
        try:
            with self._transaction() as tx:
                tx.save(KbItem(f"KBVOTE#{visitor}#{day}", f"{article_id}#{lang}#{revision}", expires_at=expires_at),
                        condition=KbItem.pk.does_not_exist())
                tx.update(counter, actions=[(KbCounter.helpful if helpful else KbCounter.not_helpful).add(1)])
                tx.update(self._report_counter(article_id, lang),
                          actions=[(KbCounter.helpful if helpful else KbCounter.not_helpful).add(1)])
        except TransactWriteError as exc:
            if _reasons(exc)[:1] == ["ConditionalCheckFailed"]:  # the vote's put goes before the counter's update
                return False
            raise
        return True

    def record_deflection(self, *, day, outcome, articles) -> None:
        attribute = KbCounter.deflected if outcome == "deflected" else KbCounter.filed
        KbCounter(f"KBDAY#{day}", "DEFLECTION").update(actions=[attribute.add(1)])
        for article_id, lang in articles:
            KbCounter(f"KBSTAT#{article_id}", f"{lang}#deflection").update(actions=[attribute.add(1)])
            self._report_counter(article_id, lang).update(actions=[attribute.add(1)])

    def stats(self, article_id: str) -> list[dict]:
        out = []
        for item in KbCounter.query(f"KBSTAT#{article_id}"):
            lang, _, revision = item.sk.partition("#")
            out.append({"lang": lang, "revision": revision if revision == "deflection" else int(revision),
                        "views": int(item.views or 0), "helpful": int(item.helpful or 0),
                        "not_helpful": int(item.not_helpful or 0), "deflected": int(item.deflected or 0),
                        "filed": int(item.filed or 0)})
        return out


    def daily_counts(self, first: str, last: str) -> list[dict]:
        """Every article language's counters of the days first..last (ISO dates): one Query per month."""
        months, out = sorted({f"{y:04d}-{m:02d}" for y, m in _months(first, last)}), []
        for month in months:
            for item in KbCounter.query(f"KBRDAY#{month}", KbCounter.sk.between(first, last + "#\uffff")):
                day, article_id, lang = item.sk.split("#", 2)
                out.append({"day": day, "article_id": article_id, "lang": lang, "views": int(item.views or 0),
                            "helpful": int(item.helpful or 0), "not_helpful": int(item.not_helpful or 0),
                            "deflected": int(item.deflected or 0), "filed": int(item.filed or 0)})
        return out

    def titles(self, article_ids: list[str]) -> dict[str, dict[str, dict]]:
        """{article id: {lang: {"title", "slug"}}} of the published (else draft) texts, by BatchGetItem."""
        found: dict[str, dict[str, dict]] = {}
        for item in KbItem.batch_get([(article_pk(a), ARTICLE) for a in dict.fromkeys(article_ids)]):
            article = article_of(item.doc, int(item.version))
            found[article.id] = {lang: {"title": (v.published or v.draft).title, "slug": (v.published or v.draft).slug,
                                        "published": v.state == State.PUBLISHED}
                                 for lang, v in article.versions.items()}
        return found


def _months(first: str, last: str):
    year, month = int(first[:4]), int(first[5:7])
    while (year, month) <= (int(last[:4]), int(last[5:7])):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


class S3StaticSite(StaticSite):
    def __init__(self, bucket: str):
        self.bucket = bucket

    def put(self, key: str, body: bytes, content_type: str) -> None:
        from chalicelib.adapters.aws import client

        client("s3").put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type,
                                CacheControl="max-age=300")

    def delete(self, key: str) -> None:
        from chalicelib.adapters.aws import client

        client("s3").delete_object(Bucket=self.bucket, Key=key)

    def get(self, key: str) -> bytes | None:
        """Read a page back (the local static server serves them as CloudFront serves them from the bucket)."""
        from botocore.exceptions import ClientError

        from chalicelib.adapters.aws import client

        try:
            return client("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError:
            return None
