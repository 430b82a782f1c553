"""``analytics_job`` (``fair_prices`` and ``exposure`` with their checks) and ``analytics_sensor``.

Why a sensor and not an automation condition: ``exposure`` needs its windows in order (episodes continue
from the previous window), and a window must still be computed when a bookmaker never delivers it (a
scrape skipped because its window closed leaves that book's W missing for good), which ``eager()`` and
its lookback variant never do (``~any_deps_missing()``), so one skipped scrape would stop the chain of
``exposure`` for good. Dagster's ``default_automation_condition_sensor`` is also created stopped in
1.13 (its default status is STOPPED), so an automation condition would need an operator to switch it on
in every deployment; this sensor runs by default, in the demo too.

Per tick:

1. nothing while an analytics run is queued or running (one at a time: windows in order);
2. the windows to compute: after the newest materialised ``exposure`` window (or, the first time, the
   windows of the last hour), every window W that is *ready*: each bookmaker has written W or a later
   window (its writes go in window order, so a book past W will not write W) — then W is computed at
   once, before it ends: what it reads is the board as of W's end, and no scrape of W is left to write,
   so the run is done before the next window's scrapes start instead of competing with them — or W
   ended more than two cadences ago (a book that is down: the window is computed with what is there);
3. the earliest ready window and the consecutive ready ones after it (at most ``max_windows_per_write_run``)
   as one run (a range run for several): ``fair_prices`` then ``exposure``, each window in order;
4. after failed runs starting at that window, the write sensor's backoff (``catchup.backoff_s``).

Older windows (before the first automated one, or after a re-derivation) are computed by a backfill from
the UI, in order.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import dagster as dg

from odds_assets import catchup
from odds_assets.defs.common.constants import (
    CURRENT_KEY,
    EXPOSURE_KEY,
    FIRST_TAG,
    MAX_RUNTIME_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    WINDOWS_TAG,
)
from odds_assets.models import BOOKMAKERS
from odds_assets.settings import PipelineSettings
from odds_assets.windows import WINDOW_FMT

__all__ = ["build_analytics_job", "build_analytics_sensor", "ready_windows"]

_IN_FLIGHT = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
              dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
_FAILED = [dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
#: the first automated window when nothing was computed yet: this far back
FIRST_LOOKBACK = timedelta(hours=1)


def build_analytics_job(settings: PipelineSettings, fair_prices: dg.AssetsDefinition, exposure: dg.AssetsDefinition
                        ) -> dg.UnresolvedAssetJobDefinition:
    # run monitoring fails a hung run after ODDS_RUN_MAX_RUNTIME_S, as for write runs
    return dg.define_asset_job("analytics_job", selection=dg.AssetSelection.assets(fair_prices, exposure),
                               tags={MAX_RUNTIME_TAG: str(settings.run_max_runtime_s)},
                               description="Fair prices and exposure episodes of windows, in window order.")


def ready_windows(instance: dg.DagsterInstance, exposure_key: dg.AssetKey,
                  partitions_def: dg.TimeWindowPartitionsDefinition, now: datetime, grace: timedelta,
                  step: timedelta) -> list[str]:
    """The window keys (oldest first) to compute next: after the newest materialised ``exposure``
    window (the first time: the windows of the last ``FIRST_LOOKBACK``), each ready (module docstring),
    up to the first that is not."""
    done = instance.get_materialized_partitions(exposure_key)
    newest = max(done) if done else (now - FIRST_LOOKBACK).strftime(WINDOW_FMT)
    written: dict[str, str] = {}
    for key in instance.get_materialized_partitions(CURRENT_KEY):
        book, _, window = str(key).partition("|")
        if book in BOOKMAKERS and window > written.get(book, ""):
            written[book] = window  # WINDOW_FMT sorts like time
    out: list[str] = []
    for key in partitions_def.get_partition_keys(current_time=now):
        if key <= newest if done else key < newest:
            continue
        if not all(written.get(b, "") >= key for b in BOOKMAKERS):
            end = datetime.strptime(key, WINDOW_FMT).replace(tzinfo=timezone.utc) + step
            if now - end <= grace:
                break
        out.append(key)
    return out


def build_analytics_sensor(settings: PipelineSettings, partitions_def: dg.TimeWindowPartitionsDefinition,
                           job: dg.UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    step = timedelta(minutes=settings.cadence_minutes)
    grace = timedelta(seconds=settings.freshness_max_age_s)

    @dg.sensor(name="analytics_sensor", job=job, minimum_interval_seconds=settings.write_sensor_interval_s,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="Computes fair prices and exposure of every window once its books are written, in order.")
    def analytics_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        instance = context.instance
        if instance.get_runs(dg.RunsFilter(job_name=job.name, statuses=_IN_FLIGHT), limit=1):
            return dg.SensorResult(skip_reason="an analytics run is in progress")
        now = datetime.fromtimestamp(catchup.clock(), timezone.utc)
        ready = ready_windows(instance, EXPOSURE_KEY, partitions_def, now, grace, step)
        if not ready:
            return dg.SensorResult(skip_reason="no window ready")
        chain = catchup.next_chain(ready, step, settings.max_windows_per_write_run)
        failed = instance.get_run_records(dg.RunsFilter(job_name=job.name, tags={FIRST_TAG: chain[0]},
                                                        statuses=_FAILED))
        n = len(failed)
        if n:
            last_end = max((r.end_time or r.create_timestamp.timestamp()) for r in failed)
            wait = catchup.backoff_s(n, settings) - (catchup.clock() - last_end)
            if wait > 0:
                return dg.SensorResult(skip_reason=f"{n} failed run(s) from {chain[0]}, next try in {wait:.0f}s")
        tags = {FIRST_TAG: chain[0], WINDOWS_TAG: str(len(chain))}
        run_key = f"analytics {chain[0]}..{chain[-1]}#{n}"
        if len(chain) == 1:
            req = dg.RunRequest(run_key=run_key, partition_key=chain[0], tags=tags)
        else:
            req = dg.RunRequest(run_key=run_key, tags={**tags, RANGE_START_TAG: chain[0], RANGE_END_TAG: chain[-1]})
        context.log.info(f"analytics: {len(chain)} window(s) {chain[0]}..{chain[-1]} (attempt {n + 1})")
        return dg.SensorResult(run_requests=[req], cursor=json.dumps({"requested": run_key}))

    return analytics_sensor
