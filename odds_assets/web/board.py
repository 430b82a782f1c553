"""The board: every upcoming event with its key markets (1X2, O/U 2.5, BTTS) at the three books side
by side, BetPawa's prices set against the best competitor, each book's margin.

**Read once per written window, filtered per request.** One statement (``select_board``) reads every
event kicking off after a cut-off with each book's current rows of the key markets; decoding the
outcomes of 2,000 events × 3 books × 3 markets is the costly part, and it only changes when a window is
written. So :class:`BoardCache` keeps the built :class:`Board` until the books' latest windows change
(:attr:`Freshness.version`, read on every request anyway), a NOTIFY says a window was written, or a
minute passes; filters, sorting and paging (:func:`select`) run on the cached events per request.

**On or off the board.** Whether an event is on the board is decided at request time, as time passes, by
the same rule as ``odds show`` (:func:`odds_assets.trader.data.board_state`): *started* once its kick-off
is past (it left at kick-off), *withdrawn* when no book lists it any more, i.e. every listing book has
written a window after its latest complete scrape of the event (it left at the last of those books'
first windows without it). Off-board events are listed apart with when they left and no prices. A book
that no longer lists an event has the state ``off`` there: its last prices are not shown as if live.

States of a quote: ``active`` | ``suspended`` (listed, not bettable; the price may be missing) | ``gone``
(the market was taken down) | ``off`` (the book no longer lists the event) | ``None`` (not offered).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

import psycopg

from odds_assets.db import queries
from odds_assets.markets.catalogue import by_betpawa_id
from odds_assets.models import BOOKMAKERS, Outcome
from odds_assets.snapshot import decode_outcomes
from odds_assets.trader.data import BoardState, Match, board_state
from odds_assets.trader.text import iso, num
from odds_assets.web.freshness import Freshness

__all__ = [
    "COMPETITORS",
    "KEY_MARKETS",
    "OFF_BOARD_HOURS",
    "SORTS",
    "Board",
    "BoardCache",
    "BoardEvent",
    "BoardPage",
    "BoardQuery",
    "KeyMarket",
    "MarketQuotes",
    "OutcomeQuotes",
    "Quote",
    "board_json",
    "event_summary_json",
    "load_board",
    "margin_pct",
    "select",
    "versus_market",
]

#: BetPawa's competitors, against whose best price BetPawa's cells are coloured
COMPETITORS: tuple[str, ...] = BOOKMAKERS[1:]
#: started events stay listed off the board this long after kick-off
OFF_BOARD_HOURS = 6
#: sort keys of the board (``-key`` sorts descending); ``margin`` is BetPawa's 1X2 margin
SORTS: tuple[str, ...] = ("kickoff", "competition", "teams", "books", "margin")


@dataclass(frozen=True, slots=True)
class KeyMarket:
    """A market shown on the board: its key in the API, BetPawa id, line and outcomes (catalogue order)."""

    key: str
    market_id: int
    line: Decimal | None
    label: str
    outcomes: tuple[str, ...]


def _key_market(key: str, market_id: int, line: Decimal | None, label: str) -> KeyMarket:
    spec = by_betpawa_id()[market_id]
    return KeyMarket(key, market_id, line, label, tuple(o.betpawa for o in spec.outcomes if o.betpawa))


KEY_MARKETS: tuple[KeyMarket, ...] = (
    _key_market("1x2", 3743, None, "1X2"),
    _key_market("ou25", 5000, Decimal("2.5"), "O/U 2.5"),
    _key_market("btts", 3795, None, "BTTS"),
)


@dataclass(frozen=True, slots=True)
class Quote:
    """One book's quote of one outcome; ``state`` as in the module docstring."""

    odds: Decimal | None
    state: str | None


@dataclass(frozen=True, slots=True)
class OutcomeQuotes:
    """One outcome at every book, the best active competitor price (and who) and BetPawa against it."""

    outcome: str
    quotes: dict[str, Quote]
    best_competitor: Decimal | None
    best_competitors: tuple[str, ...]
    #: better | worse | equal: BetPawa's active price against ``best_competitor``; None: no comparison
    betpawa_vs_market: str | None


@dataclass(frozen=True, slots=True)
class MarketQuotes:
    """One key market of one event: its outcomes and each book's margin (%, 4 decimals)."""

    market: KeyMarket
    outcomes: tuple[OutcomeQuotes, ...]
    margin_pct: dict[str, Decimal | None]


@dataclass(frozen=True, slots=True)
class Listing:
    """How a book lists an event: its latest complete scrape, and its first written window after that
    (``unlisted_at``, None: it still lists the event; :func:`odds_assets.trader.data.board_state`)."""

    last_seen_at: datetime
    unlisted_at: datetime | None

    @property
    def listed(self) -> bool:
        return self.unlisted_at is None


@dataclass(frozen=True, slots=True)
class BoardEvent(Match):
    """One event with its books' listings and key markets, as of the latest written windows."""

    books: dict[str, Listing]
    markets: tuple[MarketQuotes, ...]
    books_listing: int
    betpawa_worse: bool
    betpawa_margin_pct: Decimal | None

    def state(self, now: datetime) -> BoardState:
        """On or off the board at ``now``: the one rule of ``odds show`` and the web (:func:`board_state`)."""
        return board_state(self.kickoff, {b: li.unlisted_at for b, li in self.books.items()}, now)

    def status(self, now: datetime) -> str:
        """upcoming | started | withdrawn (:attr:`BoardState.status`)."""
        return self.state(now).status

    def left_at(self, now: datetime) -> datetime | None:
        """When it left the board (:attr:`BoardState.since`); None while upcoming."""
        return self.state(now).since


@dataclass(frozen=True)
class Board:
    """Every event read for the board (kick-off after ``since``), in kick-off order."""

    events: tuple[BoardEvent, ...]
    since: datetime


# --- reading and building ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _BoardRow(Match):
    """One row of ``select_board``: an event at one book with its key markets' current rows, in
    :data:`KEY_MARKETS` order (``outcomes`` None: not offered; ``gone``: taken down)."""

    bookmaker: str
    last_seen_at: datetime
    unlisted_at: datetime | None
    outcomes: list[str | None]
    gone: list[bool]


_PCT_PLACES = Decimal("0.0001")


_ONE = Decimal(1)


def margin_pct(odds: Iterable[Decimal]) -> Decimal:
    """A book's margin on a market in percent, 4 decimals as the ``odds_side_by_side`` view gives it:
    (Σ 1/odds − 1) × 100."""
    total = Decimal(0)
    for o in odds:
        total += _ONE / o
    return ((total - _ONE) * 100).quantize(_PCT_PLACES, rounding=ROUND_HALF_UP)


def _book_market(outcomes: str | None, gone: bool, listed: bool, names: tuple[str, ...]
                 ) -> tuple[dict[str, Quote], Decimal | None]:
    """One book's quotes of one key market's outcomes, and its margin (only when every outcome it lists
    is priced and bettable and the market is available)."""
    if not listed:
        return {n: Quote(None, "off") for n in names}, None
    if outcomes is None:
        return {n: Quote(None, None) for n in names}, None
    if gone:
        return {n: Quote(None, "gone") for n in names}, None
    decoded: dict[str, Outcome] = {o.name: o for o in decode_outcomes(outcomes)}
    quotes = {n: (Quote(None, None) if n not in decoded
                  else Quote(decoded[n].odds, "active" if decoded[n].active else "suspended")) for n in names}
    priced = [o.odds for o in decoded.values() if o.active and o.odds is not None]
    margin = margin_pct(priced) if priced and len(priced) == len(decoded) else None
    return quotes, margin


class Priced(Protocol):
    """A book's quote as the board and the trader's view both hold it."""

    @property
    def odds(self) -> Decimal | None: ...

    @property
    def state(self) -> str | None: ...


def versus_market(quotes: Mapping[str, Priced]) -> tuple[Decimal | None, tuple[str, ...], str | None]:
    """The best active competitor price, the competitors quoting it, and BetPawa's active price against it
    (better | worse | equal; None when either side has no active price)."""
    offers = {b: q.odds for b in COMPETITORS if (q := quotes.get(b)) is not None
              and q.state == "active" and q.odds is not None}
    best = max(offers.values(), default=None)
    own = quotes.get(BOOKMAKERS[0])
    vs = None
    if best is not None and own is not None and own.state == "active" and own.odds is not None:
        vs = "better" if own.odds > best else "worse" if own.odds < best else "equal"
    return best, tuple(b for b, o in offers.items() if o == best), vs


def _outcome(name: str, quotes: dict[str, Quote]) -> OutcomeQuotes:
    return OutcomeQuotes(name, quotes, *versus_market(quotes))


#: what an event's key markets are computed from: per book, listed now? and each key market's current
#: outcomes and gone flag (None for a book not listing the event at all)
_QuotesKey = tuple[tuple[bool, tuple[str | None, ...], tuple[bool, ...]] | None, ...]
_Quoted = tuple[tuple[MarketQuotes, ...], bool, Decimal | None]


def _quote_event(books: Mapping[str, _BoardRow], listed: Mapping[str, bool]) -> _Quoted:
    """An event's key markets at every book, whether BetPawa is worse anywhere, and its 1X2 margin."""
    markets = []
    for i, km in enumerate(KEY_MARKETS):
        quotes: dict[str, dict[str, Quote]] = {}
        margins: dict[str, Decimal | None] = {}
        for book in BOOKMAKERS:
            row = books.get(book)
            quotes[book], margins[book] = _book_market(
                None if row is None else row.outcomes[i], row is not None and bool(row.gone[i]),
                row is None or listed[book], km.outcomes)
        markets.append(MarketQuotes(km, tuple(_outcome(n, {b: quotes[b][n] for b in BOOKMAKERS})
                                              for n in km.outcomes), margins))
    worse = any(o.betpawa_vs_market == "worse" for m in markets for o in m.outcomes)
    return tuple(markets), worse, markets[0].margin_pct[BOOKMAKERS[0]]


def _build_event(rows: list[_BoardRow],
                 memo: dict[_QuotesKey, _Quoted], seen: dict[_QuotesKey, _Quoted]) -> BoardEvent:
    """One event from its rows (one per book listing it). Its key markets come from ``memo`` when they
    were computed before from the same inputs — a window changes a few markets, not the board."""
    first = rows[0]
    by_book = {r.bookmaker: r for r in rows}
    listed = {r.bookmaker: r.unlisted_at is None for r in rows}
    key: _QuotesKey = tuple(
        None if (r := by_book.get(b)) is None else (listed[b], tuple(r.outcomes), tuple(r.gone)) for b in BOOKMAKERS)
    quoted = memo.get(key)
    if quoted is None:
        quoted = _quote_event(by_book, listed)
    seen[key] = quoted
    markets, worse, margin = quoted
    return BoardEvent(
        sr_event_id=first.sr_event_id, home=first.home, away=first.away, kickoff=first.kickoff,
        competition=first.competition, country=first.country,
        books={r.bookmaker: Listing(r.last_seen_at, r.unlisted_at) for r in rows}, markets=markets,
        books_listing=sum(listed.values()), betpawa_worse=worse, betpawa_margin_pct=margin)


def load_board(conn: psycopg.Connection[Any], since: datetime,
               memo: dict[_QuotesKey, _Quoted] | None = None) -> tuple[Board, dict[_QuotesKey, _Quoted]]:
    """Read and build every event kicking off after ``since`` (each book's listing as of its latest
    written window: ``unlisted_at``); events
    whose key markets are unchanged since the build that returned ``memo`` reuse them. Returns the board
    and the memo for the next build."""
    rows = queries.fetch(conn, "select_board", _BoardRow, {
        "since": since, "markets": [m.market_id for m in KEY_MARKETS], "lines": [m.line for m in KEY_MARKETS]})
    memo = memo or {}
    seen: dict[_QuotesKey, _Quoted] = {}
    events: list[BoardEvent] = []
    group: list[_BoardRow] = []
    for r in rows:  # ordered by kick-off, event, book
        if group and r.sr_event_id != group[0].sr_event_id:
            events.append(_build_event(group, memo, seen))
            group = []
        group.append(r)
    if group:
        events.append(_build_event(group, memo, seen))
    return Board(tuple(events), since), seen


class BoardCache:
    """The built board, kept while the books' latest windows stay the same, no NOTIFY came, and for at most
    ``max_age_s`` (a safety net for a change that neither moves a book's latest window nor notifies).
    ``on_built`` runs after each build (under the lock), e.g. ``odds_assets.web.app.settle_gc``."""

    def __init__(self, *, max_age_s: float = 60.0, clock: Callable[[], float] = time.monotonic,
                 on_built: Callable[[], None] | None = None) -> None:
        self._max_age_s = max_age_s
        self._clock = clock
        self._on_built = on_built
        self._lock = threading.Lock()
        self._board: Board | None = None
        self._memo: dict[_QuotesKey, _Quoted] = {}
        self._key: object = None
        self._built = 0.0
        # bumped by every NOTIFY: a board whose reading began before it is not kept as current
        self._generation = 0

    def invalidate(self) -> None:
        """A window was written: the next request reads the board again."""
        self._generation += 1

    def get(self, conn: psycopg.Connection[Any], fresh: Freshness, now: datetime) -> Board:
        """The board for ``fresh``; read again when out of date. One reader at a time: the others wait."""
        with self._lock:
            key = (fresh.version, self._generation)
            board = self._board
            if board is None or self._key != key or self._clock() - self._built > self._max_age_s:
                board, self._memo = load_board(conn, now - timedelta(hours=OFF_BOARD_HOURS), self._memo)
                self._board, self._key, self._built = board, key, self._clock()
                if self._on_built is not None:
                    self._on_built()
            return board


# --- filtering, sorting, paging --------------------------------------------------------------------

@dataclass(frozen=True)
class BoardQuery:
    """The board's filters, sort and page (all optional; see ``odds_assets.web.params``)."""

    competition: str | None = None
    country: str | None = None
    kickoff_from: datetime | None = None
    kickoff_to: datetime | None = None
    team: str | None = None
    min_books: int = 1
    worse_only: bool = False
    sort: str = "kickoff"
    page: int = 1
    page_size: int = 50

    def params(self, **changes: Any) -> dict[str, str]:
        """The query string of this query (defaults left out), with ``changes`` applied: for links."""
        values = {**self.__dict__, **changes}
        defaults = BoardQuery().__dict__
        out: dict[str, str] = {}
        for name, value in values.items():
            if value is None or value == defaults[name]:
                continue
            out[name] = (iso(value) or "") if isinstance(value, datetime) else "1" if value is True else str(value)
        return out

    def matches_text(self, ev: BoardEvent) -> bool:
        """Competition, country and team filters (case-insensitive; team: a part of either name)."""
        if self.competition is not None and (ev.competition or "").casefold() != self.competition.casefold():
            return False
        if self.country is not None and (ev.country or "").casefold() != self.country.casefold():
            return False
        team = None if self.team is None else self.team.casefold()
        return team is None or team in ev.home.casefold() or team in ev.away.casefold()

    def matches(self, ev: BoardEvent) -> bool:
        """Every filter."""
        return (self.matches_text(ev)
                and (self.kickoff_from is None or ev.kickoff >= self.kickoff_from)
                and (self.kickoff_to is None or ev.kickoff <= self.kickoff_to)
                and ev.books_listing >= self.min_books
                and (not self.worse_only or ev.betpawa_worse))


_SORT_VALUES: dict[str, Callable[[BoardEvent], Any]] = {
    "kickoff": lambda e: (e.kickoff, e.sr_event_id),
    "competition": lambda e: ((e.competition or "").casefold(), e.kickoff, e.sr_event_id),
    "teams": lambda e: (e.home.casefold(), e.away.casefold(), e.kickoff),
    "books": lambda e: (e.books_listing, e.kickoff, e.sr_event_id),
    "margin": lambda e: e.betpawa_margin_pct,
}


def _sorted(events: list[BoardEvent], sort: str) -> list[BoardEvent]:
    descending = sort.startswith("-")
    value = _SORT_VALUES[sort.lstrip("-")]
    present = [e for e in events if value(e) is not None]
    missing = [e for e in events if value(e) is None]  # (no margin) last in either direction
    return sorted(present, key=value, reverse=descending) + missing


@dataclass(frozen=True)
class BoardPage:
    """One page of the filtered, sorted board, the events that left it, and the filters' choices."""

    query: BoardQuery
    now: datetime
    total: int
    pages: int
    events: tuple[BoardEvent, ...]
    off_board: tuple[BoardEvent, ...]
    competitions: tuple[str, ...]
    countries: tuple[str, ...]


def select(board: Board, query: BoardQuery, now: datetime, *, off_board_limit: int = 50) -> BoardPage:
    """Apply ``query`` at time ``now``: the page of upcoming events, and the events off the board (most
    recently left first; started ones for ``OFF_BOARD_HOURS`` after kick-off)."""
    upcoming = [e for e in board.events if e.status(now) == "upcoming"]
    chosen = _sorted([e for e in upcoming if query.matches(e)], query.sort)
    pages = max(1, math.ceil(len(chosen) / query.page_size))
    start = (query.page - 1) * query.page_size
    cutoff = now - timedelta(hours=OFF_BOARD_HOURS)
    off = [e for e in board.events if e.status(now) != "upcoming" and e.kickoff > cutoff and query.matches_text(e)]
    off.sort(key=lambda e: (e.left_at(now) or e.kickoff, e.sr_event_id), reverse=True)
    return BoardPage(
        query=query, now=now, total=len(chosen), pages=pages,
        events=tuple(chosen[start:start + query.page_size]), off_board=tuple(off[:off_board_limit]),
        competitions=tuple(sorted({e.competition for e in upcoming if e.competition}, key=str.casefold)),
        countries=tuple(sorted({e.country for e in upcoming if e.country}, key=str.casefold)))


# --- JSON ------------------------------------------------------------------------------------------

def event_summary_json(ev: BoardEvent, now: datetime) -> dict[str, Any]:
    """An event's identity, status and when it left the board (no prices)."""
    return {
        "sr_event_id": ev.sr_event_id, "kickoff": iso(ev.kickoff), "competition": ev.competition,
        "country": ev.country, "home": ev.home, "away": ev.away, "status": ev.status(now),
        "left_at": iso(ev.left_at(now)),
    }


def _event_json(ev: BoardEvent, now: datetime, exposures: Mapping[int, int]) -> dict[str, Any]:
    return {
        **event_summary_json(ev, now),
        "books_listing": ev.books_listing,
        "open_exposures": exposures.get(ev.sr_event_id, 0),
        "betpawa_worse": ev.betpawa_worse,
        "books": {b: (None if (li := ev.books.get(b)) is None
                      else {"listed": li.listed, "last_seen_at": iso(li.last_seen_at)}) for b in BOOKMAKERS},
        "markets": {
            m.market.key: {
                "margin_pct": {b: num(v) for b, v in m.margin_pct.items()},
                "outcomes": [
                    {
                        "outcome": o.outcome,
                        "books": {b: {"odds": num(q.odds), "state": q.state} for b, q in o.quotes.items()},
                        "best_competitor": {"odds": num(o.best_competitor), "bookmakers": list(o.best_competitors)},
                        "betpawa_vs_market": o.betpawa_vs_market,
                    } for o in m.outcomes
                ],
            } for m in ev.markets
        },
    }


def board_json(page: BoardPage, exposures: Mapping[int, int] | None = None) -> dict[str, Any]:
    """``/api/board``: the page of events with their key markets, paging, and the off-board events;
    ``exposures``: per event its open exposure episodes (``open_exposures`` of each event, 0 for none)."""
    exposures = exposures or {}
    q = page.query
    return {
        "now": iso(page.now),
        "query": q.params(),
        "total": page.total,
        "page": q.page,
        "page_size": q.page_size,
        "pages": page.pages,
        "markets": [{"key": m.key, "market_id": m.market_id, "line": num(m.line), "label": m.label,
                     "outcomes": list(m.outcomes)} for m in KEY_MARKETS],
        "events": [_event_json(e, page.now, exposures) for e in page.events],
        "off_board": [event_summary_json(e, page.now) for e in page.off_board],
        "competitions": list(page.competitions),
        "countries": list(page.countries),
    }
