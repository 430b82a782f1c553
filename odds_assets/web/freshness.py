"""Freshness on every page: each book's last written window, how long ago it was written, and whether
the book is stale by the rule of the ``freshness`` check of ``current_odds``
(:func:`odds_assets.quality.stale_books` with ``PipelineSettings.freshness_max_age_s``).

The check reads Dagster's materialisations; the board reads the same fact from the odds database, where
the write engine records every applied window (``snapshots``: ``captured_at`` names the window,
``applied_at`` is when it was written). The age is that of the book's *latest* window's write, so a
backfill of an older window does not make a stalled book look fresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import psycopg

from odds_assets.db import queries
from odds_assets.quality import stale_books
from odds_assets.settings import PipelineSettings
from odds_assets.trader.text import iso
from odds_assets.windows import floor_window, window_key

__all__ = ["BookWindow", "Freshness", "dagster_partitions_url", "freshness_json", "load_freshness"]


@dataclass(frozen=True, slots=True)
class BookWindow:
    """A book's latest written window (``None`` fields: the book has no window yet)."""

    bookmaker: str
    captured_at: datetime | None
    applied_at: datetime | None
    age_s: float | None


@dataclass(frozen=True, slots=True)
class Freshness:
    """Every book's latest window, the age limit and the stale books (in book order)."""

    books: tuple[BookWindow, ...]
    max_age_s: float
    stale: tuple[str, ...]

    def latest(self, bookmaker: str) -> datetime | None:
        """The book's latest written window (``captured_at``)."""
        return next((b.captured_at for b in self.books if b.bookmaker == bookmaker), None)

    @property
    def version(self) -> tuple[tuple[datetime | None, datetime | None], ...]:
        """Changes whenever a book writes a new window or rewrites its latest: what the board's cache keys on."""
        return tuple((b.captured_at, b.applied_at) for b in self.books)


def load_freshness(conn: psycopg.Connection[Any], max_age_s: float) -> Freshness:
    """Read each book's latest window and apply the freshness rule."""
    books = tuple(queries.fetch(conn, "select_book_windows", BookWindow))
    stale = stale_books({b.bookmaker: b.age_s for b in books}, max_age_s)
    return Freshness(books, max_age_s, tuple(stale))


def dagster_partitions_url(dagster_url: str, bookmaker: str, captured_at: datetime | None,
                           settings: PipelineSettings) -> str:
    """The Dagster UI's partitions of ``current_odds``, with the book's latest window selected."""
    url = f"{dagster_url.rstrip('/')}/assets/current_odds?view=partitions"
    if captured_at is None:
        return url
    key = window_key(bookmaker, floor_window(settings, captured_at))
    return f"{url}&partition={quote(key, safe='')}"


def freshness_json(fresh: Freshness, *, dagster_url: str | None, settings: PipelineSettings) -> dict[str, Any]:
    """``/api/freshness``: per book its last window, write time, age and staleness (and Dagster link)."""
    return {
        "max_age_s": fresh.max_age_s,
        "stale": list(fresh.stale),
        "books": [
            {
                "bookmaker": b.bookmaker,
                "last_window": iso(b.captured_at),
                "written_at": iso(b.applied_at),
                "age_s": None if b.age_s is None else round(b.age_s, 1),
                "stale": b.bookmaker in fresh.stale,
                "dagster_url": (None if dagster_url is None
                                else dagster_partitions_url(dagster_url, b.bookmaker, b.captured_at, settings)),
            } for b in fresh.books
        ],
    }
