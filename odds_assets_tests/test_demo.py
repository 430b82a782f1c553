"""The demo's progress line, read from a real database (the stack itself is tested in test_e2e)."""

from __future__ import annotations

from pathlib import Path

from odds_assets.db.engine import apply_snapshot
from odds_assets.db.server import DatabaseUrls
from odds_assets.demo import DemoConfig, DemoStack, progress_line
from odds_assets_tests.factories import event_odds, market, snap


def _stack(url: str) -> DemoStack:
    return DemoStack(config=DemoConfig(state=Path("/nonexistent")), urls=DatabaseUrls(odds=url, dagster=url), env={})


def test_progress_line(odds_db_url, odds_conn) -> None:
    assert progress_line(_stack(odds_db_url)) == (
        "betpawa: waiting | sportybet: waiting | bet9ja: waiting | history 0 rows")
    over = market(5000, "2.5", "1.8", "2")
    apply_snapshot(odds_conn, snap(0, event_odds(1, market(3743, None, "2", "3", "4"), over)))
    apply_snapshot(odds_conn, snap(5, event_odds(1, market(3743, None, "2", "3", "5"), over)))
    line = progress_line(_stack(odds_db_url))
    # the time is shown in the server's time zone
    assert line.startswith("betpawa: 2 windows, last ") and ", 2 current rows | sportybet" in line
    assert line.endswith(" | sportybet: waiting | bet9ja: waiting | history 3 rows")


def test_progress_line_without_a_database() -> None:
    line = progress_line(_stack("postgresql://nobody@127.0.0.1:1/odds"))
    assert line == "odds database not reachable (OperationalError); scrapes keep archiving"
