"""One normalization for Persian, Arabic, Hebrew and Latin text, used wherever text is matched (routing
keywords now, search later): the same function at index and at query time. Display always keeps
the text as the user wrote it.

Choices (docs/architecture.md): Arabic and Persian letter variants fold to the Persian letter
(ی, ک, ه, ا); ZWNJ inside a word is removed, so "می‌خواهم" and "میخواهم" match; Hebrew final
letters fold to their base letter; digits of every script become ASCII.
"""
from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans({
    "\u064a": "\u06cc", "\u0649": "\u06cc", "\u06d2": "\u06cc",  # ي ى ے -> ی
    "\u0643": "\u06a9",  # ك -> ک
    "\u06c0": "\u0647", "\u06d5": "\u0647", "\u06c1": "\u0647", "\u06be": "\u0647", "\u06c3": "\u0647",
    "\u0629": "\u0647",  # ۀ ە ہ ھ ۃ ة -> ه
    "\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627", "\u0671": "\u0627",  # آ أ إ ٱ -> ا
    "\u05da": "\u05db", "\u05dd": "\u05de", "\u05df": "\u05e0", "\u05e3": "\u05e4", "\u05e5": "\u05e6",  # ךםןףץ
    **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits
    **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
})
_KEEP_HEBREW = {"\u05be", "\u05c0", "\u05c3", "\u05c6"}  # maqaf and punctuation are not points
_DROP = "".join(
    ["\u0640", "\u0654", "\u200c", "\u200d", "\u200e", "\u200f"]
    + [chr(c) for c in range(0x064B, 0x0653)]
    + [chr(c) for c in range(0x0591, 0x05C8) if chr(c) not in _KEEP_HEBREW]
)
_DROP_TABLE = str.maketrans("", "", _DROP)
_WORD = re.compile(r"\w+", re.UNICODE)


def normalize(text: str) -> str:
    """Fold `text` so that spellings users consider the same compare equal."""
    text = unicodedata.normalize("NFC", text)  # before folding: composed آ / أ become single letters
    return text.translate(_DROP_TABLE).translate(_FOLD).casefold()


def tokens(text: str) -> list[str]:
    """Normalized words (Hebrew maqaf and other punctuation split words)."""
    return _WORD.findall(normalize(text))


# ---------------------------------------------------------------- characters no text of ours may hold
# Lone surrogates (no UTF-8 form: the database write fails), C0 and C1 control characters (NUL, ESC, BEL, ...)
# and the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), with which
# "invoice\u202efdp.exe" shows as "invoiceexe.pdf". Typed text with them is refused, field by field (api/http.py,
# clean_subject, clean_text); text that came from mail has them removed (without_unsafe_characters).
# Long text (messages, notes, reasons, comments) may hold tab and line breaks; one-line text may not.
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_SURROGATES = "\ud800-\udfff"
_UNSAFE_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}{_SURROGATES}]")
_UNSAFE_IN_LONG_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_CONTROLS}{_SURROGATES}]")
_LINE_BREAKS = re.compile("\r\n?|[\n\t]")


def has_unsafe_characters(text: str, *, multiline: bool = False) -> bool:
    """True if `text` holds a lone surrogate, a control character or a bidirectional control. `multiline`
    (long text) allows tab, line feed and carriage return."""
    return (_UNSAFE_IN_LONG_TEXT if multiline else _UNSAFE_IN_LINE).search(text) is not None


def without_unsafe_characters(text: str, *, multiline: bool = True) -> str:
    """`text` (from mail: a subject, a sender's name, a body) with those characters removed. Long text keeps
    tabs and line breaks (CRLF and CR become LF); one-line text gets a space for each tab or line break."""
    if multiline:
        return _UNSAFE_IN_LONG_TEXT.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _UNSAFE_IN_LINE.sub("", _LINE_BREAKS.sub(" ", text))
