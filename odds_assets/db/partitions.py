"""History partition maintenance: daily partitions created ahead, expired ones dropped (with the
``snapshots`` rows, the ledger of complete event scrapes, of the same days, and superseded name versions).

A write never depends on this having run: the write engine creates the partition it needs on demand
(``odds_ensure_history_partition``). Maintenance keeps that off the hot path and applies retention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import psycopg
from psycopg import sql

__all__ = ["MaintenanceResult", "history_partitions", "maintain_partitions"]

_PART_RE = re.compile(r"^market_odds_history_p(\d{8})$")


@dataclass(frozen=True)
class MaintenanceResult:
    """Partitions created and dropped by one maintenance pass."""

    created: list[str]
    dropped: list[str]
    kept: int


def history_partitions(conn: psycopg.Connection) -> dict[date, str]:
    """Existing daily history partitions, by day (UTC)."""
    rows = conn.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'market_odds_history'::regclass").fetchall()
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
                conn.execute("SELECT odds_ensure_history_partition(%s)", (day,))
                created.append(f"market_odds_history_p{day:%Y%m%d}")
    dropped = []
    if retention_days > 0:
        cutoff = today - timedelta(days=retention_days)
        for day, name in sorted(before.items()):
            if day < cutoff:  # the partition's whole day lies before the retention horizon
                with conn.transaction():
                    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
                dropped.append(name)
        # the ledger of complete event scrapes goes with the history it explains (same day boundary)
        horizon = datetime.combine(cutoff, datetime.min.time(), tzinfo=timezone.utc)
        with conn.transaction():
            conn.execute("DELETE FROM snapshots WHERE captured_at < %s", (horizon,))
            # name versions: keep the one in force at the horizon (an event listed for longer than the
            # retention still has its names), drop those superseded before it
            conn.execute(
                "DELETE FROM bookmaker_event_history h WHERE h.captured_at < %(h)s AND EXISTS ("
                "SELECT 1 FROM bookmaker_event_history n WHERE n.bookmaker = h.bookmaker "
                "AND n.sr_event_id = h.sr_event_id AND n.captured_at > h.captured_at AND n.captured_at <= %(h)s)",
                {"h": horizon})
    return MaintenanceResult(created=created, dropped=dropped, kept=len(history_partitions(conn)))
