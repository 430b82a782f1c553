"""Window-level analytics (``odds_assets.db.analytics_window``; the Dagster assets ``fair_prices`` and
``exposure``) against windows written with the write engine.

Oracles are independent of the product: the power method is solved here by bisection, edges and best
implied are computed by hand from the odds, and the expected episodes are read off the scripted price
sequence."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import psycopg
import pytest

from odds_assets.db import analytics_window as aw
from odds_assets.db.engine import apply_snapshot
from odds_assets_tests.factories import at, event_odds, market, snap

CADENCE = 5
BOOKS = ("betpawa", "sportybet", "bet9ja")


def power_reference(odds: list[str]) -> list[float]:
    """Fair probabilities by the power method, solved here by bisection on k (sum r_i^k = 1)."""
    r = [1 / float(o) for o in odds]
    lo, hi = 0.5, 5.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if sum(x ** mid for x in r) > 1:
            lo = mid
        else:
            hi = mid
    return [x ** lo for x in r]


def write(conn: psycopg.Connection, minute: int, boards: dict[str, dict[int, tuple[str, ...]]]) -> None:
    """One window: each book's board (event -> 1X2 odds), scraped at ``minute`` + 1."""
    for book, events in boards.items():
        apply_snapshot(conn, snap(minute + 1, *(event_odds(sr, market(3743, None, *odds), bookmaker=book)
                                                for sr, odds in events.items()), bookmaker=book))


def run(conn: psycopg.Connection, minute: int, edge: float = 0.03) -> tuple[aw.FairResult, aw.ExposureResult]:
    start, end = at(minute), at(minute + CADENCE)
    state = aw.window_state(conn, start, end)
    fair = aw.write_fair_prices(conn, start, end, state)
    return fair, aw.update_exposure(conn, start, end, state, edge)


def episodes(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        "SELECT sr_event_id, outcome, kind, started_at, ended_at, peak_edge, peak_betpawa_odds, first_mover, "
        "correction_s FROM exposure_episodes ORDER BY 1, 2, 3, 4").fetchall()


def dump(conn: psycopg.Connection) -> dict[str, list]:
    out = {}
    for table in ("fair_prices_current", "fair_prices_history", "exposure_episodes"):
        out[table] = sorted(map(repr, conn.execute(f"SELECT * FROM {table}").fetchall()))
    out["ledger"] = sorted(map(repr, conn.execute(
        "SELECT asset, window_start, window_end, figures FROM analytics_windows").fetchall()))
    return out


FAIR = ("2.10", "3.40", "3.60")


def test_fair_price_and_edge_known_answer(odds_conn: psycopg.Connection) -> None:
    write(odds_conn, 0, {"betpawa": {1: ("2.30", "3.30", "3.20")}, "sportybet": {1: FAIR},
                         "bet9ja": {1: ("2.00", "3.50", "3.80")}})
    fair, _ = run(odds_conn, 0)
    a, b = power_reference(list(FAIR)), power_reference(["2.00", "3.50", "3.80"])
    expected = {n: (x + y) / 2 for n, x, y in zip(("1", "X", "2"), a, b)}
    rows = odds_conn.execute("SELECT outcome, betpawa_odds, fair_probability, fair_odds, edge, competitors, method "
                             "FROM fair_prices_current ORDER BY outcome").fetchall()
    assert len(rows) == 3
    for outcome, bp, p, fo, e, comp, method in rows:
        assert p == pytest.approx(expected[outcome], abs=1e-9)
        assert fo == pytest.approx(1 / expected[outcome], rel=1e-9)
        assert e == pytest.approx(float(bp) * expected[outcome] - 1, abs=1e-9)
        assert (comp, method) == ("sportybet,bet9ja", "power")
    assert fair.figures["priced_instances"] == 1
    # the notes' known answer for 2.10/3.40/3.60 (power): the reference solver agrees
    assert a == pytest.approx([0.460174, 0.277980, 0.261846], abs=1e-6)
