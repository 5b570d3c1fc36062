"""Text analysis for search: one analysis at index time and at query time (../shared/GUIDE.md §5, issue 14).

Pure Python (no engine here): an engine indexes `index_terms(text)` (every term, each made only of letters and
digits, so any whitespace or alphanumeric tokenizer keeps them whole; `analyse(text)` gives each with the span of
text it stands for) and phrase-matches on `token_terms(text)`; a query goes through `parse_query`; results show
`snippet(text, query)`. `matches(text, query)` is the reference semantics (and a search of its own for small
collections).

Choices, made once:
- `fold`: casefold, compatibility decomposition (NFKD: presentation forms, ligatures, full-width letters
  and digits), marks removed (Latin accents, Arabic harakat, hamza above, madda, Hebrew points and
  cantillation; maqaf and Hebrew punctuation are not marks and stay), tatweel and invisible characters
  (ZWNJ, ZWJ, LRM/RLM, soft hyphen, BOM) removed, Arabic letters folded to the Persian ones (ي ى ے ئ -> ی,
  ك -> ک, ۀ ة ە ہ ھ -> ه, آ أ إ ٱ -> ا, ؤ -> و, standalone hamza ء dropped), Hebrew final letters to their
  base letters, digits of every script to 0-9; then NFC. It is idempotent.
- A word is a run of letters, marks and digits. ZWNJ and ZWJ join (می‌خواهم is one word, term میخواهم);
  a Hebrew geresh/gershayim (׳ ״ ' ") between two Hebrew letters is part of the word (צה"ל -> צהל).
  A run splits where the script changes (Latin / Arabic / Hebrew) and between letters and digits, so
  "iPhone15", "בiPhone", "iPhoneها" and "A20931" give separate words; the joined form is indexed too.
- Words glued by one connector (- _ . / : @ + & ' maqaf, a comma between digits) form a compound
  (#A-20931, user@example.com, invoice_2024.pdf): the compound is indexed joined (a20931), every
  contiguous run of its parts too (examplecom), and every part alone (20931).
- Variants (index and query alike, `variants`): Hebrew prefix letters ו ה ב כ ל מ ש (one, or one of the
  usual pairs such as וב, שה, מה, the rest keeping at least 3 letters) and plural endings ים / ות; the Arabic
  article ال (with و ب ف ک ل before it); Persian plural suffixes ها / های / هایی (and their possessive forms),
  ان / ات / گان, possessives (حسابم, سفارشتان) and verb prefixes می / نمی; English plural, -ed and -ing; digits
  without leading zeros. A variant may be a word of its own (a false friend): engines rank variants below the
  word as typed (`Word.terms[0]`).
- At index time ZWNJ parts are added too (کتاب‌ها -> کتاب, ها), and a Persian prefix or suffix written apart
  (می خواهم, کتاب ها) or a short model number (iPhone 15) is also indexed joined. At query time two neighbouring
  words also match as one joined word, and a typed ZWNJ compound as its parts, so a compound matches in every
  spelling (joined, with ZWNJ, with a space) except one: a compound of two long words written apart in the
  ticket but typed joined without ZWNJ (indexing every pair of words would double the vocabulary).
- Stop words (a short list per language) are dropped from queries, never from the index (phrases keep them).
- Phone numbers (8-15 digits, any separators, any digit script; a local form starts with the trunk 0 and is
  read in Iran and Israel, + or 00 in any country; valid there, else of a possible length) are indexed as E.164
  digits, the national form with trunk 0 and the national number, so any of them typed finds the others.
"""
from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

from chalicelib.domain.text import has_unsafe_characters
from chalicelib.errors import Invalid

MAX_QUERY_LENGTH = 500
MAX_QUERY_WORDS = 32
PHONE_REGIONS = ("IR", "IL")  # a phone number written without +country is read in these countries
_MAX_JOIN = 64  # longer joined compounds (URLs) are not indexed joined

# --------------------------------------------------------------------------------------------------- fold

_LETTERS = {
    "\u064a": "\u06cc", "\u0649": "\u06cc", "\u06d2": "\u06cc", "\u0626": "\u06cc",  # ي ى ے ئ -> ی
    "\u0643": "\u06a9", "\u06aa": "\u06a9",  # ك ڪ -> ک
    "\u06c0": "\u0647", "\u06d5": "\u0647", "\u06c1": "\u0647", "\u06be": "\u0647", "\u06c3": "\u0647",
    "\u0629": "\u0647", "\u06c2": "\u0647",  # ۀ ە ہ ھ ۃ ة ۂ -> ه
    "\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627", "\u0671": "\u0627",  # آ أ إ ٱ -> ا
    "\u0624": "\u0648",  # ؤ -> و
    "\u05da": "\u05db", "\u05dd": "\u05de", "\u05df": "\u05e0", "\u05e3": "\u05e4", "\u05e5": "\u05e6",  # ךםןףץ
}
_INVISIBLE = "\u0640\u0621\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u202a\u202b\u202c\u202d\u202e" \
             "\u2066\u2067\u2068\u2069"
# Marks removed: those of the scripts whose words we fold (Latin, Greek, Cyrillic, Hebrew, Arabic, and the
# generic combining blocks). Marks of other scripts (Indic vowel signs, ...) carry meaning and stay.
_MARK_BLOCKS = ((0x0300, 0x07FF), (0x0860, 0x08FF), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
                (0xFB1D, 0xFB4F), (0xFE20, 0xFE2F))


@functools.cache
def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(c): None for c in _INVISIBLE}
    for lo, hi in _MARK_BLOCKS:
        for cp in range(lo, hi + 1):
            if unicodedata.category(chr(cp)) in ("Mn", "Me"):
                table[cp] = None
    for cp in range(0x10000):
        c = chr(cp)
        if unicodedata.category(c) == "Nd" and not c.isascii():
            table[cp] = str(unicodedata.decimal(c))
    table.update({ord(k): v for k, v in _LETTERS.items()})
    return table


def fold(text: str) -> str:
    """`text` as search compares it: spellings that people consider the same become equal (module doc).
    Idempotent: fold(fold(t)) == fold(t)."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return unicodedata.normalize("NFC", text.translate(_fold_table()))


_fold_word = functools.lru_cache(maxsize=1 << 18)(fold)

# --------------------------------------------------------------------------------------------------- tokens


class Token(NamedTuple):
    term: str  # folded
    start: int  # offsets into the original text: text[start:end] is the word as written
    end: int


_ARABIC, _HEBREW, _OTHER, _DIGIT = "A", "H", "L", "D"
_HEBREW_QUOTES = "'\"\u05f3\u05f4"
_CONNECTORS = frozenset("-_./:@+&'\u2019\u05be\u2010\u2011\u2012\u2013")
_DIGIT_CONNECTORS = frozenset(",\u066b\u066c")  # 1,000  ۱٬۰۰۰  ۱٫۵


def _ranges(predicate) -> str:
    out, start = [], None
    for cp in range(0x10000 + 1):
        ok = cp < 0x10000 and not 0xD800 <= cp <= 0xDFFF and predicate(chr(cp))
        if ok and start is None:
            start = cp
        elif not ok and start is not None:
            out.append(re.escape(chr(start)) + ("-" + re.escape(chr(cp - 1)) if cp - 1 > start else ""))
            start = None
    return "".join(out)


@functools.cache
def _run_pattern() -> re.Pattern:
    word_chars = _ranges(lambda c: unicodedata.category(c)[0] in "LM" or unicodedata.category(c) == "Nd"
                         or c in "\u200c\u200d")
    hebrew_quote = f"(?<=[\u05d0-\u05ea])[{re.escape(_HEBREW_QUOTES)}](?=[\u05d0-\u05ea])"
    return re.compile(f"(?:[{word_chars}]|{hebrew_quote})+")


def _char_class(c: str) -> str | None:
    cp = ord(c)
    if "0" <= c <= "9":
        return _DIGIT
    if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0x08A0 <= cp <= 0x08FF or 0xFB50 <= cp <= 0xFDFF \
            or 0xFE70 <= cp <= 0xFEFF:
        if unicodedata.category(c) == "Nd":
            return _DIGIT
        return _ARABIC if unicodedata.category(c)[0] == "L" else None
    if 0x0590 <= cp <= 0x05FF or 0xFB1D <= cp <= 0xFB4F:
        return _HEBREW if unicodedata.category(c)[0] == "L" else None
    cat = unicodedata.category(c)
    if cat == "Nd":
        return _DIGIT
    if cat[0] == "L":
        return _OTHER
    return None  # marks, joiners, quotes: belong to the letter before them


@functools.lru_cache(maxsize=1 << 17)
def _split_run(run: str) -> tuple[tuple[int, int, str, str], ...]:
    """(start, end, class, term) of each word in a run of word characters."""
    pieces, start, current = [], 0, None
    for i, c in enumerate(run):
        cls = _char_class(c)
        if cls is None:
            continue
        if current is None:
            current = cls
        elif cls != current:
            pieces.append((start, i, current))
            start, current = i, cls
    pieces.append((start, len(run), current or _OTHER))
    out = []
    for s, e, cls in pieces:
        raw = run[s:e]
        if cls == _HEBREW:
            raw = raw.translate(_NO_HEBREW_QUOTES)
        term = _fold_word(raw)
        if term:
            out.append((s, e, cls, term))
    return tuple(out)


_NO_HEBREW_QUOTES = str.maketrans("", "", _HEBREW_QUOTES)


class _Word(NamedTuple):
    term: str
    start: int
    end: int
    cls: str


def _words(text: str) -> list[_Word]:
    out = []
    for m in _run_pattern().finditer(text):
        base = m.start()
        for s, e, cls, term in _split_run(m.group()):
            out.append(_Word(term, base + s, base + e, cls))
    return out


def tokens(text: str) -> list[Token]:
    """The words of `text`, each with its folded term and its offsets in `text` (module doc)."""
    out = []
    for m in _CHUNKS.finditer(text):
        base = m.start()
        out.extend(Token(w.term, base + w.start, base + w.end) for w in _chunk(m.group()).words)
    return out


def token_terms(text: str) -> list[str]:
    """[t.term for t in tokens(text)], faster: the word sequence an engine indexes for phrase matching."""
    out: list[str] = []
    for piece in text.split():
        out.extend(_chunk(piece).main)
    return out


# ------------------------------------------------------------------------------------------------ variants

_HEBREW_PREFIX = frozenset("והבכלמש")
_HEBREW_DOUBLE = frozenset("וב וה ול ומ וכ וש שב שה של שמ שכ מה כש".split())  # the usual pairs
# Hebrew plural endings (folded: ים is written ימ): (ending, what replaces it, shortest stem)
_HEBREW_PLURALS = (("ימ", ("",), 3), ("ות", ("ה", ""), 3))
# Persian (and Arabic) endings: (ending, what replaces it, shortest stem); the first that fits is taken.
_PERSIAN_SUFFIXES = (
    ("هایمان", ("",), 2), ("هایتان", ("",), 2), ("هایشان", ("",), 2), ("هایم", ("",), 2), ("هایت", ("",), 2),
    ("هایش", ("",), 2), ("هایی", ("",), 2), ("های", ("",), 2), ("ها", ("",), 3),  # plural (and possessive)
    ("گان", ("ه",), 3),                                 # نمایندگان -> نماینده
    ("مان", ("",), 3), ("تان", ("",), 3), ("شان", ("",), 3),  # possessive: سفارشتان -> سفارش
    ("ان", ("",), 3), ("ات", ("",), 3),                  # plural: کاربران -> کاربر, مشکلات -> مشکل
    ("م", ("",), 4),                                     # my: حسابم -> حساب
)
_PERSIAN_VERB_PREFIXES = ("نمی", "می")
_ARABIC_ARTICLES = ("وال", "بال", "فال", "کال", "لل", "ال")


def _stripped(term: str, endings) -> list[str]:
    for ending, replacements, shortest in endings:
        if term.endswith(ending) and len(term) - len(ending) >= shortest:
            return [term[:-len(ending)] + r for r in replacements]
    return []


def _english(term: str) -> list[str]:
    """Light English stemming: plurals, -ed, -ing (refunded, refunding, refunds -> refund)."""
    if term.endswith("ies") and len(term) >= 5:
        return [term[:-3] + "y"]
    if term.endswith(("ches", "shes", "sses", "xes", "zes")):
        return [term[:-2]]
    if term.endswith("s") and not term.endswith(("ss", "us", "is")):
        return [term[:-1]]
    for ending in ("ing", "ed"):
        stem = term[:-len(ending)]
        if term.endswith(ending) and len(stem) >= 3 and any(c in "aeiouy" for c in stem):
            out = [stem, stem + "e"]  # charged -> charg(e)
            if len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                out.append(stem[:-1])  # stopped -> stop
            if ending == "ed" and stem.endswith("i"):
                out.append(stem[:-1] + "y")  # applied -> apply
            return out
    return []


@functools.lru_cache(maxsize=1 << 18)
def variants(term: str) -> tuple[str, ...]:
    """Other terms a folded word is also found by (module doc): its bare forms without Hebrew prefix letters
    or plural ending, Arabic article, Persian plural, possessive or verb prefix, English plural, -ed or -ing,
    and a number without leading zeros. The same at index and query time."""
    if not term:
        return ()
    out: list[str] = []
    first = term[0]
    if "\u05d0" <= first <= "\u05ea":
        bases = [term]
        if first in _HEBREW_PREFIX and len(term) - 1 >= 3:
            bases.append(term[1:])
            if term[:2] in _HEBREW_DOUBLE and len(term) - 2 >= 3:
                bases.append(term[2:])
        for base in list(bases):
            bases.extend(_stripped(base, _HEBREW_PLURALS))
        out.extend(bases[1:])
    elif "\u0600" <= first <= "\u06ff":
        bases = [term]
        for prefix in _PERSIAN_VERB_PREFIXES:
            if term.startswith(prefix) and len(term) - len(prefix) >= 3:
                bases.append(term[len(prefix):])
                break
        for article in _ARABIC_ARTICLES:
            if term.startswith(article) and len(term) - len(article) >= 3:
                bases.append(term[len(article):])
                break
        for base in list(bases):
            bases.extend(_stripped(base, _PERSIAN_SUFFIXES))
        out.extend(bases[1:])
    elif term.isdigit():
        if len(term) > 1 and term[0] == "0" and term.lstrip("0"):
            out.append(term.lstrip("0"))
    elif term.isascii() and term.isalpha() and len(term) >= 4:
        out.extend(_english(term))
    seen = {term}
    return tuple(v for v in out if not (v in seen or seen.add(v)))


# --------------------------------------------------------------------------------------------------- phones

_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().\-]{5,400}\d\)?(?!\w)")


@functools.lru_cache(maxsize=1 << 16)
def _phone_forms(digits: str, international: bool) -> tuple[str, ...]:
    import phonenumbers  # large metadata: loaded only when a text holds a phone-like number

    valid: list[str] = []
    possible: list[str] = []
    if international:
        attempts = [("+" + digits, None)]
    elif digits.startswith("0"):  # a local number starts with the trunk prefix 0
        attempts = [(digits, region) for region in PHONE_REGIONS]
    elif len(digits) >= 11:  # E.164 typed without +
        attempts = [("+" + digits, None)]
    else:
        return ()
    for raw, region in attempts:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        # valid in a country's numbering plan, else possible there (the right length): plans change faster
        # than metadata, but a number valid in one country is not also read in another only by its length
        if phonenumbers.is_valid_number(number):
            out = valid
        elif phonenumbers.is_possible_number(number):
            out = possible
        else:
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")
        national = re.sub(r"\D", "", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
        nsn = phonenumbers.national_significant_number(number)
        for form in (e164, national, nsn):
            if form not in out:
                out.append(form)
    return tuple(valid or possible)


def _phones(text: str) -> list[tuple[str, int, int]]:
    """(term, start, end) for each form of each phone number in `text`. A run of digit groups may hold several
    numbers (0912 123 4567 021 8888 7777): from its left, the longest run of up to five groups that reads as
    a number is one."""
    out = []
    for m in _PHONE.finditer(text):
        groups = [(g.start() + m.start(), g.end() + m.start()) for g in _CHUNKS.finditer(m.group())]
        i = 0
        while i < len(groups):
            for j in range(min(len(groups), i + 5) - 1, i - 1, -1):
                start, end = groups[i][0], groups[j][1]
                raw = text[start:end]
                digits = "".join(c for c in fold(raw) if c.isdigit())
                international = raw.startswith(("+", "00"))
                if raw.startswith("00"):
                    digits = digits[2:]
                if not 8 <= len(digits) <= 15:
                    continue
                forms = _phone_forms(digits, international)
                if forms:
                    out.extend((form, start, end) for form in forms)
                    i = j + 1
                    break
            else:
                i += 1
    return out


# ------------------------------------------------------------------------------------------------ analysis


def _is_gap_connector(gap: str, left: _Word, right: _Word) -> bool:
    if gap == "":
        return True
    if len(gap) != 1:
        return False
    return gap in _CONNECTORS or (gap in _DIGIT_CONNECTORS and left.cls == right.cls == _DIGIT)


class _Chunk(NamedTuple):
    words: tuple[_Word, ...]  # offsets relative to the chunk
    terms: tuple[tuple[str, int, int], ...]  # every index term of the chunk with its span
    head: _Word | None  # the first word when the chunk starts with it (no punctuation before it)
    tail: _Word | None  # the last word when the chunk ends with it
    main: tuple[str, ...]  # the words' terms, in order
    extra: tuple[str, ...]  # the other terms (variants, parts, joins)


@functools.lru_cache(maxsize=1 << 18)
def _chunk(chunk: str) -> _Chunk:
    """The analysis of one whitespace-free piece of text (a word, a code, an address), cached: texts repeat
    their words, so indexing pays for each distinct piece once."""
    words = _words(chunk)
    out: list[tuple[str, int, int]] = [(w.term, w.start, w.end) for w in words]
    for w in words:
        for v in variants(w.term):
            out.append((v, w.start, w.end))
        if w.cls == _ARABIC and "\u200c" in chunk[w.start:w.end]:
            for part in chunk[w.start:w.end].split("\u200c"):
                p = _fold_word(part)
                if p and p != w.term:
                    out.append((p, w.start, w.end))
                    out.extend((v, w.start, w.end) for v in variants(p))
    # compounds: words glued without a gap or by one connector
    i = 0
    while i < len(words):
        j = i
        while j + 1 < len(words) and _is_gap_connector(chunk[words[j].end:words[j + 1].start], words[j], words[j + 1]):
            j += 1
        if j > i:
            group = words[i:j + 1]
            n = len(group)
            if all(w.cls == _DIGIT for w in group):  # dates, phone numbers, amounts: joined whole only
                spans = [(0, n - 1)]
            elif n <= 6:
                spans = [(a, b) for a in range(n) for b in range(a + 1, n)]
            else:
                spans = [(0, n - 1)] + [(a, a + 1) for a in range(n - 1)]
            for a, b in spans:
                joined = "".join(w.term for w in group[a:b + 1])
                if len(joined) <= _MAX_JOIN:
                    out.append((joined, group[a].start, group[b].end))
        i = j + 1
    head = words[0] if words and words[0].start == 0 else None
    tail = words[-1] if words and words[-1].end == len(chunk) else None
    main = tuple(w.term for w in words)
    extra = tuple(term for term, _, _ in out[len(words):])
    return _Chunk(tuple(words), tuple(out), head, tail, main, extra)


# Persian prefixes and suffixes that people write apart as often as joined or with ZWNJ.
_PREFIXES_APART = frozenset(fold(w) for w in "می نمی بی نا هم".split())
_SUFFIXES_APART = frozenset(fold(w) for w in "ها های هایی ای ی تر ترین ام ات اش ایم اید اند".split())


def _joins_apart(left: _Word, right: _Word) -> bool:
    """Two neighbouring words written apart that people also write joined: a Persian prefix or suffix and
    its word (می خواهم, کتاب ها, بی سیم) and a name with a short number (iPhone 15, A 20931, 15 GB, Windows 11).
    (A compound of two long words, کتاب خانه, is found from the query side: see parse_query.)"""
    if left.cls == _ARABIC:
        return right.cls == _ARABIC and (left.term in _PREFIXES_APART or right.term in _SUFFIXES_APART)
    if left.cls == _OTHER and right.cls == _DIGIT or left.cls == _DIGIT and right.cls == _OTHER:
        letters, digits = (left, right) if left.cls == _OTHER else (right, left)
        return len(letters.term) <= 2 or len(digits.term) <= 3
    return False


_CHUNKS = re.compile(r"\S+")


def analyse(text: str) -> list[tuple[str, int, int]]:
    """Every index term of `text` (the terms of `index_terms`, in another order) with the span of `text` it
    stands for: a word's term and variants span the word; a compound, two words joined or a phone number span
    all their words. An engine that keeps positions places each term at the word its span starts in."""
    out: list[tuple[str, int, int]] = []
    tail = None
    for m in _CHUNKS.finditer(text):
        base, c = m.start(), _chunk(m.group())
        out.extend((term, base + s, base + e) for term, s, e in c.terms)
        if tail is not None and c.head is not None and _joins_apart(tail, c.head):
            out.append((tail.term + c.head.term, tail.start, base + c.head.end))
        tail = c.tail._replace(start=base + c.tail.start, end=base + c.tail.end) if c.tail else None
    out.extend(_phones(text))
    return out


def index_terms(text: str) -> list[str]:
    """Every term to index for `text`: first the words' terms in order (exactly `token_terms(text)`, so an
    engine that indexes this list with positions can match phrases on its first part), then every other
    term (variants, ZWNJ parts, joined compounds and neighbours, phone number forms), repeated as often as
    it occurs. Terms hold only letters and digits."""
    main: list[str] = []
    extra: list[str] = []
    tail = None
    for piece in text.split():
        c = _chunk(piece)
        main.extend(c.main)
        extra.extend(c.extra)
        head = c.head
        if tail is not None and head is not None and tail.cls != _HEBREW and _joins_apart(tail, head):
            extra.append(tail.term + head.term)
        tail = c.tail
    extra.extend(term for term, _, _ in _phones(text))
    main.extend(extra)
    return main


_analyse = analyse  # the name the search engine first used


# --------------------------------------------------------------------------------------------------- query


@dataclass(frozen=True)
class Word:
    text: str  # as typed
    terms: tuple[str, ...]  # any one matches; terms[0] is the word itself, the rest variants (rank them lower)
    prefix: bool = False  # the last word while typing: every term also matches as a prefix


@dataclass(frozen=True)
class Phrase:
    text: str  # as typed
    terms: tuple[str, ...]  # token terms in order, matched against the document's tokens (`token_terms`)


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[Word, ...] = ()  # every one required
    phrases: tuple[Phrase, ...] = ()  # every one required
    excluded: tuple[Word, ...] = ()  # none may match
    excluded_phrases: tuple[Phrase, ...] = ()  # none may match
    number: int | None = None  # the whole query is a ticket number: 123, #123, ۱۲۳ (words hold it as text too)

    @property
    def is_empty(self) -> bool:
        """Nothing to match (a blank query): the desk-wide list, filters only."""
        return not (self.words or self.phrases or self.excluded or self.excluded_phrases)


STOP_WORDS = frozenset(fold(w) for w in (
    # en
    "a an the and or of to in on at by for with from as is are was were be been it its this that these those "
    "i me my we our you your he she they them his her their not no do does did have has had can will would "
    # fa
    "و در به از که این آن با را برای است تا یا هم اما اگر بر هر نیز شد شده بود باید ها های ای "
    # ar
    "في من إلى عن هذا هذه ذلك التي الذي أن إن كان لا ما مع هو هي "
    # he
    "של את על עם זה זו הוא היא הם גם או כי אם אבל לא יש אין אני אתה מה"
).split())

_QUOTES = "\"\u201c\u201d\u201e\u00ab\u00bb"
_NUMBER = re.compile(r"#?\s*(\d{1,12})")


class _Element(NamedTuple):
    kind: str  # "word" or "phrase"
    text: str
    excluded: bool
    start: int
    end: int


def _is_gershayim(q: str, i: int) -> bool:
    """A quote between two Hebrew letters is a gershayim or geresh (צה"ל), not the start of a phrase."""
    return q[i] in "\"'" and 0 < i < len(q) - 1 and "\u05d0" <= q[i - 1] <= "\u05ea" \
        and "\u05d0" <= q[i + 1] <= "\u05ea"


def _elements(q: str) -> list[_Element]:
    """Words, "phrases", -excluded words and -"phrases" of a query (whitespace already single spaces). A quote
    left open runs to the end of the query."""
    out: list[_Element] = []
    i, n = 0, len(q)
    while i < n:
        if q[i] == " ":
            i += 1
            continue
        excluded = q[i] in "-\u2212" and i + 1 < n and q[i + 1] not in " -\u2212"
        j = i + 1 if excluded else i
        if q[j] in _QUOTES:
            end = j + 1
            while end < n and (q[end] not in _QUOTES or _is_gershayim(q, end)):
                end += 1
            out.append(_Element("phrase", q[j + 1:end], excluded, i, min(end + 1, n)))
            i = end + 1
            continue
        end = j
        while end < n and q[end] != " " and (q[end] not in _QUOTES or _is_gershayim(q, end)):
            end += 1
        out.append(_Element("word", q[j:end], excluded, i, end))
        i = end
    # a phone number typed with spaces (0912 123 4567) is one word
    for _, start, end in _phones(q):
        covered = [e for e in out if e.kind == "word" and not e.excluded and e.start >= start and e.end <= end]
        if len(covered) > 1:
            first = out.index(covered[0])
            out[first] = _Element("word", q[covered[0].start:covered[-1].end], False, covered[0].start,
                                  covered[-1].end)
            for e in covered[1:]:
                out.remove(e)
    return out


def _alternatives(term: str) -> tuple[str, ...]:
    return (term, *variants(term))


def _typed_words(text: str, prefix: bool) -> list[Word]:
    """The Words one typed word stands for: usually one; a compound (#A-20931, e-mail, user@example.com) is
    matched joined; a word with ZWNJ (کتاب‌خانه) gives one Word per part, each also matched by the joined
    word, so that it is found written joined, with ZWNJ or with a space; a phone number, in every form."""
    words = _words(text)
    if not words:
        return []
    phones = tuple(form for form, _, _ in _phones(text))
    joined = "".join(w.term for w in words)
    if phones:
        return [Word(text, tuple(dict.fromkeys((joined, *phones))), prefix)]
    if len(words) == 1 and words[0].cls == _ARABIC and "\u200c" in text:
        parts = [p for p in (_fold_word(part) for part in text.split("\u200c")) if p]
        if len(parts) > 1:
            return [Word(text, tuple(dict.fromkeys((*_alternatives(p), *_alternatives(joined)))),
                         prefix and k == len(parts) - 1)
                    for k, p in enumerate(parts)]
    return [Word(text, _alternatives(joined), prefix)]


def _with_term(word: Word, term: str) -> Word:
    return word if term in word.terms else Word(word.text, (*word.terms, term), word.prefix)


def parse_query(q: str | None) -> SearchQuery:
    """What an agent typed, as a SearchQuery (module doc): plain words are all required, each matched by any
    of its terms; "exact phrase"; -word and -"phrase" excluded; the last word is a prefix unless the query
    ends with a space; a query that is only `123` / `#123` is also a ticket number; stop words are dropped.

    Raises Invalid for the field `q` with code too_long (over 500 characters), invalid_character (control
    or bidirectional characters), no_words (only punctuation), only_stop_words, only_excluded or
    too_many_words (over 32). A blank query is an empty SearchQuery (filters only)."""
    if q is None:
        q = ""
    if not isinstance(q, str):
        raise Invalid.field("q", "invalid")
    if len(q) > MAX_QUERY_LENGTH:
        raise Invalid.field("q", "too_long")
    if has_unsafe_characters(q, multiline=True):
        raise Invalid.field("q", "invalid_character")
    ends_open = bool(q) and not q[-1].isspace()
    q = " ".join(q.split())
    if not q:
        return SearchQuery()
    if m := _NUMBER.fullmatch(fold(q)):
        number = int(m.group(1))
        (word,) = _typed_words(m.group(1), prefix=False)  # a phone number typed whole is also its other forms
        return SearchQuery(words=(Word(q, word.terms),), number=number or None)

    elements = _elements(q)
    groups: list[list[Word]] = []  # the Words of each typed word, None for phrases and exclusions
    phrases, excluded, excluded_phrases = [], [], []
    had_text = False
    for index, e in enumerate(elements):
        if e.kind == "phrase":
            terms = tuple(token_terms(e.text))
            if terms:
                had_text = True
                (excluded_phrases if e.excluded else phrases).append(Phrase(e.text.strip(), terms))
            groups.append([])
            continue
        words = _typed_words(e.text, prefix=ends_open and index == len(elements) - 1)
        had_text = had_text or bool(words)
        if e.excluded:
            excluded.extend(Word(w.text, w.terms) for w in words)
            groups.append([])
        else:
            groups.append(words)
    if not had_text:
        raise Invalid.field("q", "no_words")

    # neighbours typed apart may be written joined in the ticket (کتاب خانه / کتابخانه, log in / login):
    # each of the two also matches the joined word, so both together match (left and right) or joined.
    for k in range(len(groups) - 1):
        left, right = groups[k], groups[k + 1]
        if left and right:
            joined = left[-1].terms[0] + right[0].terms[0]
            left[-1], right[0] = _with_term(left[-1], joined), _with_term(right[0], joined)

    words = [w for group in groups for w in group]
    kept = [w for w in words if w.prefix or w.terms[0] not in STOP_WORDS]
    if all(w.terms[0] in STOP_WORDS for w in kept) and not phrases:
        kept = []  # "the of", "و در" and "the" while typing: nothing left to look for
    if not kept and not phrases:
        if words:
            raise Invalid.field("q", "only_stop_words")
        raise Invalid.field("q", "only_excluded")
    if len(kept) + len(phrases) + len(excluded) + len(excluded_phrases) > MAX_QUERY_WORDS:
        raise Invalid.field("q", "too_many_words")
    return SearchQuery(words=tuple(kept), phrases=tuple(phrases), excluded=tuple(excluded),
                       excluded_phrases=tuple(excluded_phrases))


# ------------------------------------------------------------------------------------------------- snippet


def _match_spans(text: str, query: SearchQuery) -> list[tuple[int, int, int]]:
    """(start, end, clause) of every place in `text` that a word or phrase of `query` matches."""
    spans = []
    for term, start, end in analyse(text):
        for k, w in enumerate(query.words):
            if term in w.terms or (w.prefix and any(term.startswith(t) for t in w.terms)):
                spans.append((start, end, k))
    if query.phrases:
        toks = tokens(text)
        terms = [t.term for t in toks]
        for p, phrase in enumerate(query.phrases, start=len(query.words)):
            size = len(phrase.terms)
            for i in range(len(terms) - size + 1):
                if tuple(terms[i:i + size]) == phrase.terms:
                    spans.append((toks[i].start, toks[i + size - 1].end, p))
    return spans


def snippet(text: str, query: SearchQuery | str, width: int = 160) -> str:
    """A window of about `width` characters of `text` around its best match, HTML-escaped, with every match
    wrapped in <mark>...</mark>; the start of the text when nothing matches. Whitespace runs show as one space."""
    if isinstance(query, str):
        query = parse_query(query)
    spans = sorted(_match_spans(text, query))
    if len(text) <= width:
        lo, hi = 0, len(text)
    else:
        best, best_score = 0, (-1, 0)
        for i, (start, _, _) in enumerate(spans):
            inside = [s for s in spans[i:] if s[1] <= start + width]
            score = (len({s[2] for s in inside}), len(inside))
            if score > best_score:
                best, best_score = i, score
        if spans:
            first = spans[best]
            inside = [s for s in spans[best:] if s[1] <= first[0] + width]
            middle = (first[0] + max(s[1] for s in inside)) // 2
            lo = max(0, min(middle - width // 2, len(text) - width))
        else:
            lo = 0
        hi = min(len(text), lo + width)
        if lo > 0:  # start and end on a word boundary
            space = text.find(" ", lo, lo + 20)
            lo = space + 1 if space != -1 and (not spans or space < spans[best][0]) else lo
        if hi < len(text):
            space = text.rfind(" ", hi - 20, hi)
            hi = space if space > lo and (not spans or space >= max(s[1] for s in spans if s[0] < hi)) else hi
    marks = _merge([(max(s, lo), min(e, hi)) for s, e, _ in spans if e > lo and s < hi])
    out, pos = [], lo
    for s, e in marks:
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:hi]))
    result = re.sub(r"\s+", " ", "".join(out)).strip()
    return ("\u2026" if lo > 0 else "") + result + ("\u2026" if hi < len(text) else "")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


# -------------------------------------------------------------------------------------------------- matching


def matches(text: str, query: SearchQuery | str) -> bool:
    """Whether `text` answers `query`, by the same rules an engine applies to `index_terms` and `token_terms`
    (every word by one of its terms, the last as a prefix while typing; every phrase in order; nothing
    excluded). The reference for engines and enough by itself for small collections (canned answers)."""
    if isinstance(query, str):
        query = parse_query(query)
    terms = set(index_terms(text))
    sequence = token_terms(text)

    def has(word: Word, prefix: bool) -> bool:
        return any(t in terms for t in word.terms) or prefix and any(
            x.startswith(t) for t in word.terms for x in terms)

    def contains(phrase: Phrase) -> bool:
        size = len(phrase.terms)
        return any(tuple(sequence[i:i + size]) == phrase.terms for i in range(len(sequence) - size + 1))

    return all(has(w, w.prefix) for w in query.words) and all(contains(p) for p in query.phrases) \
        and not any(has(w, False) for w in query.excluded) and not any(contains(p) for p in query.excluded_phrases)
