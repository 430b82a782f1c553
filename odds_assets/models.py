"""Typed observations shared by every layer: clients and the simulator produce them, the write engine
consumes them (through :mod:`odds_assets.snapshot`). Imports nothing of the project but errors.

Conventions (DESIGN §2, issue [clients]):
- ``market_id`` is BetPawa's market type id (an int), whatever book the market came from;
- ``line`` is an exact ``Decimal`` from the home team's perspective, ``None`` for line-less markets,
  and ``Decimal(0)`` is a real line (handicap 0) distinct from ``None``;
- outcome ``name`` is BetPawa's label; ``odds`` is an exact ``Decimal`` or ``None`` when the book shows
  no price (only allowed when the outcome is inactive);
- times are timezone-aware UTC ``datetime``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

__all__ = [
    "BOOKMAKERS",
    "BOOKMAKER_IDS",
    "BoardScrape",
    "Event",
    "EventFailure",
    "EventOdds",
    "Market",
    "Outcome",
    "RawResponse",
]

#: The books this product knows, in a fixed order (also the static Dagster partition keys).
BOOKMAKERS: tuple[str, ...] = ("betpawa", "sportybet", "bet9ja")
#: Small stable integer per book, as stored in PostgreSQL (``smallint``).
BOOKMAKER_IDS: Mapping[str, int] = {"betpawa": 1, "sportybet": 2, "bet9ja": 3}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One selection of a market: BetPawa's label, exact decimal odds, bettable or not."""

    name: str
    odds: Decimal | None
    active: bool = True


@dataclass(frozen=True, slots=True)
class Market:
    """One market instance (market type × line) of one event at one book, normalised to BetPawa ids."""

    market_id: int
    line: Decimal | None
    outcomes: tuple[Outcome, ...]


@dataclass(frozen=True, slots=True)
class Event:
    """One football match as one book lists it; ``sr_event_id`` (SportRadar) joins the books."""

    bookmaker: str
    sr_event_id: int
    bookmaker_event_id: str
    home: str
    away: str
    kickoff: datetime
    competition: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class EventOdds:
    """An event scraped completely: its metadata, its mapped markets, and what could not be mapped."""

    event: Event
    markets: tuple[Market, ...]
    #: raw market key (book-specific, e.g. ``"S_OUA"`` or ``"sportybet:900069"``) -> instances not mapped
    unmapped: Mapping[str, int] = field(default_factory=dict)
    #: mapped market instances / all instances the book offered for this event
    instances_total: int = 0
    #: when the response these odds were read from was received (tz-aware UTC): the event's detail
    #: response, the same at a re-parse from the archive; None when not read from a response (the
    #: simulator's truth, hand-built observations). A board is read over many seconds: this, not the
    #: snapshot's ``captured_at``, is the moment the book showed these odds.
    fetched_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class EventFailure:
    """An event that could not be scraped completely (after retries), and why."""

    bookmaker: str
    bookmaker_event_id: str
    reason: str
    error_type: str
    sr_event_id: int | None = None


@dataclass(frozen=True, slots=True)
class RawResponse:
    """One HTTP response body exactly as received, kept for the archive and for re-parsing."""

    url: str
    status: int
    content_type: str
    body: bytes
    fetched_at: datetime
    #: what the body is: ``"listing"``, ``"detail"``, ``"sports"``, ``"groups"`` ...
    kind: str = "detail"
    #: the book's event id for detail responses
    bookmaker_event_id: str | None = None
    #: a client's parse of this body made on arrival, from the JSON it had decoded to check the body
    #: anyway (a ``ParsedEvent``, or the ``OddsAssetsError`` the parse raised), so a board decodes each
    #: body once; None when not parsed yet. Never archived: a re-parse from the archive reads ``body``.
    parsed: object = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class BoardScrape:
    """One book's whole football pre-match board, as fetched (or re-parsed from an archive)."""

    bookmaker: str
    started_at: datetime
    finished_at: datetime
    events: list[EventOdds]
    failures: list[EventFailure]
    #: False when the event listing itself could not be read to the end (a truncated board)
    listing_complete: bool
    #: events the listing named
    listed: int
    raw: list[RawResponse] = field(default_factory=list)
