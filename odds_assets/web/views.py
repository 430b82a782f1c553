"""The event and price-path pages' data: what ``odds show`` and ``odds history`` read (the trader's view,
``odds_assets.trader``), plus what only a live board needs to say — whether the event is still on the
board, which books list it now, BetPawa against the best competitor on every outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import psycopg

from odds_assets.errors import NotFound, QueryError, TraderError
from odds_assets.models import BOOKMAKERS
from odds_assets.trader import history, show
from odds_assets.trader.data import available_lines, board_state, format_line, load_event, market_name
from odds_assets.trader.text import iso, num
from odds_assets.web.board import versus_market

__all__ = ["EventView", "NotFound", "PathView", "event_json", "load_event_view", "load_path_view", "path_json"]


@dataclass(frozen=True)
class EventView:
    """One event side by side (``odds show``'s data), whether it is on the board, and BetPawa's cells
    against the best competitor: ``vs[(market_id, line, outcome)]``."""

    show: show.ShowData
    status: str
    left_at: datetime | None
    listed: dict[str, bool]
    vs: dict[tuple[int, Decimal | None, str], str | None]


def load_event_view(conn: psycopg.Connection[Any], sr_event_id: int, now: datetime) -> EventView:
    """Read one event; :class:`NotFound` when no match has that SportRadar id."""
    try:
        data = show.load_show(conn, sr_event_id)
    except TraderError as exc:
        raise NotFound(str(exc)) from None
    ev = data.event
    state = board_state(ev.kickoff, {b: be.unlisted_at for b, be in ev.books.items()}, now)
    listed = {b: b in ev.books and state.listed(b) for b in BOOKMAKERS}
    vs = {(m.market_id, lb.line, o.outcome): versus_market(o.quotes)[2]
          for m in data.markets for lb in m.lines for o in lb.outcomes}
    return EventView(data, state.status, state.since, listed, vs)


def event_json(view: EventView) -> dict[str, Any]:
    """``/api/event/{sr_id}``: ``odds show --json`` plus status, books listing it now, BetPawa vs market."""
    out = show.render_json(view.show)
    out["event"].update(status=view.status, left_at=iso(view.left_at))
    for book, entry in out["books"].items():
        if entry is not None:
            entry["listed"] = view.listed[book]
    for m, mj in zip(view.show.markets, out["markets"]):
        for lb, lj in zip(m.lines, mj["lines"]):
            for o, oj in zip(lb.outcomes, lj["outcomes"]):
                oj["betpawa_vs_market"] = view.vs[(m.market_id, lb.line, o.outcome)]
    return out


@dataclass(frozen=True)
class PathView:
    """One market line's price paths (``odds history``'s data) and the lines the market has."""

    history: history.HistoryData
    lines: list[Decimal | None]


def load_path_view(conn: psycopg.Connection[Any], sr_event_id: int, market_id: int, line: Decimal | None,
                   since: datetime | None, until: datetime | None) -> PathView:
    """Read the price paths of one market line (``None``: the market without a line); :class:`NotFound`
    for an unknown event, market or line, :class:`QueryError` when no line was asked for and the market
    has only lines."""
    try:
        load_event(conn, sr_event_id)
    except TraderError as exc:
        raise NotFound(str(exc)) from None
    lines = available_lines(conn, sr_event_id, market_id)
    if line is None and lines and None not in lines:
        raise QueryError(f"{market_name(market_id)} ({market_id}) has lines for event {sr_event_id}: "
                         f"{', '.join(format_line(x) for x in lines)}; choose one with ?line=")
    try:
        data = history.load_history(conn, sr_event_id, market_id, line, True, since, until)
    except TraderError as exc:  # no history for the market, or not that line
        raise NotFound(str(exc)) from None
    return PathView(data, lines)


def path_json(view: PathView) -> dict[str, Any]:
    """``/api/path/{sr_id}/{market_id}``: ``odds history --json`` plus the market's lines."""
    return {**history.render_json(view.history), "lines": [num(x) for x in view.lines]}
