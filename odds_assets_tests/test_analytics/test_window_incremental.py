"""Incremental window analytics (``plan_window``): a window that follows the newest computed one
recomputes only the instances whose inputs changed, and must store exactly what the whole-board
computation (the reference path) stores, window after window.

The oracle is the reference path itself, run over the same engine-written windows after the fact (a
backfill, prices read from history): the two must agree row for row on ``fair_prices_current``,
``fair_prices_history``, ``exposure_episodes`` and the ledger's figures."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import psycopg

from odds_assets.db import analytics_window as aw
from odds_assets.db.engine import apply_snapshot
from odds_assets.models import Event, EventOdds, Market, Outcome
from odds_assets.snapshot import build_snapshot
from odds_assets_tests.factories import T0, at

CADENCE = 5
BOOKS = ("betpawa", "sportybet", "bet9ja")
WINDOWS = list(range(0, 45, CADENCE))
#: event -> kick-off (event 3 kicks off during the run: in windows 0..10, not from 15 on)
KICKOFF = {1: T0 + timedelta(days=1), 2: T0 + timedelta(days=1), 3: at(12), 4: T0 + timedelta(hours=3)}
SHAPES = {3743: ("1", "X", "2"), 4693: ("1X", "X2", "12"), 5000: ("Over", "Under")}
INSTANCES = [(3743, None), (4693, None), (5000, "2.5"), (5000, "1.5")]
SETTINGS = aw.WindowSettings()


def _odds(rng: random.Random, mid: int) -> list[str]:
    """Plausible prices, noisy enough that edges above 3 % and cross-book arbitrages occur."""
    if mid == 4693:
        return [f"{rng.uniform(1.15, 1.45):.2f}", f"{rng.uniform(1.5, 2.2):.2f}", f"{rng.uniform(1.2, 1.4):.2f}"]
    if mid == 3743:
        return [f"{rng.uniform(1.9, 2.4):.2f}", f"{rng.uniform(3.1, 3.7):.2f}", f"{rng.uniform(3.3, 4.2):.2f}"]
    return [f"{rng.uniform(1.75, 2.1):.2f}", f"{rng.uniform(1.75, 2.1):.2f}"]


def script(seed: int = 7) -> dict[int, dict[str, dict[int, dict[tuple[int, str | None], list[str]]]]]:
    """window -> book -> event -> instance -> odds: every book starts with every instance; each window a
    tenth of the instances move, some leave a board for a window or more (gone) and come back, one
    outcome is sometimes not bettable; bet9ja writes nothing in window 20."""
    rng = random.Random(seed)
    board = {b: {sr: {i: _odds(rng, i[0]) for i in INSTANCES} for sr in KICKOFF} for b in BOOKS}
    hidden: dict[str, set[tuple[int, tuple[int, str | None]]]] = {b: set() for b in BOOKS}
    out = {}
    for w in WINDOWS:
        for b in BOOKS:
            if w:
                for sr in KICKOFF:
                    for i in INSTANCES:
                        r = rng.random()
                        if r < 0.12:
                            board[b][sr][i] = _odds(rng, i[0])
                        elif r < 0.15:
                            hidden[b] ^= {(sr, i)}
        out[w] = {b: {sr: {i: list(o) for i, o in ev.items() if (sr, i) not in hidden[b]}
                      for sr, ev in board[b].items()} for b in BOOKS if not (b == "bet9ja" and w == 20)}
    return out


def write(conn: psycopg.Connection, w: int, boards: dict[str, dict[int, dict[tuple[int, str | None], list[str]]]]
          ) -> None:
    for book, events in boards.items():
        eo = []
        for sr, instances in events.items():
            ev = Event(bookmaker=book, sr_event_id=sr, bookmaker_event_id=f"{book[:2]}{sr}", home=f"Home {sr}",
                       away=f"Away {sr}", kickoff=KICKOFF[sr], competition="League", country="Land")
            markets = tuple(Market(mid, None if line is None else Decimal(line),
                                   tuple(Outcome(n, Decimal(o), not (book == "sportybet" and w == 25 and n == "X"))
                                         for n, o in zip(SHAPES[mid], odds)))
                            for (mid, line), odds in instances.items())
            eo.append(EventOdds(ev, markets))
        apply_snapshot(conn, build_snapshot(book, at(w + 1), eo))


def dump(conn: psycopg.Connection) -> dict[str, list[str]]:
    out = {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}").fetchall()))
           for t in ("fair_prices_current", "fair_prices_history", "exposure_episodes")}
    out["ledger"] = sorted(map(repr, conn.execute(
        "SELECT asset, window_start, window_end, figures - 'basis' FROM analytics_windows").fetchall()))
    return out


def count(conn: psycopg.Connection, query: str) -> int:
    row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])


def compute(conn: psycopg.Connection, w: int, incremental: bool) -> tuple[bool, bool]:
    start, end = at(w), at(w + CADENCE)
    fair = aw.fair_window(conn, start, end, SETTINGS, incremental)
    exp = aw.exposure_window(conn, start, end, SETTINGS, incremental)
    ROWS.append(fair.rows)
    return fair.incremental, exp.incremental


ROWS: list[int] = []


def test_incremental_windows_store_what_the_whole_board_computation_stores(odds_conn: psycopg.Connection) -> None:
    aw._MEMO.clear()
    ROWS.clear()
    paths = []
    for w, boards in script().items():
        write(odds_conn, w, boards)
        paths.append(compute(odds_conn, w, incremental=True))
    # the first window computes the whole board; every later one follows the previous: incremental
    assert paths == [(False, False)] + [(True, True)] * (len(WINDOWS) - 1)
    live = dump(odds_conn)
    # ... on part of the board: most windows recompute fewer rows than the board holds
    board = count(odds_conn, "SELECT count(*) FROM fair_prices_current")
    assert sum(r < board for r in ROWS[1:]) >= len(WINDOWS) // 2, (ROWS, board)
    # the scenario exercises what it claims: exposures open and close, rows go (kick-off, gone markets)
    assert count(odds_conn, "SELECT count(*) FROM exposure_episodes WHERE kind = 'edge'") > 0
    assert count(odds_conn, "SELECT count(*) FROM exposure_episodes WHERE ended_at IS NULL") > 0
    assert count(odds_conn, "SELECT count(*) FROM exposure_episodes WHERE ended_at IS NOT NULL") > 0
    assert count(odds_conn, "SELECT count(*) FROM exposure_episodes WHERE kind = 'arb'") > 0
    assert count(odds_conn, "SELECT count(*) FROM fair_prices_history WHERE NOT present") > 0
    assert odds_conn.execute("SELECT count(*) FROM fair_prices_current WHERE sr_event_id = 3").fetchone() == (0,)

    # the reference: every window again over the whole board, in order, from nothing
    odds_conn.execute("TRUNCATE fair_prices_current, fair_prices_history, exposure_episodes, analytics_windows")
    aw._MEMO.clear()
    for w in WINDOWS:
        assert compute(odds_conn, w, incremental=False) == (False, False)
    assert dump(odds_conn) == live


def test_a_range_run_computing_fair_prices_first_gives_the_same(odds_conn: psycopg.Connection) -> None:
    """A range run: every window's fair_prices first, then every window's exposure (fair_prices is ahead,
    so exposure reads the unchanged outcomes' values from fair_prices_history): as the reference."""
    aw._MEMO.clear()
    boards = script()
    for w in WINDOWS:
        write(odds_conn, w, boards[w])
    for w in WINDOWS:
        assert compute(odds_conn, w, incremental=False) == (False, False)
    reference = dump(odds_conn)
    odds_conn.execute("TRUNCATE fair_prices_current, fair_prices_history, exposure_episodes, analytics_windows")
    aw._MEMO.clear()
    fair = [aw.fair_window(odds_conn, at(w), at(w + CADENCE), SETTINGS).incremental for w in WINDOWS]
    exposure = [aw.exposure_window(odds_conn, at(w), at(w + CADENCE), SETTINGS) for w in WINDOWS]
    assert fair == [False] + [True] * (len(WINDOWS) - 1)
    assert [e.incremental for e in exposure] == [False] + [True] * (len(WINDOWS) - 1)
    assert dump(odds_conn) == reference
    assert exposure[-1].top  # the top five were read from fair_prices_history


def test_a_window_that_does_not_follow_the_newest_takes_the_whole_board(odds_conn: psycopg.Connection) -> None:
    aw._MEMO.clear()
    boards = script()
    for w in WINDOWS[:3]:
        write(odds_conn, w, boards[w])
        compute(odds_conn, w, incremental=True)
    plan = aw.plan_window
    nxt = WINDOWS[3]
    assert not plan(odds_conn, "fair_prices", at(WINDOWS[1]), at(WINDOWS[2]), SETTINGS).incremental  # a re-run
    assert not plan(odds_conn, "fair_prices", at(nxt + CADENCE), at(nxt + 2 * CADENCE), SETTINGS).incremental  # gap
    assert plan(odds_conn, "fair_prices", at(nxt), at(nxt + CADENCE), SETTINGS).incremental
    # another method or threshold than the previous window's: the whole board
    assert not plan(odds_conn, "fair_prices", at(nxt), at(nxt + CADENCE), aw.WindowSettings("shin")).incremental
    other_edge = aw.WindowSettings(exposure_edge=0.05)
    assert not plan(odds_conn, "exposure", at(nxt), at(nxt + CADENCE), other_edge).incremental
    # a late write for a scrape before the window (a book's earlier board arriving late): the whole board
    odds_conn.execute("UPDATE snapshots SET applied_at = applied_at + interval '1 second' "
                      "WHERE captured_at = (SELECT min(captured_at) FROM snapshots)")
    assert not plan(odds_conn, "fair_prices", at(nxt), at(nxt + CADENCE), SETTINGS).incremental
