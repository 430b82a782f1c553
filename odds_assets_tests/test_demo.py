"""The demo's progress line, read from a real database, and the partition span it gives its Dagster
processes (the stack itself is tested in test_e2e)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from odds_assets.db.engine import apply_snapshot
from odds_assets.db.server import DatabaseUrls
from odds_assets.demo import DemoConfig, DemoStack, first_window, partition_env, progress_line
from odds_assets.settings import PipelineSettings
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


def test_first_window_is_written_once_and_reused(tmp_path: Path) -> None:
    first = datetime(2026, 11, 24, 10, 3, 20, 123456, tzinfo=timezone.utc)
    assert first_window(tmp_path, now=first) == "2026-11-24T10:03:20+00:00"
    assert (tmp_path / "first_window").read_text().strip() == "2026-11-24T10:03:20+00:00"
    # a restart a day later keeps the first start
    assert first_window(tmp_path, now=first + timedelta(days=1)) == "2026-11-24T10:03:20+00:00"
    assert first_window(tmp_path) == "2026-11-24T10:03:20+00:00"


def test_partition_env_of_the_dagster_processes(tmp_path: Path) -> None:
    config = DemoConfig(state=tmp_path)
    env = partition_env(config, {})
    assert env == {"ODDS_PARTITION_DAYS": "1", "ODDS_FIRST_WINDOW": (tmp_path / "first_window").read_text().strip()}
    assert partition_env(config, {}) == env  # a restart: the same first window
    # the Dagster processes read them as settings: partitions from the first start, one day back
    settings = PipelineSettings.from_env({**env, "ODDS_CADENCE_MINUTES": "1"})
    assert settings.partition_horizon_days == 1 and settings.retention_days == 14
    assert settings.first_window == datetime.fromisoformat(env["ODDS_FIRST_WINDOW"])
    # values set by the operator win
    assert partition_env(config, {"ODDS_PARTITION_DAYS": "3", "ODDS_FIRST_WINDOW": "2026-11-01T00:00Z"}) == {}
