"""Scrape or re-parse one bookmaker window: the pipeline step behind ``odds_snapshot``, without Dagster.

For one window (bookmaker, [start, end)):

1. the window is archived already → its raw responses are re-parsed (same result, no network: a
   backfill, or a re-derivation after a mapping fix);
   else the window is *open* now → the board is fetched with the clients and its raw responses are
   archived at once, before anything else;
   else → :class:`~odds_assets.errors.WindowClosed` (a past window is never scraped again: the board
   it would read belongs to another moment) or :class:`~odds_assets.errors.WindowNotOpen`;
2. normalise (the clients' ``parse_board``), quarantine prices outside the bounds and build the
   snapshot (``odds_assets.quality``, ``odds_assets.snapshot``); events the snapshot finds invalid are
   dropped and reported;
3. return the snapshot with its :class:`~odds_assets.summary.ScrapeSummary`, built once, complete.

The snapshot's ``captured_at`` is ``now()`` read just before the board is fetched — the scrape's start,
one instant for a board read over many seconds — and each event's own fetch time is its ``fetched_at``
(the events frame's column; what either means: :mod:`odds_assets.snapshot`).

Storing the snapshot and the summary (Parquet + JSON in the archive) is the caller's business: the
Dagster IO manager does it, still before the odds database is touched.

Errors are domain errors (``odds_assets.errors``): the caller decides what a retry is worth
(``is_transient``).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from odds_assets.archive import Archive
from odds_assets.clients import parse_board
from odds_assets.errors import OddsAssetsError, WindowClosed, WindowNotOpen, is_transient, window_label
from odds_assets.models import BOOKMAKERS, BoardScrape
from odds_assets.quality import CheckOutcome, QualityRules, board_figures, evaluate, overround_figures, quarantine
from odds_assets.snapshot import Snapshot, build_snapshot
from odds_assets.summary import DroppedEvent, ScrapeSummary, Timings

__all__ = ["ScrapedWindow", "check_window", "other_books_events", "previous_summary", "scrape_window"]

#: the previous windows looked at for a reference board (a truncated one is skipped)
_PREVIOUS_LOOKBACK = 6


@dataclass(frozen=True, slots=True)
class ScrapedWindow:
    """One bookmaker window as the scrape hands it on: the snapshot and its summary."""

    snapshot: Snapshot
    summary: ScrapeSummary


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a block, then back as it was. A board allocates
    millions of small objects that hold no reference cycles (decoded JSON, parsed outcomes, snapshot
    rows), and every few thousand allocations the collector walks the whole young heap, and now and
    then all of it: on a realistic 1,000-event SportyBet board, decoding and parsing took 4.8 CPU s with
    the collector and 2.9 s without (#14). Memory freed by reference counting is unaffected."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def scrape_window(book: str, start: datetime, end: datetime, *, fetch: Callable[[str], BoardScrape],
                  now: Callable[[], datetime], archive: Archive, rules: QualityRules,
                  log: Callable[[str], None] | None = None) -> ScrapedWindow:
    """Scrape (open window) or re-parse (archived window) one window; see the module docstring.

    ``fetch(book)`` scrapes the whole board; ``now()`` is the time a scrape is made at (read only when
    the window is not archived); ``log`` receives one line when raw responses are archived. Runs with
    the cyclic garbage collector paused (``_cyclic_gc_paused``)."""
    with _cyclic_gc_paused():
        return _scrape_window(book, start, end, fetch=fetch, now=now, archive=archive, rules=rules, log=log)


def _scrape_window(book: str, start: datetime, end: datetime, *, fetch: Callable[[str], BoardScrape],
                   now: Callable[[], datetime], archive: Archive, rules: QualityRules,
                   log: Callable[[str], None] | None) -> ScrapedWindow:
    w = archive.window(book, start)
    t0 = time.perf_counter()
    fetch_s = 0.0
    if w.has_raw():
        raw = w.read_raw()
        source = "archive"
        board = parse_board(book, raw.responses, started_at=raw.started_at, finished_at=raw.finished_at)
        captured_at = raw.captured_at
        raw_bytes = int(raw.meta.get("raw_bytes", 0))
    else:
        at = now()
        if at >= end:
            raise WindowClosed(
                f"{window_label(book, start, end)} is in the past and has no archive at {w.url}: a past window "
                "is only re-derived from its archived raw responses, never scraped again (it was not scraped "
                "in time, or its archive expired)", bookmaker=book, window_start=start)
        if at < start:
            raise WindowNotOpen(f"{window_label(book, start)} has not started yet (now {at:%H:%M:%S})",
                                bookmaker=book, window_start=start)
        source = "network"
        board = fetch(book)
        fetch_s = time.perf_counter() - t0
        captured_at = at
        raw_bytes = w.write_raw(board.raw, captured_at=captured_at, started_at=board.started_at,
                                finished_at=board.finished_at)
        if log is not None:
            log(f"archived {len(board.raw)} raw responses ({raw_bytes} bytes) at {w.url}")
    t1 = time.perf_counter()
    q = quarantine(board.events, rules.min_odds, rules.max_odds)
    snapshot = build_snapshot(book, captured_at, q.events)
    outcomes = int(snapshot.markets["outcomes"].str.count(";").sum()) + len(snapshot.markets)
    figures = board_figures(board)
    overround = overround_figures(snapshot, rules.overround_band)
    parse_s = time.perf_counter() - t1
    summary = ScrapeSummary(
        source=source, captured_at=snapshot.captured_at_utc,
        scrape_started_at=board.started_at, scrape_finished_at=board.finished_at,
        board=figures,
        dropped=tuple(DroppedEvent(e.sr_event_id, e.field, str(e)[:300]) for e in snapshot.rejected[:50]),
        markets=len(snapshot.markets), outcomes=outcomes, quarantine=q.figures, overround=overround,
        raw_bytes=raw_bytes,
        timings=Timings(round(fetch_s, 3), round(parse_s, 3), round(time.perf_counter() - t0, 3)))
    return ScrapedWindow(snapshot, summary)


def previous_summary(archive: Archive, book: str, start: datetime) -> ScrapeSummary | None:
    """The summary of the latest earlier window of ``book`` whose listing was complete (a truncated
    board is no reference for the next one; neither is a window whose summary cannot be read — that
    window is reported by its own write, and must not hold back the next one)."""
    for w in archive.previous_windows(book, start, limit=_PREVIOUS_LOOKBACK):
        try:
            summary = w.read_summary()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            if is_transient(exc):
                raise  # the storage hiccuping: retried
            continue
        if summary.board.listing_complete:
            return summary
    return None


def other_books_events(archive: Archive, book: str, start: datetime,
                       log: Callable[[str], None] | None = None) -> dict[str, pd.DataFrame]:
    """Events of the other books in the same window (or their latest earlier one). Another book's
    window that cannot be read is left out (``log`` says so): it is that book's problem, reported by
    its own write, and never fails this book's checks."""
    out: dict[str, pd.DataFrame] = {}
    for other in BOOKMAKERS:
        if other == book:
            continue
        same = archive.window(other, start)
        w = same if same.has_snapshot() else next(archive.previous_windows(other, start, limit=1), None)
        if w is None:
            continue
        try:
            out[other] = w.read_snapshot().events
        except (OddsAssetsError, OSError, ValueError, KeyError, TypeError) as exc:  # e.g. corrupt Parquet
            if log is not None:
                log(f"{other}'s snapshot at {w.url} left out of the comparison: {type(exc).__name__}: {exc}"[:300])
    return out


def check_window(archive: Archive, book: str, start: datetime, rules: QualityRules,
                 log: Callable[[str], None] | None = None) -> dict[str, CheckOutcome]:
    """The data-quality checks of an archived window (``odds_assets.quality.evaluate``), from its
    summary, the previous complete window's, its events and the other books' events."""
    w = archive.window(book, start)
    return evaluate(w.read_summary(), previous_summary(archive, book, start), rules,
                    w.read_snapshot().events, other_books_events(archive, book, start, log))
