"""Queries of the trader's view and their typed results.

Everything is read for ONE event (``sr_event_id``), through the views of migration 0002, whose filters
on ``sr_event_id`` reach the base tables' unique indexes (see the migration and the EXPLAIN test).
Odds and lines stay exact ``Decimal``; times are timezone-aware UTC. The statements are in ``db/sql/``
(``select_event``, ``select_side_by_side``, ``select_price_path``, …) and their rows are read as records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import psycopg

from odds_assets.db import keys, queries
from odds_assets.errors import TraderError
from odds_assets.markets.catalogue import CATALOGUE
from odds_assets.markets.normalise import betpawa_specs
from odds_assets.models import BOOKMAKERS

__all__ = [
    "BOOKS",
    "BoardState",
    "BookEvent",
    "BookQuote",
    "EventHeader",
    "LineBlock",
    "MarketBlock",
    "Match",
    "OutcomePath",
    "OutcomeRow",
    "PricePoint",
    "TraderError",
    "available_lines",
    "best_quote",
    "board_state",
    "connect",
    "format_line",
    "load_event",
    "market_name",
    "parse_line",
    "price_path",
    "resolve_market",
    "side_by_side",
    "utc_now",
]

#: The books, in the column order of the views (betpawa first: the reference book).
BOOKS: tuple[str, ...] = BOOKMAKERS

# Markets are shown in catalogue order (1x2 first, as a trader reads a board), unknown ids last.
_CATALOGUE_ORDER = {m.betpawa_id: i for i, m in enumerate(CATALOGUE) if m.betpawa_id is not None}


def connect() -> psycopg.Connection:
    """A connection to the odds database: ``ODDS_DATABASE_URL`` or the running embedded server."""
    from odds_assets.db.server import resolve_urls

    # start=False: a read-only command must not start a server as a side effect
    return psycopg.connect(resolve_urls(start=False).odds, autocommit=True)


_Row = TypeVar("_Row")


def _fetch(conn: psycopg.Connection, name: str, row: type[_Row], params: Mapping[str, Any]) -> list[_Row]:
    """The rows of a view query (db/sql/<name>.sql) as ``row`` records."""
    try:
        return queries.fetch(conn, name, row, params)
    except psycopg.errors.UndefinedTable as exc:
        # a local database migrated before 0002 existed
        raise TraderError(f"the database has no trader views ({exc.diag.message_primary}): "
                          "run `odds db migrate`") from None


# --- markets and lines -------------------------------------------------------------------------------

def market_name(market_id: int) -> str:
    """The catalogue name of a BetPawa market id (``1x2_ft``), or ``market <id>`` when unknown."""
    spec = betpawa_specs().get(market_id)  # cached: by_betpawa_id() builds its dict anew on every call
    return spec.name if spec else f"market {market_id}"


def resolve_market(arg: str) -> int:
    """A market given as a catalogue name (``over_under_ft``) or a BetPawa id (``5000``) -> its id."""
    text = arg.strip()
    if text.isdigit():
        return int(text)
    for spec in CATALOGUE:
        if spec.name == text and spec.betpawa_id is not None:
            return spec.betpawa_id
    near = sorted(s.name for s in CATALOGUE if s.betpawa_id is not None and text.lower() in s.name)
    hint = (f"; did you mean {', '.join(near[:8])}?" if near
            else " (use a catalogue name such as 1x2_ft, or a BetPawa id)")
    raise TraderError(f"unknown market {arg!r}{hint}")


def parse_line(arg: str) -> Decimal | None:
    """``--line`` text -> exact line; ``none`` (or ``-``) selects a market without a line."""
    if arg.strip().lower() in ("none", "-", ""):
        return None
    try:
        value = Decimal(arg.strip())
    except InvalidOperation:
        raise TraderError(f"invalid line {arg!r}: expected a number such as 2.5 or -0.25, or 'none'") from None
    if not value.is_finite():
        raise TraderError(f"invalid line {arg!r}")
    return value


def format_line(line: Decimal | None) -> str:
    """A line for people: ``2.5``, ``-0.25``, ``0``, and ``none`` for a market without a line."""
    if line is None:
        return "none"
    text = format(line.normalize(), "f")
    return "0" if text in ("-0", "") else text


# --- event header ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BookEvent:
    """The event as one book lists it; ``last_seen_at`` = its latest complete scrape (confirmation);
    ``unlisted_at`` = the book's first written window after it (None: the book has none yet), the first
    scrape of the book that no longer read the event."""

    bookmaker: str
    event_id: str
    first_seen_at: datetime
    last_seen_at: datetime
    unlisted_at: datetime | None = None


@dataclass(frozen=True)
class Match:
    """One SportRadar match as the canonical ``events`` row names it (names and kick-off UTC)."""

    sr_event_id: int
    home: str
    away: str
    kickoff: datetime
    competition: str | None
    country: str | None


@dataclass(frozen=True)
class EventHeader(Match):
    """One SportRadar match and, per book, how that book lists it (absent: the book does not)."""

    books: dict[str, BookEvent]


@dataclass(frozen=True, slots=True)
class _EventRow:
    home: str
    away: str
    kickoff: datetime
    competition: str | None
    country: str | None


def load_event(conn: psycopg.Connection, sr_event_id: int) -> EventHeader:
    """The match and its per-book listings; :class:`TraderError` if the id is unknown."""
    params = {"sr": sr_event_id}
    row = queries.fetch_one(conn, "select_event", _EventRow, params)
    if row is None:
        raise TraderError(f"unknown event: no match with SportRadar id {sr_event_id}")
    books = {b.bookmaker: BookEvent(b.bookmaker, b.event_id, _utc(b.first_seen_at), _utc(b.last_seen_at),
                                    None if b.unlisted_at is None else _utc(b.unlisted_at))
             for b in queries.fetch(conn, "select_event_books", BookEvent, params)}
    return EventHeader(sr_event_id, row.home, row.away, _utc(row.kickoff), row.competition, row.country, books)


def _utc(ts: datetime) -> datetime:
    return ts.astimezone(timezone.utc)


def utc_now() -> datetime:
    """The wall clock, timezone-aware UTC: what "now" is for :func:`board_state` in the commands."""
    return datetime.now(timezone.utc)


# --- on or off the board -----------------------------------------------------------------------------

@dataclass(frozen=True)
class BoardState:
    """Whether an event's prices are live, by :func:`board_state`'s rule. ``None`` = on the board.

    ``started_at``: the kick-off, once it has passed. ``withdrawn_at``: per book that listed the event and
    no longer does, its first scrape without it. ``books_off``: per listing book, off the board since
    (the earlier of the kick-off passed and its withdrawal). ``since``: the whole event is off the board
    since then (kicked off, or no book lists it any more)."""

    started_at: datetime | None
    withdrawn_at: Mapping[str, datetime]
    books_off: Mapping[str, datetime]
    since: datetime | None

    @property
    def status(self) -> str:
        """``upcoming`` (prices live), ``started`` (off since its kick-off) or ``withdrawn`` (no book lists it
        any more, and that came before any kick-off)."""
        if self.since is None:
            return "upcoming"
        return "started" if self.since == self.started_at else "withdrawn"

    def listed(self, book: str) -> bool:
        """Whether ``book`` still lists the event (its latest written window read it)."""
        return book not in self.withdrawn_at

    def book_off_since(self, book: str) -> datetime | None:
        """When ``book``'s prices for the event stopped being live (None: they are live, or not listed)."""
        return self.books_off.get(book)


def board_state(kickoff: datetime, unlisted_at: Mapping[str, datetime | None], now: datetime) -> BoardState:
    """The one rule for "off the board", used by ``odds show`` and the web board (board, event page, API):
    pre-match prices are live only while the match has not kicked off and the book still lists it.

    - the event has *started* once ``kickoff <= now``: every book's prices are its last pre-match prices;
    - a book has *withdrawn* the event when it wrote a window after its latest complete scrape of the
      event (``unlisted_at[book]``, :attr:`BookEvent.unlisted_at`; ``None`` = the book's latest window
      read it): off the board since that window, the first that no longer read it. (A book whose every
      later window failed to read the event's detail looks the same: the database keeps only complete
      scrapes, so its prices are not confirmed either way);
    - the event is off the board since the kick-off once passed, or since the last withdrawal once every
      listing book has withdrawn it, whichever came first.

    ``unlisted_at`` holds one entry per book that lists (or listed) the event; all times are aware."""
    started = kickoff if kickoff <= now else None
    withdrawn = {b: t for b, t in unlisted_at.items() if t is not None and t <= now}
    books_off: dict[str, datetime] = {}
    for book in unlisted_at:
        ends = [t for t in (started, withdrawn.get(book)) if t is not None]
        if ends:
            books_off[book] = min(ends)
    ends = [] if started is None else [started]
    if withdrawn and len(withdrawn) == len(unlisted_at):  # no book lists it any more
        ends.append(max(withdrawn.values()))
    return BoardState(started, withdrawn, books_off, min(ends) if ends else None)


# --- side by side ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BookQuote:
    """One book's quote for one outcome. ``state``: active | suspended | gone | None (not offered)."""

    odds: Decimal | None
    state: str | None


@dataclass(frozen=True)
class OutcomeRow:
    """One outcome across the books, with the best active price and every book quoting it."""

    outcome: str
    quotes: dict[str, BookQuote]
    best_odds: Decimal | None
    best_bookmakers: tuple[str, ...]


@dataclass(frozen=True)
class LineBlock:
    """One market line: its outcomes, and per book the margin (%) and the last change."""

    line: Decimal | None
    outcomes: list[OutcomeRow]
    margin_pct: dict[str, Decimal | None]
    last_changed_at: dict[str, datetime | None]


@dataclass(frozen=True)
class MarketBlock:
    """One market type of the event (BetPawa id and catalogue name) with its lines."""

    market_id: int
    name: str
    lines: list[LineBlock]


@dataclass(frozen=True, slots=True)
class _SideBySideRow:
    """One row of ``odds_side_by_side``: the books are columns (migration 0002)."""

    market_id: int
    line: Decimal | None
    outcome: str
    betpawa_odds: Decimal | None
    betpawa_state: str | None
    sportybet_odds: Decimal | None
    sportybet_state: str | None
    bet9ja_odds: Decimal | None
    bet9ja_state: str | None
    best_odds: Decimal | None
    best_bookmakers: list[str] | None
    betpawa_margin_pct: Decimal | None
    sportybet_margin_pct: Decimal | None
    bet9ja_margin_pct: Decimal | None
    betpawa_last_changed_at: datetime | None
    sportybet_last_changed_at: datetime | None
    bet9ja_last_changed_at: datetime | None

    def quotes(self) -> dict[str, BookQuote]:
        return {"betpawa": BookQuote(self.betpawa_odds, self.betpawa_state),
                "sportybet": BookQuote(self.sportybet_odds, self.sportybet_state),
                "bet9ja": BookQuote(self.bet9ja_odds, self.bet9ja_state)}

    def margins(self) -> dict[str, Decimal | None]:
        return {"betpawa": self.betpawa_margin_pct, "sportybet": self.sportybet_margin_pct,
                "bet9ja": self.bet9ja_margin_pct}

    def last_changes(self) -> dict[str, datetime | None]:
        return {"betpawa": self.betpawa_last_changed_at, "sportybet": self.sportybet_last_changed_at,
                "bet9ja": self.bet9ja_last_changed_at}


def best_quote(quotes: Mapping[str, BookQuote], books: Iterable[str]) -> tuple[Decimal | None, tuple[str, ...]]:
    """The highest active price among ``books`` and, in ``books``' order, every one of them quoting it."""
    active = [(b, quotes[b].odds) for b in books if b in quotes and quotes[b].state == "active"]
    prices = [odds for _, odds in active if odds is not None]
    if not prices:
        return None, ()
    best = max(prices)
    return best, tuple(b for b, odds in active if odds == best)


def side_by_side(conn: psycopg.Connection, sr_event_id: int, market_id: int | None = None) -> list[MarketBlock]:
    """The event's current odds per market and line, the books side by side (``odds_side_by_side``)."""
    rows = _fetch(conn, "select_side_by_side", _SideBySideRow, {"sr": sr_event_id, "market": market_id})
    markets: dict[int, MarketBlock] = {}
    for r in rows:
        block = markets.get(r.market_id)
        if block is None:
            block = markets[r.market_id] = MarketBlock(r.market_id, market_name(r.market_id), [])
        if not block.lines or block.lines[-1].line != r.line:  # rows come ordered by market, line
            block.lines.append(LineBlock(
                line=r.line, outcomes=[], margin_pct=r.margins(),
                last_changed_at={b: None if t is None else _utc(t) for b, t in r.last_changes().items()}))
        block.lines[-1].outcomes.append(OutcomeRow(r.outcome, r.quotes(), r.best_odds,
                                                   tuple(r.best_bookmakers or ())))
    return sorted(markets.values(), key=lambda m: (_CATALOGUE_ORDER.get(m.market_id, len(_CATALOGUE_ORDER)),
                                                   m.market_id))


# --- price path --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PricePoint:
    """One outcome at one change of its market: odds (None when unavailable or unpriced) and flags."""

    captured_at: datetime
    odds: Decimal | None
    active: bool
    available: bool

    @property
    def state(self) -> str:
        """active | suspended | gone: what a trader saw from ``captured_at`` until the next change."""
        if not self.available:
            return "gone"
        return "active" if self.active else "suspended"


@dataclass(frozen=True)
class OutcomePath:
    """The price path of one outcome of one book's market line, in time order."""

    bookmaker: str
    line: Decimal | None
    outcome: str | None
    points: list[PricePoint]


@dataclass(frozen=True, slots=True)
class _LineRow:
    line_hundredths: int


def available_lines(conn: psycopg.Connection, sr_event_id: int, market_id: int) -> list[Decimal | None]:
    """The lines of ``market_id`` that the event's history holds (any book), NULL (no line) first."""
    rows = _fetch(conn, "select_history_lines", _LineRow, {"sr": sr_event_id, "market": market_id})
    return [keys.line_of(r.line_hundredths) for r in rows]


@dataclass(frozen=True, slots=True)
class _PricePathRow:
    bookmaker: str
    line: Decimal | None
    outcome: str | None
    captured_at: datetime
    odds: Decimal | None
    active: bool
    available: bool


def price_path(conn: psycopg.Connection, sr_event_id: int, market_id: int, line: Decimal | None,
               since: datetime | None = None, until: datetime | None = None) -> list[OutcomePath]:
    """Per (book, outcome) the changes of one market line from ``odds_price_path``, oldest first.

    ``since``/``until`` bound ``captured_at`` (inclusive); they are on the partition key, so only the
    daily partitions in range are read.
    """
    rows = _fetch(conn, "select_price_path", _PricePathRow, {
        "sr": sr_event_id, "market": market_id, "lh": keys.hundredths(line), "since": since, "until": until})
    paths: dict[tuple[str, str | None], OutcomePath] = {}
    for r in rows:
        path = paths.setdefault((r.bookmaker, r.outcome), OutcomePath(r.bookmaker, r.line, r.outcome, []))
        path.points.append(PricePoint(_utc(r.captured_at), r.odds, bool(r.active), bool(r.available)))
    return list(paths.values())
