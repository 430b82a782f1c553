"""The bookmaker × window partitions shared by ``odds_snapshot`` and ``current_odds``.

The window dimension has the scrape cadence as width and ``end_offset=1``: the window that is open
*now* is a partition, so the schedule's tick at 10:05 targets [10:05, 10:10) and the snapshot's
``captured_at`` (the scrape start) lies inside its window.

Its start rolls with retention so the partition count stays bounded (Dagster recommends <= 100,000
per asset; 3 books × 5-minute windows would pass that in ~116 days with a fixed start). The start is
midnight UTC ``retention_days`` before the day the code location loads — a *day* boundary, so it only
moves once a day (each move costs Dagster a partition-status cache rebuild, dagster-ordering §4) and
it matches the archive, which is pruned by whole days (only windows whose archive still exists are
partitions). Count = books × windows/day × (retention_days + the part of today elapsed), e.g.
3 × 288 × ≤15 = ≤12,960 at 5 minutes and 14 days, whatever the age of the deployment.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import dagster as dg

from odds_assets.defs.common.settings import PipelineSettings
from odds_assets.models import BOOKMAKERS

__all__ = [
    "WINDOW_FMT",
    "bookmaker_window_partitions",
    "partition_count",
    "partition_key",
    "previous_window_mapping",
    "split_key",
    "window_start",
]

log = logging.getLogger(__name__)

WINDOW_FMT = "%Y-%m-%d-%H:%M"


def window_start(settings: PipelineSettings, now: datetime) -> datetime:
    """First window of the rolling span: midnight UTC, retention days before ``now``'s day (shortened
    when the cross product would exceed ``settings.max_partitions``)."""
    per_day = 1440 // settings.cadence_minutes if settings.cadence_minutes < 1440 else 1
    days = settings.retention_days
    fit = settings.max_partitions // (len(BOOKMAKERS) * per_day) - 1  # today's windows come on top
    if fit < days:
        log.warning("%d days of %d-minute windows for %d books exceed %d partitions; Dagster keeps %d days",
                    days, settings.cadence_minutes, len(BOOKMAKERS), settings.max_partitions, max(fit, 1))
        days = max(fit, 1)
    today = now.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days)


def bookmaker_window_partitions(settings: PipelineSettings, *, now: datetime | None = None
                                ) -> dg.MultiPartitionsDefinition:
    """``bookmaker`` (static) × ``window`` (cadence-wide time windows, rolling start)."""
    now = now or datetime.now(timezone.utc)
    windows = dg.TimeWindowPartitionsDefinition(
        cron_schedule=settings.cron, start=window_start(settings, now), fmt=WINDOW_FMT, timezone="UTC",
        end_offset=1)
    return dg.MultiPartitionsDefinition({"bookmaker": dg.StaticPartitionsDefinition(list(BOOKMAKERS)),
                                         "window": windows})


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


def split_key(key: str) -> tuple[str, datetime]:
    """``"betpawa|2026-11-24-10:05"`` -> ("betpawa", 10:05 UTC); dimensions sort by name: bookmaker first."""
    if isinstance(key, dg.MultiPartitionKey):
        dims = key.keys_by_dimension
        book, window = dims["bookmaker"], dims["window"]
    else:
        book, window = str(key).split("|", 1)
    return book, datetime.strptime(window, WINDOW_FMT).replace(tzinfo=timezone.utc)


def previous_window_mapping() -> dg.MultiPartitionMapping:
    """Each window depends on the same bookmaker's previous window (window order per bookmaker)."""
    return dg.MultiPartitionMapping({
        "window": dg.DimensionPartitionMapping(
            "window", dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)),
        "bookmaker": dg.DimensionPartitionMapping("bookmaker", dg.IdentityPartitionMapping()),
    })
