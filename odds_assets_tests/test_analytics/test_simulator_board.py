"""The margin definition on a simulator board: the ``overround`` check of a fresh board finds no market
type out of band, ``odds show``'s view prints the same margins as the check computes, and the fair
prices of a whole board at once equal those computed one market at a time.

The boards are the simulator's ground truth (what each book shows; ``test_scrape.py`` shows a scrape
reads exactly that), quarantined as a scrape does. The double-chance margin is computed here by hand
from the odds (Σ 1/odds / 2 − 1) as the independent check."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd
import psycopg
import pytest

from odds_assets.analytics.benchmark import COMPETITORS, edges, fair_price, fair_prices_frame
from odds_assets.analytics.margin import market_margin, market_shape, underlying_market_id
from odds_assets.db.engine import apply_snapshot
from odds_assets.models import BOOKMAKERS, Outcome
from odds_assets.quality import overround_figures, quarantine
from odds_assets.settings import PipelineSettings
from odds_assets.simulator import Simulator, SimulatorConfig
from odds_assets.snapshot import Snapshot, build_snapshot, decode_outcomes, outcome_frame

RULES = PipelineSettings().quality
T = datetime(2026, 11, 24, 10, 7, tzinfo=timezone.utc)
#: a fresh board, and the same world four hours on (odds have moved by then)
TIMES = (T, T + timedelta(hours=4))
DOUBLE_CHANCE = {4693, 4673, 4681}
Instance = tuple[int, int, Decimal | None]  # (sr_event_id, market_id, line)


@pytest.fixture(scope="module")
def boards() -> dict[datetime, dict[str, Snapshot]]:
    """Every book's board at each of TIMES (the demo's simulator settings, fewer events)."""
    sim = Simulator(SimulatorConfig(seed=1, events=80, frozen_at=T.timestamp()))
    out: dict[datetime, dict[str, Snapshot]] = {}
    for t in TIMES:
        out[t] = {}
        for book in BOOKMAKERS:
            q = quarantine(sim.ground_truth(book, t.timestamp()).values(), RULES.min_odds, RULES.max_odds)
            out[t][book] = build_snapshot(book, t, q.events)
    return out


def instances(snapshot: Snapshot) -> dict[Instance, tuple[Outcome, ...]]:
    m = snapshot.markets
    return {(int(sr), int(mid), None if pd.isna(line) else Decimal(line)): decode_outcomes(enc)
            for sr, mid, line, enc in zip(m["sr_event_id"], m["market_id"], m["line"], m["outcomes"])}


@pytest.mark.parametrize("when", [0, 1], ids=["fresh", "4h-later"])
@pytest.mark.parametrize("book", BOOKMAKERS)
def test_no_market_type_is_out_of_band(boards, book: str, when: int) -> None:
    board = boards[TIMES[when]][book]
    f = overround_figures(board, RULES.overround_band)
    assert f.priced > 1000
    assert (f.out_of_band, dict(f.by_market)) == (0, {})
    # what the check compared: every type's margins sit near the books' few percent, double chance too
    margins: dict[int, list[float]] = defaultdict(list)
    for (_, mid, _), outs in instances(board).items():
        value = market_margin(mid, outs)
        if value is not None:
            margins[mid].append(value)
    medians = {mid: sorted(v)[len(v) // 2] for mid, v in margins.items()}
    assert all(0.0 < m < 0.2 for m in medians.values()), medians


@pytest.mark.parametrize("book", BOOKMAKERS)
def test_double_chance_margins_by_hand(boards, book: str) -> None:
    seen = 0
    for (_, mid, _), outs in instances(boards[T][book]).items():
        if mid not in DOUBLE_CHANCE or not all(o.active and o.odds is not None for o in outs):
            continue
        seen += 1
        assert {o.name for o in outs} == {"1X", "X2", "12"}
        by_hand = sum(1 / float(o.odds) for o in outs if o.odds is not None) / 2 - 1
        # the simulator's books carry 3-12 % per instance; the plain booksum would read 2.06-2.24
        assert market_margin(mid, outs) == pytest.approx(by_hand, abs=1e-15)
        assert 0.02 < by_hand < 0.13
    assert seen > 50


def test_the_trader_view_prints_the_checks_margins(boards, odds_conn: psycopg.Connection) -> None:
    """odds_side_by_side (SQL, migration 0007) and market_margin (Python) on the same three boards."""
    expected: dict[tuple[Instance, str], float | None] = {}
    for book, board in boards[T].items():
        apply_snapshot(odds_conn, board)
        for key, outs in instances(board).items():
            expected[(key, book)] = market_margin(key[1], outs)
    rows = odds_conn.execute(
        "SELECT DISTINCT sr_event_id, market_id, line, betpawa_margin_pct, sportybet_margin_pct, bet9ja_margin_pct "
        "FROM odds_side_by_side").fetchall()
    got: dict[tuple[Instance, str], float | None] = {}
    for sr, mid, line, *pcts in rows:
        for book, pct in zip(BOOKMAKERS, pcts):
            if ((sr, mid, line), book) in expected:
                got[((sr, mid, line), book)] = None if pct is None else float(pct) / 100
    assert got.keys() == expected.keys()
    differ = {k: (got[k], v) for k, v in expected.items() if not _same(got[k], v)}
    assert differ == {}
    with_margin = [v for v in expected.values() if v is not None]
    assert len(with_margin) > 3000 and max(with_margin) < 0.5
    assert sum(1 for (k, _), v in expected.items() if k[1] in DOUBLE_CHANCE and v is not None) > 100


def _same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-6)


def _outcome_rows(board: dict[str, Snapshot]) -> pd.DataFrame:
    frames = [outcome_frame(s).assign(bookmaker=book) for book, s in board.items()]
    df = pd.concat(frames, ignore_index=True)
    df["odds"] = pd.to_numeric(df["odds"])
    df["line"] = [None if pd.isna(x) else x for x in df["line"]]
    return df


def test_a_whole_board_at_once_equals_one_market_at_a_time(boards) -> None:
    board = boards[T]
    per_book = {book: instances(s) for book, s in board.items()}
    expected: dict[tuple[Instance, str], tuple[float, int]] = {}
    keys = {key for inst in per_book.values() for key in inst}
    for sr, mid, line in keys:
        books = {b: per_book[b][(sr, mid, line)] for b in BOOKMAKERS if (sr, mid, line) in per_book[b]}
        rule = market_shape(mid).rule
        under = None
        if rule.underlying is not None:
            umid = underlying_market_id(rule.underlying)
            under = {b: per_book[b][(sr, umid, line)] for b in BOOKMAKERS if (sr, umid, line) in per_book[b]}
        fair = fair_price(mid, books, underlying=under)
        if fair is None:
            continue
        assert set(fair.books) <= set(COMPETITORS)
        assert sum(fair.probabilities.values()) == pytest.approx(rule.covers, abs=1e-9)
        for outcome, p in fair.probabilities.items():
            expected[((sr, mid, line), outcome)] = (p, len(fair.books))
        if "betpawa" in books:
            assert all(-1 < e < 1 for e in edges(books["betpawa"], fair).values())
    frame = fair_prices_frame(_outcome_rows(board))
    columns = ("sr_event_id", "market_id", "line", "outcome", "fair_probability", "books")
    got = {((int(sr), int(mid), None if line is None else Decimal(line)), outcome): (float(p), int(n))
           for sr, mid, line, outcome, p, n in zip(*(frame[c].tolist() for c in columns))}
    assert got.keys() == expected.keys()
    assert all(got[k][1] == v[1] and abs(got[k][0] - v[0]) < 1e-12 for k, v in expected.items())
    derived = [k for k in expected if k[0][1] in DOUBLE_CHANCE]
    assert len(expected) > 2000 and len(derived) > 100
