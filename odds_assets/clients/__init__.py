"""Async httpx clients for BetPawa, SportyBet and Bet9ja, and the parsers that normalise their
responses onto BetPawa market ids (no Dagster here).

Usage::

    async with client_for("betpawa", settings_from_env("betpawa")) as client:
        board = await client.fetch_board()          # BoardScrape: events, failures, raw

    board = parse_board("betpawa", board.raw, started_at=..., finished_at=...)  # no network
    odds = parse_event("sportybet", body)                                        # one detail response
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

import httpx

from odds_assets.clients import bet9ja, betpawa, sportybet
from odds_assets.clients.base import ERROR_CONTENT_TYPE, BookmakerClient, assemble_board
from odds_assets.clients.settings import (
    Bet9jaSettings,
    BetPawaSettings,
    ClientSettings,
    RetryPolicy,
    SportyBetSettings,
    settings_from_env,
)
from odds_assets.markets.normalise import ParsedEvent
from odds_assets.models import BoardScrape, EventOdds, RawResponse

__all__ = [
    "ERROR_CONTENT_TYPE",
    "Bet9jaSettings",
    "BetPawaSettings",
    "BookmakerClient",
    "ClientSettings",
    "RetryPolicy",
    "SportyBetSettings",
    "client_for",
    "fetch_board_sync",
    "parse_board",
    "parse_event",
    "parse_event_detailed",
    "settings_from_env",
]

_CLIENTS: dict[str, type[BookmakerClient]] = {
    "betpawa": betpawa.BetPawaClient,
    "sportybet": sportybet.SportyBetClient,
    "bet9ja": bet9ja.Bet9jaClient,
}


def _client_class(bookmaker: str) -> type[BookmakerClient]:
    try:
        return _CLIENTS[bookmaker]
    except KeyError:
        raise ValueError(f"unknown bookmaker {bookmaker!r}; expected one of {sorted(_CLIENTS)}") from None


def client_for(bookmaker: str, settings: ClientSettings | None = None, *,
               transport: httpx.AsyncBaseTransport | None = None) -> BookmakerClient:
    """The client of one book; settings default to :func:`settings_from_env`."""
    cls = _client_class(bookmaker)
    return cls(settings if settings is not None else settings_from_env(bookmaker), transport=transport)


def parse_event_detailed(bookmaker: str, body: bytes) -> ParsedEvent:
    """Normalise one event-detail response, with the per-instance record used for coverage."""
    return _client_class(bookmaker).parse_event_detailed(body)


def parse_event(bookmaker: str, body: bytes) -> EventOdds:
    """Normalise one event-detail response (the format of the real captures)."""
    return parse_event_detailed(bookmaker, body).odds


def parse_board(bookmaker: str, raw_responses: Sequence[RawResponse], *, started_at: datetime,
                finished_at: datetime) -> BoardScrape:
    """Rebuild a BoardScrape from archived raw responses, without the network.

    Gives the same events, failures, ``listed`` and ``listing_complete`` as the ``fetch_board``
    that produced ``raw_responses`` (see :mod:`odds_assets.clients.base` for the error records).
    """
    cls = _client_class(bookmaker)
    return assemble_board(bookmaker, raw_responses, cls.parse_listing, cls.parse_event_detailed,
                          started_at=started_at, finished_at=finished_at)


def fetch_board_sync(bookmaker: str, settings: ClientSettings | None = None, *,
                     transport: httpx.AsyncBaseTransport | None = None) -> BoardScrape:
    """``fetch_board`` for synchronous callers (runs its own event loop)."""

    async def run() -> BoardScrape:
        async with client_for(bookmaker, settings, transport=transport) as client:
            return await client.fetch_board()

    return asyncio.run(run())
