"""History partition maintenance: created ahead, dropped past retention, writes never fail for lack of one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from odds_assets.db.engine import apply_snapshot
from odds_assets.db.partitions import history_partitions, maintain_partitions
from odds_assets.snapshot import build_snapshot
from odds_assets_tests.factories import event_odds, market

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=timezone.utc)


def test_creates_partitions_ahead(odds_conn):
    res = maintain_partitions(odds_conn, days_ahead=3, retention_days=30, now=NOW)
    days = sorted(history_partitions(odds_conn))
    assert days == [NOW.date() + timedelta(days=i) for i in range(4)]
    assert len(res.created) == 4
    assert maintain_partitions(odds_conn, days_ahead=3, retention_days=30, now=NOW).created == []


def test_drops_partitions_older_than_retention_and_keeps_the_rest(odds_conn):
    m = market(3743, None, "2", "3", "4")
    for days_ago in (40, 31, 30, 1):
        t = NOW - timedelta(days=days_ago)
        apply_snapshot(odds_conn, build_snapshot("betpawa", t, [event_odds(days_ago, m)]))
    res = maintain_partitions(odds_conn, days_ahead=0, retention_days=30, now=NOW)
    assert sorted(res.dropped) == [f"market_odds_history_p{(NOW - timedelta(days=d)):%Y%m%d}" for d in (40, 31)]
    left = {r[0] for r in odds_conn.execute("SELECT sr_event_id FROM market_odds_history")}
    assert left == {30, 1}
    ledger = [r[0] for r in odds_conn.execute("SELECT event_ids FROM snapshots ORDER BY captured_at")]
    assert ledger == [[30], [1]]  # the ledger rows of the dropped days went with them


def test_write_creates_its_partition_when_maintenance_never_ran(odds_conn):
    assert history_partitions(odds_conn) == {}
    t = NOW + timedelta(days=400)
    r = apply_snapshot(odds_conn, build_snapshot("betpawa", t, [event_odds(5, market(3743, None, "2", "3", "4"))]))
    assert r.history_rows == 1 and t.date() in history_partitions(odds_conn)


def test_concurrent_first_writers_of_a_day_both_succeed(odds_db_url: str) -> None:
    """Several writers (one per book) creating the same new day's partition at once all succeed."""
    import threading

    import psycopg

    t = NOW + timedelta(days=77)
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def write(book: str) -> None:
        try:
            with psycopg.connect(odds_db_url, autocommit=True) as conn:
                snapshot = build_snapshot(book, t, [event_odds(9, market(3743, None, "2", "3", "4"), bookmaker=book)])
                barrier.wait()
                apply_snapshot(conn, snapshot)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(b,)) for b in ("betpawa", "sportybet", "bet9ja")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    with psycopg.connect(odds_db_url) as conn:
        assert conn.execute("SELECT count(*) FROM market_odds_history").fetchone() == (3,)
