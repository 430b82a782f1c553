"""The odds_assets Dagster objects, one folder per domain: ``scrape``, ``markets`` and ``analytics`` are
siblings that share only ``common`` (partitions, resources, IO managers, policies, names), never each other.

Only Dagster lives here: every function touches Dagster; the work they schedule is plain modules
below (``odds_assets.scrape``, ``quality``, ``catchup``, ``windows``, ``db``). Everything is built by
:func:`build_definitions` from :class:`PipelineSettings`, because the partition shape (window width,
rolling start) depends on the cadence and retention read when the code location loads; each domain
builds its own ``dg.Definitions`` and they are merged (``dg.Definitions.merge``).
``odds_assets.definitions`` calls it with the environment's settings.

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

import warnings
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import dagster as dg

from odds_assets.defs.analytics import build_analytics_definitions
from odds_assets.defs.common import build_common_definitions
from odds_assets.defs.common.partitions import bookmaker_window_partitions, window_partitions
from odds_assets.defs.common.sensors import build_run_failure_sensor
from odds_assets.defs.markets import build_markets_definitions
from odds_assets.defs.scrape import build_scrape_definitions
from odds_assets.settings import PipelineSettings

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
        domains = [build_scrape_definitions(settings, partitions), build_markets_definitions(settings, partitions),
                   build_analytics_definitions(settings, window_partitions(settings, now=now), now=now)]
        jobs = [job for d in domains for job in (d.jobs or [])]
        return dg.Definitions.merge(
            *domains,
            build_common_definitions(settings, resources),
            dg.Definitions(sensors=[build_run_failure_sensor(jobs)]),
        )
