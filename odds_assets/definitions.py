"""The odds_assets Dagster code location, loaded as a module (``-m odds_assets.definitions``; from a checkout,
``[tool.dagster]`` in pyproject.toml); see ``odds_assets.defs``."""

from __future__ import annotations

import dagster as dg

from odds_assets.defs import build_definitions


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
