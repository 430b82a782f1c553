"""``odds_snapshot``: one bookmaker's whole football pre-match board for one window.

The work is ``odds_assets.scrape.scrape_window`` (scrape an open window and archive its raw responses
at once, or re-parse an archived one; normalise, quarantine, build the snapshot and its summary).
This asset walks the run's windows in order, maps errors to retries or failures
(``defs/common/policy``) and reports the figures; ``snapshot_io_manager`` stores the snapshot and
summary in the archive — still before the odds database is touched (``current_odds`` does that, in
another run).

A scheduled (single-window) run that starts after its window has closed (it waited in the queue, its process started
slowly under load) does not scrape — the board it would read belongs to another window — and does not
fail either: it ends without materialising the window, with the run tag ``odds/skipped`` and an
observation on the partition saying why, so the UI shows the window missing, not failed, and its checks
as skipped. Only its first attempt is skipped so: a run that started in time, failed (say, on the archive)
and retried past the window's end fails, its earlier attempts' errors in its log. A range run (a backfill)
re-derives archived windows; one that was never archived fails it.
"""

import time
from collections.abc import Iterator
from datetime import datetime

import dagster as dg

from odds_assets.defs.common.constants import GROUP_SCRAPE, SKIPPED_TAG, SNAPSHOT_KEY
from odds_assets.defs.common.metadata import snapshot_metadata
from odds_assets.defs.common.policy import failure_policy, retry_policy
from odds_assets.defs.common.resources import BoardScraperResource, OddsArchiveResource
from odds_assets.errors import WindowClosed
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
        output_required=False,  # a window closed before its run started is skipped, not materialised
    )
    def odds_snapshot(context: dg.AssetExecutionContext, scraper: BoardScraperResource,
                      archive: OddsArchiveResource) -> Iterator[dg.Output[dict[str, ScrapedWindow]]]:
        """One bookmaker's whole football pre-match board in one window: raw responses archived
        (compressed), normalised market instances (one row per event × market × line) as Parquet."""
        arch = archive.archive()
        out: dict[str, ScrapedWindow] = {}
        keys = sorted(context.partition_keys, key=split_key)
        for key in keys:
            book, start = split_key(key)

            def log(line: str, key: str = key) -> None:
                context.log.info(f"{key}: {line}")

            if len(keys) == 1:
                _wait_for_window(context, scraper, key, start, settings)
            with failure_policy(key):
                try:
                    item = scrape_window(book, start, window_end(settings, start), fetch=scraper.fetch_board,
                                         now=scraper.now, archive=arch, rules=rules, log=log)
                except WindowClosed as exc:
                    # a backfill or a run by hand asked for this window: say it cannot be; a retry
                    # started in time and failed: its window closed while it retried
                    if len(keys) > 1 or "dagster/schedule_name" not in context.run.tags or context.retry_number:
                        raise
                    reason = f"skipped, nothing scraped: {exc}"
                    context.log.warning(f"{key}: {reason}")
                    context.instance.add_run_tags(context.run_id, {SKIPPED_TAG: reason[:500]})
                    context.log_event(dg.AssetObservation(asset_key=SNAPSHOT_KEY, partition=key,
                                                          metadata={"skipped": reason}))
                    return
            out[key] = item
            s = item.summary
            context.log.info(f"{key}: {s.board.events_complete}/{s.board.listed} events complete, {s.markets} "
                             f"markets, {s.quarantine.outcomes} quarantined, from {s.source}")
        yield dg.Output(out, metadata=snapshot_metadata(out))

    return odds_snapshot


def _wait_for_window(context: dg.AssetExecutionContext, scraper: BoardScraperResource, key: str,
                     start: datetime, settings: PipelineSettings) -> None:
    """A single-window run started before its window opened (requested a tick ahead with
    ``ODDS_SCRAPE_PRESTART``) waits for it, so the scrape starts at the window's start with the process
    already up. The wait is bounded (a cadence and 30 s of wall time) and ends at once when the clock
    does not move while the run sleeps (a frozen test clock): ``scrape_window`` then raises
    ``WindowNotOpen``."""
    left = (start - scraper.now()).total_seconds()
    if left <= 0:
        return
    context.log.info(f"{key}: the window opens in {left:.1f} s; waiting (the run started ahead of it)")
    give_up = time.monotonic() + settings.cadence_seconds + 30
    while left > 0 and time.monotonic() < give_up:
        time.sleep(min(left, 1.0))
        before, left = left, (start - scraper.now()).total_seconds()
        if left >= before:
            context.log.warning(f"{key}: the clock stands still {left:.1f} s before the window; not waiting")
            return
