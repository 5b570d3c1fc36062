"""What the converters share: where a ticket goes (the mapping file), the language of its text, HTML bodies as
text, and writing the JSON lines."""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, TextIO

_HEBREW = re.compile(r"[\u0590-\u05FF]")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")


def language_of(*texts: str, hint: str | None = None) -> str:
    """fa, he or en: the source's own language setting when it names one of ours (a locale such as `he-IL`),
    else the script the customer wrote in (Persian and Arabic script -> fa, Hebrew -> he), else en."""
    if hint:
        code = hint.strip().lower().replace("_", "-").split("-", 1)[0]
        if code in ("fa", "he", "en"):
            return code
        if code == "iw":  # the old code of Hebrew, still sent by some systems
            return "he"
    text = " ".join(t for t in texts if t)
    hebrew, persian = len(_HEBREW.findall(text)), len(_ARABIC_SCRIPT.findall(text))
    if hebrew or persian:
        return "he" if hebrew > persian else "fa"
    return "en"


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "pre"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(body: str) -> str:
    """A message body from HTML: the words and line breaks, no markup (the desk stores plain text)."""
    if "<" not in body:
        return html.unescape(body).strip()
    parser = _Text()
    parser.feed(body)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass
class Placement:
    """Where the source's departments, groups or topics go here (ids of this desk's catalog), and which
    address each of its agents signs in with here. Read from a JSON mapping file (docs/import.md)."""
    department: str
    category: str
    places: dict[str, dict[str, str]] = field(default_factory=dict)
    agents: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None, department: str | None, category: str | None) -> Placement:
        doc = json.loads(path.read_text(encoding="utf-8")) if path else {}
        default = doc.get("default", {})
        return cls(department=department or default.get("department", ""),
                   category=category or default.get("category", ""),
                   places={str(k): v for k, v in doc.get("places", {}).items()},
                   agents={str(k): v for k, v in doc.get("agents", {}).items()})

    def of(self, *names) -> tuple[str, str]:
        """The first source name the mapping knows (a group before its department, say), else the default."""
        for name in names:
            if name is not None and str(name) in self.places:
                place = self.places[str(name)]
                return place["department"], place["category"]
        return self.department, self.category

    def agent(self, key, email: str | None = None) -> str | None:
        return self.agents.get(str(key)) or email


def write_lines(records: Iterable[dict], out: TextIO) -> int:
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count
