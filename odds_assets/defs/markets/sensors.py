"""``write_odds_job`` and the sensors that drive it.

``write_odds_sensor`` — why a custom sensor and not declarative automation: plain ``eager()`` stalls
for good after one missing window, and ``eager().without(in_latest_time_window())`` never retries a
failed write (dagster-ordering.md §3), so an odds-database outage would need an operator. The sensor
instead, per bookmaker and on every tick:

1. skips the bookmaker while a write run of it is queued or running (one writer per book, in order);
2. finds the earliest window whose ``odds_snapshot`` is materialised and whose ``current_odds`` is not
   (windows without a snapshot — failed scrapes — are simply not part of the chain), leaving out the
   window whose scrape run is still queued or running: that run writes it itself when the bookmaker
   is caught up (``pending.py``), so the sensor takes a window only after its scrape run has ended
   without writing it — a failure, a slow or frozen database, a backlog before it;
3. if earlier write runs starting at that window failed n times, waits ``base · 2^(n-1)`` seconds
   (capped) after the last failure — the database is probably still down;
4. requests one run: that window alone, or — when it is behind (an outage, a slow run) — that window
   and the consecutive pending windows after it as one range run (at most
   ``max_windows_per_write_run``), which ``current_odds`` applies in window order.

State lives in the Dagster instance (materialisations and runs), so the sensor survives restarts; the
cursor keeps what was last requested per bookmaker for the UI. Run keys include the attempt number, so
a retry after a failure is a new run and a duplicate tick is not.

``odds_freshness_sensor`` evaluates the ``freshness`` check of ``current_odds`` every cadence and
reports it without launching a run, with one log line per stale bookmaker.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import dagster as dg

from odds_assets import catchup
from odds_assets.defs.common.constants import (
    BOOK_TAG,
    DB_WRITER_TAG,
    FIRST_TAG,
    MAX_RUNTIME_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    SNAPSHOT_KEY,
    WINDOWS_TAG,
    WRITE_JOB,
    WRITE_SLOT_TAG,
)
from odds_assets.defs.common.metadata import render_metadata
from odds_assets.defs.markets.checks import freshness_evaluation
from odds_assets.defs.markets.pending import pending_windows, scrapes_in_flight, writes_in_flight
from odds_assets.models import BOOKMAKERS
from odds_assets.settings import PipelineSettings
from odds_assets.windows import WINDOW_FMT

__all__ = ["build_write_odds_job", "build_write_sensors", "pending_windows"]  # pending_windows: from .pending

log = logging.getLogger("odds_assets.sensors")

_FAILED = [dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]


def build_write_odds_job(settings: PipelineSettings,
                         current_odds: dg.AssetsDefinition) -> dg.UnresolvedAssetJobDefinition:
    # the partitioned consistency check runs with the write; freshness is evaluated by its sensor
    selection = (dg.AssetSelection.assets(current_odds).without_checks()
                 | dg.AssetSelection.checks(dg.AssetCheckKey(current_odds.key, "current_history_consistency"),
                                            dg.AssetCheckKey(current_odds.key, "applied")))
    return dg.define_asset_job(WRITE_JOB, selection=selection,
                               tags={MAX_RUNTIME_TAG: str(settings.run_max_runtime_s)},
                               description="Apply archived snapshots to current odds and history, in window order.")


def build_write_sensors(settings: PipelineSettings, partitions_def: dg.MultiPartitionsDefinition,
                        current_odds: dg.AssetsDefinition, write_job: dg.UnresolvedAssetJobDefinition
                        ) -> list[dg.SensorDefinition]:
    window_dim = next(d.partitions_def for d in partitions_def.partitions_defs if d.name == "window")
    assert isinstance(window_dim, dg.TimeWindowPartitionsDefinition)
    first_window = window_dim.start.strftime(WINDOW_FMT)
    step = timedelta(minutes=settings.cadence_minutes)

    @dg.sensor(name="write_odds_sensor", job=write_job, minimum_interval_seconds=settings.write_sensor_interval_s,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="Writes every landed snapshot, per bookmaker in window order; catches up after failures.")
    def write_odds_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        instance = context.instance
        cursor: dict[str, Any] = json.loads(context.cursor) if context.cursor else {}
        busy = writes_in_flight(instance)
        # a window whose scrape run is still in flight is that run's to write (when its book is caught up).
        # Runs first, materialisations after: a run that ends in between has stored its materialisations
        # before it ended, so a window it wrote is never taken for pending here
        scraping = scrapes_in_flight(instance)
        pending = pending_windows(instance, SNAPSHOT_KEY, current_odds.key, first_window)
        requests: list[dg.RunRequest] = []
        skips: list[str] = []
        now = catchup.clock()
        for book in BOOKMAKERS:
            windows = [w for w in pending[book] if f"{book}|{w}" not in scraping]
            if not windows:
                if pending[book]:
                    skips.append(f"{book}: {pending[book][0]} is still its scrape run's to write")
                continue
            if book in busy:
                skips.append(f"{book}: a write run is in progress")
                continue
            first = f"{book}|{windows[0]}"
            failed = instance.get_run_records(dg.RunsFilter(job_name=write_job.name, tags={FIRST_TAG: first},
                                                            statuses=_FAILED))
            n = len(failed)
            if n:
                last_end = max((r.end_time or r.create_timestamp.timestamp()) for r in failed)
                wait = catchup.backoff_s(n, settings) - (now - last_end)
                if wait > 0:
                    skips.append(f"{book}: {n} failed write(s) of {windows[0]}, next try in {wait:.0f}s")
                    continue
            chain = catchup.next_chain(windows, step, settings.max_windows_per_write_run)
            last = f"{book}|{chain[-1]}"
            tags = {FIRST_TAG: first, BOOK_TAG: book, WRITE_SLOT_TAG: book, DB_WRITER_TAG: book,
                    WINDOWS_TAG: str(len(chain))}
            run_key = f"{first}..{chain[-1]}#{n}"
            if len(chain) == 1:
                req = dg.RunRequest(run_key=run_key, partition_key=first, tags=tags)
            else:
                # a range run carries no dagster/partition/* tags (setting one would make Dagster read
                # it as the run's partition); odds/write_slot is what the run queue limits per book
                req = dg.RunRequest(run_key=run_key, tags={**tags, RANGE_START_TAG: first, RANGE_END_TAG: last})
            requests.append(req)
            cursor[book] = {"requested": run_key, "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
            context.log.info(f"{book}: writing {len(chain)} window(s) {chain[0]}..{chain[-1]} (attempt {n + 1})")
        if not requests:
            return dg.SensorResult(skip_reason="; ".join(skips) or "nothing to write",
                                   cursor=json.dumps(cursor, sort_keys=True))
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor, sort_keys=True))

    @dg.sensor(name="odds_freshness_sensor", minimum_interval_seconds=settings.cadence_seconds,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="Reports the freshness check of current_odds every cadence (no run).")
    def odds_freshness_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
        now = datetime.now(timezone.utc)
        passed, meta, stale = freshness_evaluation(context.instance, current_odds.key, settings, now)
        for book in stale:
            age = meta[f"{book}_age_s"]
            last = f"last written {age:.0f}s ago ({meta[f'{book}_last_partition']})" if age >= 0 else "never written"
            line = f"odds freshness: {book} {last}, limit {meta['max_age_s']}s"
            context.log.warning(line)
            log.warning(line)
        context.instance.report_runless_asset_event(dg.AssetCheckEvaluation(
            asset_key=current_odds.key, check_name="freshness", passed=passed,
            metadata=render_metadata(meta),
            severity=dg.AssetCheckSeverity.WARN,
            description="stale: " + ", ".join(stale) if stale else "all books fresh"))
        return dg.SkipReason("stale: " + ", ".join(stale) if stale else "all books fresh")

    return [write_odds_sensor, odds_freshness_sensor]
