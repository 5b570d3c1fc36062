"""Where a new ticket goes (routing rules) and who in the group takes it (assignment strategies)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.text import normalize, tokens


@dataclass(frozen=True)
class RoutingRule:
    category: str
    department: str
    group: str
    keywords: tuple[str, ...] = ()  # any of them in the subject; empty = the category's default

    def matches(self, category: str, subject_words: set[str], subject: str) -> bool:
        if category != self.category:
            return False
        if not self.keywords:
            return True
        # A keyword of several words matches as a phrase; one word matches a whole word.
        return any((normalize(k) in subject) if " " in k.strip() else (normalize(k) in subject_words)
                   for k in self.keywords)


@dataclass(frozen=True)
class Destination:
    department: str
    group: str


def route(rules: list[RoutingRule], category: str, subject: str) -> Destination | None:
    """Keyword rules of the category win over its default rule; among equals, the first listed."""
    words, folded = set(tokens(subject)), normalize(subject)
    matching = [r for r in rules if r.matches(category, words, folded)]
    if not matching:
        return None
    best = next((r for r in matching if r.keywords), matching[0])
    return Destination(best.department, best.group)


class Strategy(StrEnum):
    ROUND_ROBIN = "round_robin"
    FEWEST_OPEN = "fewest_open"


def round_robin(members: list[str], last_assigned: str | None) -> str | None:
    """The member after the one who got the previous ticket (members in a stable order)."""
    if not members:
        return None
    ordered = sorted(members)
    if last_assigned not in ordered:
        return ordered[0]
    return ordered[(ordered.index(last_assigned) + 1) % len(ordered)]


def fewest_open(members: list[str], open_counts: dict[str, int]) -> str | None:
    """The member with the fewest open tickets; ties go to the first in a stable order."""
    if not members:
        return None
    return min(sorted(members), key=lambda m: open_counts.get(m, 0))


def choose_assignee(strategy: Strategy, members: list[str], *, last_assigned: str | None = None,
                    open_counts: dict[str, int] | None = None) -> str | None:
    if strategy == Strategy.ROUND_ROBIN:
        return round_robin(members, last_assigned)
    return fewest_open(members, open_counts or {})
