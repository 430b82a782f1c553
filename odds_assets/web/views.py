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

from odds_assets.analytics.benchmark import COMPETITORS, REFERENCE, edge, fair_price
from odds_assets.analytics.fair import Method
from odds_assets.analytics.margin import market_shape, underlying_market_id
from odds_assets.errors import NotFound, QueryError, TraderError
from odds_assets.models import BOOKMAKERS, Outcome
from odds_assets.trader import history, show
from odds_assets.trader.data import LineBlock, available_lines, board_state, format_line, load_event, market_name
from odds_assets.trader.text import iso, num
from odds_assets.web.board import versus_market

__all__ = ["EventView", "FairQuote", "NotFound", "PathView", "event_json", "fair_prices", "load_event_view",
           "load_path_view", "path_json"]


@dataclass(frozen=True)
class EventView:
    """One event side by side (``odds show``'s data), whether it is on the board, and BetPawa's cells
    against the best competitor: ``vs[(market_id, line, outcome)]``."""

    show: show.ShowData
    status: str
    left_at: datetime | None
    listed: dict[str, bool]
    vs: dict[tuple[int, Decimal | None, str], str | None]
    #: per (market_id, line, outcome): the competitors' fair price (:func:`fair_prices`)
    fair: dict[tuple[int, Decimal | None, str], FairQuote]


@dataclass(frozen=True, slots=True)
class FairQuote:
    """An outcome's fair odds (from ``books``, the competitors averaged) and BetPawa's edge against it
    (``None`` when BetPawa has no live, bettable price for it)."""

    fair_odds: float
    edge: float | None
    books: tuple[str, ...]


def _book_outcomes(lb: LineBlock, book: str) -> list[Outcome] | None:
    """One book's instance of a market line as outcomes (``None``: it does not offer it or took it down)."""
    quotes = [(o.outcome, o.quotes[book]) for o in lb.outcomes]
    if any(q.state == "gone" for _, q in quotes):
        return None
    outs = [Outcome(name, q.odds, q.state == "active") for name, q in quotes if q.state in ("active", "suspended")]
    return outs or None


def fair_prices(data: show.ShowData, *, method: Method = "power") -> dict[tuple[int, Decimal | None, str], FairQuote]:
    """The fair price of every market line of the event shown, by :mod:`odds_assets.analytics.benchmark`'s
    definition (competitors' margin removed by the type's rule, averaged; BetPawa never in its own
    benchmark) from the books whose prices are live (:meth:`ShowData.live_books`: all of them, the last
    prices, once the event is off the board), and BetPawa's edge = its odds × fair probability − 1."""
    live = data.live_books()
    blocks = {(m.market_id, lb.line): lb for m in data.markets for lb in m.lines}
    out: dict[tuple[int, Decimal | None, str], FairQuote] = {}
    for (market_id, line), lb in blocks.items():
        books = {b: outs for b in COMPETITORS if b in live and (outs := _book_outcomes(lb, b)) is not None}
        rule = market_shape(market_id).rule
        under = None
        if rule.underlying is not None:
            ulb = blocks.get((underlying_market_id(rule.underlying), line))
            under = {} if ulb is None else {
                b: outs for b in COMPETITORS if (outs := _book_outcomes(ulb, b)) is not None}
        fair = fair_price(market_id, books, method=method, underlying=under)
        if fair is None:
            continue
        own = {o.name: o for o in _book_outcomes(lb, REFERENCE) or []} if REFERENCE in live else {}
        for name, p in fair.probabilities.items():
            bp = own.get(name)
            e = edge(bp.odds, p) if bp is not None and bp.active and bp.odds is not None else None
            out[(market_id, line, name)] = FairQuote(1.0 / p, e, fair.books)
    return out


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
    return EventView(data, state.status, state.since, listed, vs, fair_prices(data))


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
                key = (m.market_id, lb.line, o.outcome)
                oj["betpawa_vs_market"] = view.vs[key]
                fq = view.fair.get(key)
                oj["fair"] = None if fq is None else {
                    "odds": round(fq.fair_odds, 4), "betpawa_edge": None if fq.edge is None else round(fq.edge, 6),
                    "books": list(fq.books)}
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
