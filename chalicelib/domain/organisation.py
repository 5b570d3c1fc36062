"""What an admin may save as the organisation: departments (names in every UI language, categories, work
groups of existing agents, supervisors) and routing rules that point at places that exist. Every problem is
reported by its field path at once, so the admin page can mark them all."""
from __future__ import annotations

import re

from chalicelib.domain.catalog import Category, Department, Group
from chalicelib.domain.routing import RoutingRule, Strategy
from chalicelib.errors import Invalid

ID = re.compile(r"[a-z0-9-]{1,40}")
UI_LANGUAGES = ("fa", "he", "en")
NAME_MAX = 100
KEYWORD_MAX = 60


class _Problems:
    """Field path -> code, collected while parsing."""

    def __init__(self):
        self.fields: dict[str, str] = {}

    def add(self, path: str, code: str) -> None:
        self.fields.setdefault(path, code)

    def raise_any(self, what: str) -> None:
        if self.fields:
            raise Invalid(f"the {what} was not saved: " + "; ".join(f"{p}: {c}" for p, c in self.fields.items()),
                          fields=self.fields)


def _id(value: str, path: str, problems: _Problems) -> str:
    if not ID.fullmatch(value or ""):
        problems.add(path, "invalid")
    return value


def _names(names: dict, path: str, problems: _Problems) -> dict[str, str]:
    cleaned = {}
    for language in UI_LANGUAGES:
        name = " ".join(str(names.get(language) or "").split())
        if not name:
            problems.add(f"{path}.{language}", "required")
        elif len(name) > NAME_MAX:
            problems.add(f"{path}.{language}", "too_long")
        cleaned[language] = name
    return cleaned


def _unique_ids(items: list[dict], path: str, problems: _Problems) -> None:
    seen = set()
    for i, item in enumerate(items):
        _id(item.get("id", ""), f"{path}.{i}.id", problems)
        if item.get("id") in seen:
            problems.add(f"{path}.{i}.id", "duplicate")
        seen.add(item.get("id"))


def _agents(usernames: list[str], path: str, known: set[str], problems: _Problems) -> tuple[str, ...]:
    for i, username in enumerate(usernames):
        if username not in known:
            problems.add(f"{path}.{i}", "unknown")
    return tuple(dict.fromkeys(usernames))  # a name listed twice counts once


def _strategy(value: str, path: str, problems: _Problems) -> Strategy:
    if value not in set(Strategy):
        problems.add(path, "invalid")
        return Strategy.ROUND_ROBIN
    return Strategy(value)


def _group(group: dict, path: str, agents: set[str], problems: _Problems) -> Group:
    return Group(id=group.get("id", ""), names=_names(group.get("names") or {}, f"{path}.names", problems),
                 members=_agents(group.get("members", []), f"{path}.members", agents, problems),
                 strategy=_strategy(group.get("strategy", Strategy.ROUND_ROBIN.value), f"{path}.strategy", problems))


def parse_department(department_id: str, *, names: dict, categories: list[dict], groups: list[dict],
                     supervisors: list[str], agents: set[str]) -> Department:
    """`agents`: the usernames of every existing agent (members and supervisors must be among them)."""
    problems = _Problems()
    _id(department_id, "id", problems)
    if not categories:
        problems.add("categories", "required")  # customers file tickets by category
    _unique_ids(categories, "categories", problems)
    _unique_ids(groups, "groups", problems)
    department = Department(
        id=department_id, names=_names(names, "names", problems),
        categories=tuple(Category(id=c.get("id", ""), names=_names(c.get("names") or {}, f"categories.{i}.names",
                                                                   problems))
                         for i, c in enumerate(categories)),
        groups=tuple(_group(g, f"groups.{i}", agents, problems) for i, g in enumerate(groups)),
        supervisors=_agents(supervisors, "supervisors", agents, problems))
    problems.raise_any("department")
    return department


def parse_rules(rules: list[dict], departments: list[Department]) -> list[RoutingRule]:
    """Each rule sends a category (of any department) to a group that exists, optionally only for subjects
    containing one of its keywords."""
    problems = _Problems()
    by_id = {d.id: d for d in departments}
    categories = {c.id for d in departments for c in d.categories}
    parsed = []
    for i, rule in enumerate(rules):
        if rule.get("category") not in categories:
            problems.add(f"rules.{i}.category", "unknown")
        department = by_id.get(rule.get("department"))
        if department is None:
            problems.add(f"rules.{i}.department", "unknown")
        elif department.group(rule.get("group")) is None:
            problems.add(f"rules.{i}.group", "unknown")
        keywords = [" ".join(k.split()) for k in rule.get("keywords", [])]
        for j, keyword in enumerate(keywords):
            if len(keyword) > KEYWORD_MAX:
                problems.add(f"rules.{i}.keywords.{j}", "too_long")
        parsed.append(RoutingRule(category=rule.get("category"), department=rule.get("department"),
                                  group=rule.get("group"), keywords=tuple(dict.fromkeys(k for k in keywords if k))))
    problems.raise_any("rules")
    return parsed
