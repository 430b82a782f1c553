"""Prepares DAGSTER_HOME for the product: the repository's dagster.yaml plus dagster-postgres storage.

The storage URL is not written into the file; the file reads it from ``ODDS_DAGSTER_STORAGE_URL``,
which :func:`dagster_env` returns together with ``DAGSTER_HOME``.
"""

from __future__ import annotations

import os
from pathlib import Path

from odds_assets.db.server import DatabaseUrls, state_dir, to_sqlalchemy_url

__all__ = ["REPO_ROOT", "dagster_env", "prepare_dagster_home"]

REPO_ROOT = Path(__file__).resolve().parents[1]

_STORAGE_BLOCK = """
# --- added by odds_assets.dagster_home: Dagster's own storage on PostgreSQL (dagster-postgres) ---
storage:
  postgres:
    postgres_url:
      env: ODDS_DAGSTER_STORAGE_URL
"""


def prepare_dagster_home(home: Path) -> Path:
    """Write ``home/dagster.yaml`` (the repository's settings + postgres storage); returns ``home``."""
    home.mkdir(parents=True, exist_ok=True)
    base = (REPO_ROOT / "dagster.yaml").read_text()
    target = home / "dagster.yaml"
    content = base.rstrip() + "\n" + _STORAGE_BLOCK
    if not target.exists() or target.read_text() != content:
        target.write_text(content)
    return home


def dagster_env(urls: DatabaseUrls, home: Path) -> dict[str, str]:
    """Environment variables a Dagster process of this product needs (the code location's resources
    read ODDS_DATABASE_URL and ODDS_ARCHIVE_URL through dg.EnvVar; the archive defaults to
    ``<state dir>/archive`` unless ODDS_ARCHIVE_URL is already set)."""
    return {
        "DAGSTER_HOME": str(prepare_dagster_home(home)),
        "ODDS_DAGSTER_STORAGE_URL": to_sqlalchemy_url(urls.dagster, "psycopg2"),
        "ODDS_DATABASE_URL": urls.odds,
        "ODDS_ARCHIVE_URL": os.environ.get("ODDS_ARCHIVE_URL") or str(state_dir() / "archive"),
    }
