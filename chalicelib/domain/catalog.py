"""The organisation customers and agents see: departments with their categories and work groups, who
supervises a department, and who works in each group. Names are given in every UI language."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.routing import Strategy
from chalicelib.errors import Invalid


@dataclass(frozen=True)
class Category:
    id: str
    names: dict[str, str]


@dataclass(frozen=True)
class Group:
    id: str
    names: dict[str, str]
    members: tuple[str, ...] = ()  # agent usernames
    strategy: Strategy = Strategy.ROUND_ROBIN


@dataclass(frozen=True)
class Department:
    id: str
    names: dict[str, str]
    categories: tuple[Category, ...]
    groups: tuple[Group, ...] = ()
    supervisors: tuple[str, ...] = ()  # agent usernames

    def has_category(self, category_id: str) -> bool:
        return any(c.id == category_id for c in self.categories)

    def group(self, group_id: str) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def groups_of(self, agent: str) -> list[Group]:
        return [g for g in self.groups if agent in g.members]


def check_placement(departments: list[Department], department_id: str, category_id: str) -> None:
    department = next((d for d in departments if d.id == department_id), None)
    if department is None:
        raise Invalid.field("department", "unknown")
    if not department.has_category(category_id):
        raise Invalid.field("category", "unknown")
