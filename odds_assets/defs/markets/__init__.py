"""The markets domain: ``current_odds`` (current odds and change-only history in PostgreSQL, per
bookmaker window, from the archived ``odds_snapshot``), its checks, the write job and the sensors that
drive it, and retention maintenance (``odds_retention``)."""

import dagster as dg

from odds_assets.defs.markets.assets import build_current_odds, build_odds_retention
from odds_assets.defs.markets.checks import build_current_odds_checks
from odds_assets.defs.markets.schedules import build_maintenance
from odds_assets.defs.markets.sensors import build_write_odds_job, build_write_sensors
from odds_assets.settings import PipelineSettings

__all__ = ["build_markets_definitions"]


def build_markets_definitions(settings: PipelineSettings, partitions_def: dg.MultiPartitionsDefinition
                              ) -> dg.Definitions:
    current_odds = build_current_odds(settings, partitions_def)
    odds_retention = build_odds_retention(settings)
    write_job = build_write_odds_job(settings, current_odds)
    maintain_job, maintain_schedule = build_maintenance(odds_retention)
    return dg.Definitions(
        assets=[current_odds, odds_retention],
        asset_checks=build_current_odds_checks(settings, partitions_def, current_odds),
        jobs=[write_job, maintain_job],
        schedules=[maintain_schedule],
        sensors=build_write_sensors(settings, partitions_def, current_odds, write_job),
    )
