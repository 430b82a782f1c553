"""History partition maintenance: daily partitions created ahead, expired ones dropped (with the
``snapshots`` rows, the ledger of complete event scrapes, of the same days, and superseded name versions,
and the window analytics before the same horizon: ``analytics_windows`` rows, closed
``exposure_episodes`` and ``fair_prices_history`` rows, of which each outcome keeps its latest row at or
before the horizon while it says the outcome exists, so the state as of every later window stays whole).

A write never depends on this having run: the write engine creates the partition it needs on demand
(``odds_ensure_history_partition``). Maintenance keeps that off the hot path and applies retention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import psycopg
from psycopg import sql

from odds_assets.db import queries

__all__ = ["MaintenanceResult", "history_partitions", "maintain_partitions"]

_PART_RE = re.compile(r"^market_odds_history_p(\d{8})$")


@dataclass(frozen=True)
class MaintenanceResult:
    """Partitions created and dropped by one maintenance pass."""

    created: list[str]
    dropped: list[str]
    kept: int
    analytics_deleted: dict[str, int] = field(default_factory=dict)


def history_partitions(conn: psycopg.Connection) -> dict[date, str]:
    """Existing daily history partitions, by day (UTC)."""
    rows = conn.execute(queries.load("select_history_partitions")).fetchall()
    out: dict[date, str] = {}
    for (name,) in rows:
        m = _PART_RE.match(name)
        if m:
            out[datetime.strptime(m.group(1), "%Y%m%d").date()] = name
    return out


def maintain_partitions(conn: psycopg.Connection, *, days_ahead: int = 3, retention_days: int = 30,
                        now: datetime | None = None) -> MaintenanceResult:
    """Create partitions for today .. today+days_ahead and drop those wholly older than retention.

    ``retention_days`` <= 0 keeps everything.
    """
    today = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).date()
    before = history_partitions(conn)
    created = []
    with conn.transaction():
        for offset in range(days_ahead + 1):
            day = today + timedelta(days=offset)
            if day not in before:
                conn.execute(queries.load("create_history_partition"), {"day": day})
                created.append(f"market_odds_history_p{day:%Y%m%d}")
    dropped = []
    analytics: dict[str, int] = {}
    if retention_days > 0:
        cutoff = today - timedelta(days=retention_days)
        for day, name in sorted(before.items()):
            if day < cutoff:  # the partition's whole day lies before the retention horizon
                with conn.transaction():
                    conn.execute(sql.SQL(queries.load("drop_history_partition")).format(
                        partition=sql.Identifier(name)))
                dropped.append(name)
        # the ledger of complete event scrapes goes with the history it explains (same day boundary),
        # and name versions superseded before the horizon go too
        horizon = datetime.combine(cutoff, datetime.min.time(), tzinfo=timezone.utc)
        with conn.transaction():
            conn.execute(queries.load("delete_snapshots_expired"), {"horizon": horizon})
            conn.execute(queries.load("delete_event_versions_superseded"), {"horizon": horizon})
            for table, statement in (("fair_prices_history", "delete_fair_history_expired"),
                                     ("exposure_episodes", "delete_exposure_expired"),
                                     ("analytics_windows", "delete_analytics_windows_expired")):
                analytics[table] = conn.execute(queries.load(statement), {"horizon": horizon}).rowcount
    return MaintenanceResult(created=created, dropped=dropped, kept=len(history_partitions(conn)),
                             analytics_deleted=analytics)
