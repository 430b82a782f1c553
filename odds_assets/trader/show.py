"""``odds show``: one event's three books side by side, as a fixed-width table or as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from odds_assets.trader.data import BOOKS, EventHeader, MarketBlock, format_line, load_event, side_by_side
from odds_assets.trader.text import NOT_OFFERED, fmt_odds, fmt_pct, fmt_time, iso, num, quote_cell

__all__ = ["ShowData", "load_show", "render_json", "render_table"]

# A book column holds a price, a margin or a time (the widest: "2026-11-24 12:05").
_BOOK_W = 16
_LEGEND = ("odds: 2.40* suspended (shown, not bettable) · susp suspended without a price · "
           "gone = market taken down · — not offered\n"
           "best = highest active price · margin = Σ 1/odds ÷ k − 1, k = outcomes covering each result (2 for "
           "double chance),\nonly when the book lists all the market's outcomes, priced and active (none for "
           "multigoals, 1UP) · times UTC")


@dataclass(frozen=True)
class ShowData:
    """What ``odds show`` prints: the event header and its market blocks."""

    event: EventHeader
    markets: list[MarketBlock]


def load_show(conn: psycopg.Connection, sr_event_id: int, market_id: int | None = None) -> ShowData:
    """Read everything ``odds show`` needs for one event (and optionally one market)."""
    event = load_event(conn, sr_event_id)
    return ShowData(event, side_by_side(conn, sr_event_id, market_id))


def _header(ev: EventHeader) -> list[str]:
    where = " · ".join(x for x in (ev.competition, ev.country) if x)
    lines = [
        f"{ev.home} v {ev.away}",
        f"SR {ev.sr_event_id} · kick-off {fmt_time(ev.kickoff)} UTC" + (f" · {where}" if where else ""),
        "",
        f"  {'book':<10}  {'event id':<16}  last confirmed (UTC)",
    ]
    for book in BOOKS:
        be = ev.books.get(book)
        if be is None:
            lines.append(f"  {book:<10}  {'not listed':<16}  {NOT_OFFERED}")
        else:
            lines.append(f"  {book:<10}  {be.event_id:<16}  {fmt_time(be.last_seen_at)}")
    return lines


def render_table(data: ShowData, *, market_filter: int | None = None) -> str:
    """The fixed-width table: header, then per market one row per (line, outcome) and per line the
    margin and last-change rows of each book."""
    out = _header(data.event)
    if not data.markets:
        what = f"market {market_filter}" if market_filter is not None else "markets"
        out += ["", f"no current {what} for this event"]
        return "\n".join(out) + "\n"
    for block in data.markets:
        line_w = max(4, *(len(format_line(lb.line)) for lb in block.lines))
        name_w = max(8, *(len(o.outcome) for lb in block.lines for o in lb.outcomes))
        out += ["", f"{block.name} ({block.market_id})"]
        head = f"  {'line':<{line_w}}  {'outcome':<{name_w}}" + "".join(f"  {b:>{_BOOK_W}}" for b in BOOKS)
        out.append(head + "  best")
        for lb in block.lines:
            line_text = format_line(lb.line) if lb.line is not None else ""
            for i, o in enumerate(lb.outcomes):
                cells = "".join(f"  {quote_cell(q.odds, q.state):>{_BOOK_W}}" for q in o.quotes.values())
                best = (f"{fmt_odds(o.best_odds)} {','.join(o.best_bookmakers)}"
                        if o.best_odds is not None else NOT_OFFERED)
                out.append(f"  {line_text if i == 0 else '':<{line_w}}  {o.outcome:<{name_w}}{cells}  {best}")
            out.append(f"  {'':<{line_w}}  {'margin':<{name_w}}"
                       + "".join(f"  {fmt_pct(lb.margin_pct[b]):>{_BOOK_W}}" for b in BOOKS))
            out.append(f"  {'':<{line_w}}  {'changed':<{name_w}}"
                       + "".join(f"  {fmt_time(lb.last_changed_at[b]):>{_BOOK_W}}" for b in BOOKS))
    out += ["", _LEGEND]
    return "\n".join(out) + "\n"


def render_json(data: ShowData) -> dict[str, Any]:
    """The same data as JSON-ready objects (odds, lines and margins as numbers, times ISO UTC)."""
    ev = data.event
    return {
        "event": {
            "sr_event_id": ev.sr_event_id, "home": ev.home, "away": ev.away, "kickoff": iso(ev.kickoff),
            "competition": ev.competition, "country": ev.country,
        },
        "books": {
            b: (None if b not in ev.books else {
                "event_id": ev.books[b].event_id,
                "first_seen_at": iso(ev.books[b].first_seen_at),
                "last_confirmed_at": iso(ev.books[b].last_seen_at),
            }) for b in BOOKS
        },
        "markets": [
            {
                "market_id": m.market_id,
                "name": m.name,
                "lines": [
                    {
                        "line": num(lb.line),
                        "margin_pct": {b: num(lb.margin_pct[b]) for b in BOOKS},
                        "last_changed_at": {b: iso(lb.last_changed_at[b]) for b in BOOKS},
                        "outcomes": [
                            {
                                "outcome": o.outcome,
                                "books": {b: {"odds": num(q.odds), "state": q.state} for b, q in o.quotes.items()},
                                "best_odds": num(o.best_odds),
                                "best_bookmakers": list(o.best_bookmakers),
                            } for o in lb.outcomes
                        ],
                    } for lb in m.lines
                ],
            } for m in data.markets
        ],
    }
