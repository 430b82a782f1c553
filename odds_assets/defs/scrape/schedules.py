"""``scrape_odds_job`` and ``scrape_odds_schedule``: one scrape run per bookmaker per window.

The schedule ticks at every window start (``ODDS_CADENCE_MINUTES``) and requests, for every bookmaker,
the window that has just opened (the window dimension has ``end_offset=1``, so the open window is a
partition): the scrape's ``captured_at`` lies inside its window. It is on by default. Each request
carries ``odds/scrape_slot`` = the bookmaker, which the run queue limits to one active scrape run per
bookmaker — apart from the write runs (``odds/write_slot``), so a write waiting on the database never
holds a scrape back.
"""

from __future__ import annotations

from datetime import timezone

import dagster as dg

from odds_assets.defs.common.constants import BOOK_TAG, MAX_RUNTIME_TAG, SCRAPE_SLOT_TAG
from odds_assets.defs.common.partitions import partition_key
from odds_assets.models import BOOKMAKERS
from odds_assets.settings import PipelineSettings

__all__ = ["build_scrape_schedule", "build_scrape_odds_job"]


def build_scrape_odds_job(settings: PipelineSettings,
                          odds_snapshot: dg.AssetsDefinition) -> dg.UnresolvedAssetJobDefinition:
    # the asset's checks come with it (AssetSelection.assets includes checks of the selected assets);
    # dagster/max_runtime: run monitoring fails a run stuck longer (e.g. its process was killed)
    return dg.define_asset_job("scrape_odds_job", selection=dg.AssetSelection.assets(odds_snapshot),
                               tags={MAX_RUNTIME_TAG: str(settings.run_max_runtime_s)},
                               description="Scrape and archive one bookmaker's board for one window.")


def build_scrape_schedule(settings: PipelineSettings, job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    @dg.schedule(name="scrape_odds_schedule", job=job, cron_schedule=settings.cron, execution_timezone="UTC",
                 default_status=dg.DefaultScheduleStatus.RUNNING,
                 description="At every window start: one scrape run per bookmaker for the window that opens.")
    def scrape_odds_schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        t = context.scheduled_execution_time.astimezone(timezone.utc).replace(second=0, microsecond=0)
        start = t.replace(minute=t.minute - t.minute % settings.cadence_minutes) if settings.cadence_minutes < 60 \
            else t.replace(minute=0)
        return [dg.RunRequest(run_key=str(partition_key(book, start)), partition_key=partition_key(book, start),
                              tags={BOOK_TAG: book, SCRAPE_SLOT_TAG: book}) for book in BOOKMAKERS]

    return scrape_odds_schedule
