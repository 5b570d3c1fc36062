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


OWN_LINES = ["The printer still prints blank pages.", "چاپگر هنوز صفحهٔ سفید چاپ می‌کند.", "המדפסת עדיין לא עובדת.",
             "Принтер всё ещё не работает.", "Der Drucker geht nicht.", "الطابعة لا تعمل.", "Thanks,", "Dana"]
QUOTE_BLOCKS = [
    ["On Mon, 23 Nov 2026 at 10:15, Helpdesk <helpdesk@example.com> wrote:", "> Please restart it.", ">"],
    ["> Did that help?"],
    ["‫در تاریخ دوشنبه Helpdesk <helpdesk@example.com> نوشت:‬", "> لطفاً دوباره امتحان کنید."],
    ["> > older quote", "> newer quote"],
]


@pytest.mark.parametrize("seed", range(40))
def test_no_arrangement_of_own_lines_and_quotes_loses_a_word(seed):
    """Own lines and quote blocks in any order (top-, bottom-, inline-posted, header first): all own lines stay."""
    import random
    rng = random.Random(seed)
    pieces: list[list[str]] = [[line] for line in rng.sample(OWN_LINES, rng.randint(1, len(OWN_LINES)))]
    pieces += [list(block) for block in rng.choices(QUOTE_BLOCKS, k=rng.randint(0, 4))]
    rng.shuffle(pieces)
    text = "\n\n".join("\n".join(piece) for piece in pieces)
    shown = mail_body.strip_quoted(text)
    for piece in pieces:
        if not piece[0].startswith(">") and "wrote:" not in piece[0] and "نوشت" not in piece[0]:
            assert piece[0] in shown, f"lost {piece[0]!r}:\n{text}\n=>\n{shown}"


def test_html_quotes_become_quoted_lines_at_their_depth():
    html = ("<div>Top answer</div><blockquote>Q line 1<br>Q line 2<blockquote><p>older</p></blockquote>"
            "</blockquote><div>bottom</div><style>p{margin:0}</style>")
    assert mail_body.html_to_text(html) == "Top answer\n\n> Q line 1\n> Q line 2\n\n> > older\n\nbottom"
    assert mail_body.strip_quoted(mail_body.html_to_text(html)) == "Top answer\n\nbottom"
