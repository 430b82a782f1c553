"""A small board for the trader's view: one event at three books over several scrapes.

Applied through the real write engine (``apply_snapshot``) on a fresh migrated database, so the views
and commands read exactly what production writes. Times are minutes after ``factories.T0``.

    t0  betpawa    1x2 2.40/3.30/3.00 · O/U 2.5 1.95/1.85 · O/U 1.5 1.30/3.40 · AH none/-0.5/0
    t1  sportybet  1x2 2.45/3.20/3.10 · O/U 2.5 1.90/1.90
    t2  bet9ja     1x2 2.35/3.40/3.05                  (bet9ja never offers O/U)
    t5  betpawa    1x2 2.50/3.30 suspended/2.90 · O/U 2.5 same · O/U 1.5 gone · AH same
    t6  sportybet  1x2 same · O/U 2.5 gone
    t8  bet9ja     1x2 2.45/3.40/3.10                  ("2" ties sportybet's 3.10)
plus another event (SR 8) at betpawa, which must never leak into SR 7's output (betpawa's t5 window no
longer lists it: withdrawn at t5). The commands' clock reads t10 (the kick-off is a day after t0), unless
a test sets it with :func:`set_clock`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
import pytest

from odds_assets.db.engine import apply_snapshot
from odds_assets_tests.factories import at, event_odds, market, snap

SR = 7
OTHER_SR = 8
X12, OU, AH = 3743, 5000, 3774


@dataclass(frozen=True)
class Board:
    """The database URL and an open connection holding the scenario above."""

    url: str
    conn: psycopg.Connection


def _x12(*odds: str, inactive: tuple[str, ...] = ()):
    return market(X12, None, *odds, inactive=inactive)


def apply_board(conn: psycopg.Connection) -> None:
    ah = (market(AH, None, "1.80", "2.00"), market(AH, "-0.5", "2.10", "1.70"), market(AH, "0", "1.90", "1.90"))
    bp0 = event_odds(SR, _x12("2.40", "3.30", "3.00"), market(OU, "2.5", "1.95", "1.85"),
                     market(OU, "1.5", "1.30", "3.40"), *ah)
    apply_snapshot(conn, snap(0, bp0, event_odds(OTHER_SR, _x12("1.50", "4.00", "6.00"))))
    sb = "sportybet"
    apply_snapshot(conn, snap(1, event_odds(SR, _x12("2.45", "3.20", "3.10"), market(OU, "2.5", "1.90", "1.90"),
                                            bookmaker=sb), bookmaker=sb))
    b9 = "bet9ja"
    apply_snapshot(conn, snap(2, event_odds(SR, _x12("2.35", "3.40", "3.05"), bookmaker=b9), bookmaker=b9))
    bp5 = event_odds(SR, _x12("2.50", "3.30", "2.90", inactive=("X",)), market(OU, "2.5", "1.95", "1.85"), *ah)
    apply_snapshot(conn, snap(5, bp5))
    apply_snapshot(conn, snap(6, event_odds(SR, _x12("2.45", "3.20", "3.10"), bookmaker=sb), bookmaker=sb))
    apply_snapshot(conn, snap(8, event_odds(SR, _x12("2.45", "3.40", "3.10"), bookmaker=b9), bookmaker=b9))


def set_clock(monkeypatch: pytest.MonkeyPatch, now: datetime) -> None:
    """Make ``odds show`` read ``now`` as the time (what decides whether an event has kicked off)."""
    monkeypatch.setattr("odds_assets.trader.show.utc_now", lambda: now)


@pytest.fixture
def board(odds_db_url: str, odds_conn: psycopg.Connection, monkeypatch: pytest.MonkeyPatch) -> Board:
    """The scenario applied; ODDS_DATABASE_URL points the commands at this test's database."""
    apply_board(odds_conn)
    monkeypatch.setenv("ODDS_DATABASE_URL", odds_db_url)
    set_clock(monkeypatch, at(10))
    return Board(odds_db_url, odds_conn)
