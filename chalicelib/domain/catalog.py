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

    def category_on_arrival(self, current: str, chosen: str | None = None) -> str:
        """The category a ticket takes when it is moved here: the one chosen (it must be one of ours), else the
        one it has if we have it too, else our first (default) category. A ticket never keeps a category its
        department does not have."""
        if chosen:
            if not self.has_category(chosen):
                raise Invalid.field("category", "unknown")
            return chosen
        if self.has_category(current) or not self.categories:
            return current
        return self.categories[0].id

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
