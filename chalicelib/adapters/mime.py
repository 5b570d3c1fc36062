"""Headers of the mail we send, encoded so that every reader gets back exactly the text we wrote.

Python's email package (3.11-3.13), folding a long non-ASCII header into several RFC 2047 encoded words,
can leave a space of the text *between* two encoded words, where RFC 2047 tells readers to drop it
("چاپگر کار نمی‌کند" arrives as "چاپگر کارنمی‌کند"); non-ASCII display names lose spaces the same way.
Our headers are folded here instead: every space of the text travels *inside* an encoded word, so the
whitespace of a fold is the only whitespace between two of them and nothing of the text is lost.

`OUTGOING` is the policy to build outgoing messages with (`EmailMessage(policy=OUTGOING)`); it differs
from `email.policy.default` only in how unstructured headers (Subject, ...) and address headers are folded.
"""
from __future__ import annotations

import base64
import re
import unicodedata
from email import policy as email_policy
from email.headerregistry import AddressHeader, HeaderRegistry, UnstructuredHeader

MAX_LINE = 78         # RFC 5322: a line SHOULD be at most 78 characters
MAX_WORD = 75         # RFC 2047: an encoded word is at most 75 characters
_PREFIX, _SUFFIX = "=?utf-8?b?", "?="
_MIN_WORD = len(_PREFIX) + len(_SUFFIX) + 8  # an encoded word worth starting on a line
_PLAIN = re.compile(r"^[\x21-\x7e]+$")        # printable ASCII without spaces
_PLAIN_TAG_MAX = 40   # leading plain words (the "[#1005]" tag) stay readable in the raw mail, up to this


def _encoded_length(text: str) -> int:
    return len(_PREFIX) + len(_SUFFIX) + 4 * -(-len(text.encode("utf-8")) // 3)


def _encode(text: str) -> str:
    return f"{_PREFIX}{base64.b64encode(text.encode('utf-8')).decode('ascii')}{_SUFFIX}"


def _splits_before(ch: str) -> bool:
    # A combining mark, ZWNJ or ZWJ stays in the encoded word of the letter it belongs to: readers join
    # adjacent encoded words anyway, but one that shows them one by one must not tear a letter apart.
    return not unicodedata.category(ch).startswith("M") and ch not in "\u200c\u200d"


def encoded_words(text: str, first_room: int = MAX_WORD) -> list[str]:
    """`text` as RFC 2047 "B" encoded words of UTF-8, each at most 75 characters (the first at most
    `first_room`), split only between characters and with every space inside a word: the readers' join of
    their decoded texts is `text` exactly."""
    words: list[str] = []
    chunk = ""
    room = min(MAX_WORD, max(first_room, _MIN_WORD))
    for ch in text:
        too_long = _encoded_length(chunk + ch) > room
        # Marks are kept with their letter unless that would pass the hard limit of 75.
        if chunk and too_long and (_splits_before(ch) or _encoded_length(chunk + ch) > MAX_WORD):
            words.append(_encode(chunk))
            chunk, room = "", MAX_WORD
        chunk += ch
    if chunk or not words:
        words.append(_encode(chunk))
    return words


def _needs_encoding(word: str) -> bool:
    return not _PLAIN.match(word) or "=?" in word


def _fold(name: str, atoms: list[str], linesep: str) -> str:
    """`Name:` then the atoms, each after one space; where a line would pass 78 characters that space
    becomes a line break and a space (unfolding restores the one space; between two encoded words
    readers drop it, which is why the words carry the text's own spaces)."""
    lines = [f"{name}:"]
    for atom in atoms:
        if len(lines[-1]) + 1 + len(atom) > MAX_LINE and lines[-1] != f"{name}:":
            lines.append(" " + atom)
        else:
            lines[-1] += " " + atom
    return linesep.join(lines) + linesep


def _room_after(name: str, atoms: list[str]) -> int:
    """Room left for an encoded word on the line where `_fold` would put it after `atoms`."""
    length = len(name) + 1
    for atom in atoms:
        length = 1 + len(atom) if length + 1 + len(atom) > MAX_LINE and length > len(name) + 1 else \
            length + 1 + len(atom)
    room = MAX_LINE - length - 1
    return room if room >= _MIN_WORD else MAX_WORD


def fold_text(name: str, text: str, linesep: str = "\n") -> str:
    """The header line(s) for an unstructured `text`. Plain ASCII words separated by single spaces are
    folded at their spaces as they are; otherwise the leading plain words (a "[#1005]" tag) stay as they
    are and the rest, from the first word that needs it, becomes encoded words."""
    pieces = re.findall(r"\S+|\s+", text)
    if text and not re.search(r"^\s|\s$|\s\s|[^ \S]", text) and not any(
            _needs_encoding(p) for p in pieces if not p.isspace()):
        return _fold(name, text.split(" "), linesep)
    plain: list[str] = []
    taken = 0
    while (taken + 2 < len(pieces) and not _needs_encoding(pieces[taken]) and pieces[taken + 1] == " "
           and len(" ".join([*plain, pieces[taken]])) <= _PLAIN_TAG_MAX):
        plain.append(pieces[taken])
        taken += 2
    rest = "".join(pieces[taken:])
    if not rest:
        return _fold(name, plain, linesep) if plain else f"{name}:{linesep}"
    return _fold(name, [*plain, *encoded_words(rest, _room_after(name, plain))], linesep)


def _display_name_is_plain(display_name: str) -> bool:
    return all(" " <= ch <= "~" for ch in display_name) and "=?" not in display_name


class _ExactText:
    """Unstructured headers: the value is the literal text we wrote (no RFC 2047 decoding of what
    merely looks like an encoded word), folded by `fold_text`."""

    @classmethod
    def parse(cls, value, kwds):
        super().parse(value, kwds)
        kwds["decoded"] = str(value)

    def fold(self, *, policy):
        return fold_text(self.name, str(self), policy.linesep)


class _ExactAddresses:
    """Address headers: a non-ASCII display name as one encoded word, then <address>. One word, because in
    a display name Python's parser (3.11-3.13) keeps the whitespace between two encoded words that RFC 2047
    readers drop: no split pleases both. A name of more than about 22 Persian or Hebrew letters makes the
    word longer than RFC 2047's 75 characters (a line stays far below the 998 limit); readers take it."""

    def fold(self, *, policy):
        atoms: list[str] = []
        for group in self.groups:
            if group.display_name is not None:
                return super().fold(policy=policy)  # named groups: never written by us
            for index, address in enumerate(group.addresses):
                if not address.addr_spec.isascii():
                    return super().fold(policy=policy)
                if _display_name_is_plain(address.display_name):
                    atom = [str(address)]
                else:
                    atom = [_encode(address.display_name), f"<{address.addr_spec}>"]
                atoms.extend(atom)
                atoms[-1] += ","
        if atoms:
            atoms[-1] = atoms[-1][:-1]
        return _fold(self.name, atoms, policy.linesep)


def _registry() -> HeaderRegistry:
    registry = HeaderRegistry()
    for name, cls in list(registry.registry.items()):
        if issubclass(cls, UnstructuredHeader):
            registry.map_to_type(name, type(cls.__name__, (_ExactText, cls), {}))
        elif issubclass(cls, AddressHeader):
            registry.map_to_type(name, type(cls.__name__, (_ExactAddresses, cls), {}))
    registry.default_class = type("UnstructuredHeader", (_ExactText, UnstructuredHeader), {})
    return registry


OUTGOING = email_policy.default.clone(header_factory=_registry())
