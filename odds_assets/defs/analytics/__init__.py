"""The analytics domain: market reports computed from the stored prices, downstream of ``current_odds``.

- per window: ``fair_prices`` and ``exposure`` (window partitions, downstream of the three bookmakers'
  ``current_odds`` of the same window), their checks, ``analytics_job`` and ``analytics_sensor`` that runs
  it in window order;
- per day (``daily``): ``opening_closing``, ``margin_report``, ``lead_lag``, ``coverage_gaps``, their
  checks, ``daily_analytics_job`` and ``daily_analytics_schedule``."""

from datetime import datetime

import dagster as dg

from odds_assets.defs.analytics.assets import build_window_analytics
from odds_assets.defs.analytics.checks import build_window_analytics_checks
from odds_assets.defs.analytics.daily import build_daily_analytics
from odds_assets.defs.analytics.sensors import build_analytics_job, build_analytics_sensor
from odds_assets.settings import PipelineSettings

__all__ = ["build_analytics_definitions"]


def build_analytics_definitions(settings: PipelineSettings, partitions_def: dg.TimeWindowPartitionsDefinition,
                                *, now: datetime | None = None) -> dg.Definitions:
    fair_prices, exposure = build_window_analytics(settings, partitions_def)
    job = build_analytics_job(settings, fair_prices, exposure)
    window = dg.Definitions(
        assets=[fair_prices, exposure],
        asset_checks=build_window_analytics_checks(partitions_def, fair_prices, exposure),
        jobs=[job],
        sensors=[build_analytics_sensor(settings, partitions_def, job)],
    )
    return dg.Definitions.merge(window, build_daily_analytics(settings, now=now))
