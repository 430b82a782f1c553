"""``scrape_odds_job`` and ``scrape_odds_schedule``: one scrape run per bookmaker per window.

The job materialises ``odds_snapshot`` and, in the same run and process, ``current_odds`` of the same
window when the bookmaker is caught up — the freshness path: window start → run start → scrape and
archive → write, with no sensor tick, queue or process start in between (three runs per window instead
of six). Its requests carry ``odds/scrape_write``; the write is bounded by
``ODDS_SCRAPE_WRITE_BUDGET_S`` and by the window's end, and anything that stops it (a write run of the
book in flight, earlier windows waiting, a slow, locked or frozen database) leaves the window to
``write_odds_sensor`` without failing the run (``defs/markets/assets.py``, ``write_in_scrape_run``).

The schedule ticks at every window start (``ODDS_CADENCE_MINUTES``) and requests, for every bookmaker,
the window that has just opened (the window dimension has ``end_offset=1``, so the open window is a
partition): the scrape's ``captured_at`` lies inside its window. It is on by default. Each request
carries ``odds/scrape_slot`` = the bookmaker, which the run queue limits to one active scrape run per
bookmaker — apart from the write runs (``odds/write_slot``), so a write waiting on the database never
holds a scrape back.

With ``ODDS_SCRAPE_PRESTART=1`` each tick also requests the *next* window's runs (the window dimension
then reaches one window ahead). They wait in the queue behind the book's current scrape, start their
process while it finishes, and wait for their window to open (``defs/scrape/assets.py``): the scrape
starts at the window's start, not a queue wait and a process start (~3 CPU s of imports; ~10 s of wall
time with three starting at once on two cores) after it. The tick's own window is then only requested
for a book that has no run of it yet (the first tick). The watchdog counts such a run's time from its
window's start, and its ``dagster/max_runtime`` adds one cadence for the wait.

A late scrape never crowds out a live one (a window is only ever scraped while it is open):

- a tick evaluated after its window has closed (the daemon was down or far behind, a restart catching
  up missed ticks) requests nothing and says so;
- at every tick, the schedule's own scrape runs still *queued* for a window that has closed are
  cancelled, tagged ``odds/skipped`` with the reason, before the new window's runs are requested: they
  would only fail "in the past" after taking their bookmaker's slot and a process start;
- a run that leaves the queue too late ends without scraping, also tagged ``odds/skipped``
  (``defs/scrape/assets.py``).

A scrape hung past ``ODDS_SCRAPE_MAX_RUNTIME_S`` (default one cadence: a stalled bookmaker connection,
a frozen process) is failed by ``scrape_watchdog_sensor`` so its bookmaker's slot is free for the next
window; the runs' ``dagster/max_runtime`` (a minute more) lets run monitoring back it up.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import dagster as dg

from odds_assets import catchup
from odds_assets.defs.common.constants import (
    BOOK_TAG,
    CURRENT_KEY,
    MAX_RUNTIME_TAG,
    SCRAPE_JOB,
    SCRAPE_SLOT_TAG,
    SCRAPE_WRITE_TAG,
    SKIPPED_TAG,
)
from odds_assets.defs.common.partitions import partition_key
from odds_assets.models import BOOKMAKERS
from odds_assets.settings import PipelineSettings
from odds_assets.windows import split_key, window_end

__all__ = ["build_scrape_schedule", "build_scrape_odds_job", "cancel_stale_scrapes"]

SCHEDULE_NAME = "scrape_odds_schedule"


def build_scrape_odds_job(settings: PipelineSettings,
                          odds_snapshot: dg.AssetsDefinition) -> dg.UnresolvedAssetJobDefinition:
    # the asset's checks come with it (AssetSelection.assets includes checks of the selected assets);
    # current_odds (by key: the markets domain's asset) with the checks its write runs carry, for a
    # scheduled run of a caught-up bookmaker to write its own window (it leaves every other to the write
    # sensor, see the module docstring); dagster/max_runtime: run monitoring fails a run stuck longer —
    # the backstop, a minute after scrape_watchdog_sensor, which fails a hung scrape at
    # ODDS_SCRAPE_MAX_RUNTIME_S without waiting on it
    selection = (dg.AssetSelection.assets(odds_snapshot)
                 | dg.AssetSelection.assets(CURRENT_KEY).without_checks()
                 | dg.AssetSelection.checks(dg.AssetCheckKey(CURRENT_KEY, "current_history_consistency"),
                                            dg.AssetCheckKey(CURRENT_KEY, "applied")))
    return dg.define_asset_job(SCRAPE_JOB, selection=selection,
                               tags={MAX_RUNTIME_TAG: str(settings.scrape_run_max_runtime_s)},
                               description="Scrape and archive one bookmaker's board for one window; a scheduled "
                                           "run of a caught-up bookmaker also writes it.")


def cancel_stale_scrapes(instance: dg.DagsterInstance, settings: PipelineSettings, now: datetime,
                         log: logging.Logger | None = None) -> list[str]:
    """Cancel the schedule's scrape runs still queued for a window closed at ``now``; their keys."""
    cancelled = []
    records = instance.get_run_records(dg.RunsFilter(job_name=SCRAPE_JOB, statuses=[dg.DagsterRunStatus.QUEUED],
                                                     tags={"dagster/schedule_name": SCHEDULE_NAME}))
    for record in records:
        run = record.dagster_run
        key = run.tags.get("dagster/partition")
        if not key:
            continue
        book, start = split_key(key)
        end = window_end(settings, start)
        if end > now:
            continue
        reason = (f"{key}: window closed at {end:%H:%M:%S} UTC while the scrape run was still queued "
                  f"(cancelled at {now:%H:%M:%S}); a closed window is never scraped")
        instance.add_run_tags(run.run_id, {SKIPPED_TAG: reason})
        instance.report_run_canceled(run, message=f"Skipped: {reason}")
        cancelled.append(key)
        if log is not None:
            log.warning(f"cancelled queued scrape: {reason}")
    return cancelled


def _has_scrape_run(instance: dg.DagsterInstance, book: str, start: datetime) -> bool:
    """Whether a scrape run of ``book``'s window ``start`` exists (any status)."""
    runs = instance.get_run_records(dg.RunsFilter(job_name=SCRAPE_JOB,
                                                  tags={"dagster/partition": str(partition_key(book, start))}),
                                    limit=1)
    return bool(runs)


def build_scrape_schedule(settings: PipelineSettings, job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    @dg.schedule(name=SCHEDULE_NAME, job=job, cron_schedule=settings.cron, execution_timezone="UTC",
                 default_status=dg.DefaultScheduleStatus.RUNNING,
                 description="At every window start: one scrape run per bookmaker for the window that opens "
                             "(stale queued scrapes cancelled, closed windows skipped).")
    def scrape_odds_schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest] | dg.SkipReason:
        t = context.scheduled_execution_time.astimezone(timezone.utc).replace(second=0, microsecond=0)
        start = t.replace(minute=t.minute - t.minute % settings.cadence_minutes) if settings.cadence_minutes < 60 \
            else t.replace(minute=0)
        now = datetime.fromtimestamp(catchup.clock(), timezone.utc)
        cancel_stale_scrapes(context.instance, settings, now, context.log)
        end = window_end(settings, start)
        if now >= end:
            return dg.SkipReason(f"the tick's window {start:%Y-%m-%d %H:%M}-{end:%H:%M} UTC closed before the "
                                 f"tick was evaluated ({now:%H:%M:%S}): a closed window is never scraped")
        wanted = [(book, start) for book in BOOKMAKERS]
        if settings.scrape_prestart:
            # the next window's runs too: they queue behind this window's (one scrape run per bookmaker),
            # start their process and wait for their window. This window's runs were requested by the
            # previous tick (a run key only dedupes within one tick): only a book without one gets it now
            # (the first tick, or after the schedule was off)
            wanted = [(book, w) for book, w in wanted if not _has_scrape_run(context.instance, book, w)]
            wanted += [(book, end) for book in BOOKMAKERS]
        return [dg.RunRequest(run_key=str(partition_key(book, w)), partition_key=partition_key(book, w),
                              tags={BOOK_TAG: book, SCRAPE_SLOT_TAG: book, SCRAPE_WRITE_TAG: "1"})
                for book, w in wanted]

    return scrape_odds_schedule
