"""Alembic environment: online migrations only, URL from the caller (``odds_assets.db.migrate``) or
ODDS_DATABASE_URL (the developers' ``alembic`` command line, configured in ``pyproject.toml``)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine, pool

from odds_assets.db.server import to_sqlalchemy_url

config = context.config


def _url() -> str:
    url = config.attributes.get("url") or os.environ.get("ODDS_DATABASE_URL")
    if not url:
        raise RuntimeError("no database URL: pass one to odds_assets.db.migrate.upgrade() or set ODDS_DATABASE_URL")
    return to_sqlalchemy_url(url, "psycopg")


def run_migrations_online() -> None:
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()
