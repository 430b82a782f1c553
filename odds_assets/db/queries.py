"""Loads the SQL statements in ``db/sql/`` (one statement per file, named verb_object) and reads their
rows as typed records.

Every statement the project runs lives in ``db/sql/`` and code runs it by name; only the migrations
keep their DDL (a migration is a frozen record of what it did). Identifiers (a partition, a database)
are composed with ``psycopg.sql.Identifier`` into ``{placeholders}``, never formatted as text.

Rows come back through psycopg's ``class_row``: columns are matched to a dataclass's fields by name, so
a record is read by attribute, never by position, and the row type drives static typing.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg.rows import class_row

__all__ = ["fetch", "fetch_one", "load"]

_SQL_DIR = Path(__file__).with_name("sql")

RowT = TypeVar("RowT")


@cache
def load(name: str) -> str:
    """The text of ``sql/<name>.sql``."""
    return (_SQL_DIR / f"{name}.sql").read_text()


def fetch(conn: psycopg.Connection[Any], name: str, row: type[RowT],
          params: Mapping[str, Any] | None = None) -> list[RowT]:
    """The rows of ``sql/<name>.sql`` as ``row`` records (a dataclass whose fields are the columns)."""
    with conn.cursor(row_factory=class_row(row)) as cur:
        return cur.execute(load(name), params).fetchall()


def fetch_one(conn: psycopg.Connection[Any], name: str, row: type[RowT],
              params: Mapping[str, Any] | None = None) -> RowT | None:
    """The first row of ``sql/<name>.sql`` as a ``row`` record; ``None`` when there is none."""
    with conn.cursor(row_factory=class_row(row)) as cur:
        return cur.execute(load(name), params).fetchone()
