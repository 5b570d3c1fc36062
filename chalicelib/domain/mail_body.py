"""The body of an inbound mail: its text in the right charset, its files, and the part its author wrote.

Charsets: the part's declared charset when it decodes; for HTML without one, the `<meta>` charset; for a part
that declares none (or "unknown-8bit") and is not UTF-8, the charset other parts or headers of the same mail
declared, else detection among the codepages mail in our languages uses (charset-normalizer, loaded only
then), each candidate checked to read as one script (Persian/Arabic, Hebrew, Cyrillic or Latin text).

The visible reply (`strip_quoted`): what the customer wrote, wherever they wrote it (above the quote, under it,
or between quoted lines), without the quote header, the quoted mail and a phone signature. Where unsure the
text is kept: losing the customer's words is worse than keeping a quote.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage
from html.parser import HTMLParser

from chalicelib.domain.attachments import sanitize_filename

# ---------------------------------------------------------------- charsets

# Hebrew mail says "iso-8859-8-i" (logical order) or "-e" (explicit): both are ISO-8859-8 bytes.
CHARSET_ALIASES = {"iso-8859-8-i": "iso-8859-8", "iso-8859-8-e": "iso-8859-8",
                   "iso-8859-6-i": "iso-8859-6", "iso-8859-6-e": "iso-8859-6"}


def _search_alias(name: str):
    alias = CHARSET_ALIASES.get(name.replace("_", "-").lower())
    return codecs.lookup(alias) if alias else None


# Registered once per process: RFC 2047 headers are decoded by the email package through `codecs`.
codecs.register(_search_alias)

# Labels that say "we do not know" rather than name a charset.
_UNKNOWN = {"unknown-8bit", "x-unknown", "unknown", "x-user-defined", "default", "8bit", "binary"}
# What mail in Persian, Arabic, Hebrew, Russian and Western languages is written in, most likely first.
DETECTED = tuple(codecs.lookup(name).name for name in (
    "cp1256", "iso8859_6", "cp1255", "iso8859_8", "cp1251", "koi8_r", "iso8859_5", "cp866",
    "cp1252", "iso8859_15", "cp1250", "iso8859_2"))
_SAMPLE_BYTES = 65536
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = CHARSET_ALIASES.get(name.strip().lower(), name.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decodes(data: bytes, charset: str) -> str | None:
    try:
        return data.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return None


def declared_charsets(message: EmailMessage) -> list[str]:
    """Charsets the mail names anywhere (parts, RFC 2047 headers): hints for a part that names none."""
    found: list[str] = []
    for part in message.walk():
        if (name := _codec(part.get_content_charset())) and name not in found:
            found.append(name)
    for _, value in message.raw_items():
        for name in re.findall(r"=\?([^?*]+)(?:\*[^?]*)?\?[bBqQ]\?", str(value)):
            if (codec := _codec(name)) and codec not in found:
                found.append(codec)
    return [name for name in found if name not in ("ascii", "utf-8")]


def decode_text(part: EmailMessage, hints: tuple[str, ...] | list[str] = ()) -> str:
    """The text of a text part. Its declared charset (aliases mapped) when the bytes decode in it; for HTML
    without one, its `<meta>` charset; otherwise ASCII or UTF-8 if they fit, else `detect_charset`."""
    payload = part.get_payload(decode=True) or b""
    declared = (part.get_content_charset() or "").lower()
    if declared and declared not in _UNKNOWN and (codec := _codec(declared)):
        if (text := _decodes(payload, codec)) is not None:
            return text
    if part.get_content_type() == "text/html" and (meta := _META.search(payload[:4096])):
        if (codec := _codec(meta.group(1).decode("ascii", "replace"))) and \
                (text := _decodes(payload, codec)) is not None:
            return text
    for codec in ("ascii", "utf-8"):
        if (text := _decodes(payload, codec)) is not None:
            return text
    return detect_text(payload, hints)


def detect_text(data: bytes, hints: tuple[str, ...] | list[str] = ()) -> str:
    """Bytes of unknown charset as text: a charset the mail named elsewhere if it reads as one script;
    otherwise the one codepage of `DETECTED` that does, or charset-normalizer's choice among several."""
    # Judged on the letters (tags are ASCII) of the first 64 KB: enough to tell, and bounded work.
    sample = re.sub(rb"<[^>]*>", b" ", data[:_SAMPLE_BYTES])
    readings: dict[str, str] = {}
    for codec in [*hints, *DETECTED]:
        if codec in readings or (text := _decodes(sample, codec)) is None or not _plausible(text):
            continue
        if codec in hints:
            return data.decode(codec, errors="replace")
        readings[codec] = text
    if len(set(readings.values())) > 1:
        from charset_normalizer import from_bytes  # ~0.1-0.2 s to import: only for mail that needs it

        best = from_bytes(sample, cp_isolation=list(readings)).best()
        if best is not None and _codec(best.encoding) in readings:
            return data.decode(_codec(best.encoding), errors="replace")
    if readings:
        return data.decode(next(iter(readings)), errors="replace")
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=list(DETECTED)).best()
    codec = _codec(best.encoding) if best is not None else None
    return data.decode(codec or "utf-8", errors="replace")


def _script(ch: str) -> str:
    code = ord(ch)
    if 0x0600 <= code <= 0x06FF or 0xFB50 <= code <= 0xFEFF or 0x0750 <= code <= 0x077F:
        return "arabic"
    if 0x0590 <= code <= 0x05FF:
        return "hebrew"
    if 0x0400 <= code <= 0x04FF:
        return "cyrillic"
    if ch.isascii():
        return "ascii"
    if code < 0x0250:
        return "latin"
    return "other"


def _plausible(text: str) -> bool:
    """Whether a decoding reads like text in one of the scripts we expect (not a wrong codepage's soup of
    accented Latin letters, Hebrew points, misplaced capitals or control characters)."""
    letters = [ch for ch in text if ch.isalpha()]
    if any(unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\r\n\t\f" for ch in text):
        return False
    marks = sum(1 for ch in text if unicodedata.category(ch) == "Mn")
    if not letters or marks > len(letters) / 3:
        return False
    scripts: dict[str, int] = {}
    for ch in letters:
        scripts[_script(ch)] = scripts.get(_script(ch), 0) + 1
    non_ascii = {k: v for k, v in scripts.items() if k != "ascii"}
    if not non_ascii:
        return True
    script, count = max(non_ascii.items(), key=lambda item: item[1])
    if script == "other" or count < 0.9 * sum(non_ascii.values()):
        return False
    if script == "latin":  # Western text is mostly ASCII letters with a few accented ones
        return count <= 0.3 * len(letters)
    if script == "cyrillic":
        # A wrong Cyrillic codepage swaps capitals and small letters; Hebrew bytes read as windows-1251 give
        # small letters too, but with "ъ" (for the common tav) far more often than Russian ever has it.
        words = re.findall(r"[\u0400-\u04FF]+", text)
        hard_signs = sum(1 for ch in letters if ch in "ъЪ")
        return (sum(1 for w in words if any(c.isupper() for c in w[1:])) <= 0.2 * len(words)
                and hard_signs <= 0.02 * count)
    return True


# ---------------------------------------------------------------- parts

@dataclass(frozen=True)
class MailPart:
    filename: str
    content_type: str
    data: bytes
    inline: bool  # an image shown in the body (Content-ID / inline disposition)


def body(message: EmailMessage) -> tuple[str, list[MailPart]]:
    """The mail's text (plain parts, else its HTML as text; quotes included, as "> " lines) and its files."""
    plain, html, parts = [], [], []
    hints = declared_charsets(message)
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        content_type = part.get_content_type()
        if filename or disposition == "attachment" or not content_type.startswith("text/"):
            inline = disposition == "inline" or bool(part.get("Content-ID"))
            parts.append(MailPart(filename=sanitize_filename(filename or _inline_name(part)),
                                  content_type=content_type, data=part.get_payload(decode=True) or b"",
                                  inline=inline))
        elif content_type == "text/plain":
            plain.append(decode_text(part, hints))
        elif content_type == "text/html":
            html.append(html_to_text(decode_text(part, hints)))
    text = "\n".join(plain) if plain else "\n".join(html)
    return text.replace("\r\n", "\n").strip(), parts


def _inline_name(part: EmailMessage) -> str:
    subtype = part.get_content_subtype()
    return f"inline.{subtype}" if part.get_content_maintype() == "image" else "part.bin"


# ---------------------------------------------------------------- HTML

class _TextOfHtml(HTMLParser):
    """Text of an HTML body; styles and scripts left out, quoted mail (blockquote, Yahoo's and Outlook's quote
    blocks) written as "> " lines so that the reply is told from the quote the same way as in plain text."""

    _SKIPPED = {"style", "script", "head", "title"}
    _BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "table", "blockquote", "hr"}
    _VOID = {"br", "img", "meta", "hr", "input", "link", "wbr", "col", "area", "base", "source"}
    _QUOTE_CLASSES = ("yahoo_quoted",)

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping: list[str] = []
        self.open: list[bool] = []  # per open element: whether it quotes

    def _depth(self) -> int:
        return sum(self.open)

    def handle_starttag(self, tag, attrs):
        if self.skipping or tag in self._SKIPPED:
            if tag not in self._VOID:
                self.skipping.append(tag)
            return
        classes = dict(attrs).get("class") or ""
        quoting = tag == "blockquote" or any(c in classes for c in self._QUOTE_CLASSES)
        if tag in self._BREAKS or quoting:
            self.chunks.append(("\n", self._depth()))
        if tag not in self._VOID:
            self.open.append(quoting)

    def handle_endtag(self, tag):
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in self._VOID:
            return
        if self.open:
            self.open.pop()
        if tag in self._BREAKS:
            self.chunks.append(("\n", self._depth()))

    def handle_data(self, data):
        if not self.skipping:
            self.chunks.append((data, self._depth()))

    def text(self) -> str:
        lines: list[tuple[str, int]] = [("", 0)]
        for data, depth in self.chunks:
            pieces = data.split("\n")
            for index, piece in enumerate(pieces):
                if index:
                    lines.append(("", depth))
                text, line_depth = lines[-1]
                lines[-1] = (text + piece, max(line_depth, depth) if piece.strip() else line_depth)
        out = []
        for text, depth in lines:
            words = " ".join(text.split())
            out.append(("> " * depth + words).rstrip() if words else "")
        return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return parser.text()


# ---------------------------------------------------------------- the visible reply

_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_EMAIL = r"<?[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>?"
# The line a mail client writes above the quoted mail ("attribution"), by client language. It counts only when
# quoted lines (or nothing) follow it: a customer's own "On Monday the technician wrote:" stays.
_ATTRIBUTIONS = [
    re.compile(p, re.I | re.S) for p in (
        r"^on\b.{0,300}\bwrote\s*:$",                          # en: Gmail, Apple Mail, Thunderbird, Yahoo
        r"^am\b.{0,300}\bschrieb\b.{0,300}:$",                 # de
        r"^le\b.{0,300}\ba écrit\s*:$",                        # fr
        r"^el\b.{0,300}\bescribió\s*:$",                       # es
        r"^il\b.{0,300}\bha scritto\s*:$",                     # it
        r"^(em|no dia)\b.{0,300}\bescreveu\s*:$",              # pt
        r"^op\b.{0,300}\bschreef\b.{0,300}:$",                 # nl
        r"^.{0,300}\b(написал|написала|написал\(а\)|пишет)\s*:$",   # ru: Apple Mail, Thunderbird
        r"^.{0,300}(كتب|كتبت)\s*:$",                           # ar: "في ... كتب:"
        r"^.{0,300}نوشت\s*:$",                                  # fa: "در تاریخ ... نوشت:"
        r"^.{0,300}כתב(?:ה)?\s*:$",                            # he: "... כתב:"
        r"^בתאריך\b.{0,300}\bמאת\b.{0,300}:$",                 # he Gmail: "בתאריך ... מאת ...:"
        r"^.{0,300}\byazdı\s*:$",                              # tr
        r"^(w dniu|dnia)\b.{0,300}\bnapisał(a|\(a\))?\s*:$",   # pl
        # Any language: a line ending in ":" that names an address (Gmail in every language, e.g. ru:
        # "пн, 23 нояб. 2026 г. в 10:15, Helpdesk <helpdesk@example.com>:").
        rf"^.{{0,300}}{_EMAIL}.{{0,300}}:$",
    )
]
# Lines that start a quoted mail without quote marks: everything from them on is the old mail.
_SEPARATORS = re.compile(
    r"^[-_=\s]{2,}\s*(original message|original-nachricht|ursprüngliche nachricht|message d'origine|"
    r"mensaje original|messaggio originale|mensagem original|oorspronkelijk bericht|исходное сообщение|"
    r"الرسالة الأصلية|رسالة أصلية|پیام اصلی|הודעה מקורית|wiadomość oryginalna|orijinal ileti)\s*[-_=\s]{2,}$",
    re.I)
_UNDERSCORES = re.compile(r"^_{10,}$")  # Outlook on the web, above its "From:" block
# Outlook's quoted header block: "From:" then, within a few lines, "Sent:"/"Date:"..., in the clients' languages.
_FROM_LINE = re.compile(r"^\*?(from|von|de|da|van|od|från|fra|от|من|מאת|از)\s*\*?\s*:", re.I)
_SENT_LINE = re.compile(
    r"^\*?(sent|date|gesendet|datum|envoyé|enviado|fecha|inviato|data|verzonden|wysłano|skickat|sendt|"
    r"отправлено|дата|تم الإرسال|التاريخ|ارسال شده|تاریخ|נשלח|תאריך)\s*\*?\s*:", re.I)
# A phone or app signature: the last line of the customer's text, short, naming a device or mail app.
_APP_SIGNATURE = re.compile(
    r"^(sent from|sent with|sent via|get outlook for|envoyé de|envoyé depuis|von meinem|gesendet von|"
    r"enviado desde|enviado do|enviado de|inviato da|verzonden met|verzonden vanaf|wysłane z|отправлено с|"
    r"отправлено из|ارسال شده از|ارسال‌شده از|أرسلت من|أُرسلت من|تم الإرسال من|נשלח מ)", re.I)
_DEVICE = re.compile(
    r"(iphone|ipad|ipod|android|galaxy|samsung|huawei|xiaomi|pixel|blackberry|outlook|yahoo|gmail|aol|"
    r"proton|\bmail\b|mobile|phone|handy|móvil|movil|celular|portable|smartfon|telefoon|cellulare|"
    r"телефон|смартфон|گوشی|موبایل|همراه|جوال|هاتف|נייד|טלפון|ios|windows)", re.I)
_SIGNATURE_MAX_LINES = 8
_ATTRIBUTION_MAX = 700  # characters of a (joined) quote header line: longer is the author's own text  # "-- " starts a signature only if a signature's worth of lines follows


def _bare(line: str) -> str:
    return _BIDI.sub("", line).strip()


def _is_quote(line: str) -> bool:
    return _bare(line).startswith(">")


def strip_quoted(text: str) -> str:
    """The part of a reply its author wrote: their lines above, below or between the quoted lines, without
    the quote header, the quote (kept only as the context of answers written between quoted lines), an
    unmarked quoted mail (Outlook) or a phone signature. If nothing would remain, the whole text is kept."""
    lines = text.replace("\r\n", "\n").split("\n")
    lines = lines[:_unmarked_quote_start(lines)]
    drop = _attribution_lines(lines)
    own = [i for i, line in enumerate(lines) if i not in drop and _bare(line) and not _is_quote(line)]
    drop |= _signature_lines(lines, own)
    own = [i for i in own if i not in drop]
    if not own:
        return text.strip()
    kept_quotes = _answered_quotes(lines, own, drop)
    kept = [line.rstrip() for i, line in enumerate(lines)
            if i not in drop and (not _is_quote(line) or i in kept_quotes)]
    visible = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return visible or text.strip()


def _unmarked_quote_start(lines: list[str]) -> int:
    """Where a quoted mail without quote marks begins (Outlook's header block or an "Original Message"
    line), or the end: such a quote has nothing to tell it from the author's words, so all after it goes."""
    for index, line in enumerate(lines):
        bare = _bare(line)
        if _is_quote(line):
            continue
        if _SEPARATORS.match(bare):
            return index
        following = [_bare(part) for part in lines[index + 1:index + 6]]
        if _UNDERSCORES.match(bare) and any(_FROM_LINE.match(part) for part in following[:2]):
            return index
        if _FROM_LINE.match(bare) and any(_SENT_LINE.match(part) for part in following[:4]):
            return index
    return len(lines)


def _attribution_lines(lines: list[str]) -> set[int]:
    """The lines of each "On ... wrote:" header (clients wrap it over up to three lines) that quoted lines
    or nothing follow."""
    found: set[int] = set()
    next_text = [len(lines)] * (len(lines) + 1)  # the first non-blank line at or after each index
    for index in range(len(lines) - 1, -1, -1):
        next_text[index] = index if _bare(lines[index]) else next_text[index + 1]
    for index in range(len(lines)):
        if index in found or _is_quote(lines[index]) or not _bare(lines[index]):
            continue
        after_blank = index == 0 or not _bare(lines[index - 1])
        for width in (1, 2, 3) if after_blank else (1,):
            window = [_bare(part) for part in lines[index:index + width]]
            if len(window) < width or not all(window) or any(_is_quote(p) for p in lines[index:index + width]):
                break
            following = next_text[index + width]
            joined = " ".join(window)
            if (following == len(lines) or _is_quote(lines[following])) and joined.endswith(":") and \
                    len(joined) <= _ATTRIBUTION_MAX and any(p.match(joined) for p in _ATTRIBUTIONS):
                found.update(range(index, index + width))
                break
    return found


def _signature_lines(lines: list[str], own: list[int]) -> set[int]:
    """A phone or app signature as the author's last line, or a "-- " signature block of a few lines."""
    dropped: set[int] = set()
    if own:
        last = _bare(lines[own[-1]])
        if (_APP_SIGNATURE.match(last) and _DEVICE.search(last) and len(last) <= 80
                and not re.search(r"[.!?؟;,،]$", last)):
            dropped.add(own[-1])
    for index in own:
        if lines[index].rstrip() == "--":  # the signature delimiter "-- ": up to the next quote or the end
            block = []
            for following in range(index + 1, len(lines)):
                if _is_quote(lines[following]) or len(block) > _SIGNATURE_MAX_LINES:
                    break
                if _bare(lines[following]) and following not in dropped:
                    block.append(following)
            if len(block) <= _SIGNATURE_MAX_LINES:
                dropped.add(index)
                dropped.update(block)
            break
    return dropped


def _answered_quotes(lines: list[str], own: list[int], drop: set[int]) -> set[int]:
    """Quoted lines kept as the context of inline answers: when the author answered below two or more
    quoted passages, each answered passage stays (with its "> "); a single quote above or between the
    author's words (bottom-posting) and the quote after the last answer go."""
    blocks: list[list[int]] = []
    text_since_quote = False  # an author's line between two quoted lines: they are two passages
    for index, line in enumerate(lines):
        if index in drop:
            continue
        if _is_quote(line):
            if blocks and not text_since_quote:
                blocks[-1].append(index)
            else:
                blocks.append([index])
            text_since_quote = False
        elif _bare(line):
            text_since_quote = True
    answered = [block for block in blocks if block[-1] < own[-1]]
    if len(answered) < 2:
        return set()
    return {i for block in answered for i in block}
