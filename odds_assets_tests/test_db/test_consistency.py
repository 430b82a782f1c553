"""The current/history consistency check (``odds_assets.db.consistency``) on rows the engine wrote: it
agrees on a clean database, reports current rows that history contradicts or lacks, and lets rows
older than the retention have no history row (their partitions are dropped)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from odds_assets.db.consistency import consistency
from odds_assets.db.engine import apply_snapshot
from odds_assets.snapshot import build_snapshot
from odds_assets_tests.factories import event_odds, market

# the check compares with the wall clock (retention), so the writes are placed relative to it
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def _write(conn, t: datetime, *srs: int) -> None:
    apply_snapshot(conn, build_snapshot("betpawa", t, [
        event_odds(sr, market(3743, None, "2", "3", "4"), market(5000, "2.5", "1.8", "2"),
                   market(5000, "0", "1.5", "2.5")) for sr in srs]))


def test_agrees_then_reports_differing_rows(odds_conn) -> None:
    _write(odds_conn, NOW - timedelta(hours=1), 1, 2)
    report = consistency(odds_conn, "betpawa", 100, 14)
    assert report == {"sampled": 6, "differing": 0, "missing_history": 0, "samples": []}
    odds_conn.execute("UPDATE market_odds_current SET outcomes = 'Yes=9.9' WHERE sr_event_id = 1 AND line = 2.5")
    report = consistency(odds_conn, "betpawa", 100, 14)
    assert (report["sampled"], report["differing"], report["missing_history"]) == (6, 1, 0)
    [sample] = report["samples"]
    assert sample["sr_event_id"] == 1 and sample["market_id"] == 5000 and sample["line"] == "2.5"
    assert sample["current"] == "Yes=9.9" and sample["history"] == "Over=1.8;Under=2"
    assert consistency(odds_conn, "sportybet", 100, 14)["sampled"] == 0


def test_an_unavailable_market_is_consistent_with_its_gone_row(odds_conn) -> None:
    _write(odds_conn, NOW - timedelta(hours=2), 1)
    apply_snapshot(odds_conn, build_snapshot("betpawa", NOW - timedelta(hours=1), [
        event_odds(1, market(3743, None, "2", "3", "4"))]))  # both 5000 lines gone
    assert consistency(odds_conn, "betpawa", 100, 14)["differing"] == 0


def test_missing_history_counts_only_within_the_retention(odds_conn) -> None:
    _write(odds_conn, NOW - timedelta(days=40), 1)
    _write(odds_conn, NOW - timedelta(hours=1), 2)
    odds_conn.execute("DELETE FROM market_odds_history")
    report = consistency(odds_conn, "betpawa", 100, 14)
    assert (report["sampled"], report["differing"], report["missing_history"]) == (6, 0, 3)
    assert {s["sr_event_id"] for s in report["samples"]} == {2}
    assert all(s["problem"] == "no history row" for s in report["samples"])
    assert consistency(odds_conn, "betpawa", 2, 14)["sampled"] == 2  # a sample, not every row
