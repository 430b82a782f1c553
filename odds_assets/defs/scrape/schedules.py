"""``scrape_odds_job`` and ``scrape_odds_schedule``: one scrape run per bookmaker per window.

The schedule ticks at every window start (``ODDS_CADENCE_MINUTES``) and requests the window that has
just opened for every bookmaker (the window dimension has ``end_offset=1``), so the scrape's
``captured_at`` lies inside its window. It is on by default.
"""

from __future__ import annotations

import dagster as dg

__all__ = ["build_scrape_schedule", "build_scrape_odds_job"]


def build_scrape_odds_job(odds_snapshot: dg.AssetsDefinition) -> dg.UnresolvedAssetJobDefinition:
    # the asset's checks come with it (AssetSelection.assets includes checks of the selected assets)
    return dg.define_asset_job("scrape_odds_job", selection=dg.AssetSelection.assets(odds_snapshot),
                               description="Scrape and archive one bookmaker's board for one window.")


def build_scrape_schedule(job: dg.UnresolvedAssetJobDefinition) -> dg.UnresolvedPartitionedAssetScheduleDefinition:
    return dg.build_schedule_from_partitioned_job(job, name="scrape_odds_schedule",
                                                  default_status=dg.DefaultScheduleStatus.RUNNING)
