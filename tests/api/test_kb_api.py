"""The knowledge base through the API (issue 15): editors write and publish, agents read internal articles and
propose drafts, readers see only published public versions; votes once per visitor and day; deflections."""
import json
import os
import re
import uuid

import boto3
import pytest
from chalice.test import Client

from tests.api.test_ticket_api import as_agent, call, open_ticket, upload
from tests.fakes import PNG


@pytest.fixture(scope="module")
def client(aws_stack):
    os.environ["KB_INDEX_CHECK_SECONDS"] = "0"  # every search asks whether the index is stale
    from chalicelib import bootstrap
    bootstrap.reset()
    from app import app
    with Client(app) as test_client:
        yield test_client
    os.environ.pop("KB_INDEX_CHECK_SECONDS", None)
    bootstrap.reset()


@pytest.fixture(scope="module")
def people(client, cognito):
    """An admin, a supervisor of the support department and a plain agent (of support's first line)."""
    from chalicelib import bootstrap
    from chalicelib.domain.catalog import Department

    run = uuid.uuid4().hex[:6]
    supervisor = f"kb.supervisor.{run}@example.com"
    bootstrap.catalog().save(Department(id=f"kb-{run}", names={"en": "KB"}, categories=(), groups=(),
                                        supervisors=(supervisor,)))
    tokens = {"admin": cognito(f"kb.admin.{run}@example.com", groups=("agent", "admin")),
              "supervisor": cognito(supervisor), "agent": cognito("agent.one@example.com")}
    status, saved = call(client, "put", "/agent/kb/categories", {"categories": [
        {"id": "billing", "names": {"en": "Billing", "fa": "صورتحساب", "he": "חיוב"}, "order": 1},
        {"id": "refunds", "names": {"en": "Refunds", "fa": "بازپرداخت", "he": "החזרים"}, "order": 1,
         "parent": "billing"},
        {"id": "account", "names": {"en": "Account", "fa": "حساب", "he": "חשבון"}, "order": 2}]},
        headers=as_agent(tokens["admin"]))
    assert status == 200, saved
    return {kind: as_agent(token) for kind, token in tokens.items()}


def slug(prefix="a") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create(client, headers, *, lang="en", title="How to get a refund", body="Ask **support**.", visibility="public",
           category="refunds", address=None, tags=()):
    status, article = call(client, "post", "/agent/kb/articles", {
        "category": category, "visibility": visibility, "lang": lang, "title": title, "slug": address or slug(),
        "body": body, "tags": list(tags)}, headers=headers)
    assert status == 201, article
    return article


def deliver(client, article_id):
    """The article's events, as the outbox relay queues them and Lambda hands them to the publication consumer
    (every one of them each time: redelivery is part of the contract)."""
    from chalicelib.adapters.kb import ARTICLE_EVENT_PREFIX, KbItem, article_pk
    from tests.events.test_handlers import sqs_event

    bodies = [json.dumps(item.doc) for item in KbItem.query(article_pk(article_id),
                                                            KbItem.sk.startswith(ARTICLE_EVENT_PREFIX))]
    return client.lambda_.invoke("publish_articles", sqs_event(bodies))


def publish(client, headers, article, lang="en"):
    status, done = call(client, "post", f"/agent/kb/articles/{article['id']}/publish",
                        {"lang": lang, "version": article["version"]}, headers=headers)
    assert status == 200, done
    deliver(client, article["id"])
    return done


def web_object(aws_stack, key):
    s3 = boto3.client("s3", endpoint_url=aws_stack["endpoint"])
    return s3.get_object(Bucket=aws_stack["WEB_BUCKET"], Key=key)["Body"].read().decode()


def test_a_draft_is_never_public_until_an_editor_publishes_it(client, people, aws_stack):
    word = f"refundword{uuid.uuid4().hex[:6]}"
    article = create(client, people["admin"], title=f"Refund {word}", body=f"Ask support about {word}.")
    address = article["versions"]["en"]["draft"]["slug"]
    assert article["versions"]["en"]["state"] == "draft"

    assert call(client, "get", f"/kb/articles/en/{address}")[0] == 404
    assert address not in [a["slug"] for a in call(client, "get", "/kb/articles?lang=en")[1]["articles"]]
    assert call(client, "get", f"/kb/search?q={word}&lang=en")[1]["results"] == []

    published = publish(client, people["admin"], article)
    assert published["versions"]["en"]["state"] == "published"
    status, page = call(client, "get", f"/kb/articles/en/{address}")
    assert (status, page["html"]) == (200, f"<p>Ask support about {word}.</p>\n")
    assert page["title"] == f"Refund {word}"
    listed = call(client, "get", "/kb/articles?lang=en")[1]["articles"]
    assert {"slug": address, "title": f"Refund {word}", "lang": "en", "category": "refunds"} in listed
    results = call(client, "get", f"/kb/search?q={word}&lang=en")[1]["results"]
    assert [r["slug"] for r in results] == [address]
    assert set(results[0]) == {"slug", "title", "snippet", "lang", "category"}

    static = web_object(aws_stack, f"customer/kb/en/{address}.html")
    assert f"Refund {word}" in static and "script-src" not in static and "default-src 'none'" in static
    assert f"/customer/kb/en/{address}.html" in web_object(aws_stack, "customer/kb/sitemap.xml")


def test_rendered_bodies_hold_no_script(client, people, aws_stack):
    body = ('<script>alert(1)</script>\n\n[click](javascript:alert(2)) ![x](data:image/svg+xml;base64,PHN2Zz4=)\n\n'
            '<img src=x onerror=alert(3)> <svg onload=alert(4)></svg> [ok](https://example.com/help)')
    status, preview = call(client, "post", "/agent/kb/preview", {"body": body}, headers=people["agent"])
    assert status == 200
    html = preview["html"]
    for forbidden in ("<script", "<svg", "<img src=\"x\"", 'href="javascript:', 'src="data:', 'href="data:'):
        assert forbidden not in html, forbidden
    assert not re.search(r"<[^>]*\son\w+=", html)  # no tag carries an event handler (escaped text may say it)
    assert '<a href="https://example.com/help"' in html
    article = publish(client, people["admin"], create(client, people["admin"], body=body))
    address = article["versions"]["en"]["published"]["slug"]
    page = call(client, "get", f"/kb/articles/en/{address}")[1]
    assert page["html"] == html
    assert "<script" not in web_object(aws_stack, f"customer/kb/en/{address}.html")


def test_internal_articles_are_for_agents_only(client, people):
    word = f"internalword{uuid.uuid4().hex[:6]}"
    article = publish(client, people["admin"], create(client, people["admin"], visibility="internal",
                                                      title=f"Escalation {word}", body=f"Call {word}"))
    address = article["versions"]["en"]["published"]["slug"]
    assert call(client, "get", f"/kb/articles/en/{address}")[0] == 404
    assert call(client, "get", f"/kb/search?q={word}&lang=en")[1]["results"] == []
    assert address not in [a["slug"] for a in call(client, "get", "/kb/articles?lang=en")[1]["articles"]]

    found = call(client, "get", f"/agent/kb/search?q={word}&lang=en", headers=people["agent"])[1]["results"]
    assert [(r["slug"], r["visibility"]) for r in found] == [(address, "internal")]
    listed = call(client, "get", "/agent/kb/articles?lang=en", headers=people["agent"])[1]["articles"]
    assert address in [a["slug"] for a in listed]
    assert call(client, "get", f"/agent/kb/articles/{article['id']}", headers=people["agent"])[0] == 200
    # ... and an agent cannot hand it to a customer
    assert call(client, "get", f"/agent/kb/articles/{article['id']}/link?lang=en", headers=people["agent"])[0] == 403


@pytest.mark.parametrize("who, may_publish", [("admin", True), ("supervisor", True), ("agent", False)])
def test_only_admins_and_supervisors_publish(client, people, who, may_publish):
    article = create(client, people[who])
    status, answer = call(client, "post", f"/agent/kb/articles/{article['id']}/publish",
                          {"lang": "en", "version": article["version"]}, headers=people[who])
    assert status == (200 if may_publish else 403), answer
    for action, body in (("archive", {"lang": "en", "version": 1}), ("restore", {"lang": "en", "revision": 1, "version": 1})):
        status, _ = call(client, "post", f"/agent/kb/articles/{article['id']}/{action}", body, headers=people[who])
        assert (status == 403) == (not may_publish)
    assert (call(client, "get", "/agent/kb/review", headers=people[who])[0] == 403) == (not may_publish)


def test_an_agent_proposes_drafts_but_changes_nothing_else(client, people):
    mine = create(client, people["agent"], title="Agent's proposal")
    status, edited = call(client, "put", f"/agent/kb/articles/{mine['id']}/texts/en",
                          {"title": "Agent's proposal, better", "slug": mine["versions"]["en"]["draft"]["slug"],
                           "body": "More text", "version": mine["version"]}, headers=people["agent"])
    assert status == 200, edited
    drafts = call(client, "get", "/agent/kb/review", headers=people["admin"])[1]["drafts"]
    assert {"id": mine["id"], "lang": "en", "title": "Agent's proposal, better"}.items() <= next(
        d for d in drafts if d["id"] == mine["id"]).items()

    theirs = publish(client, people["admin"], create(client, people["admin"]))
    status, answer = call(client, "put", f"/agent/kb/articles/{theirs['id']}/texts/en",
                          {"title": "Changed by an agent", "slug": theirs["versions"]["en"]["draft"]["slug"],
                           "body": "x", "version": theirs["version"]}, headers=people["agent"])
    assert status == 403, answer
    status, _ = call(client, "put", f"/agent/kb/articles/{theirs['id']}/settings",
                     {"visibility": "internal", "version": theirs["version"]}, headers=people["agent"])
    assert status == 403
    assert call(client, "put", "/agent/kb/categories", {"categories": []}, headers=people["agent"])[0] == 403
    # published and reviewed: no longer waiting
    drafts = call(client, "get", "/agent/kb/review", headers=people["admin"])[1]["drafts"]
    assert theirs["id"] not in [d["id"] for d in drafts]


def test_editing_a_published_article_changes_nothing_for_readers_until_published_and_history_restores(client, people):
    article = publish(client, people["admin"], create(client, people["admin"], title="Version one", body="First text"))
    address = article["versions"]["en"]["published"]["slug"]
    status, edited = call(client, "put", f"/agent/kb/articles/{article['id']}/texts/en",
                          {"title": "Version two", "slug": address, "body": "Second text",
                           "version": article["version"]}, headers=people["supervisor"])
    assert status == 200, edited
    assert call(client, "get", f"/kb/articles/en/{address}")[1]["title"] == "Version one"
    # a published address never changes (shared links keep working)
    status, answer = call(client, "put", f"/agent/kb/articles/{article['id']}/texts/en",
                          {"title": "x", "slug": "another-address", "body": "x", "version": edited["version"]},
                          headers=people["admin"])
    assert (status, answer["fields"]) == (400, {"slug": "fixed"})
    # a stale version is refused and changes nothing
    status, answer = call(client, "post", f"/agent/kb/articles/{article['id']}/publish",
                          {"lang": "en", "version": article["version"]}, headers=people["admin"])
    assert status == 409
    republished = publish(client, people["admin"], edited)
    assert call(client, "get", f"/kb/articles/en/{address}")[1]["title"] == "Version two"

    history = call(client, "get", f"/agent/kb/articles/{article['id']}/history", headers=people["admin"])[1]["history"]
    assert [(h["action"], h["revision"]) for h in history] == [
        ("created", 1), ("published", 1), ("edited", 2), ("published", 2)]
    status, restored = call(client, "post", f"/agent/kb/articles/{article['id']}/restore",
                            {"lang": "en", "revision": 1, "version": republished["version"]}, headers=people["admin"])
    assert status == 200, restored
    assert restored["versions"]["en"]["draft"]["title"] == "Version one"
    assert restored["versions"]["en"]["draft"]["revision"] == 3
    assert restored["versions"]["en"]["published"]["title"] == "Version two"  # readers: until published again
    publish(client, people["admin"], restored)
    assert call(client, "get", f"/kb/articles/en/{address}")[1]["title"] == "Version one"


def test_archiving_withdraws_the_page(client, people, aws_stack):
    article = publish(client, people["admin"], create(client, people["admin"]))
    address = article["versions"]["en"]["published"]["slug"]
    status, archived = call(client, "post", f"/agent/kb/articles/{article['id']}/archive",
                            {"lang": "en", "version": article["version"]}, headers=people["admin"])
    assert status == 200 and archived["versions"]["en"]["state"] == "archived"
    assert call(client, "get", f"/kb/articles/en/{address}")[0] == 404
    deliver(client, article["id"])
    with pytest.raises(Exception):
        web_object(aws_stack, f"customer/kb/en/{address}.html")
    assert f"/customer/kb/en/{address}.html" not in web_object(aws_stack, "customer/kb/sitemap.xml")


def test_a_slug_belongs_to_one_article_per_language(client, people):
    address = slug("taken")
    create(client, people["admin"], address=address)
    status, answer = call(client, "post", "/agent/kb/articles", {
        "category": "refunds", "lang": "en", "title": "Other", "slug": address, "body": "x"}, headers=people["admin"])
    assert (status, answer["fields"]) == (400, {"slug": "taken"})
    create(client, people["admin"], lang="fa", title="بازپرداخت", address=address)  # another language: free


def test_bad_input_is_named_field_by_field(client, people):
    status, answer = call(client, "post", "/agent/kb/articles", {
        "category": "nope", "lang": "en", "title": "x", "slug": "no spaces allowed", "body": "x"},
        headers=people["admin"])
    assert (status, answer["fields"]) == (400, {"slug": "invalid"})
    status, answer = call(client, "post", "/agent/kb/articles", {
        "category": "nope", "lang": "en", "title": "x", "slug": "fine", "body": "x"}, headers=people["admin"])
    assert (status, answer["fields"]) == (400, {"category": "not_found"})
    status, answer = call(client, "put", "/agent/kb/categories", {"categories": [
        {"id": "a", "names": {"en": "A"}}, {"id": "b", "names": {"en": "B"}, "parent": "a"},
        {"id": "c", "names": {"en": "C"}, "parent": "b"}]}, headers=people["admin"])
    assert (status, answer["fields"]) == (400, {"categories.2.parent": "too_deep"})
    assert call(client, "get", "/kb/articles?lang=de")[0] == 400
    assert call(client, "get", "/kb/search?q=x")[0] == 400


def test_search_finds_persian_and_hebrew_in_spelling_variants_and_relates_articles(client, people):
    mark = uuid.uuid4().hex[:5]
    # written with Persian yeh and keheh; searched with Arabic yeh and kaf
    fa = publish(client, people["admin"], create(client, people["admin"], lang="fa", title=f"بازگرداندن کالای خریداری‌شده {mark}",
                                                  body="برای بازگرداندن کالا تا هفت روز فرصت دارید", tags=["بازگشت"]), "fa")
    results = call(client, "get", "/kb/search?q=" + "كالاي" + "&lang=fa")[1]["results"]
    assert fa["versions"]["fa"]["published"]["slug"] in [r["slug"] for r in results]
    he = publish(client, people["admin"], create(client, people["admin"], lang="he", title=f"החזרת מוצר {mark}",
                                                  body="אפשר להחזיר מוצר תוך ארבעה עשר יום"), "he")
    results = call(client, "get", "/kb/search?q=" + "ארבעה" + "&lang=he")[1]["results"]
    assert he["versions"]["he"]["published"]["slug"] in [r["slug"] for r in results]
    # typing: a misspelt word still finds it
    results = call(client, "get", "/kb/search?q=" + "החזרט" + "&lang=he&suggest=1")[1]["results"]
    assert he["versions"]["he"]["published"]["slug"] in [r["slug"] for r in results]
    assert len(results) <= 5
    # another language's article is not an answer
    assert fa["versions"]["fa"]["published"]["slug"] not in [
        r["slug"] for r in call(client, "get", "/kb/search?q=" + "کالا" + "&lang=he")[1]["results"]]
    other = publish(client, people["admin"], create(client, people["admin"], lang="fa", title=f"هزینه بازگرداندن کالا {mark}",
                                                     body="ارسال رایگان است"), "fa")
    page = call(client, "get", f"/kb/articles/fa/{other['versions']['fa']['published']['slug']}")[1]
    assert fa["versions"]["fa"]["published"]["slug"] in [r["slug"] for r in page["related"]]


def test_helpful_votes_count_once_per_visitor_and_day(client, people):
    article = publish(client, people["admin"], create(client, people["admin"]))
    address = article["versions"]["en"]["published"]["slug"]
    assert call(client, "post", f"/kb/articles/en/{address}/votes", {"helpful": True}) == (200, {"counted": True})
    assert call(client, "post", f"/kb/articles/en/{address}/votes", {"helpful": False}) == (200, {"counted": False})
    assert call(client, "post", f"/kb/articles/en/{address}/votes", {"helpful": True},
                headers={"User-Agent": "another browser"}) == (200, {"counted": True})
    call(client, "get", f"/kb/articles/en/{address}")
    stats = call(client, "get", f"/agent/kb/articles/{article['id']}/stats", headers=people["admin"])[1]["stats"]
    assert {"lang": "en", "revision": 1, "views": 1, "helpful": 2, "not_helpful": 0}.items() <= stats[0].items()
    # drafts and unknown addresses take no votes
    draft = create(client, people["admin"])
    assert call(client, "post", f"/kb/articles/en/{draft['versions']['en']['draft']['slug']}/votes",
                {"helpful": True})[0] == 404


def test_deflections_are_recorded_for_published_public_articles_only(client, people):
    article = publish(client, people["admin"], create(client, people["admin"]))
    address = article["versions"]["en"]["published"]["slug"]
    assert call(client, "post", "/kb/deflections",
                {"outcome": "deflected", "articles": [{"lang": "en", "slug": address}]})[0] == 202
    assert call(client, "post", "/kb/deflections",
                {"outcome": "filed", "articles": [{"lang": "en", "slug": address}]})[0] == 202
    status, answer = call(client, "post", "/kb/deflections",
                          {"outcome": "deflected", "articles": [{"lang": "en", "slug": "no-such-article"}]})
    assert (status, answer["fields"]) == (400, {"articles.0": "not_found"})
    stats = call(client, "get", f"/agent/kb/articles/{article['id']}/stats", headers=people["admin"])[1]["stats"]
    assert {"revision": "deflection", "deflected": 1, "filed": 1}.items() <= next(
        s for s in stats if s["revision"] == "deflection").items()


def test_an_agent_links_the_customers_language_or_another_with_a_note(client, people):
    article = publish(client, people["admin"], create(client, people["admin"], lang="en"))
    status, link = call(client, "get", f"/agent/kb/articles/{article['id']}/link?lang=he", headers=people["agent"])
    assert status == 200 and link["lang"] == "en" and link["fallback"] is True
    status, link = call(client, "get", f"/agent/kb/articles/{article['id']}/link?lang=en", headers=people["agent"])
    assert link["fallback"] is False and link["url"].endswith(f"/customer/kb/en/{article['versions']['en']['published']['slug']}.html")


def test_a_reply_becomes_a_draft_with_the_customers_details_flagged(client, people):
    ticket = open_ticket(client, customer={"name": "Maryam Karimi", "email": "maryam.kb@example.com"})
    text = "Dear Maryam, your order #123456 was refunded to maryam.kb@example.com; call +98 912 345 6789."
    status, made = call(client, "post", "/agent/kb/drafts-from-reply", {
        "ticket": ticket["number"], "text": text, "title": "Refunds of orders", "category": "refunds", "lang": "en"},
        headers=people["agent"])
    assert status == 201, made
    assert made["article"]["visibility"] == "internal" and made["article"]["versions"]["en"]["state"] == "draft"
    assert {f["kind"] for f in made["flagged"]} == {"name", "order", "email", "phone"}
    assert all(text[f["start"]:f["end"]] == f["text"] for f in made["flagged"])


def test_a_persian_address_is_read_percent_encoded_as_browsers_send_it(client, people):
    from urllib.parse import quote

    article = publish(client, people["admin"], create(client, people["admin"], lang="fa", title="راهنما",
                                                      address=f"راهنمای-{uuid.uuid4().hex[:6]}"), "fa")
    address = quote(article["versions"]["fa"]["published"]["slug"], safe="")
    assert call(client, "get", f"/kb/articles/fa/{address}")[1]["title"] == "راهنما"
    assert call(client, "post", f"/kb/articles/fa/{address}/votes", {"helpful": True})[1] == {"counted": True}


def test_the_rebuilt_article_index_answers_as_the_live_one(client, people, tmp_path):
    """The index kept by publications and one rebuilt from the table's lists return the same results."""
    from chalicelib import bootstrap
    from chalicelib.adapters.kb_search import KbShards, S3ArticleSearch
    from chalicelib.services import kb

    word = f"rebuildword{uuid.uuid4().hex[:6]}"
    for n in range(3):
        publish(client, people["admin"], create(client, people["admin"], title=f"{word} {n}", body=f"{word} body {n}"))
    internal = publish(client, people["admin"], create(client, people["admin"], visibility="internal", title=word))
    call(client, "post", f"/agent/kb/articles/{internal['id']}/archive", {"lang": "en", "version": internal["version"]},
         headers=people["admin"])
    deliver(client, internal["id"])
    live = bootstrap.article_search()
    rebuilt = S3ArticleSearch(KbShards(tmp_path))
    assert kb.rebuild_index(bootstrap.knowledge_base(), rebuilt) >= 3
    for internal_view in (False, True):
        expected = [(h.article_id, h.title, h.snippet) for h in live.search(word, "en", internal=internal_view, limit=20)]
        assert len(expected) == 3
        assert sorted(expected) == sorted((h.article_id, h.title, h.snippet)
                                          for h in rebuilt.search(word, "en", internal=internal_view, limit=20))


def test_an_editor_publishes_an_image_through_the_attachment_upload_path(client, people, aws_stack):
    image = upload(client, PNG, "image/png", "نمودار.png")
    status, published = call(client, "post", "/agent/kb/files", {"upload_id": image}, headers=people["supervisor"])
    assert status == 201, published
    assert published["url"].startswith("/customer/kb/files/") and published["url"].endswith(".png")
    assert published["markdown"] == f"![نمودار.png]({published['url']})"
    s3 = boto3.client("s3", endpoint_url=aws_stack["endpoint"])
    stored = s3.get_object(Bucket=aws_stack["WEB_BUCKET"], Key=published["url"].lstrip("/"))
    assert stored["Body"].read() == PNG and stored["ContentType"] == "image/png"
    assert f'<img src="{published["url"]}"' in call(client, "post", "/agent/kb/preview",
                                                    {"body": published["markdown"]}, headers=people["agent"])[1]["html"]
    # bytes that are not what they claim (an SVG or HTML page called a PNG) never reach the site
    fake = upload(client, b"<svg onload=alert(1)></svg>", "image/png", "x.png")
    status, answer = call(client, "post", "/agent/kb/files", {"upload_id": fake}, headers=people["admin"])
    assert (status, answer["fields"]) == (400, {"upload_id": "type_mismatch"})
    assert call(client, "post", "/agent/kb/files", {"upload_id": image}, headers=people["agent"])[0] == 403
