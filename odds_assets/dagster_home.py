"""Prepares DAGSTER_HOME for the product: the package's instance settings plus dagster-postgres storage.

The settings are ``odds_assets/dagster.yaml`` (installed with the package; the repository's root
``dagster.yaml`` is a link to it, for ``dagster dev`` from a checkout). The storage URL is not written
into the file; the file reads it from ``ODDS_DAGSTER_STORAGE_URL``, which :func:`dagster_env` returns
together with ``DAGSTER_HOME``. Dagster processes load the code location by module
(:data:`CODE_LOCATION_ARGS`), so nothing here needs the repository.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from odds_assets.db.server import DatabaseUrls, state_dir, to_sqlalchemy_url

__all__ = ["CODE_LOCATION_ARGS", "dagster_env", "instance_settings", "prepare_dagster_home"]

#: how dagster-daemon, dagster-webserver and ``dagster`` find the code location (the repository
#: declares the same module in pyproject.toml's ``[tool.dagster]`` for ``dagster dev``)
CODE_LOCATION_ARGS = ("-m", "odds_assets.definitions")

_STORAGE_BLOCK = """
# --- added by odds_assets.dagster_home: Dagster's own storage on PostgreSQL (dagster-postgres) ---
storage:
  postgres:
    postgres_url:
      env: ODDS_DAGSTER_STORAGE_URL
"""


def instance_settings() -> str:
    """The Dagster instance settings shipped with the package (``odds_assets/dagster.yaml``)."""
    return resources.files("odds_assets").joinpath("dagster.yaml").read_text(encoding="utf-8")


def prepare_dagster_home(home: Path) -> Path:
    """Write ``home/dagster.yaml`` (the package's settings + postgres storage); returns ``home``."""
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    content = instance_settings().rstrip() + "\n" + _STORAGE_BLOCK
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
