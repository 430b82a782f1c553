"""The write engine against a real PostgreSQL: classification (new/changed/unchanged/gone/back),
line NULL vs 0, completeness, idempotency, time order, events, and atomic rejection of bad input."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal

import pandas as pd
import pytest

from odds_assets.db.engine import apply_snapshot
from odds_assets.errors import SnapshotError
from odds_assets.models import Event, EventOdds, Market, Outcome
from odds_assets.snapshot import Snapshot, build_snapshot
from odds_assets_tests.factories import T0, at, current_rows, event_odds, history_rows, market, snap, table_dump

X12 = market(3743, None, "2.40", "3.30", "3.00")
X12_MOVED = market(3743, None, "2.50", "3.30", "2.90")
AH0 = market(3774, "0", "1.90", "1.90")
AH_NEG = market(3774, "-0.5", "2.10", "1.70")
OU25 = market(5000, "2.5", "1.95", "1.85")


def test_first_snapshot_is_all_new_and_writes_history(odds_conn):
    r = apply_snapshot(odds_conn, snap(0, event_odds(1, X12, AH0, OU25), event_odds(2, X12)))
    assert (r.new, r.changed, r.unchanged, r.gone, r.back) == (4, 0, 0, 0, 0)
    assert r.history_rows == 4
    assert len(current_rows(odds_conn)) == 4
    assert len(history_rows(odds_conn)) == 4
    assert odds_conn.execute("SELECT count(*) FROM events").fetchone()[0] == 2


def test_line_zero_and_no_line_are_distinct_keys(odds_conn):
    no_line = market(3774, None, "1.80", "2.00")
    apply_snapshot(odds_conn, snap(0, event_odds(1, AH0, no_line)))
    rows = current_rows(odds_conn)
    assert [(r[2], r[3]) for r in rows] == [(3774, None), (3774, Decimal("0"))]
    # a change to the line-0 market leaves the line-less one alone
    r = apply_snapshot(odds_conn, snap(5, event_odds(1, market(3774, "0", "1.70", "2.10"), no_line)))
    assert (r.changed, r.unchanged) == (1, 1)
    hist = history_rows(odds_conn)
    assert [(h[3], h[5]) for h in hist if h[4] == at(5)] == [(Decimal("0"), "1=1.7;2=2.1")]


def test_unchanged_markets_write_nothing_but_are_confirmed(odds_conn):
    apply_snapshot(odds_conn, snap(0, event_odds(1, X12, AH0)))
    r = apply_snapshot(odds_conn, snap(5, event_odds(1, X12, AH0)))
    assert (r.new, r.changed, r.unchanged, r.history_rows) == (0, 0, 2, 0)
    rows = odds_conn.execute(
        "SELECT last_updated_at, last_confirmed_at FROM market_odds_current_v ORDER BY market_id").fetchall()
    assert rows == [(at(0), at(5)), (at(0), at(5))]


def test_changed_moves_last_updated_and_appends_history(odds_conn):
    apply_snapshot(odds_conn, snap(0, event_odds(1, X12)))
    r = apply_snapshot(odds_conn, snap(5, event_odds(1, X12_MOVED)))
    assert r.changed == 1 and r.history_rows == 1
    (row,) = current_rows(odds_conn)
    assert row[4] == "1=2.5;X=3.3;2=2.9" and row[7] == at(5) and row[6] == at(0)


def test_gone_only_for_events_scraped_completely(odds_conn):
    apply_snapshot(odds_conn, snap(0, event_odds(1, X12, AH0), event_odds(2, X12, AH0)))
    # event 2 is not in this snapshot's complete set (its scrape failed): its markets are untouched
    r = apply_snapshot(odds_conn, snap(5, event_odds(1, X12)))
    assert r.gone == 1
    rows = {(r[0], r[2]): r for r in current_rows(odds_conn)}
    assert rows[(1, 3774)][8] == at(5) and not rows[(1, 3774)][5]
    assert rows[(2, 3774)][5] and rows[(2, 3743)][5]
    gone_rows = [h for h in history_rows(odds_conn) if h[5] is None]
    assert [(h[0], h[2], h[4]) for h in gone_rows] == [(1, 3774, at(5))]
    # last_confirmed_at of a gone market is the previous complete scrape
    lc = odds_conn.execute("SELECT last_confirmed_at FROM market_odds_current_v "
                           "WHERE sr_event_id = 1 AND market_id = 3774").fetchone()[0]
    assert lc == at(0)


def test_gone_then_back(odds_conn):
    apply_snapshot(odds_conn, snap(0, event_odds(1, X12, AH0)))
    apply_snapshot(odds_conn, snap(5, event_odds(1, X12)))
    r = apply_snapshot(odds_conn, snap(10, event_odds(1, X12, AH0)))
    assert (r.back, r.new, r.unchanged) == (1, 0, 1)
    rows = {r[2]: r for r in current_rows(odds_conn)}
    assert rows[3774][5] and rows[3774][8] is None
    # back with the same odds: the odds did not change, so last_updated_at stays
    assert rows[3774][7] == at(0)
    assert [h[5] for h in history_rows(odds_conn) if h[2] == 3774] == ["1=1.9;2=1.9", None, "1=1.9;2=1.9"]
    # still absent afterwards: nothing more is written
    apply_snapshot(odds_conn, snap(15, event_odds(1, X12)))
    r = apply_snapshot(odds_conn, snap(20, event_odds(1, X12)))
    assert r.gone == 0 and r.history_rows == 0


def test_reapplying_the_same_snapshot_is_a_noop(odds_conn):
    s1 = snap(0, event_odds(1, X12, AH0), event_odds(2, OU25))
    s2 = snap(5, event_odds(1, X12_MOVED), event_odds(2, OU25))
    apply_snapshot(odds_conn, s1)
    apply_snapshot(odds_conn, s2)
    before = table_dump(odds_conn)
    r = apply_snapshot(odds_conn, s2)
    assert r.history_rows == 0 and (r.new, r.changed, r.gone, r.back) == (0, 0, 0, 0)
    r = apply_snapshot(odds_conn, s1)
    assert r.history_rows == 0
    after = table_dump(odds_conn)
    for table in ("market_odds_current", "market_odds_history", "events", "bookmaker_events"):
        assert after[table] == before[table], table


def test_older_snapshot_never_moves_current_backwards(odds_conn):
    apply_snapshot(odds_conn, snap(0, event_odds(1, X12, AH0)))
    apply_snapshot(odds_conn, snap(10, event_odds(1, X12_MOVED, AH0)))
    cur_before = current_rows(odds_conn)
    # a late (backfilled) window at 5 minutes with other odds
    r = apply_snapshot(odds_conn, snap(5, event_odds(1, market(3743, None, "9.00", "9.00", "9.00"), AH0)))
    assert r.historical_events == 1 and r.changed == 1
    assert current_rows(odds_conn) == cur_before
    hist = [(h[4], h[5]) for h in history_rows(odds_conn) if h[2] == 3743]
    assert hist == [(at(0), "1=2.4;X=3.3;2=3"), (at(5), "1=9;X=9;2=9"), (at(10), "1=2.5;X=3.3;2=2.9")]


def test_backfill_keeps_history_consistent_with_current(odds_conn):
    apply_snapshot(odds_conn, snap(0, event_odds(1, X12, AH0)))
    apply_snapshot(odds_conn, snap(10, event_odds(1, X12, AH0)))  # unchanged: no history row at 10
    apply_snapshot(odds_conn, snap(5, event_odds(1, X12_MOVED, AH0, OU25)))
    # the backfill's change at 5 is followed by the state current holds, at the event's last scrape (10)
    latest = odds_conn.execute(
        "SELECT DISTINCT ON (market_id, line_hundredths) market_id, outcomes FROM market_odds_history "
        "ORDER BY market_id, line_hundredths, captured_at DESC").fetchall()
    current = odds_conn.execute(
        "SELECT market_id, CASE WHEN unavailable_at IS NULL THEN outcomes END FROM market_odds_current "
        "ORDER BY market_id, line").fetchall()
    assert sorted(latest) == sorted(current)
    # the market first seen in the backfill was absent at 10: current holds it as unavailable
    ou = odds_conn.execute("SELECT unavailable_at FROM market_odds_current WHERE market_id = 5000").fetchone()
    assert ou == (at(10),)


def test_event_metadata_prefers_betpawa(odds_conn):
    sb = EventOdds(Event("sportybet", 7, "sr:match:7", "SB Home", "SB Away", T0, "SB League", "SB Land"), (X12,))
    apply_snapshot(odds_conn, build_snapshot("sportybet", at(0), [sb]))
    bp = EventOdds(Event("betpawa", 7, "bp7", "BP Home", "BP Away", T0, "BP League", "BP Land"), (X12,))
    apply_snapshot(odds_conn, build_snapshot("betpawa", at(5), [bp]))
    apply_snapshot(odds_conn, build_snapshot("sportybet", at(10), [sb]))
    assert odds_conn.execute("SELECT home, away, source_bookmaker, first_seen_at FROM events").fetchone() == (
        "BP Home", "BP Away", 1, at(0))
    per_book = odds_conn.execute(
        "SELECT bookmaker, bookmaker_event_id, home, first_seen_at, last_seen_at FROM bookmaker_events "
        "ORDER BY bookmaker").fetchall()
    assert per_book == [(1, "bp7", "BP Home", at(5), at(5)), (2, "sr:match:7", "SB Home", at(0), at(10))]


def test_books_are_independent(odds_conn):
    apply_snapshot(odds_conn, snap(0, event_odds(1, X12)))
    r = apply_snapshot(odds_conn, snap(0, event_odds(1, X12, bookmaker="sportybet"), bookmaker="sportybet"))
    assert r.new == 1
    r = apply_snapshot(odds_conn, snap(5, event_odds(1, bookmaker="sportybet"), bookmaker="sportybet"))
    assert r.gone == 1
    assert [r[5] for r in current_rows(odds_conn)] == [True, False]


def test_partition_is_created_on_demand(odds_conn):
    from datetime import datetime, timezone

    far = datetime(2031, 2, 3, 4, 5, tzinfo=timezone.utc)
    apply_snapshot(odds_conn, build_snapshot("betpawa", far, [event_odds(1, X12)]))
    assert odds_conn.execute("SELECT to_regclass('market_odds_history_p20310203') IS NOT NULL").fetchone()[0]


# ---- bad input: rejected before anything is written, with the event, market and field named ----

def _bad_outcome_cases() -> Iterator[tuple[str, tuple[Outcome, ...], str]]:
    yield "odds_equal_one", (Outcome("1", Decimal("1.0")),), "<= 1.0"
    yield "odds_below_one", (Outcome("1", Decimal("0.5")),), "<= 1.0"
    yield "nan", (Outcome("1", Decimal("NaN")),), "not finite"
    yield "infinity", (Outcome("1", Decimal("Infinity")),), "not finite"
    yield "float_not_decimal", (Outcome("1", 2.5),), "not a Decimal"  # type: ignore[arg-type]
    yield "active_without_price", (Outcome("1", None, True),), "no odds"
    yield "duplicate_outcome", (Outcome("1", Decimal("2")), Outcome("1", Decimal("3"))), "duplicate"


@pytest.mark.parametrize("case,outcomes,message", list(_bad_outcome_cases()), ids=[c[0] for c in _bad_outcome_cases()])
def test_bad_outcomes_drop_the_event_naming_event_market_field(odds_conn, case, outcomes, message):
    """One bad event never sinks the window: it is dropped and reported, the rest is written."""
    apply_snapshot(odds_conn, snap(0, event_odds(1, X12)))
    bad = Market(3774, Decimal("-0.5"), outcomes)
    s = snap(5, event_odds(1, X12_MOVED), event_odds(42, bad))
    assert list(s.events["sr_event_id"]) == [1]  # build_snapshot dropped it already
    r = apply_snapshot(odds_conn, s)
    (err,) = r.rejected
    text = str(err)
    assert message in text and "event=42" in text and "market=3774" in text and "line=-0.5" in text
    assert "field=outcomes" in text and "bookmaker=betpawa" in text
    assert err.sr_event_id == 42 and err.field == "outcomes"
    assert {row[0] for row in current_rows(odds_conn)} == {1}
    assert current_rows(odds_conn)[0][4] == "1=2.5;X=3.3;2=2.9"
    assert odds_conn.execute("SELECT count(*) FROM events WHERE sr_event_id = 42").fetchone()[0] == 0


def test_inactive_outcome_without_price_is_valid(odds_conn):
    m = Market(3743, None, (Outcome("1", Decimal("2")), Outcome("X", None, False), Outcome("2", Decimal("3"), False)))
    apply_snapshot(odds_conn, snap(0, event_odds(1, m)))
    assert current_rows(odds_conn)[0][4] == "1=2;X=!;2=3!"


def test_unknown_bookmaker_and_naive_datetimes_are_rejected(odds_conn):
    from datetime import datetime

    with pytest.raises(SnapshotError, match="unknown bookmaker"):
        build_snapshot("bet365", at(0), [])
    with pytest.raises(SnapshotError, match="captured_at must be a timezone-aware"):
        build_snapshot("betpawa", datetime(2026, 11, 24, 12, 0), [])
    naive = EventOdds(Event("betpawa", 3, "bp3", "H", "A", datetime(2026, 11, 25, 12, 0)), (X12,))
    s = build_snapshot("betpawa", at(0), [naive, event_odds(4, X12)])  # one naive event: that event only
    assert [str(e) for e in s.rejected] == [
        "kickoff must be timezone-aware (bookmaker=betpawa, event=3, field=kickoff)"]
    assert list(s.events["sr_event_id"]) == [4]
    assert table_dump(odds_conn)["market_odds_current"] == []


def _raw_snapshot(markets: list[tuple], events: list[int] | None = None) -> Snapshot:
    ev_ids = events if events is not None else sorted({m[0] for m in markets})
    ev = pd.DataFrame({
        "sr_event_id": pd.array(ev_ids, dtype="int64"), "bookmaker_event_id": [str(e) for e in ev_ids],
        "home": ["H"] * len(ev_ids), "away": ["A"] * len(ev_ids),
        "kickoff": pd.to_datetime([T0] * len(ev_ids), utc=True),
        "competition": [None] * len(ev_ids), "country": [None] * len(ev_ids)})
    mk = pd.DataFrame(markets, columns=["sr_event_id", "market_id", "line", "outcomes"])
    mk["sr_event_id"] = mk["sr_event_id"].astype("int64")
    mk["market_id"] = mk["market_id"].astype("int64")
    return Snapshot("betpawa", at(5), ev, mk)


@pytest.mark.parametrize("markets,events,message", [
    ([(1, 3743, None, "1=2;X=3;2=4"), (1, 3743, None, "1=2;X=3;2=5")], None, "market listed twice"),
    ([(1, 3743, None, "1=abc;X=3;2=4")], None, "is not a decimal"),
    ([(1, 3743, None, "1=NaN")], None, "not finite"),
    ([(1, 3743, None, "1=2.50")], None, "canonical form"),
    ([(1, 3774, "0.50", "1=2;2=2")], None, "not a canonical decimal"),
    ([(1, 3774, "abc", "1=2;2=2")], None, "not a canonical decimal"),
    ([(1, 3774, "0.125", "1=2;2=2")], None, "at most 2 decimals"),
    ([(1, 3774, "400", "1=2;2=2")], None, "within ±327.67"),
    ([(9, 3743, None, "1=2;X=3;2=4")], [1], "not in the snapshot's complete set"),
], ids=["duplicate_key", "non_decimal", "nan_text", "non_canonical_odds", "non_canonical_line", "bad_line",
        "three_decimals", "too_large", "orphan"])
def test_bad_frames_drop_the_event_and_keep_what_is_stored(odds_conn, markets, events, message):
    """The frames (Parquet) path validates the same rules: the bad event is dropped and named, what
    is stored for it stays as it was, and the rest of the window is written."""
    apply_snapshot(odds_conn, snap(0, event_odds(1, X12)))
    before = table_dump(odds_conn)
    good = [(1, 5000, "2.5", "Over=1.9;Under=1.9")]
    other = [(2, 3743, None, "1=2;X=3;2=4")]
    ev = None if events is None else events + [2]
    r = apply_snapshot(odds_conn, _raw_snapshot(good + markets + other, ev))
    assert [e.sr_event_id for e in r.rejected] == [9 if "complete set" in message else 1]
    assert message in str(r.rejected[0]) and "bookmaker=betpawa" in str(r.rejected[0])
    after = table_dump(odds_conn)
    if "complete set" not in message:  # event 1 itself was bad: nothing of it changed
        for table in ("market_odds_history", "market_odds_current"):
            assert [row for row in after[table] if "'1=2;X=3;2=4'" not in row] == before[table], table
    else:  # only the orphan market's event 9 was bad: event 1 is written as listed
        assert odds_conn.execute("SELECT count(*) FROM market_odds_current WHERE sr_event_id = 9").fetchone()[0] == 0
        assert odds_conn.execute("SELECT outcomes FROM market_odds_current WHERE sr_event_id = 1 "
                                 "AND market_id = 5000").fetchone()[0] == "Over=1.9;Under=1.9"
    assert odds_conn.execute("SELECT count(*) FROM market_odds_current WHERE sr_event_id = 2").fetchone()[0] == 1


def test_write_result_metadata_is_serialisable(odds_conn):
    r = apply_snapshot(odds_conn, snap(0, event_odds(1, X12)))
    md = r.as_metadata()
    assert md["new"] == 1 and md["total_ms"] > 0 and not any(
        isinstance(v, float) and math.isnan(v) for v in md.values())


def test_statement_count_does_not_grow_with_the_board(odds_conn, monkeypatch):
    """No per-row round trips: the number of statements (and COPYs) per apply is the same for a board
    of 5 events and one of 200 events."""
    import psycopg

    calls = {"execute": 0, "copy": 0}
    real_conn_execute, real_cur_execute = psycopg.Connection.execute, psycopg.Cursor.execute
    real_copy = psycopg.Cursor.copy

    def count(kind, real):
        def wrapper(self, *args, **kwargs):
            calls[kind] += 1
            return real(self, *args, **kwargs)
        return wrapper

    def run(n_events: int, minute: int) -> dict[str, int]:
        calls.update(execute=0, copy=0)
        evs = [event_odds(1000 + i, X12 if minute == 0 else X12_MOVED, AH0, OU25) for i in range(n_events)]
        apply_snapshot(odds_conn, snap(minute, *evs))
        return dict(calls)

    monkeypatch.setattr(psycopg.Connection, "execute", count("execute", real_conn_execute))
    monkeypatch.setattr(psycopg.Cursor, "execute", count("execute", real_cur_execute))
    monkeypatch.setattr(psycopg.Cursor, "copy", count("copy", real_copy))
    small_new, small_changed = run(5, 0), run(5, 5)
    odds_conn.execute("TRUNCATE market_odds_current, market_odds_history, bookmaker_events, events, snapshots, "
                      "bookmaker_event_history")
    big_new, big_changed = run(200, 0), run(200, 5)
    assert small_new == big_new and small_changed == big_changed
    assert big_changed["execute"] < 35
