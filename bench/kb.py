"""Knowledge base figures (issue 15), against moto with the resources from infra/:

- kb_search_p95_ms: a warm container's article search (its /tmp copy of the index, 1k articles in each of fa,
  he and en), 300 queries of words from the articles, p95 in milliseconds (the search call, no HTTP).
- kb_suggest_aws_calls: AWS calls of one GET /kb/search?suggest=1 (a pause in typing on the ticket form) in the
  steady state: the per-network rate limit's one UpdateItem; once per KB_INDEX_CHECK_SECONDS (5 s) a container
  also asks S3 whether the index changed (conditional GET of its manifest) and fetches the new files if so.
- kb_index_rebuild_ms: the whole index rebuilt from the table (ops/rebuild_kb_index.py), 1k articles.
- kb_index_download_ms: a new container's first search, which fetches the index from S3 into /tmp.
- kb_publish_aws_calls_<n>: AWS calls of publishing one version with n articles in the knowledge base (the service
  call behind POST /agent/kb/articles/{id}/publish; authentication adds what every agent route pays): the request
  path only, since the static page, the sitemap and the index follow from the article event.
- kb_publish_consumer_aws_calls_<n>: AWS calls of the KB publication consumer for that one article event
  (events/kb_publish.py: re-read the article, write its page, the index under its lease, the sitemap).
"""
from __future__ import annotations

import os
import random
import statistics
import time
from datetime import datetime, timezone

WORDS = {
    "fa": "پرداخت بازگشت کالا سفارش حساب گذرواژه ایمیل ارسال فاکتور تخفیف اشتراک گارانتی تعمیر نصب برنامه".split(),
    "he": "תשלום החזר מוצר הזמנה חשבון סיסמה דואר משלוח חשבונית הנחה מנוי אחריות תיקון התקנה אפליקציה".split(),
    "en": "payment refund product order account password email shipping invoice discount plan warranty repair "
          "install app".split(),
}


def fill_articles(count: int, start: int = 0) -> None:
    """Published public articles in fa, he and en, written in batches with the adapter's own item mapping."""
    from chalicelib.adapters.kb import ARTICLE, CLAIM, PAGE, KbItem, article_doc, article_pk, list_key, page_doc, slug_pk
    from chalicelib.domain import kb
    from chalicelib.services.kb import pages_of

    rng = random.Random(start)
    at = datetime(2026, 12, 1, tzinfo=timezone.utc)
    with KbItem.batch_write() as batch:
        for n in range(start, start + count):
            article = kb.new_article(id=f"bench{n:08d}", category="general", visibility=kb.KbVisibility.PUBLIC,
                                     tags=(), author="bench", at=at)
            for lang, words in WORDS.items():
                title = " ".join(rng.sample(words, 3)) + f" {n}"
                body = " ".join(rng.choice(words) for _ in range(120))
                article, _ = kb.edit_text(article, lang, title=title, slug=f"b-{n}", body=body, by="bench", at=at)
                article, _ = kb.publish(article, lang, by="bench", at=at)
            batch.save(KbItem(article_pk(article.id), ARTICLE, doc=article_doc(article), version=1))
            for lang, page in pages_of(article).items():
                batch.save(KbItem(slug_pk(lang, page.slug), CLAIM, article=article.id))
                batch.save(KbItem(slug_pk(lang, page.slug), PAGE, doc=page_doc(page)))
                batch.save(KbItem("KBMAP", f"{lang}#{page.slug}"))
                pk, sk = list_key(lang, page.visibility, page.category, page.order, article.id)
                batch.save(KbItem(pk, sk, doc={"article_id": article.id, "lang": lang, "slug": page.slug,
                                               "title": page.title, "category": page.category, "visibility": "public",
                                               "text": page.text, "tags": [], "order": 0}))


def kb_costs(small: int = 100, large: int = 1000) -> dict:
    from chalice.test import Client

    from bench.calls import _figure, counting_aws_calls, local_stack
    from chalicelib import bootstrap
    from chalicelib.adapters.kb_search import S3ArticleSearch
    from chalicelib.domain.kb import Editor
    from chalicelib.services import kb as service
    from chalicelib.settings import get_settings

    results = {}
    with local_stack():
        os.environ["CATALOG_CACHE_SECONDS"] = "600"
        bootstrap.reset()
        store, editor, clock = bootstrap.knowledge_base(), Editor("bench", admin=True), bootstrap.clock()
        index = bootstrap.article_search()
        service.save_categories(store, editor, [{"id": "general", "names": {"en": "General"}}])
        existing = 0
        for size in (small, large):
            fill_articles(size - existing, start=existing)
            existing = size
            started = time.perf_counter()
            service.rebuild_index(store, index)
            rebuild_ms = (time.perf_counter() - started) * 1000
            draft = service.create_article(store, editor, clock, category="general", visibility="public", tags=[],
                                           lang="en", title="Bench article", slug=f"bench-publish-{size}",
                                           body="A refund takes **three** days.")
            with counting_aws_calls() as publish:
                published = service.publish(store, editor, clock, article_id=draft.id, lang="en",
                                            version=draft.version)
            results[f"kb_publish_aws_calls_{size}"] = _figure(publish, size, "publishing one version (service call, "
                                                              "request path: one transaction with the article event)")
            results[f"kb_publish_aws_calls_{size}"]["note"] = results[f"kb_publish_aws_calls_{size}"]["note"].replace(
                "tickets in the table", "articles x 3 languages in the knowledge base")
            from chalicelib.adapters.kb import ARTICLE_EVENT_PREFIX, KbItem, article_pk
            events = [item.doc for item in KbItem.query(article_pk(published.id),
                                                        KbItem.sk.startswith(ARTICLE_EVENT_PREFIX))]
            with counting_aws_calls() as consumer:
                service.apply_article_events(store, bootstrap.static_site(), index, events,
                                             site_origin="https://help.example.com")
            results[f"kb_publish_consumer_aws_calls_{size}"] = _figure(consumer, size, (
                "the KB publication consumer for that article event (off the request path)"))
            results[f"kb_publish_consumer_aws_calls_{size}"]["note"] = results[
                f"kb_publish_consumer_aws_calls_{size}"]["note"].replace(
                "tickets in the table", "articles x 3 languages in the knowledge base, the index's new segment and "
                "manifest included")
        results["kb_index_rebuild_ms"] = {"value": round(rebuild_ms), "unit": "ms", "note": (
            f"python -m ops.rebuild_kb_index's work for {large} articles x 3 languages (~120 words each): read the "
            "lists, analyse, index, upload; publications keep the index current one article at a time")}

        # a new container: its first search downloads the index, then searches are warm
        s = get_settings()
        reader = S3ArticleSearch.in_s3(bucket=s.search_bucket, table=s.helpdesk_table, check_seconds=3600)
        started = time.perf_counter()
        with counting_aws_calls() as download:
            reader.search("warm", "en", internal=False, limit=10)
        results["kb_index_download_ms"] = {"value": round((time.perf_counter() - started) * 1000), "unit": "ms",
                                           "note": f"a new container's first search: the index of {large} articles x 3 "
                                                   "languages fetched from S3 into /tmp; " + ", ".join(
                                                       f"{k}×{v}" for k, v in sorted(download.items()))}
        rng = random.Random(7)
        timings = []
        for n in range(300):
            lang = ("fa", "he", "en")[n % 3]
            query = " ".join(rng.sample(WORDS[lang], 2))
            started = time.perf_counter()
            found = reader.search(query, lang, internal=False, limit=10)
            timings.append((time.perf_counter() - started) * 1000)
            assert found, query
        p95 = statistics.quantiles(timings, n=20)[-1]
        results["kb_search_p95_ms"] = {"value": round(p95, 2), "unit": "ms", "note": (
            f"warm container, {large} articles x 3 languages, 300 two-word queries with snippets, limit 10; "
            f"median {statistics.median(timings):.2f} ms")}

        from app import app
        with Client(app) as client:
            client.http.get("/kb/search?q=refund&lang=en&suggest=1")  # the container is warm, its index fetched
            with counting_aws_calls() as suggest:
                response = client.http.get("/kb/search?q=refund%20pay&lang=en&suggest=1")
            assert response.status_code == 200, response.body
        results["kb_suggest_aws_calls"] = _figure(suggest, large, (
            "GET /kb/search?suggest=1 in a warm container (goal <= 1); once per KB_INDEX_CHECK_SECONDS a container "
            "also asks S3 whether the index changed (a conditional GET)"))
        results["kb_suggest_aws_calls"]["note"] = results["kb_suggest_aws_calls"]["note"].replace(
            "tickets in the table", "articles x 3 languages")
    os.environ.pop("CATALOG_CACHE_SECONDS", None)
    results["kb_publish_aws_calls"] = results[f"kb_publish_aws_calls_{large}"]
    results["kb_publish_consumer_aws_calls"] = results[f"kb_publish_consumer_aws_calls_{large}"]
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(kb_costs(), indent=2, ensure_ascii=False))
