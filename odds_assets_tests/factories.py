"""Small builders of typed observations and snapshots for tests, plus readers of the stored state."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import psycopg

from odds_assets.models import Event, EventOdds, Market, Outcome
from odds_assets.snapshot import Snapshot, build_snapshot

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def market(market_id: int, line: str | None, *odds: str, inactive: tuple[str, ...] = ()) -> Market:
    names = {3743: ("1", "X", "2"), 5000: ("Over", "Under"), 3774: ("1", "2")}.get(
        market_id, tuple(f"o{i}" for i in range(len(odds))))
    outs = tuple(Outcome(n, Decimal(o) if o else None, n not in inactive) for n, o in zip(names, odds))
    return Market(market_id, None if line is None else Decimal(line), outs)


def event_odds(sr: int, *markets: Market, bookmaker: str = "betpawa") -> EventOdds:
    ev = Event(bookmaker=bookmaker, sr_event_id=sr, bookmaker_event_id=f"{bookmaker[:2]}{sr}",
               home=f"Home {sr}", away=f"Away {sr}", kickoff=T0 + timedelta(days=1),
               competition="League", country="Land")
    return EventOdds(ev, tuple(markets))


def snap(minutes: float, *events: EventOdds, bookmaker: str = "betpawa") -> Snapshot:
    return build_snapshot(bookmaker, at(minutes), events)


def current_rows(conn: psycopg.Connection) -> list[tuple]:
    """(event, book, market, line, outcomes, available, first_seen, last_updated, unavailable_at)."""
    return conn.execute(
        "SELECT sr_event_id, bookmaker, market_id, line, outcomes, unavailable_at IS NULL, first_seen_at, "
        "last_updated_at, unavailable_at FROM market_odds_current ORDER BY 1, 2, 3, 4 NULLS FIRST").fetchall()


def history_rows(conn: psycopg.Connection) -> list[tuple]:
    """(event, book, market, line, captured_at, outcomes) ordered by key then time."""
    return conn.execute(
        "SELECT sr_event_id, bookmaker, market_id, odds_line_from_hundredths(line_hundredths) AS line, captured_at, "
        "outcomes FROM market_odds_history ORDER BY 1, 2, 3, 4 NULLS FIRST, 5").fetchall()


def scalar(conn: psycopg.Connection, query: str, params: tuple[Any, ...] = ()) -> Any:
    """The first column of the one row ``query`` returns (the test fails if it returns none)."""
    row = conn.execute(query, params).fetchone()
    assert row is not None, f"no row from {query}"
    return row[0]


def table_dump(conn: psycopg.Connection) -> dict[str, list[str]]:
    """Everything the engine writes (each row's repr), for before/after comparisons."""
    out = {}
    for table in ("market_odds_current", "market_odds_history", "events", "bookmaker_events", "snapshots",
                  "bookmaker_event_history"):
        out[table] = sorted(map(repr, conn.execute(f"SELECT * FROM {table}").fetchall()))
    return out
