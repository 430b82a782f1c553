"""Windows: the unit of work of the pipeline, one bookmaker's board over one cadence-wide interval.

A window is named by its bookmaker and its start (UTC); its key, ``"betpawa|2026-11-24-10:05"``, is the
string form of the Dagster partition key (``odds_assets.defs.common.partitions``), the archive's
folder and the write sensor's unit, so it is defined here, below all of them, without Dagster.

Two spans start here, each moving at most once a day:

* the archive and the history partitions are kept from midnight UTC ``retention_days`` before today
  (:func:`retention_start`);
* the windows that are Dagster partitions start at midnight UTC ``partition_days`` before today, or at
  the window of ``first_window`` (the deployment's first start, a one-off) when that is later
  (:func:`window_start`) — never earlier than the archive, so every partition's archive can still
  exist, while a short partition horizon deletes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from odds_assets.models import BOOKMAKERS
from odds_assets.settings import PipelineSettings

__all__ = ["WINDOW_FMT", "floor_window", "retention_start", "split_key", "window_end", "window_key",
           "window_start"]

log = logging.getLogger(__name__)

#: the window part of a key; sorts like time
WINDOW_FMT = "%Y-%m-%d-%H:%M"


def _midnight(now: datetime) -> datetime:
    return now.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)


def floor_window(settings: PipelineSettings, t: datetime) -> datetime:
    """Start of the window holding ``t`` (windows are counted from midnight UTC, as the cron counts)."""
    day = _midnight(t)
    minutes = int((t.astimezone(timezone.utc) - day).total_seconds()) // 60
    return day + timedelta(minutes=minutes - minutes % settings.cadence_minutes)


def retention_start(settings: PipelineSettings, now: datetime) -> datetime:
    """First instant whose archive is kept: midnight UTC, ``retention_days`` before ``now``'s day."""
    return _midnight(now) - timedelta(days=settings.retention_days)


def window_start(settings: PipelineSettings, now: datetime) -> datetime:
    """First window that is a Dagster partition: midnight UTC, ``partition_days`` (default: retention
    days) before ``now``'s day — shortened when the cross product would exceed
    ``settings.max_partitions`` — or the window of ``settings.first_window`` when that is later. Never
    before :func:`retention_start`; a ``first_window`` still in the future gives the window holding
    ``now`` (the open window stays a partition, so the schedule can scrape it)."""
    per_day = 1440 // settings.cadence_minutes if settings.cadence_minutes < 1440 else 1
    days = settings.partition_horizon_days
    fit = settings.max_partitions // (len(BOOKMAKERS) * per_day) - 1  # today's windows come on top
    if fit < days:
        log.warning("%d days of %d-minute windows for %d books exceed %d partitions; Dagster keeps %d days",
                    days, settings.cadence_minutes, len(BOOKMAKERS), settings.max_partitions, max(fit, 1))
        days = max(fit, 1)
    start = _midnight(now) - timedelta(days=days)
    if settings.first_window is not None:
        first = floor_window(settings, settings.first_window)
        current = floor_window(settings, now)
        if first > current:
            log.warning("ODDS_FIRST_WINDOW=%s is in the future; the partitions start at the open window %s",
                        settings.first_window.isoformat(), current.isoformat())
            first = current
        start = max(start, first)
    return start


def window_end(settings: PipelineSettings, start: datetime) -> datetime:
    return start + timedelta(minutes=settings.cadence_minutes)


def window_key(bookmaker: str, start: datetime) -> str:
    """``("betpawa", 10:05 UTC)`` -> ``"betpawa|2026-11-24-10:05"``."""
    return f"{bookmaker}|{start.astimezone(timezone.utc).strftime(WINDOW_FMT)}"


def split_key(key: str) -> tuple[str, datetime]:
    """``"betpawa|2026-11-24-10:05"`` -> ("betpawa", 10:05 UTC). A Dagster multi-partition key is this
    string (its dimensions sort by name: bookmaker first)."""
    book, window = str(key).split("|", 1)
    return book, datetime.strptime(window, WINDOW_FMT).replace(tzinfo=timezone.utc)
