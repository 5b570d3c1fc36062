"""Text analysis for search: one analysis at index time and at query time (../shared/GUIDE.md §5, issue 14).

Pure Python (no engine here): the search engine indexes `index_terms(text)` (a bag of terms, each made only
of letters and digits, so any whitespace or alphanumeric tokenizer keeps them whole) and phrase-matches on
`tokens(text)` terms; a query goes through `parse_query`; results show `snippet(text, query)`.

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
- Variants (index and query alike, `variants`): Hebrew prefix letters ו ה ב כ ל מ ש (one or two, the rest
  keeping at least 3 letters), Arabic article ال (with و ب ف ک ل before it), Persian plural suffixes
  ها / های / هایی (and their possessive forms) and verb prefixes می / نمی, English plural -s / -es / -ies,
  digits without leading zeros. At index time ZWNJ parts are added too (کتاب‌ها -> کتاب, ها), and two
  neighbouring Arabic-script words or a word and a number written apart are also indexed joined
  (کتاب خانه -> کتابخانه, iPhone 15 -> iphone15), so a compound matches in every spelling (joined, with
  ZWNJ, with a space). At query time two neighbouring words may also match as one joined word.
- Phone numbers (8-15 digits, any separators, any digit script) valid in Iran or Israel (local form) or
  in any country (+ or 00) are indexed as E.164 digits, national form with trunk 0 and national number.
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
    return [Token(w.term, w.start, w.end) for w in _words(text)]


# ------------------------------------------------------------------------------------------------ variants

_HEBREW_PREFIX = frozenset("והבכלמש")
_HEBREW_SECOND = frozenset("הבכלמש")
_HEBREW_DOUBLE_FIRST = frozenset("ושכמל")
_PERSIAN_PLURALS = ("هایمان", "هایتان", "هایشان", "هایم", "هایت", "هایش", "هایی", "های", "ها")
_PERSIAN_VERB_PREFIXES = ("نمی", "می")
_ARABIC_ARTICLES = ("وال", "بال", "فال", "کال", "لل", "ال")


@functools.lru_cache(maxsize=1 << 18)
def variants(term: str) -> tuple[str, ...]:
    """Other terms a folded word is also found by (module doc): its bare forms without Hebrew prefix
    letters, Arabic article, Persian plural suffix or verb prefix, English plural, leading zeros."""
    if not term:
        return ()
    out: list[str] = []
    first = term[0]
    if "\u05d0" <= first <= "\u05ea":
        if first in _HEBREW_PREFIX and len(term) - 1 >= 3:
            out.append(term[1:])
            if first in _HEBREW_DOUBLE_FIRST and term[1] in _HEBREW_SECOND and len(term) - 2 >= 3:
                out.append(term[2:])
    elif "\u0600" <= first <= "\u06ff":
        bases = [term]
        for prefix in _PERSIAN_VERB_PREFIXES:
            if term.startswith(prefix) and len(term) - len(prefix) >= 3:
                bases.append(term[len(prefix):])
                break
        for base in list(bases):
            for suffix in _PERSIAN_PLURALS:
                if base.endswith(suffix) and len(base) - len(suffix) >= (2 if len(suffix) > 2 else 3):
                    bases.append(base[:-len(suffix)])
                    break
        for article in _ARABIC_ARTICLES:
            if term.startswith(article) and len(term) - len(article) >= 3:
                bases.append(term[len(article):])
                break
        out.extend(bases[1:])
    elif term.isdigit():
        if len(term) > 1 and term[0] == "0" and term.lstrip("0"):
            out.append(term.lstrip("0"))
    elif term.isascii() and term.isalpha() and len(term) >= 4:
        if term.endswith("ies") and len(term) >= 5:
            out.append(term[:-3] + "y")
        elif term.endswith(("ches", "shes", "sses", "xes", "zes")):
            out.append(term[:-2])
        elif term.endswith("s") and not term.endswith(("ss", "us", "is")):
            out.append(term[:-1])
    seen = {term}
    return tuple(v for v in out if not (v in seen or seen.add(v)))


# --------------------------------------------------------------------------------------------------- phones

_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().\-]{5,22}\d(?!\w)")


@functools.lru_cache(maxsize=1 << 16)
def _phone_forms(digits: str, international: bool) -> tuple[str, ...]:
    import phonenumbers  # large metadata: loaded only when a text holds a phone-like number

    out: list[str] = []
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
        # possible (right length for the country), not valid: numbering plans change faster than metadata
        if not phonenumbers.is_possible_number(number):
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")
        national = re.sub(r"\D", "", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
        nsn = phonenumbers.national_significant_number(number)
        for form in (e164, national, nsn):
            if form not in out:
                out.append(form)
    return tuple(out)


def _phones(text: str) -> list[tuple[str, int, int]]:
    """(term, start, end) for each phone number in `text`."""
    out = []
    for m in _PHONE.finditer(text):
        raw = m.group()
        digits = "".join(c for c in fold(raw) if c.isdigit())
        if not 8 <= len(digits) <= 15:
            continue
        international = raw.startswith("+") or raw.startswith("00")
        if raw.startswith("00"):
            digits = digits[2:]
        for form in _phone_forms(digits, international):
            out.append((form, m.start(), m.end()))
    return out


# ------------------------------------------------------------------------------------------------ analysis


def _is_gap_connector(gap: str, left: _Word, right: _Word) -> bool:
    if gap == "":
        return True
    if len(gap) != 1:
        return False
    return gap in _CONNECTORS or (gap in _DIGIT_CONNECTORS and left.cls == right.cls == _DIGIT)


def _analyse(text: str) -> list[tuple[str, int, int]]:
    """Every index term of `text` with the span of the text it stands for."""
    words = _words(text)
    out: list[tuple[str, int, int]] = []
    for w in words:
        out.append((w.term, w.start, w.end))
        for v in variants(w.term):
            out.append((v, w.start, w.end))
        if w.cls == _ARABIC and "\u200c" in text[w.start:w.end]:
            for part in text[w.start:w.end].split("\u200c"):
                p = _fold_word(part)
                if p and p != w.term:
                    out.append((p, w.start, w.end))
                    out.extend((v, w.start, w.end) for v in variants(p))
    # compounds: words glued without a gap or by one connector
    i = 0
    while i < len(words):
        j = i
        while j + 1 < len(words) and _is_gap_connector(text[words[j].end:words[j + 1].start], words[j], words[j + 1]):
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
    # neighbours written apart that are often written joined
    for left, right in zip(words, words[1:]):
        gap = text[left.end:right.start]
        if not gap or not gap.isspace() or len(gap) > 2:
            continue
        if left.cls == right.cls == _ARABIC and _JOINABLE(left.term) and _JOINABLE(right.term) \
                or {left.cls, right.cls} == {_OTHER, _DIGIT}:
            out.append((left.term + right.term, left.start, right.end))
    out.extend(_phones(text))
    return out


# Persian affixes written apart join their word (کتاب ها, می خواهم); other function words never do.
_AFFIXES = frozenset(fold(w) for w in "ها های هایی ای ی می نمی تر ترین ام ای اید اند ایم است".split())


def _JOINABLE(term: str) -> bool:
    return term in _AFFIXES or term not in STOP_WORDS


def index_terms(text: str) -> list[str]:
    """Every term to index for `text`, in text order, repeated as often as it occurs (for term frequency):
    each word's term and variants, ZWNJ parts, joined compounds and neighbours, phone number forms."""
    return [term for term, _, _ in _analyse(text)]


# --------------------------------------------------------------------------------------------------- query


@dataclass(frozen=True)
class Word:
    text: str  # as typed
    terms: tuple[str, ...]  # any one matches; terms[0] is the word itself, the rest variants (rank lower)
    prefix: bool = False  # the last word while typing: every term matches as a prefix


@dataclass(frozen=True)
class Phrase:
    text: str
    terms: tuple[str, ...]  # token terms in order, matched against tokens(text) of the document


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[Word, ...] = ()  # every one required
    phrases: tuple[Phrase, ...] = ()  # every one required
    excluded: tuple[Word, ...] = ()  # none may match
    excluded_phrases: tuple[Phrase, ...] = ()
    number: int | None = None  # the whole query is a ticket number: 123, #123, ۱۲۳

    @property
    def is_empty(self) -> bool:
        """No text to match (a blank query): the desk-wide list, filters only."""
        return not (self.words or self.phrases or self.excluded or self.excluded_phrases)


_QUOTES = "\"\u201c\u201d\u201e\u00ab\u00bb"
_NUMBER = re.compile(r"#?\s*(\d{1,12})")

STOP_WORDS = frozenset(fold(w) for w in (
    # en
    "a an the and or of to in on at by for with from as is are was were be been it its this that these those "
    "i me my we our you your he she they them his her their not no do does did have has had can will would "
    # fa
    "و در به از که این آن با را برای است تا یا هم اما اگر بر هر نیز شد شده بود باید ها های ای "
    # ar
    "في من على إلى عن هذا هذه ذلك التي الذي أن إن كان لا ما مع هو هي "
    # he
    "של את על עם זה זו הוא היא הם גם או כי אם אבל לא יש אין אני אתה מה"
).split())


def _word_terms(raw: str) -> tuple[str, ...] | None:
    """Terms of one typed word (a compound is matched joined); None when it holds no letter or digit."""
    words = _words(raw)
    if not words:
        return None
    if len(words) == 1:
        return (words[0].term, *variants(words[0].term))
    joined = "".join(w.term for w in words)
    return (joined, *variants(joined))


def parse_query(q: str) -> SearchQuery:
    """What an agent typed, as a SearchQuery (module doc). Raises Invalid naming `q` (codes: too_long,
    invalid_character, too_many_words, no_words, only_stop_words, only_excluded)."""
    if q is None:
        q = ""
    if not isinstance(q, str):
        raise Invalid.field("q", "invalid")
    if len(q) > MAX_QUERY_LENGTH:
        raise Invalid.field("q", "too_long")
    if has_unsafe_characters(q, multiline=True):
        raise Invalid.field("q", "invalid_character")
    q = re.sub(r"\s+", " ", q)
    if not q.strip():
        return SearchQuery()
    if m := _NUMBER.fullmatch(fold(q.strip())):
        number = int(m.group(1))
        term = str(number)
        return SearchQuery(words=(Word(q.strip(), (term,) if term == m.group(1) else (m.group(1), term)),),
                           number=number if number > 0 else None)

    # split into elements: ("word"|"phrase", text, excluded, start, end)
    elements: list[list] = []
    i, n = 0, len(q)
    while i < n:
        if q[i] == " ":
            i += 1
            continue
        excluded = q[i] == "-" and i + 1 < n and q[i + 1] not in " -"
        j = i + 1 if excluded else i
        if j < n and q[j] in _QUOTES:
            end = j + 1
            while end < n and q[end] not in _QUOTES:
                end += 1
            elements.append(["phrase", q[j + 1:end], excluded, i, min(end + 1, n)])
            i = end + 1
            continue
        end = j
        while end < n and q[end] != " " and not (q[end] in _QUOTES and not _hebrew_quote(q, end)):
            end += 1
        elements.append(["word", q[j:end], excluded, i, end])
        i = end
    ends_open = not q.endswith(" ")

    # a phone number typed with spaces is one word
    for term_, start, end in _phones(q):
        covered = [e for e in elements if e[0] == "word" and not e[2] and e[3] >= start and e[4] <= end]
        if len(covered) > 1:
            first = covered[0]
            first[1], first[4] = q[first[3]:covered[-1][4]], covered[-1][4]
            for e in covered[1:]:
                elements.remove(e)

    words: list[Word] = []
    word_positions: list[int] = []
    phrases, excluded, excluded_phrases = [], [], []
    had_stop_word = had_text = False
    for index, (kind, text, is_excluded, start, end) in enumerate(elements):
        if kind == "phrase":
            terms = tuple(t.term for t in tokens(text))
            if not terms:
                continue
            had_text = True
            (excluded_phrases if is_excluded else phrases).append(Phrase(text.strip(), terms))
            continue
        terms = _word_terms(text)
        if terms is None:
            continue
        had_text = True
        phone = [f for f, s, e in _phones(text)]
        if phone:
            terms = tuple(dict.fromkeys((*terms, *phone)))
        if is_excluded:
            excluded.append(Word(text, terms))
            continue
        is_last = index == len(elements) - 1 and ends_open
        words.append(Word(text, terms, prefix=is_last))
        word_positions.append(index)
    if not had_text:
        raise Invalid.field("q", "no_words")

    # neighbours typed apart may be written joined in the ticket (کتاب خانه / کتابخانه, log in / login)
    joined_words = list(words)
    for k in range(len(words) - 1):
        if word_positions[k + 1] != word_positions[k] + 1:
            continue
        joined = words[k].terms[0] + words[k + 1].terms[0]
        for m_ in (k, k + 1):
            w = joined_words[m_]
            if joined not in w.terms:
                joined_words[m_] = Word(w.text, (*w.terms, joined), w.prefix)
    words = joined_words

    kept = []
    for w in words:
        if w.terms[0] in STOP_WORDS:
            had_stop_word = True
            if not w.prefix:
                continue
        kept.append(w)
    if kept and all(w.terms[0] in STOP_WORDS for w in kept) and not phrases:
        kept = []  # "the of", "و در": nothing left to look for
    if not kept and not phrases:
        if had_stop_word:
            raise Invalid.field("q", "only_stop_words")
        if excluded or excluded_phrases:
            raise Invalid.field("q", "only_excluded")
        raise Invalid.field("q", "no_words")
    if len(kept) + len(phrases) + len(excluded) + len(excluded_phrases) > MAX_QUERY_WORDS:
        raise Invalid.field("q", "too_many_words")
    return SearchQuery(words=tuple(kept), phrases=tuple(phrases), excluded=tuple(excluded),
                       excluded_phrases=tuple(excluded_phrases))


def _hebrew_quote(q: str, i: int) -> bool:
    """A quote between two Hebrew letters is a gershayim (צה"ל), not the start of a phrase."""
    return q[i] in "\"'" and 0 < i < len(q) - 1 and "\u05d0" <= q[i - 1] <= "\u05ea" \
        and "\u05d0" <= q[i + 1] <= "\u05ea"


# ------------------------------------------------------------------------------------------------- snippet


def _match_spans(text: str, query: SearchQuery) -> list[tuple[int, int, int]]:
    """(start, end, clause) of every place in `text` that a word or phrase of `query` matches."""
    spans = []
    for term, start, end in _analyse(text):
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
