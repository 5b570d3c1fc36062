"""Article bodies: Markdown rendered with markdown-it-py, then sanitized with nh3 against an allow list.

Whatever an editor types, what comes out holds no script: no <script>/<style>/<iframe>/<svg>/<math>, no event
handler attributes (on*), no style attribute, and links and images only to http(s), mailto (links) and
site-relative addresses (no javascript:, data:, vbscript:). Raw HTML in the Markdown is not rendered at all
(markdown-it's `html` option is off: it shows as text) and nh3 is the second wall behind it.
"""
from __future__ import annotations

import re
from functools import lru_cache

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "s", "del", "ins", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub",
    "kbd", "span", "bdi",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"},
                      "th": {"align"}, "td": {"align"}, "code": {"class"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Dropped with everything inside them (the others are unwrapped, keeping their text).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "svg", "math", "template",
                                  "noscript", "textarea", "select", "form"})


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    # commonmark + tables + strikethrough; html off: <script> typed in a body is shown as text, never parsed.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"])


def sanitize(html: str) -> str:
    import nh3

    return nh3.clean(html, tags=set(ALLOWED_TAGS), clean_content_tags=set(DROPPED_WITH_CONTENT),
                     attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer nofollow", strip_comments=True)


def render(markdown: str) -> str:
    """The body as safe HTML (a fragment)."""
    return sanitize(_markdown().render(markdown))


_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def plain_text(markdown: str) -> str:
    """The body's words without markup (what search indexes and snippets show)."""
    import html as html_lib

    return _SPACES.sub(" ", html_lib.unescape(_TAGS.sub(" ", render(markdown)))).strip()
