"""Search: speed, size and cost of the index (issue 14), written into bench/results.json by `make bench`.

Engine figures come from synthetic tickets (mixed Persian, Hebrew, Arabic and English text, ~120 words each:
a subject and 2-4 messages, some internal notes, over 12 months of creation, i.e. 12 shards) built with the
real document builder and analysis and indexed straight into the engine (no moto):

- search_index_seconds_100k, search_index_mb_100k: time to index 100k tickets, size of the shards on disk.
- search_p50_ms_100k, search_p95_ms_100k: warm queries as an agent of two of five departments (the
  authorization filter on), over a mixed set: rare and common words, two words, phrases, prefixes while typing,
  misspellings, filters with words, filter-only lists (newest, SLA), in all four languages; each answer with
  its 25 rows and their snippets, as the API returns them.
- search_cold_first_ms_100k: a container with an empty /tmp: the manifest and every shard's files downloaded
  from S3 (moto's server on loopback, 8 parallel GETs) and the first query answered.
- the same at 1k (_1k), and search_p95_ms_1m / search_index_mb_1m at one million tickets.
- search_freshness_s: on the local stack (`make run`) holding 1k tickets filed through its API, from a
  ticket's POST /tickets answer to the first GET /agent/search that finds it (median of 5).
- search_aws_calls: AWS calls per warm GET /agent/search (counted at botocore, API in process, moto),
  1k tickets indexed: the manifest's conditional GET at most every SEARCH_CHECK_SECONDS, nothing else.

`python -m bench.search [SIZE ...]` runs the engine part alone (default 1000 100000 1000000).
"""
from __future__ import annotations

import functools
import itertools
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

SIZES = (1_000, 100_000, 1_000_000)
POOL = 1_000_000  # from this size texts come from pools (per language 15k messages, 8k subjects), analyzed once
LABEL = {1_000: "1k", 100_000: "100k", 1_000_000: "1m"}
DEPARTMENTS = ("billing", "support", "sales", "shipping", "returns")
STATUSES = ("new", "open", "awaiting_customer", "on_hold", "resolved", "closed", "archived")
START = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()
MONTH = 30.4 * 86_400

WORDS = {
    "fa": ("سلام مشکل پرداخت سفارش ارسال فاکتور حساب کاربری رمز عبور ورود تحویل کالا بسته مرجوعی پشتیبانی "
           "تماس شماره پیگیری کارت بانکی درگاه خطا صفحه برنامه گوشی نسخه جدید قدیمی قیمت تخفیف کد هدیه "
           "می‌خواهم نمی‌توانم کتاب‌ها سفارش‌ها ایمیل آدرس تغییر لغو بازگشت وجه تاخیر امروز دیروز لطفا").split(),
    "he": ("שלום בעיה תשלום הזמנה משלוח חשבונית חשבון משתמש סיסמה כניסה מסירה מוצר חבילה החזרה תמיכה "
           "טלפון מספר מעקב כרטיס אשראי שגיאה דף אפליקציה גרסה חדשה ישנה מחיר הנחה קוד מתנה ובחשבון "
           "בהזמנה לחשבון שהמשלוח כתובת שינוי ביטול החזר עיכוב היום אתמול בבקשה").split(),
    "ar": ("مرحبا مشكلة الدفع الطلب الشحن الفاتورة الحساب المستخدم كلمة المرور الدخول التسليم المنتج الطرد "
           "الإرجاع الدعم الهاتف رقم التتبع البطاقة خطأ الصفحة التطبيق الإصدار الجديد السعر الخصم الرمز "
           "الهدية العنوان تغيير إلغاء استرداد تأخير اليوم أمس").split(),
    "en": ("hello problem payment order shipping invoice account user password login delivery product package "
           "return support phone number tracking card error page app version new old price discount code gift "
           "address change cancel refund delay today yesterday please cannot want broken").split(),
}
PRODUCTS = "iPhone Galaxy MacBook ThinkPad PlayStation Kindle AirPods Pixel Surface Xbox".split()
ALPHABETS = {"fa": "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی", "he": "אבגדהוזחטיכלמנסעפצקרשת",
             "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي", "en": "abcdefghijklmnopqrstuvwxyz"}
LANGUAGES = ("fa", "fa", "fa", "he", "he", "ar", "en", "en", "en", "en")


def _vocabulary(rng: random.Random, size: int = 6000) -> dict[str, list[str]]:
    """Real words first (the frequent ones), then made-up words of the script: a long tail of rare terms."""
    out = {}
    for language, alphabet in ALPHABETS.items():
        made_up = {"".join(rng.choice(alphabet) for _ in range(rng.randint(3, 9))) for _ in range(size)}
        out[language] = list(WORDS[language]) + sorted(made_up)
    return out


class Corpus:
    def __init__(self, seed: int = 14):
        self.rng = random.Random(seed)
        self.pools: dict | None = None
        self.vocabulary = _vocabulary(self.rng)
        # Zipf-like: word i of a language is drawn with weight 1/(i+1).
        self.cumulative = {lang: list(itertools.accumulate(1 / (i + 1) for i in range(len(words))))
                           for lang, words in self.vocabulary.items()}

    def words(self, language: str, count: int) -> list[str]:
        picked = self.rng.choices(self.vocabulary[language], cum_weights=self.cumulative[language], k=count)
        if self.rng.random() < 0.3:  # an English product name or an order code inside the sentence
            picked.insert(self.rng.randrange(len(picked) + 1), self.rng.choice(PRODUCTS))
        if self.rng.random() < 0.2:
            picked.append(f"#A-{self.rng.randrange(10_000, 99_999)}")
        return picked

    def pooled(self, messages: int, subjects: int) -> None:
        """Draw texts from pools of distinct ones (the 1M run: analysis is paid once per pooled text, see
        POOL); every ticket still gets its own mix, so posting lists are as long as the desk is large."""
        self.pools = {lang: ([" ".join(self.words(lang, self.rng.randint(25, 40))) for _ in range(messages)],
                             [" ".join(self.words(lang, 6)) for _ in range(subjects)]) for lang in ALPHABETS}

    def _message(self, language: str, count: int) -> str:
        if self.pools:
            return self.rng.choice(self.pools[language][0])
        return " ".join(self.words(language, count))

    def _subject(self, language: str) -> str:
        if self.pools:
            return self.rng.choice(self.pools[language][1])
        return " ".join(self.words(language, 6))

    def document(self, number: int, size: int):
        from chalicelib.views.search.document import NO_DUE, SearchDocument, shard_of
        rng = self.rng
        language = rng.choice(LANGUAGES)
        created = int(START + (number / size) * 12 * MONTH)
        messages = [self._message(language, rng.randint(25, 40)) for _ in range(rng.randint(2, 4))]
        notes = (" ".join(self.words(language, 15)),) if rng.random() < 0.3 and not self.pools else ()
        assignee = f"agent{rng.randrange(40)}@example.com" if rng.random() < 0.8 else ""
        return SearchDocument(
            number=number, shard=shard_of(datetime.fromtimestamp(created, timezone.utc)),
            status=rng.choice(STATUSES), priority=rng.choice(("low", "normal", "high", "urgent")),
            department=rng.choice(DEPARTMENTS), group="team", assignee=assignee,
            customer=f"customer{number % 50_000}@example.com", customer_phone="",
            created=created * 1000, updated=(created + rng.randrange(0, 20 * 86_400)) * 1000,
            sla_due=created + rng.randrange(3600, 5 * 86_400) if rng.random() < 0.4 else NO_DUE,
            has_attachment=rng.random() < 0.2, unconfirmed=rng.random() < 0.02,
            subject=self._subject(language), public=tuple(messages), internal=notes,
            people=(f"Customer {number}", f"customer{number % 50_000}@example.com"), files=(),
            labels=(), assignee_name=assignee, customer_name=f"Customer {number}")

    def queries(self, count: int = 200) -> list[dict]:
        """A mixed set, each {"q", "sort", "filters"}: what agents type, in all four languages."""
        from chalicelib.views.search.query import Filters
        rng, out = self.rng, []
        kinds = ("common", "rare", "two", "phrase", "prefix", "typo", "filtered", "list_newest", "list_sla",
                 "product")
        for i in range(count):
            kind, language = kinds[i % len(kinds)], LANGUAGES[i % len(LANGUAGES)]
            vocabulary = self.vocabulary[language]
            common = vocabulary[rng.randrange(20)]
            rare = vocabulary[rng.randrange(len(WORDS[language]) + 1000, len(vocabulary))]
            q, sort, filters = "", "relevance", Filters()
            if kind == "common":
                q = common + " "
            elif kind == "rare":
                q = rare + " "
            elif kind == "two":
                q = f"{common} {vocabulary[rng.randrange(20, 60)]} "
            elif kind == "phrase":
                q = f'"{" ".join(self.words(language, 2)[:2])}"'
            elif kind == "prefix":
                q = vocabulary[rng.randrange(len(WORDS[language]))][:3]
            elif kind == "typo":
                word = next(w for w in vocabulary[rng.randrange(40):] if len(w) >= 6)
                q = word[:2] + word[3] + word[2] + word[4:] + " "
            elif kind == "filtered":
                q, filters = common + " ", Filters(status=frozenset({"open", "new"}))
            elif kind == "list_newest":
                sort, filters = "newest", Filters(status=frozenset({"open"}))
            elif kind == "list_sla":
                sort, filters = "sla", Filters(status=frozenset({"new", "open"}))
            else:
                q = rng.choice(PRODUCTS).lower() + " " + common + " "
            out.append({"q": q, "sort": sort, "filters": filters, "kind": kind})
        return out


def index_into(root: Path, size: int, corpus: Corpus) -> float:
    """Index `size` synthetic tickets into shards under `root` (one bulk writer per shard, in creation order)."""
    from chalicelib.adapters.search_engine import Shards, to_tantivy
    shards = Shards(root)
    started = time.perf_counter()
    writer, current = None, None
    for number in range(1, size + 1):
        doc = corpus.document(number, size)
        if doc.shard != current:
            if writer is not None:
                writer.commit()
                writer.wait_merging_threads()
            writer, current = shards.bulk(doc.shard, heap=200_000_000, threads=1), doc.shard
        writer.add_document(to_tantivy(doc))
        if number % 50_000 == 0:
            print(f"  search: {number}/{size} indexed, {time.perf_counter() - started:.0f}s", file=sys.stderr,
                  flush=True)
    writer.commit()
    writer.wait_merging_threads()
    return time.perf_counter() - started


def directory_mb(root: Path) -> float:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1024 / 1024


def run_queries(engine, queries: list[dict], scope, repeat: int = 2) -> list[float]:
    from chalicelib.domain import search_text
    from chalicelib.views.search.query import SearchRequest, Sort
    times = []
    for _ in range(repeat):
        for query in queries:
            started = time.perf_counter()
            parsed = search_text.parse_query(query["q"]) if query["q"].strip() else None
            engine.search(SearchRequest(q=query["q"], sort=Sort(query["sort"]), filters=query["filters"]), scope,
                          parsed)
            times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1]


class _NoLease:
    def hold(self) -> None:
        pass


def cold_first_ms(root: Path, queries: list[dict], scope) -> tuple[float, int]:
    """Publish the shards to S3 (moto on loopback), then time an empty container's first answer."""
    import boto3

    from local.testing import free_port
    from chalicelib.adapters import aws
    from chalicelib.adapters.search_engine import Engine, Shards
    from chalicelib.adapters.search_store import S3IndexStore
    from chalicelib.domain import search_text
    from chalicelib.views.search.query import SearchRequest
    from local.moto_server import MotoServer

    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"})
    server = MotoServer(port=free_port()).start()
    previous = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = server.url
    aws.client.cache_clear()
    try:
        boto3.client("s3").create_bucket(Bucket="bench-search")
        writer = S3IndexStore("bench-search", Shards(root))
        writer.publish(set(writer.shards.names()), _NoLease())
        aws.client.cache_clear()  # a new container: new clients too
        empty = Path(tempfile.mkdtemp(prefix="bench-cold-"))
        query = next(q for q in queries if q["kind"] == "common")
        started = time.perf_counter()
        store = S3IndexStore("bench-search", Shards(empty))
        store.refresh()
        Engine(store.shards).search(SearchRequest(q=query["q"]), scope, search_text.parse_query(query["q"]))
        took = (time.perf_counter() - started) * 1000
        shutil.rmtree(empty, ignore_errors=True)
        return took, store.calls
    finally:
        server.stop()
        if previous is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = previous
        aws.client.cache_clear()


def engine_figures(size: int, *, cold: bool = True) -> dict:
    from chalicelib.adapters.search_engine import Engine, Shards
    from chalicelib.views.search.query import Scope
    label = LABEL.get(size, str(size))
    from chalicelib.adapters import search_engine
    corpus = Corpus()
    root = Path(tempfile.mkdtemp(prefix=f"bench-search-{label}-"))
    analyzed = search_engine.analyzed
    if size >= POOL:
        corpus.pooled(15_000, 8_000)
        search_engine.analyzed = functools.lru_cache(maxsize=None)(analyzed)
    try:
        seconds = index_into(root, size, corpus)
        search_engine.analyzed = analyzed
        mb = directory_mb(root)
        queries = corpus.queries()
        scope = Scope(departments=frozenset(DEPARTMENTS[:2]), agent="agent1@example.com", internal=True)
        engine = Engine(Shards(root))
        run_queries(engine, queries, scope, repeat=1)  # warm: files in the page cache, readers open
        times = run_queries(engine, queries, scope)
        figures = {
            f"search_index_seconds_{label}": {"value": round(seconds, 1), "unit": "s",
                                              "note": f"{size} synthetic fa/he/ar/en tickets (~120 words) analyzed "
                                                      f"and indexed straight into the engine, one core"
                                                      + (" (texts from pools, each analyzed once)" if size >= POOL
                                                         else "")},
            f"search_index_mb_{label}": {"value": round(mb, 1), "unit": "MB",
                                         "note": f"shards on disk after indexing {size} tickets (stored texts included)"},
            f"search_p50_ms_{label}": {"value": round(percentile(times, 50), 2), "unit": "ms",
                                       "note": f"warm, {len(times)} queries of a mixed set (words, phrases, prefixes, "
                                               f"typos, filters, lists; fa/he/ar/en), 25 rows with snippets"},
            f"search_p95_ms_{label}": {"value": round(percentile(times, 95), 2), "unit": "ms",
                                       "note": f"warm, same set; slowest {max(times):.1f} ms"},
        }
        if cold:
            took, calls = cold_first_ms(root, queries, scope)
            figures[f"search_cold_first_ms_{label}"] = {
                "value": round(took), "unit": "ms",
                "note": f"empty /tmp: manifest + {calls - 1} files from S3 (moto on loopback) + the first answer"}
        print(f"  search: {size}: " + ", ".join(f"{k}={v['value']}" for k, v in figures.items()), file=sys.stderr,
              flush=True)
        return figures
    finally:
        search_engine.analyzed = analyzed
        shutil.rmtree(root, ignore_errors=True)


def aws_calls_per_warm_query(size: int = 1000) -> dict:
    """GET /agent/search in process (chalice's test client) against moto, `size` tickets indexed."""
    from chalice.test import Client

    from bench.calls import _agent_token, counting_aws_calls, fill_table, local_stack
    with local_stack():
        from chalicelib import bootstrap
        from chalicelib.views.search import indexer
        bootstrap.reset()
        from chalicelib.domain.catalog import Group
        from chalicelib.services.catalog import save_department
        names = {"en": "Support", "fa": "پشتیبانی", "he": "תמיכה"}
        save_department(bootstrap.catalog(), id="support", names=names,
                        categories=[{"id": "technical", "names": names}])
        support = next(d for d in bootstrap.catalog().departments() if d.id == "support")
        from dataclasses import replace
        bootstrap.catalog().save(replace(support, groups=(Group(id="desk", names=names,
                                                                members=("bench@example.com",)),)))
        fill_table(size, 1001)
        indexer.rebuild(tickets=bootstrap.tickets(), catalog=bootstrap.catalog(), index=bootstrap.search_index(),
                        first=1001, last=1000 + size, batch=500)
        from app import app
        with Client(app) as client:
            headers = {"Authorization": f"Bearer {_agent_token()}"}
            queries = ["bench", "پشتیبانی", "bench support", "benc", "1001", '"bench"']
            for q in queries:  # warm: the index downloaded, the catalog cached
                client.http.get(f"/agent/search?q={q}", headers=headers)
            rounds = 30
            with counting_aws_calls() as calls:
                started = time.monotonic()
                for i in range(rounds):  # an agent typing: a query every 0.25 s
                    response = client.http.get(f"/agent/search?q={queries[i % len(queries)]}", headers=headers)
                    assert response.status_code == 200, response.body
                    time.sleep(0.25)
                elapsed = time.monotonic() - started
            search_calls = sum(n for name, n in calls.items() if name.startswith("s3:"))
            total = sum(calls.values())
    return {"search_aws_calls": {
        "value": round(search_calls / rounds, 2), "unit": "calls",
        "note": f"S3 calls per warm GET /agent/search over {rounds} queries in {elapsed:.1f}s, {size} tickets "
                f"(the manifest's conditional GET, at most every SEARCH_CHECK_SECONDS); all AWS calls per query "
                f"{total / rounds:.2f}, the others not search's (revocation check, catalog cache): {dict(calls)}"}}


def freshness(size: int = 1000, samples: int = 5) -> dict:
    """The local stack (`make run`) with `size` tickets filed through its API: commit to findable."""
    import requests

    from bench.local import Desk, wait_until_idle
    from local.testing import spawn
    os.environ["UNCONFIRMED_PER_NETWORK"] = "1000000"
    stack = spawn(timeout=300)
    try:
        desk = Desk(stack)
        desk.load(30_000_000, size)
        wait_until_idle(stack.process.pid)
        headers = {"Authorization": f"Bearer {desk.token}"}
        took = []
        for i in range(samples):
            word = f"fresh{random.randrange(10 ** 9)}"
            body = {"subject": f"freshness {word}", "department": "support", "category": "sign-in",
                    "priority": "normal", "language": "fa", "text": f"سلام {word}",
                    "customer": {"name": "Bench", "email": f"fresh{i}.{word}@example.com"}}
            response = requests.post(f"{stack.api_url}/tickets", json=body, timeout=60)
            assert response.status_code == 201, response.text
            committed = time.monotonic()
            while time.monotonic() - committed < 120:
                found = requests.get(f"{stack.api_url}/agent/search", params={"q": word}, headers=headers, timeout=60)
                if found.status_code == 200 and found.json()["total"]:
                    took.append(time.monotonic() - committed)
                    break
                time.sleep(0.2)
            else:
                took.append(float("inf"))
    finally:
        stack.stop()
    return {"search_freshness_s": {
        "value": round(statistics.median(took), 1), "unit": "s",
        "note": f"local stack with {size} tickets filed through the API: POST /tickets answered -> found by "
                f"GET /agent/search (median of {samples}: {', '.join(f'{t:.1f}' for t in took)})"}}


def search_costs(sizes=SIZES) -> dict:
    results = {}
    for size in sizes:
        results.update(engine_figures(size, cold=size <= 100_000))
    results.update(aws_calls_per_warm_query())
    results.update(freshness())
    return results


if __name__ == "__main__":
    import json
    print(json.dumps({k: v for size in (tuple(int(a) for a in sys.argv[1:]) or SIZES)
                      for k, v in engine_figures(size).items()}, indent=2, ensure_ascii=False))
