"""The bookmaker × window partitions shared by ``odds_snapshot`` and ``current_odds`` (the key and span
arithmetic without Dagster is ``odds_assets.windows``).

The window dimension has the scrape cadence as width and ``end_offset=1``: the window that is open
*now* is a partition, so the schedule's tick at 10:05 targets [10:05, 10:10) and the snapshot's
``captured_at`` (the scrape start) lies inside its window. With ``ODDS_SCRAPE_PRESTART`` it is
``end_offset=2``: the next window is a partition too, so the tick at 10:05 can also request the scrape
runs of [10:10, 10:15), which start their processes early and wait for their window to open (it shows
as not materialised until then).

Its start rolls so the partition count stays bounded (Dagster recommends <= 100,000 per asset; 3 books
× 5-minute windows would pass that in ~116 days with a fixed start, and every partition costs the
webserver when it shows the partitions page). The start is midnight UTC ``partition_days`` (default
``retention_days``) before the day the code location loads — a *day* boundary, so it only moves once a
day (each move costs Dagster a partition-status cache rebuild, dagster-ordering §4) — or the window of
``first_window`` (the deployment's first start) when that is later, so a fresh deployment does not show
days of "missing" windows that never existed. It is never before the archive's retention, so only windows
whose archive can still exist are partitions; a shorter horizon prunes nothing (retention keeps its own
days, ``odds_assets.windows.retention_start``). Count = books × windows/day × (horizon days + the part of
today elapsed), e.g. 3 × 288 × ≤15 = ≤12,960 at 5 minutes and 14 days, whatever the age of the
deployment; from ``first_window`` on, books × the windows since it (the open one included).
"""

from __future__ import annotations

from datetime import datetime, timezone

import dagster as dg

from odds_assets.models import BOOKMAKERS
from odds_assets.settings import PipelineSettings
from odds_assets.windows import WINDOW_FMT, window_start

__all__ = [
    "bookmaker_window_partitions",
    "window_partitions",
    "partition_count",
    "partition_key",
    "previous_window_mapping",
]


def bookmaker_window_partitions(settings: PipelineSettings, *, now: datetime | None = None
                                ) -> dg.MultiPartitionsDefinition:
    """``bookmaker`` (static) × ``window`` (cadence-wide time windows, rolling start: ``window_start``)."""
    return dg.MultiPartitionsDefinition({"bookmaker": dg.StaticPartitionsDefinition(list(BOOKMAKERS)),
                                         "window": window_partitions(settings, now=now)})


def window_partitions(settings: PipelineSettings, *, now: datetime | None = None
                      ) -> dg.TimeWindowPartitionsDefinition:
    """The window dimension alone (same cron, start, format and open end as in
    :func:`bookmaker_window_partitions`): the partitions of the window-level analytics, whose window W
    maps to the three bookmakers' W (Dagster infers the multi-to-single mapping)."""
    now = now or datetime.now(timezone.utc)
    return dg.TimeWindowPartitionsDefinition(
        cron_schedule=settings.cron, start=window_start(settings, now), fmt=WINDOW_FMT, timezone="UTC",
        end_offset=settings.window_end_offset)


def partition_count(partitions_def: dg.MultiPartitionsDefinition, now: datetime) -> int:
    """How many partitions the definition has at ``now`` (cheap: per-dimension counts)."""
    from dagster._core.definitions.partitions.context import partition_loading_context

    count = 1
    with partition_loading_context(now):  # "now" for the open end of the time dimension
        for dim in partitions_def.partitions_defs:
            count *= dim.partitions_def.get_num_partitions()
    return count


def partition_key(bookmaker: str, start: datetime) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"bookmaker": bookmaker, "window": start.astimezone(timezone.utc).strftime(WINDOW_FMT)})


def previous_window_mapping() -> dg.MultiPartitionMapping:
    """Each window depends on the same bookmaker's previous window (window order per bookmaker)."""
    return dg.MultiPartitionMapping({
        "window": dg.DimensionPartitionMapping(
            "window", dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)),
        "bookmaker": dg.DimensionPartitionMapping("bookmaker", dg.IdentityPartitionMapping()),
    })
