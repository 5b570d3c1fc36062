"""Departments and their categories, named in every UI language."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.errors import Invalid


@dataclass(frozen=True)
class Category:
    id: str
    names: dict[str, str]


@dataclass(frozen=True)
class Department:
    id: str
    names: dict[str, str]
    categories: tuple[Category, ...]

    def has_category(self, category_id: str) -> bool:
        return any(c.id == category_id for c in self.categories)


def check_placement(departments: list[Department], department_id: str, category_id: str) -> None:
    department = next((d for d in departments if d.id == department_id), None)
    if department is None:
        raise Invalid.field("department", "unknown")
    if not department.has_category(category_id):
        raise Invalid.field("category", "unknown")
