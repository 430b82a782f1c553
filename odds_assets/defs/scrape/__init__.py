"""The scrape domain: ``odds_snapshot`` (one bookmaker's board per window, archived), its checks, the
scrape job, the schedule that requests every bookmaker's window as it opens and the watchdog that fails a
hung scrape before the next window needs its bookmaker."""

import dagster as dg

from odds_assets.defs.scrape.assets import build_odds_snapshot
from odds_assets.defs.scrape.checks import build_snapshot_checks
from odds_assets.defs.scrape.schedules import build_scrape_odds_job, build_scrape_schedule
from odds_assets.defs.scrape.sensors import build_scrape_watchdog
from odds_assets.settings import PipelineSettings

__all__ = ["build_scrape_definitions"]


def build_scrape_definitions(settings: PipelineSettings, partitions_def: dg.MultiPartitionsDefinition
                             ) -> dg.Definitions:
    odds_snapshot = build_odds_snapshot(settings, partitions_def)
    job = build_scrape_odds_job(settings, odds_snapshot)
    return dg.Definitions(
        assets=[odds_snapshot],
        asset_checks=[build_snapshot_checks(settings, partitions_def, odds_snapshot)],
        jobs=[job],
        schedules=[build_scrape_schedule(settings, job)],
        sensors=[build_scrape_watchdog(settings)],
    )
