"""Queries of the trader's view and their typed results.

Everything is read for ONE event (``sr_event_id``), through the views of migration 0002, whose filters
on ``sr_event_id`` reach the base tables' unique indexes (see the migration and the EXPLAIN test).
Odds and lines stay exact ``Decimal``; times are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

import psycopg

from odds_assets.errors import OddsAssetsError
from odds_assets.markets.catalogue import CATALOGUE, by_betpawa_id
from odds_assets.models import BOOKMAKERS

__all__ = [
    "BOOKS",
    "BookEvent",
    "BookQuote",
    "EventHeader",
    "LineBlock",
    "MarketBlock",
    "OutcomePath",
    "OutcomeRow",
    "PricePoint",
    "TraderError",
    "available_lines",
    "connect",
    "format_line",
    "load_event",
    "market_name",
    "parse_line",
    "price_path",
    "resolve_market",
    "side_by_side",
]

#: The books, in the column order of the views (betpawa first: the reference book).
BOOKS: tuple[str, ...] = BOOKMAKERS

# Markets are shown in catalogue order (1x2 first, as a trader reads a board), unknown ids last.
_CATALOGUE_ORDER = {m.betpawa_id: i for i, m in enumerate(CATALOGUE) if m.betpawa_id is not None}


class TraderError(OddsAssetsError):
    """A request the trader's view cannot answer (unknown event, market or line); exit code 2."""


def connect() -> psycopg.Connection:
    """A connection to the odds database: ``ODDS_DATABASE_URL`` or the running embedded server."""
    from odds_assets.db.server import resolve_urls

    # start=False: a read-only command must not start a server as a side effect
    return psycopg.connect(resolve_urls(start=False).odds, autocommit=True)


def _execute(conn: psycopg.Connection, query: str, params: dict) -> list[tuple]:
    try:
        return conn.execute(query, params).fetchall()
    except psycopg.errors.UndefinedTable as exc:
        # a local database migrated before 0002 existed
        raise TraderError(f"the database has no trader views ({exc.diag.message_primary}): "
                          "run `odds db migrate`") from None


# --- markets and lines -------------------------------------------------------------------------------

def market_name(market_id: int) -> str:
    """The catalogue name of a BetPawa market id (``1x2_ft``), or ``market <id>`` when unknown."""
    spec = by_betpawa_id().get(market_id)
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
    hint = f"; did you mean {', '.join(near[:8])}?" if near else " (use a catalogue name such as 1x2_ft, or a BetPawa id)"
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


def _hundredths(line: Decimal | None) -> int:
    # the history key: exact hundredths, -32768 for "no line" (migration 0001)
    return -32768 if line is None else int(line * 100)


# --- event header ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BookEvent:
    """The event as one book lists it; ``last_seen_at`` = its latest complete scrape (confirmation)."""

    bookmaker: str
    event_id: str
    first_seen_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class EventHeader:
    """One SportRadar match and, per book, how that book lists it (absent: the book does not)."""

    sr_event_id: int
    home: str
    away: str
    kickoff: datetime
    competition: str | None
    country: str | None
    books: dict[str, BookEvent]


def load_event(conn: psycopg.Connection, sr_event_id: int) -> EventHeader:
    """The match and its per-book listings; :class:`TraderError` if the id is unknown."""
    row = conn.execute(
        "SELECT home, away, kickoff, competition, country FROM events WHERE sr_event_id = %(sr)s",
        {"sr": sr_event_id}).fetchone()
    if row is None:
        raise TraderError(f"unknown event: no match with SportRadar id {sr_event_id}")
    books = {}
    for name, event_id, first_seen, last_seen in conn.execute(
            "SELECT b.name, be.bookmaker_event_id, be.first_seen_at, be.last_seen_at "
            "FROM bookmaker_events be JOIN bookmakers b ON b.id = be.bookmaker "
            "WHERE be.sr_event_id = %(sr)s ORDER BY be.bookmaker", {"sr": sr_event_id}).fetchall():
        books[name] = BookEvent(name, event_id, _utc(first_seen), _utc(last_seen))
    home, away, kickoff, competition, country = row
    return EventHeader(sr_event_id, home, away, _utc(kickoff), competition, country, books)


def _utc(ts: datetime) -> datetime:
    return ts.astimezone(timezone.utc)


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


_SIDE_BY_SIDE = """
SELECT market_id, line, outcome,
       betpawa_odds, betpawa_state, sportybet_odds, sportybet_state, bet9ja_odds, bet9ja_state,
       best_odds, best_bookmakers,
       betpawa_margin_pct, sportybet_margin_pct, bet9ja_margin_pct,
       betpawa_last_changed_at, sportybet_last_changed_at, bet9ja_last_changed_at
FROM odds_side_by_side
WHERE sr_event_id = %(sr)s AND (%(market)s::integer IS NULL OR market_id = %(market)s::integer)
ORDER BY market_id, line NULLS FIRST, outcome_order, outcome
"""


def side_by_side(conn: psycopg.Connection, sr_event_id: int, market_id: int | None = None) -> list[MarketBlock]:
    """The event's current odds per market and line, the books side by side (``odds_side_by_side``)."""
    rows = _execute(conn, _SIDE_BY_SIDE, {"sr": sr_event_id, "market": market_id})
    markets: dict[int, MarketBlock] = {}
    for r in rows:
        mid, line, outcome = r[0], r[1], r[2]
        quotes = {book: BookQuote(r[3 + 2 * i], r[4 + 2 * i]) for i, book in enumerate(BOOKS)}
        block = markets.setdefault(mid, MarketBlock(mid, market_name(mid), []))
        if not block.lines or block.lines[-1].line != line:  # rows come ordered by market, line
            block.lines.append(LineBlock(
                line=line, outcomes=[],
                margin_pct=dict(zip(BOOKS, r[11:14])),
                last_changed_at={b: None if t is None else _utc(t) for b, t in zip(BOOKS, r[14:17])}))
        block.lines[-1].outcomes.append(OutcomeRow(outcome, quotes, r[9], tuple(r[10] or ())))
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


def available_lines(conn: psycopg.Connection, sr_event_id: int, market_id: int) -> list[Decimal | None]:
    """The lines of ``market_id`` that the event's history holds (any book), NULL (no line) first."""
    rows = _execute(conn, (
        "SELECT DISTINCT line_hundredths FROM market_odds_history "
        "WHERE sr_event_id = %(sr)s AND market_id = %(market)s ORDER BY 1"),
        {"sr": sr_event_id, "market": market_id})
    return [None if h == -32768 else Decimal(h).scaleb(-2).normalize() for (h,) in rows]


_PRICE_PATH = """
SELECT bookmaker, line, outcome, captured_at, odds, active, available
FROM odds_price_path
WHERE sr_event_id = %(sr)s AND market_id = %(market)s AND line_hundredths = %(lh)s
  AND (%(since)s::timestamptz IS NULL OR captured_at >= %(since)s::timestamptz)
  AND (%(until)s::timestamptz IS NULL OR captured_at <= %(until)s::timestamptz)
ORDER BY array_position(ARRAY['betpawa', 'sportybet', 'bet9ja'], bookmaker), outcome_order, outcome, captured_at
"""


def price_path(conn: psycopg.Connection, sr_event_id: int, market_id: int, line: Decimal | None,
               since: datetime | None = None, until: datetime | None = None) -> list[OutcomePath]:
    """Per (book, outcome) the changes of one market line from ``odds_price_path``, oldest first.

    ``since``/``until`` bound ``captured_at`` (inclusive); they are on the partition key, so only the
    daily partitions in range are read.
    """
    rows = _execute(conn, _PRICE_PATH, {"sr": sr_event_id, "market": market_id, "lh": _hundredths(line),
                                        "since": since, "until": until})
    paths: dict[tuple[str, str | None], OutcomePath] = {}
    for book, ln, outcome, captured_at, odds, active, available in rows:
        path = paths.setdefault((book, outcome), OutcomePath(book, ln, outcome, []))
        path.points.append(PricePoint(_utc(captured_at), odds, bool(active), bool(available)))
    return list(paths.values())
