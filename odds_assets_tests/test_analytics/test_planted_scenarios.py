"""The planted-truth harness (``planted.py``): an hour of one-minute windows of a scenario simulator,
written through the write engine, holds the planted facts in the stored history — each planted
exposure's BetPawa price over exactly its ticks, and BetPawa's moves N minutes after the lead book's on
the events where it lags (in the same minute on the others).

The expected values come from the scenario's planted truth; the history is read back with SQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import psycopg

from odds_assets.simulator import Simulator, SimulatorConfig

from .planted import scenario_settings, write_planted_history

START = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
WINDOWS = 60
N = 5  # BetPawa's lag on lagging events, minutes

Key = tuple[int, str, int, Decimal | None]  # (sr_event_id, bookmaker, market_id, line)


def _history(conn: psycopg.Connection) -> dict[Key, list[tuple[datetime, dict[str, Any] | None]]]:
    rows = conn.execute(
        "SELECT sr_event_id, bookmaker, market_id, line, captured_at, outcomes FROM market_odds_history_v "
        "ORDER BY captured_at").fetchall()
    out: dict[Key, list[tuple[datetime, dict[str, Any] | None]]] = defaultdict(list)
    for sr, book, mid, line, at, outcomes in rows:
        out[(sr, book, mid, line)].append((at, outcomes))
    return out


def _prices(changes: list[tuple[datetime, Any]]) -> list[dict[str, tuple[Decimal | None, bool]] | None]:
    """Per window of the hour, the market's outcomes as stored then (None: not available / not listed)."""
    series: list[dict[str, tuple[Decimal | None, bool]] | None] = []
    current: dict[str, tuple[Decimal | None, bool]] | None = None
    i = 0
    for w in range(WINDOWS):
        at = START + timedelta(minutes=w)
        while i < len(changes) and changes[i][0] <= at:
            outcomes = changes[i][1]
            current = None if outcomes is None else {
                o["name"]: (None if o.get("odds") is None else Decimal(str(o["odds"])), bool(o["active"]))
                for o in outcomes}
            i += 1
        series.append(current)
    return series


def test_stored_history_shows_the_planted_episodes_and_lags(odds_db_url: str) -> None:
    sim = Simulator(SimulatorConfig(seed=5, events=20, realistic=False, frozen_at=START.timestamp(),
                                    scenario=scenario_settings(START, WINDOWS, arbitrages=4, betpawa_lag_minutes=N)))
    planted = write_planted_history(odds_db_url, sim, start=START, windows=WINDOWS)
    with psycopg.connect(odds_db_url) as conn:
        history = _history(conn)
    assert len(planted.episodes) == 4

    # each planted episode: BetPawa's price of the outcome is the planted one over exactly its minutes
    for e in planted.episodes:
        series = _prices(history[(e.sr_event_id, "betpawa", e.market_id, e.line)])
        first = int((e.start - START).total_seconds() // 60)
        last = int((e.end - START).total_seconds() // 60)
        shown = [w for w, s in enumerate(series) if s is not None and s.get(e.outcome) == (e.betpawa_odds, True)]
        assert shown == list(range(first, last)), (e, shown)
        assert 0 < first < last < WINDOWS

    # moves: the minutes at which the lead book's and BetPawa's prices of a market moved, where both are
    # fully priced across the move; on events where BetPawa lags, its move N minutes after the lead's,
    # on the others in the same minute
    follows: dict[bool, list[bool]] = defaultdict(list)
    explained: dict[bool, list[bool]] = defaultdict(list)
    boundaries = {(e.sr_event_id, e.market_id, e.line, w) for e in planted.episodes
                  for w in (int((e.start - START).total_seconds() // 60), int((e.end - START).total_seconds() // 60))}
    for (sr, book, mid, line), changes in history.items():
        if book != planted.lead.get(mid):
            continue
        lead = _prices(changes)
        bp = _prices(history.get((sr, "betpawa", mid, line), []))
        lagging = planted.betpawa_lags(sr)
        lag = N if lagging else 0
        lead_moves = _moves(lead)
        bp_moves = _moves(bp)
        for w in lead_moves:
            if w + lag < WINDOWS and _priced(bp[w + lag - 1]) and _priced(bp[w + lag]):
                follows[lagging].append(w + lag in bp_moves)
        for w in bp_moves:
            # a BetPawa move with lead moves shortly before it: one of them exactly the lag before
            near = {w - d for d in range(N + 3)} & lead_moves
            if near and (sr, mid, line, w) not in boundaries:
                explained[lagging].append(w - lag in near)
    counts = {k: (len(follows[k]), len(explained[k])) for k in (True, False)}
    assert min(min(c) for c in counts.values()) >= 20, counts
    rates = {k: (sum(follows[k]) / len(follows[k]), sum(explained[k]) / len(explained[k])) for k in (True, False)}
    for lagging in (True, False):
        # a BetPawa move that has lead-book moves shortly before it has one exactly the lag before (measured:
        # 98-99 %); most lead moves show at BetPawa exactly the lag later (84-86 %: a small move can vanish
        # in one book's rounding to the cent and not in the other's)
        assert rates[lagging][1] >= 0.95 and rates[lagging][0] >= 0.75, (lagging, rates, counts)


def _moves(series: list[dict[str, tuple[Decimal | None, bool]] | None]) -> set[int]:
    """Windows at which the odds changed, priced and bettable before and after."""
    return {w for w in range(1, len(series))
            if _priced(series[w - 1]) and _priced(series[w]) and _odds(series[w - 1]) != _odds(series[w])}


def _priced(s: dict[str, tuple[Decimal | None, bool]] | None) -> bool:
    return s is not None and all(active and odds is not None for odds, active in s.values())


def _odds(s: dict[str, tuple[Decimal | None, bool]] | None) -> dict[str, Decimal | None] | None:
    return None if s is None else {k: v[0] for k, v in s.items()}
