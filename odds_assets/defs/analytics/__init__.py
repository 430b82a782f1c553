"""The analytics domain: market reports computed from the stored prices, downstream of ``current_odds``.
Here, the daily reports (``daily``: ``opening_closing``, ``margin_report``, ``lead_lag``,
``coverage_gaps``)."""

from datetime import datetime

import dagster as dg

from odds_assets.defs.analytics.daily import build_daily_analytics
from odds_assets.settings import PipelineSettings

__all__ = ["build_analytics_definitions"]


def build_analytics_definitions(settings: PipelineSettings, *, now: datetime | None = None) -> dg.Definitions:
    return build_daily_analytics(settings, now=now)
