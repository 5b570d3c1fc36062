"""The departments and categories customers choose from."""
from __future__ import annotations

from chalicelib.domain.catalog import Category, Department
from chalicelib.services.ports import CatalogRepository


def list_departments(catalog: CatalogRepository) -> list[Department]:
    return sorted(catalog.departments(), key=lambda d: d.id)


def save_department(catalog: CatalogRepository, *, id: str, names: dict[str, str],
                    categories: list[dict]) -> Department:
    department = Department(id=id, names=dict(names),
                            categories=tuple(Category(id=c["id"], names=dict(c["names"])) for c in categories))
    catalog.save(department)
    return department
