"""``odds_snapshot``: one bookmaker's whole football pre-match board for one window.

The work is ``odds_assets.scrape.scrape_window`` (scrape an open window and archive its raw responses
at once, or re-parse an archived one; normalise, quarantine, build the snapshot and its summary).
This asset walks the run's windows in order, maps errors to retries or failures
(``defs/common/policy``) and reports the figures; ``snapshot_io_manager`` stores the snapshot and
summary in the archive — still before the odds database is touched (``current_odds`` does that, in
another run).
"""

import dagster as dg

from odds_assets.defs.common.constants import GROUP_SCRAPE, SNAPSHOT_KEY
from odds_assets.defs.common.metadata import snapshot_metadata
from odds_assets.defs.common.policy import failure_policy, retry_policy
from odds_assets.defs.common.resources import BoardScraperResource, OddsArchiveResource
from odds_assets.scrape import ScrapedWindow, scrape_window
from odds_assets.settings import PipelineSettings
from odds_assets.windows import split_key, window_end

__all__ = ["build_odds_snapshot"]


def build_odds_snapshot(settings: PipelineSettings, partitions_def: dg.MultiPartitionsDefinition
                        ) -> dg.AssetsDefinition:
    rules = settings.quality

    @dg.asset(
        key=SNAPSHOT_KEY,
        partitions_def=partitions_def,
        io_manager_key="snapshot_io_manager",
        group_name=GROUP_SCRAPE,
        kinds={"python", "parquet"},
        # Dagster splits a range per bookmaker; the body walks the windows in order.
        backfill_policy=dg.BackfillPolicy.single_run(),
        retry_policy=retry_policy(settings),
    )
    def odds_snapshot(context: dg.AssetExecutionContext, scraper: BoardScraperResource,
                      archive: OddsArchiveResource) -> dg.Output[dict[str, ScrapedWindow]]:
        """One bookmaker's whole football pre-match board in one window: raw responses archived
        (compressed), normalised market instances (one row per event × market × line) as Parquet."""
        arch = archive.archive()
        out: dict[str, ScrapedWindow] = {}
        for key in sorted(context.partition_keys, key=split_key):
            book, start = split_key(key)

            def log(line: str, key: str = key) -> None:
                context.log.info(f"{key}: {line}")

            with failure_policy(key):
                item = scrape_window(book, start, window_end(settings, start), fetch=scraper.fetch_board,
                                     now=scraper.now, archive=arch, rules=rules, log=log)
            out[key] = item
            s = item.summary
            context.log.info(f"{key}: {s.board.events_complete}/{s.board.listed} events complete, {s.markets} "
                             f"markets, {s.quarantine.outcomes} quarantined, from {s.source}")
        return dg.Output(out, metadata=snapshot_metadata(out))

    return odds_snapshot
