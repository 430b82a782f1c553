"""The odds_assets Dagster code location (loaded by workspace.yaml)."""

from __future__ import annotations

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions()
