"""Windows: the unit of work of the pipeline, one bookmaker's board over one cadence-wide interval.

A window is named by its bookmaker and its start (UTC); its key, ``"betpawa|2026-11-24-10:05"``, is the
string form of the Dagster partition key (``odds_assets.defs.common.partitions``), the archive's
folder and the write sensor's unit, so it is defined here, below all of them, without Dagster.

The span of windows kept starts at midnight UTC, ``retention_days`` before today (see
:func:`window_start`): a *day* boundary, so it only moves once a day, and the archive is pruned by
the same whole days.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from odds_assets.models import BOOKMAKERS
from odds_assets.settings import PipelineSettings

__all__ = ["WINDOW_FMT", "split_key", "window_end", "window_key", "window_start"]

log = logging.getLogger(__name__)

#: the window part of a key; sorts like time
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
