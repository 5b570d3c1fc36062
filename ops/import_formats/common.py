"""What the converters share: where a ticket goes (the mapping file), the language of its text, HTML bodies as
text (the same reading as inbound mail's, domain/mail_body.py), their command-line options and writing the
JSON lines."""
from __future__ import annotations

import argparse
import json
import sys
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, TextIO

from chalicelib.domain.mail_body import html_to_text  # noqa: F401  (the converters' import)

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


def converter_options(parser: argparse.ArgumentParser, source: str) -> None:
    """The options every converter takes: output, mapping, fallback placement, the source's name."""
    parser.add_argument("-o", "--output", type=Path, help="JSON-lines file to write (default: stdout)")
    parser.add_argument("--map", type=Path, help="mapping of the source's groups, topics and agents (docs/import.md)")
    parser.add_argument("--department", help="department id for tickets the mapping does not place")
    parser.add_argument("--category", help="category id for tickets the mapping does not place")
    parser.add_argument("--source", default=source, help=f"the source's name in external ids (default {source})")


def write_converted(records: Iterable[dict], output: Path | None) -> int:
    """Writes the records to `output` (stdout without one), says how many on stderr; the exit status."""
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        count = write_lines(records, out)
    finally:
        if output:
            out.close()
    print(f"{count} tickets converted", file=sys.stderr)
    return 0
