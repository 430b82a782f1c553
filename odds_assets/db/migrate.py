"""Apply the alembic migrations in ``odds_assets/db/migrations/`` to a database (one call, idempotent).

The migrations ship inside the package and the alembic configuration is built here, so an installed
wheel migrates a database from any working directory (no ``alembic.ini`` at run time). Developers'
``alembic`` command line reads the same folder from ``[tool.alembic]`` in ``pyproject.toml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from odds_assets.db import queries

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["MIGRATIONS", "current_revision", "head_revision", "upgrade"]

#: the alembic script directory (env.py, script.py.mako, versions/), installed with the package
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url  # read by env.py; never written into a file
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the odds database at ``url`` (a libpq ``postgresql://`` URL) to ``revision``."""
    import psycopg
    from alembic import command

    # Serialise concurrent migrators (demo start, tests, several Dagster processes) on one server.
    with psycopg.connect(url, autocommit=True) as lock_conn:
        lock_conn.execute(queries.load("lock_migrations"))
        try:
            command.upgrade(_config(url), revision)
        finally:
            lock_conn.execute(queries.load("unlock_migrations"))


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at (None before the first migration)."""
    import psycopg

    with psycopg.connect(url) as conn:
        try:
            row = conn.execute(queries.load("select_schema_revision")).fetchone()
        except psycopg.errors.UndefinedTable:
            return None
    return row[0] if row else None


def head_revision() -> str:
    """The newest revision in ``migrations/versions/``."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config("postgresql://unused")).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head
