"""Apply the alembic migrations in ``migrations/`` to a database (one call, idempotent)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["current_revision", "head_revision", "upgrade"]

_ROOT = Path(__file__).resolve().parents[2]


def _config(url: str):
    from alembic.config import Config

    cfg = Config(str(_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(_ROOT / "migrations"))
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the odds database at ``url`` (a libpq ``postgresql://`` URL) to ``revision``."""
    import psycopg
    from alembic import command

    # Serialise concurrent migrators (demo start, tests, several Dagster processes) on one server.
    with psycopg.connect(url, autocommit=True) as lock_conn:
        lock_conn.execute("SELECT pg_advisory_lock(hashtext('odds_assets.migrate'))")
        try:
            command.upgrade(_config(url), revision)
        finally:
            lock_conn.execute("SELECT pg_advisory_unlock(hashtext('odds_assets.migrate'))")


def current_revision(url: str) -> str | None:
    import psycopg

    with psycopg.connect(url) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except psycopg.errors.UndefinedTable:
            return None
    return row[0] if row else None


def head_revision() -> str:
    """The newest revision in ``migrations/``."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config("postgresql://unused")).get_current_head()
