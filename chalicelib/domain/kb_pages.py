"""The static help-center pages written to the site's bucket: one HTML document per published public version
(the same sanitized body the API serves), and the sitemap. Pages carry a Content-Security-Policy that allows
no script at all: even a sanitizer miss could not run one."""
from __future__ import annotations

from html import escape
from urllib.parse import quote

from chalicelib.domain.kb import LANGUAGES

RTL = {"fa", "he"}
CSP = ("default-src 'none'; img-src 'self' https:; style-src 'self'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")
LANGUAGE_NAMES = {"fa": "فارسی", "he": "עברית", "en": "English"}


def page_key(lang: str, slug: str) -> str:
    """Where the page lives in the bucket: the object key is the decoded path (S3 decodes the request's URI)."""
    return f"customer/kb/{lang}/{slug}.html"


def page_path(lang: str, slug: str) -> str:
    """Its address under the web origin, percent-encoded (Persian and Hebrew slugs)."""
    return f"/customer/kb/{lang}/{quote(slug, safe='')}.html"


def help_center_path(lang: str, slug: str) -> str:
    """The interactive help center's address of the same article (votes, related articles, search)."""
    return f"/customer/#/kb/{lang}/{quote(slug, safe='')}"


def page_html(*, lang: str, title: str, html: str, category_name: str, alternates: dict[str, dict[str, str]],
              slug: str, origin: str) -> bytes:
    direction = "rtl" if lang in RTL else "ltr"
    links = "".join(
        f'<link rel="alternate" hreflang="{other}" href="{escape(origin + page_path(other, alt["slug"]))}">'
        for other, alt in sorted(alternates.items()))
    others = " · ".join(
        f'<a href="{escape(page_path(other, alt["slug"]))}" lang="{other}">{escape(LANGUAGE_NAMES[other])}: '
        f'{escape(alt["title"])}</a>'
        for other, alt in sorted(alternates.items()) if other != lang and other in LANGUAGES)
    document = f"""<!doctype html>
<html lang="{lang}" dir="{direction}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{escape(title)}</title>
<link rel="stylesheet" href="/shared/base.css">
<link rel="stylesheet" href="/customer/customer.css">
<link rel="canonical" href="{escape(origin + page_path(lang, slug))}">
{links}
</head>
<body>
<main class="kb-article">
<nav class="kb-crumbs"><a href="/customer/#/kb">{escape(category_name)}</a></nav>
<article>
<h1>{escape(title)}</h1>
{html}
</article>
<p class="kb-others">{others}</p>
<p><a href="{escape(help_center_path(lang, slug))}">↗</a></p>
</main>
</body>
</html>
"""
    return document.encode("utf-8")


def sitemap_xml(origin: str, pages: list[tuple[str, str]]) -> bytes:
    """pages: (lang, slug) of every published public version."""
    rows = "".join(f"<url><loc>{escape(origin + page_path(lang, slug))}</loc></url>\n" for lang, slug in pages)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + rows + "</urlset>\n").encode("utf-8")
