"""Converters from other help desks' exports to the import's JSON lines (docs/import.md)."""
