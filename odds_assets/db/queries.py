"""Loads the SQL statements in ``db/sql/`` (one statement per file, named verb_object)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = ["load"]

_SQL_DIR = Path(__file__).with_name("sql")


@lru_cache(maxsize=None)
def load(name: str) -> str:
    """The text of ``sql/<name>.sql``."""
    return (_SQL_DIR / f"{name}.sql").read_text()
