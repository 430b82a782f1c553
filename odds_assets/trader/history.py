"""``odds history``: each book's price path for one market line of one event (table or JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import psycopg

from odds_assets.trader.data import (
    BOOKS,
    EventHeader,
    OutcomePath,
    PricePoint,
    TraderError,
    available_lines,
    format_line,
    load_event,
    market_name,
    price_path,
)
from odds_assets.trader.text import GONE, NOT_OFFERED, fmt_odds, fmt_time, iso, num

__all__ = ["HistoryData", "choose_line", "load_history", "render_json", "render_table"]


@dataclass(frozen=True)
class HistoryData:
    """What ``odds history`` prints: the event, the market line, the window and the paths."""

    event: EventHeader
    market_id: int
    market: str
    line: Decimal | None
    since: datetime | None
    until: datetime | None
    paths: list[OutcomePath]


def choose_line(lines: list[Decimal | None], wanted: Decimal | None, given: bool, *, market: str,
                sr_event_id: int) -> Decimal | None:
    """The line to show: the one asked for, or the only one; otherwise a :class:`TraderError` that lists
    the lines available (a multi-line market without ``--line`` is ambiguous, not "all lines")."""
    listed = ", ".join(format_line(x) for x in lines)
    if not lines:
        raise TraderError(f"event {sr_event_id} has no history for {market}")
    if not given:
        if len(lines) == 1:
            return lines[0]
        raise TraderError(f"{market} has several lines for event {sr_event_id}: {listed}; choose one with --line")
    if wanted not in lines:  # Decimal equality is numeric: 2.50 == 2.5
        raise TraderError(f"{market} has no line {format_line(wanted)} for event {sr_event_id}; lines: {listed}")
    return wanted


def load_history(conn: psycopg.Connection, sr_event_id: int, market_id: int, line: Decimal | None,
                 line_given: bool, since: datetime | None = None,
                 until: datetime | None = None) -> HistoryData:
    """Read the price paths of one market line (checking the event, market and line first)."""
    event = load_event(conn, sr_event_id)
    market = f"{market_name(market_id)} ({market_id})"
    chosen = choose_line(available_lines(conn, sr_event_id, market_id), line, line_given, market=market,
                         sr_event_id=sr_event_id)
    paths = price_path(conn, sr_event_id, market_id, chosen, since, until)
    return HistoryData(event, market_id, market_name(market_id), chosen, since, until, paths)


def _cell(p: PricePoint) -> str:
    if not p.available:
        return GONE
    if p.odds is None:
        return "susp"
    return fmt_odds(p.odds) + ("" if p.active else "*")


def render_table(data: HistoryData) -> str:
    """Per book, one row per change (captured_at) and one column per outcome: the price path read down."""
    ev = data.event
    window = ""
    if data.since or data.until:
        window = f" · {fmt_time(data.since, seconds=True) if data.since else '…'} → " \
                 f"{fmt_time(data.until, seconds=True) if data.until else '…'}"
    out = [f"{ev.home} v {ev.away} · SR {ev.sr_event_id} · {data.market} ({data.market_id}) · "
           f"{'no line' if data.line is None else 'line ' + format_line(data.line)}{window}"]
    for book in BOOKS:
        paths = [p for p in data.paths if p.bookmaker == book]
        be = ev.books.get(book)
        out += ["", f"{book}" + (f" (event {be.event_id})" if be else "")]
        if not paths:
            out.append(f"  {NOT_OFFERED} no changes recorded")
            continue
        names = [p.outcome or "?" for p in paths]
        width = max(9, *(len(n) + 1 for n in names))
        out.append(f"  {'captured_at (UTC)':<19}" + "".join(f"{n:>{width}}" for n in names))
        # A change of a market is one history row: every outcome has a point at the same times.
        by_time: dict[datetime, dict[str, PricePoint]] = {}
        for p in paths:
            for pt in p.points:
                by_time.setdefault(pt.captured_at, {})[p.outcome or "?"] = pt
        for ts in sorted(by_time):
            row = by_time[ts]
            out.append(f"  {fmt_time(ts, seconds=True):<19}"
                       + "".join(f"{_cell(row[n]) if n in row else NOT_OFFERED:>{width}}" for n in names))
    out += ["", "2.40* suspended (shown, not bettable) · susp suspended without a price · "
                "gone = market unavailable from that time · each row is a change"]
    return "\n".join(out) + "\n"


def render_json(data: HistoryData) -> dict[str, Any]:
    """The same data as JSON: one object per (book, line, outcome) with its points in time order."""
    ev = data.event
    return {
        "event": {"sr_event_id": ev.sr_event_id, "home": ev.home, "away": ev.away, "kickoff": iso(ev.kickoff)},
        "market_id": data.market_id,
        "market": data.market,
        "line": num(data.line),
        "since": iso(data.since),
        "until": iso(data.until),
        "paths": [
            {
                "bookmaker": p.bookmaker,
                "line": num(p.line),
                "outcome": p.outcome,
                "points": [
                    {"captured_at": iso(pt.captured_at), "odds": num(pt.odds), "active": pt.active,
                     "available": pt.available, "state": pt.state} for pt in p.points
                ],
            } for p in data.paths
        ],
    }
