"""``odds show``: one event's three books side by side, as a fixed-width table or as JSON.

An event past its kick-off, or a book that no longer lists it, is off the board (:func:`board_state`):
the header says since when, those books' columns are headed ``(off)`` with their prices in brackets
(their last prices, not live), and the best price counts only books still listing the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import psycopg

from odds_assets.trader.data import (
    BOOKS,
    BoardState,
    EventHeader,
    MarketBlock,
    OutcomeRow,
    best_quote,
    board_state,
    format_line,
    load_event,
    side_by_side,
    utc_now,
)
from odds_assets.trader.text import NOT_OFFERED, fmt_odds, fmt_pct, fmt_time, iso, num, quote_cell

__all__ = ["ShowData", "load_show", "render_json", "render_table"]

# A book column holds a price, a margin or a time (the widest: "2026-11-24 12:05").
_BOOK_W = 16
_LEGEND = ("odds: 2.40* suspended (shown, not bettable) · susp suspended without a price · "
           "gone = market taken down · — not offered\n"
           "best = highest active price · margin = Σ 1/odds ÷ k − 1, k = outcomes covering each result (2 for "
           "double chance),\nonly when the book lists all the market's outcomes, priced and active (none for "
           "multigoals, 1UP) · times UTC")
_OFF_LEGEND = ("(off), (2.40): the book no longer has the event on its board (see above): its last price, "
               "not live; best counts only the books still listing it")


@dataclass(frozen=True)
class ShowData:
    """What ``odds show`` prints: the event header, its market blocks, and whether it is on the board."""

    event: EventHeader
    markets: list[MarketBlock]
    board: BoardState

    def live_books(self) -> tuple[str, ...]:
        """The books whose prices are live; when none is (the event is off the board), every book: the
        best price is then the best of the last prices, as the header says."""
        live = tuple(b for b in BOOKS if self.board.book_off_since(b) is None)
        return live if self.board.since is None and live else BOOKS

    def best(self, row: OutcomeRow) -> tuple[Decimal | None, tuple[str, ...]]:
        """The best active price of ``row`` among :meth:`live_books`, and who quotes it."""
        return best_quote(row.quotes, self.live_books())


def load_show(conn: psycopg.Connection, sr_event_id: int, market_id: int | None = None,
              now: datetime | None = None) -> ShowData:
    """Read everything ``odds show`` needs for one event (and optionally one market); ``now`` (default:
    the clock) decides whether the event has kicked off."""
    event = load_event(conn, sr_event_id)
    board = board_state(event.kickoff, {b: be.unlisted_at for b, be in event.books.items()},
                        utc_now() if now is None else now)
    return ShowData(event, side_by_side(conn, sr_event_id, market_id), board)


def _status(board: BoardState) -> list[str]:
    """The lines saying the event is off the board, if it is: every book withdrew it, it kicked off."""
    out = []
    if board.since is not None and board.since != board.started_at:
        out.append(f"off the board since {fmt_time(board.since)} UTC: no book lists it any more — "
                   "prices below are the last prices, not live")
    if board.started_at is not None:
        out.append(f"started {fmt_time(board.started_at)} UTC — prices below are the last pre-match prices, "
                   "not live")
    return out


def _header(ev: EventHeader, board: BoardState) -> list[str]:
    where = " · ".join(x for x in (ev.competition, ev.country) if x)
    lines = [
        f"{ev.home} v {ev.away}",
        f"SR {ev.sr_event_id} · kick-off {fmt_time(ev.kickoff)} UTC" + (f" · {where}" if where else ""),
        *_status(board),
        "",
        f"  {'book':<10}  {'event id':<16}  last confirmed (UTC)",
    ]
    for book in BOOKS:
        be = ev.books.get(book)
        if be is None:
            lines.append(f"  {book:<10}  {'not listed':<16}  {NOT_OFFERED}")
            continue
        withdrawn = board.withdrawn_at.get(book)
        lines.append(f"  {book:<10}  {be.event_id:<16}  {fmt_time(be.last_seen_at)}"
                     + ("" if withdrawn is None else f"  withdrawn at {fmt_time(withdrawn)} UTC"))
    return lines


def _cell(data: ShowData, book: str, row: OutcomeRow) -> str:
    """One book's quote; bracketed when the book is off the board (its last price, not live)."""
    q = row.quotes[book]
    text = quote_cell(q.odds, q.state)
    return f"({text})" if data.board.book_off_since(book) is not None and q.odds is not None else text


def render_table(data: ShowData, *, market_filter: int | None = None) -> str:
    """The fixed-width table: header, then per market one row per (line, outcome) and per line the
    margin and last-change rows of each book."""
    out = _header(data.event, data.board)
    heads = [f"{b} (off)" if data.board.book_off_since(b) is not None else b for b in BOOKS]
    if not data.markets:
        what = f"market {market_filter}" if market_filter is not None else "markets"
        out += ["", f"no current {what} for this event"]
        return "\n".join(out) + "\n"
    for block in data.markets:
        line_w = max(4, *(len(format_line(lb.line)) for lb in block.lines))
        name_w = max(8, *(len(o.outcome) for lb in block.lines for o in lb.outcomes))
        out += ["", f"{block.name} ({block.market_id})"]
        head = f"  {'line':<{line_w}}  {'outcome':<{name_w}}" + "".join(f"  {h:>{_BOOK_W}}" for h in heads)
        out.append(head + "  best")
        for lb in block.lines:
            line_text = format_line(lb.line) if lb.line is not None else ""
            for i, o in enumerate(lb.outcomes):
                cells = "".join(f"  {_cell(data, b, o):>{_BOOK_W}}" for b in BOOKS)
                best_odds, best_books = data.best(o)
                best = f"{fmt_odds(best_odds)} {','.join(best_books)}" if best_odds is not None else NOT_OFFERED
                out.append(f"  {line_text if i == 0 else '':<{line_w}}  {o.outcome:<{name_w}}{cells}  {best}")
            out.append(f"  {'':<{line_w}}  {'margin':<{name_w}}"
                       + "".join(f"  {fmt_pct(lb.margin_pct[b]):>{_BOOK_W}}" for b in BOOKS))
            out.append(f"  {'':<{line_w}}  {'changed':<{name_w}}"
                       + "".join(f"  {fmt_time(lb.last_changed_at[b]):>{_BOOK_W}}" for b in BOOKS))
    out += ["", _LEGEND] + ([_OFF_LEGEND] if data.board.books_off else [])
    return "\n".join(out) + "\n"


def render_json(data: ShowData) -> dict[str, Any]:
    """The same data as JSON-ready objects (odds, lines and margins as numbers, times ISO UTC).

    ``event.started_at`` (the kick-off once passed) and ``event.off_board_since``, and per book
    ``withdrawn_at`` and ``off_board_since``, are null while the prices are live; ``best_odds`` and
    ``best_bookmakers`` count only the books still listing the event (all of them once it is off the board).
    """
    ev = data.event
    board = data.board
    return {
        "event": {
            "sr_event_id": ev.sr_event_id, "home": ev.home, "away": ev.away, "kickoff": iso(ev.kickoff),
            "competition": ev.competition, "country": ev.country,
            "started_at": iso(board.started_at), "off_board_since": iso(board.since),
        },
        "books": {
            b: (None if b not in ev.books else {
                "event_id": ev.books[b].event_id,
                "first_seen_at": iso(ev.books[b].first_seen_at),
                "last_confirmed_at": iso(ev.books[b].last_seen_at),
                "withdrawn_at": iso(board.withdrawn_at.get(b)),
                "off_board_since": iso(board.book_off_since(b)),
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
                        "outcomes": [_outcome_json(data, o) for o in lb.outcomes],
                    } for lb in m.lines
                ],
            } for m in data.markets
        ],
    }


def _outcome_json(data: ShowData, row: OutcomeRow) -> dict[str, Any]:
    best_odds, best_books = data.best(row)
    return {
        "outcome": row.outcome,
        "books": {b: {"odds": num(q.odds), "state": q.state} for b, q in row.quotes.items()},
        "best_odds": num(best_odds),
        "best_bookmakers": list(best_books),
    }
