"""The customer's words in a reply, whatever client wrote it: a table of realistic replies
(tests/fixtures/mail/replies/*.txt) from Gmail, Outlook desktop and web, Apple Mail (macOS, iOS), Thunderbird,
Android mail apps and Yahoo, in en, fa, he, ar, ru, de, fr and es, top-posted, bottom-posted and answered
between quoted lines. Every line the customer wrote must be kept; the quote and a phone signature go, except
the quoted questions that inline answers need as their context.

Each fixture: `key: value` lines (client, language, html: yes, own:, context:, gone:), a `---` line, the body.
"""
from pathlib import Path

import pytest

from chalicelib.domain import mail_body

REPLIES = Path(__file__).resolve().parents[1] / "fixtures" / "mail" / "replies"


def load(path: Path) -> tuple[dict[str, list[str]], str]:
    head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
    meta: dict[str, list[str]] = {}
    for line in head.splitlines():
        key, _, value = line.partition(": ")
        meta.setdefault(key, []).append(value)
    return meta, body


CASES = sorted(REPLIES.glob("*.txt"))


def visible(path: Path) -> str:
    meta, body = load(path)
    text = mail_body.html_to_text(body) if meta.get("html") == ["yes"] else body
    return mail_body.strip_quoted(text)


def test_the_table_covers_the_common_clients_and_languages():
    metas = [load(path)[0] for path in CASES]
    languages = {m["language"][0] for m in metas}
    clients = " ".join(m["client"][0] for m in metas)
    assert {"en", "fa", "he", "ar", "ru", "de", "fr", "es"} <= languages
    for client in ("Gmail", "Outlook desktop", "Outlook on the web", "Apple Mail", "Thunderbird", "Android",
                   "Yahoo"):
        assert client in clients
    assert all(m.get("own") for m in metas)  # every case says what the customer wrote


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_word_of_the_customer_is_kept(path):
    meta, _ = load(path)
    shown = visible(path)
    for line in meta["own"] + meta.get("context", []):
        assert line in shown, f"lost {line!r} from {path.stem}:\n{shown}"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_the_quote_and_the_phone_signature_are_gone(path):
    meta, _ = load(path)
    shown = visible(path)
    for line in meta.get("gone", []):
        assert line not in shown, f"kept {line!r} in {path.stem}:\n{shown}"
