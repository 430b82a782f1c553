"""The views of migration 0002 queried directly: values, index use for one event (EXPLAIN), and the
migration's downgrade/upgrade round trip."""

from __future__ import annotations

from decimal import Decimal

import psycopg

from odds_assets.cli import main
from odds_assets.db import migrate
from odds_assets_tests.factories import at, scalar
from odds_assets_tests.test_trader.conftest import OU, SR, X12, apply_board


def test_side_by_side_values(board):
    rows = board.conn.execute(
        "SELECT outcome, betpawa_odds, betpawa_state, sportybet_odds, sportybet_state, bet9ja_odds, bet9ja_state, "
        "best_odds, best_bookmakers, betpawa_margin_pct, sportybet_margin_pct, bet9ja_margin_pct, "
        "betpawa_last_changed_at, sportybet_last_changed_at, bet9ja_last_changed_at "
        "FROM odds_side_by_side WHERE sr_event_id = %s AND market_id = %s ORDER BY outcome_order",
        (SR, X12)).fetchall()
    d = Decimal
    sb_margin = ((1 / d("2.45") + 1 / d("3.20") + 1 / d("3.10")) - 1) * 100
    b9_margin = ((1 / d("2.45") + 1 / d("3.40") + 1 / d("3.10")) - 1) * 100
    assert [r[:9] for r in rows] == [
        ("1", d("2.5"), "active", d("2.45"), "active", d("2.45"), "active", d("2.5"), ["betpawa"]),
        ("X", d("3.3"), "suspended", d("3.2"), "active", d("3.4"), "active", d("3.4"), ["bet9ja"]),
        ("2", d("2.9"), "active", d("3.1"), "active", d("3.1"), "active", d("3.1"), ["sportybet", "bet9ja"]),
    ]
    for r in rows:  # per market/line figures repeat on every outcome row
        assert r[9] is None  # betpawa has a suspended outcome: no margin
        assert abs(r[10] - sb_margin) < d("0.0001") and abs(r[11] - b9_margin) < d("0.0001")
        assert r[12:] == (at(5), at(1), at(8))


def test_side_by_side_gone_and_not_offered(board):
    rows = board.conn.execute(
        "SELECT line, outcome, betpawa_state, sportybet_odds, sportybet_state, bet9ja_state, best_bookmakers, "
        "sportybet_last_changed_at FROM odds_side_by_side WHERE sr_event_id = %s AND market_id = %s "
        "ORDER BY line, outcome_order", (SR, OU)).fetchall()
    assert rows == [
        (Decimal("1.5"), "Over", "gone", None, None, None, [], None),
        (Decimal("1.5"), "Under", "gone", None, None, None, [], None),
        (Decimal("2.5"), "Over", "active", None, "gone", None, ["betpawa"], at(6)),
        (Decimal("2.5"), "Under", "active", None, "gone", None, ["betpawa"], at(6)),
    ]
    assert board.conn.execute("SELECT count(DISTINCT sr_event_id) FROM odds_side_by_side").fetchone()[0] == 2


def test_price_path_values(board):
    rows = board.conn.execute(
        "SELECT bookmaker, line, line_hundredths, captured_at, outcome, outcome_order, odds, active, available "
        "FROM odds_price_path WHERE sr_event_id = %s AND market_id = %s AND line = 2.5 "
        "ORDER BY bookmaker, captured_at, outcome_order", (SR, OU)).fetchall()
    d = Decimal
    assert rows == [
        ("betpawa", d("2.5"), 250, at(0), "Over", 1, d("1.95"), True, True),
        ("betpawa", d("2.5"), 250, at(0), "Under", 2, d("1.85"), True, True),
        ("sportybet", d("2.5"), 250, at(1), "Over", 1, d("1.9"), True, True),
        ("sportybet", d("2.5"), 250, at(1), "Under", 2, d("1.9"), True, True),
        # gone: the outcomes of the previous row, no odds, not available
        ("sportybet", d("2.5"), 250, at(6), "Over", 1, None, False, False),
        ("sportybet", d("2.5"), 250, at(6), "Under", 2, None, False, False),
    ]
    suspended = board.conn.execute(
        "SELECT odds, active, available FROM odds_price_path WHERE sr_event_id = %s AND bookmaker = 'betpawa' "
        "AND market_id = %s AND outcome = 'X' ORDER BY captured_at", (SR, X12)).fetchall()
    assert suspended == [(d("3.3"), True, True), (d("3.3"), False, True)]
    no_line = board.conn.execute(
        "SELECT DISTINCT line, line_hundredths FROM odds_price_path WHERE sr_event_id = %s AND market_id = 3774 "
        "ORDER BY line_hundredths", (SR,)).fetchall()
    assert no_line == [(None, -32768), (d("-0.5"), -50), (d("0"), 0)]


def _plan(conn: psycopg.Connection, query: str) -> str:
    return "\n".join(r[0] for r in conn.execute("EXPLAIN " + query).fetchall())


def test_one_event_queries_use_the_indexes(board):
    conn = board.conn
    # Tiny tables would be scanned sequentially on cost alone; with sequential scans disabled, the
    # planner still falls back to one if the sr_event_id filter could not reach an index, so "no Seq
    # Scan" proves the filter is pushed below the views' aggregation and joins.
    conn.execute("SET enable_seqscan = off")
    conn.execute("SET enable_bitmapscan = off")  # read the plain index scan in the plan
    side = _plan(conn, f"SELECT * FROM odds_side_by_side WHERE sr_event_id = {SR}")
    assert "Index Scan using uq_market_odds_current_key on market_odds_current" in side
    assert f"sr_event_id = {SR}" in side
    assert "Seq Scan" not in side
    path = _plan(conn, f"SELECT * FROM odds_price_path WHERE sr_event_id = {SR} AND market_id = {OU} "
                       f"AND captured_at >= '{at(0).isoformat()}'")
    assert "Seq Scan" not in path
    assert "Index Cond: ((sr_event_id = 7) AND (market_id = 5000)" in path
    # the history partitions are read through their unique index (sr_event_id, market_id, bookmaker, …)
    assert "market_odds_history_p20261124_sr_event_id_market_id_bookmak" in path


def test_downgrade_and_upgrade_round_trip(odds_db_url: str, odds_conn: psycopg.Connection, monkeypatch, capsys):
    from alembic import command

    apply_board(odds_conn)
    before = scalar(odds_conn, "SELECT count(*) FROM odds_side_by_side")
    assert migrate.current_revision(odds_db_url) == migrate.head_revision()

    command.downgrade(migrate._config(odds_db_url), "0001")
    assert migrate.current_revision(odds_db_url) == "0001"
    views = odds_conn.execute(
        "SELECT to_regclass('odds_side_by_side'), to_regclass('odds_price_path')").fetchone()
    assert views == (None, None)
    # only the views go: the data of 0001 stays
    assert scalar(odds_conn, "SELECT count(*) FROM market_odds_history") > 0
    # a database not yet migrated to 0002 gets a clear hint, not a traceback
    monkeypatch.setenv("ODDS_DATABASE_URL", odds_db_url)
    assert main(["show", str(SR)]) == 2
    assert "odds db migrate" in capsys.readouterr().err

    migrate.upgrade(odds_db_url)
    assert migrate.current_revision(odds_db_url) == migrate.head_revision()
    assert scalar(odds_conn, "SELECT count(*) FROM odds_side_by_side") == before
    assert scalar(odds_conn, "SELECT count(*) FROM odds_price_path WHERE sr_event_id = %s", (SR,)) > 0
