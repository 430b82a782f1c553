"""The odds_assets Dagster objects, one folder per domain (``scrape``, ``markets``, ``common``).

Everything is built by :func:`build_definitions` from :class:`PipelineSettings`, because the partition
shape (window width, rolling start) depends on the cadence and retention read when the code location
loads. ``odds_assets.definitions`` calls it with the environment's settings.

Environment read by the code location:

- at load (partition shape): ``ODDS_CADENCE_MINUTES`` (default 5; 1 works), ``ODDS_RETENTION_DAYS``
  (default 14: archive, history partitions and Dagster windows kept);
- when a run starts (``dg.EnvVar`` resources): ``ODDS_DATABASE_URL`` (libpq URL of the odds
  database), ``ODDS_ARCHIVE_URL`` (directory or fsspec URL of the archive, e.g. ``.odds/archive`` or
  ``s3://bucket/odds``);
- by the bookmaker clients when a scrape runs: ``ODDS_BETPAWA_BASE_URL``, ``ODDS_SPORTYBET_BASE_URL``,
  ``ODDS_BET9JA_BASE_URL`` (e.g. ``http://127.0.0.1:8765`` for ``odds simulator``) and the other
  ``ODDS_<BOOK>_*`` client settings;
- Dagster itself: ``DAGSTER_HOME`` with a dagster.yaml whose storage reads ``ODDS_DAGSTER_STORAGE_URL``
  (``odds_assets.dagster_home.dagster_env`` prepares all of it).
"""

from __future__ import annotations

import warnings
from datetime import datetime
from typing import Any, Mapping

import dagster as dg

from odds_assets.defs.common.resources import default_resources
from odds_assets.defs.common.sensors import build_run_failure_sensor
from odds_assets.defs.common.settings import PipelineSettings
from odds_assets.defs.markets.assets import build_current_odds, build_odds_retention
from odds_assets.defs.markets.checks import build_current_odds_checks
from odds_assets.defs.markets.schedules import build_maintenance
from odds_assets.defs.markets.sensors import build_write_odds_job, build_write_sensors
from odds_assets.defs.scrape.assets import build_odds_snapshot
from odds_assets.defs.scrape.checks import build_snapshot_checks
from odds_assets.defs.scrape.partitions import bookmaker_window_partitions
from odds_assets.defs.scrape.schedules import build_scrape_odds_job, build_scrape_schedule

__all__ = ["PipelineSettings", "build_definitions"]


def build_definitions(settings: PipelineSettings | None = None, *, now: datetime | None = None,
                      resources: Mapping[str, Any] | None = None) -> dg.Definitions:
    """The whole code location. ``now`` fixes the rolling partition start (tests); ``resources``
    replaces entries of the production wiring (tests, benchmarks)."""
    settings = settings or PipelineSettings.from_env()
    with warnings.catch_warnings():
        # Preview/beta APIs used on purpose: per-partition check specs (results per partition in the
        # UI), MultiPartitionMapping (the previous-window self-dependency), backfill_policy.
        warnings.filterwarnings("ignore", category=dg.PreviewWarning)
        warnings.filterwarnings("ignore", category=dg.BetaWarning)
        partitions = bookmaker_window_partitions(settings, now=now)
        odds_snapshot = build_odds_snapshot(settings, partitions)
        snapshot_checks = build_snapshot_checks(settings, partitions, odds_snapshot)
        current_odds = build_current_odds(settings, partitions, odds_snapshot)
        current_checks = build_current_odds_checks(settings, partitions, current_odds)
        odds_retention = build_odds_retention(settings)

        scrape_job = build_scrape_odds_job(settings, odds_snapshot)
        write_job = build_write_odds_job(settings, current_odds)
        maintain_job, maintain_schedule = build_maintenance(odds_retention)
        write_sensors = build_write_sensors(settings, partitions, odds_snapshot, current_odds, write_job)

        wiring = {**default_resources(), **(resources or {})}
        return dg.Definitions(
            assets=[odds_snapshot, current_odds, odds_retention],
            asset_checks=[snapshot_checks, *current_checks],
            jobs=[scrape_job, write_job, maintain_job],
            schedules=[build_scrape_schedule(settings, scrape_job), maintain_schedule],
            sensors=[*write_sensors, build_run_failure_sensor([scrape_job, write_job])],
            resources=wiring,
            # runs are small and I/O bound: in-process costs 0.3-0.5 s per run, multiprocess 4-7 s
            executor=dg.in_process_executor,
        )
