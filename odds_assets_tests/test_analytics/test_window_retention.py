"""Retention of the window analytics: maintenance (``maintain_partitions``: the ``odds_retention`` asset
and ``odds db maintain``) deletes what lies before the history's horizon, and the state as of every
window after the horizon stays what it was (expected rows written by hand)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import psycopg

from odds_assets.db.partitions import maintain_partitions

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
HORIZON = datetime(2026, 10, 25, tzinfo=timezone.utc)  # 30 days before NOW's day
OLD, OLDER, AFTER = HORIZON - timedelta(days=2), HORIZON - timedelta(days=5), HORIZON + timedelta(days=1)


def fair_row(conn: psycopg.Connection, w: datetime, sr: int, present: bool, edge: float | None = None) -> None:
    conn.execute("INSERT INTO fair_prices_history (window_start, sr_event_id, market_id, line_hundredths, outcome, "
                 "present, edge, method, arbitrage) VALUES (%s, %s, 3743, -32768, '1', %s, %s, 'power', false)",
                 (w, sr, present, edge))


def state_at(conn: psycopg.Connection, w: datetime) -> list[tuple]:
    """The change-only table's definition: per outcome its latest row at or before w, if it says present."""
    rows = conn.execute("SELECT DISTINCT ON (sr_event_id) sr_event_id, present, edge FROM fair_prices_history "
                        "WHERE window_start <= %s ORDER BY sr_event_id, window_start DESC", (w,)).fetchall()
    return [(sr, edge) for sr, present, edge in rows if present]


def test_maintenance_deletes_analytics_before_the_horizon_and_keeps_the_state_after_it(
        odds_conn: psycopg.Connection) -> None:
    # outcome 1: two rows before the horizon, the latest still present -> only that one is kept
    fair_row(odds_conn, OLDER, 1, True, 0.01)
    fair_row(odds_conn, OLD, 1, True, 0.02)
    # outcome 2: present, then gone before the horizon -> both go; outcome 3: a row after the horizon stays,
    # with its latest row before it
    fair_row(odds_conn, OLDER, 2, True, 0.05)
    fair_row(odds_conn, OLD, 2, False)
    fair_row(odds_conn, OLDER, 3, True, 0.03)
    fair_row(odds_conn, AFTER, 3, True, 0.04)
    for w in (OLDER, OLD, AFTER):
        odds_conn.execute("INSERT INTO analytics_windows (asset, window_start, window_end) "
                          "VALUES ('fair_prices', %s, %s)", (w, w + timedelta(minutes=1)))
    for sr, started, ended in ((1, OLDER, OLD), (2, OLDER, None), (3, OLD, AFTER)):
        odds_conn.execute("INSERT INTO exposure_episodes (sr_event_id, market_id, line_hundredths, outcome, kind, "
                          "started_at, ended_at, peak_at) VALUES (%s, 3743, -32768, '1', 'edge', %s, %s, %s)",
                          (sr, started, ended, started))
    before = {w: state_at(odds_conn, w) for w in (HORIZON, AFTER)}
    assert before == {HORIZON: [(1, 0.02), (3, 0.03)], AFTER: [(1, 0.02), (3, 0.04)]}

    res = maintain_partitions(odds_conn, days_ahead=0, retention_days=30, now=NOW)

    assert res.analytics_deleted == {"fair_prices_history": 3, "exposure_episodes": 1, "analytics_windows": 2}
    assert odds_conn.execute("SELECT sr_event_id, window_start FROM fair_prices_history ORDER BY 1, 2").fetchall() == [
        (1, OLD), (3, OLDER), (3, AFTER)]
    assert odds_conn.execute("SELECT window_start FROM analytics_windows").fetchall() == [(AFTER,)]
    # closed before the horizon: gone; still open, or closed after it: kept
    assert odds_conn.execute("SELECT sr_event_id FROM exposure_episodes ORDER BY 1").fetchall() == [(2,), (3,)]
    assert {w: state_at(odds_conn, w) for w in (HORIZON, AFTER)} == before
