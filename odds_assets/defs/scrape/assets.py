"""``odds_snapshot``: one bookmaker's whole football pre-match board for one window.

Per partition (bookmaker × window):

1. the window is *current* (open now) and not archived yet → scrape it with the clients and archive the
   raw responses (compressed) at once, before anything else; a window in the *past* is never scraped:
   its archived raw responses are re-parsed (same result, no network), or the run fails without retry
   when there is no archive;
2. normalise (``parse_board``), quarantine prices outside the bounds (see ``quality``), build the
   snapshot;
3. the snapshot and a summary of the scrape are stored by ``snapshot_io_manager`` as Parquet + JSON in
   the archive — still before the odds database is touched (``current_odds`` does that, in another run).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext

from odds_assets.archive import Archive
from odds_assets.clients import parse_board
from odds_assets.defs.common.resources import (
    BoardScraperResource,
    OddsArchiveResource,
    ScrapedWindow,
    is_transient,
)
from odds_assets.defs.common.settings import PipelineSettings, resolved_annotations
from odds_assets.defs.scrape.partitions import split_key
from odds_assets.defs.scrape.quality import board_figures, overround_figures, quarantine
from odds_assets.errors import SnapshotError
from odds_assets.models import EventOdds
from odds_assets.snapshot import Snapshot, build_snapshot

__all__ = ["build_odds_snapshot", "previous_summary", "scrape_window"]


def retry_policy(settings: PipelineSettings) -> dg.RetryPolicy:
    """Exponential backoff with jitter; only transient errors reach it (the rest raise
    ``Failure(allow_retries=False)``)."""
    return dg.RetryPolicy(max_retries=settings.retry_max, delay=settings.retry_delay_s,
                          backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


def _build(book: str, captured_at: datetime, events: list[EventOdds]) -> tuple[Snapshot, list[dict[str, Any]]]:
    """build_snapshot; the events it drops as invalid are reported (bookmaker, event, field, reason)."""
    snapshot = build_snapshot(book, captured_at, events)
    dropped = [{"sr_event_id": e.sr_event_id, "field": e.field, "reason": str(e)[:300]}
               for e in snapshot.rejected[:50]]
    return snapshot, dropped


def previous_summary(archive: Archive, book: str, start: datetime) -> dict[str, Any] | None:
    """The summary of the latest earlier window of ``book`` whose listing was complete (a truncated
    board is no reference for the next one)."""
    for w in archive.previous_windows(book, start, limit=6):
        summary = w.read_summary()
        if summary.get("listing_complete"):
            return summary
    return None


def scrape_window(settings: PipelineSettings, scraper: BoardScraperResource, archive: Archive, key: str,
                  log: Any = None) -> ScrapedWindow:
    """Scrape (current window) or re-parse (archived window) one partition; see the module docstring."""
    book, start = split_key(key)
    end = start + timedelta(minutes=settings.cadence_minutes)
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
        now = scraper.now()
        if now >= end:
            raise dg.Failure(
                f"{book} window {start:%Y-%m-%d %H:%M}-{end:%H:%M} UTC is in the past and has no archive at "
                f"{w.url}: a past window is only re-derived from its archived raw responses, never scraped "
                "again (it was not scraped in time, or its archive expired)", allow_retries=False)
        if now < start:
            raise dg.Failure(f"{book} window {start:%Y-%m-%d %H:%M} UTC has not started yet (now {now:%H:%M:%S})",
                             allow_retries=False)
        source = "network"
        board = scraper.fetch_board(book)
        fetch_s = time.perf_counter() - t0
        captured_at = now
        raw_bytes = w.write_raw(board.raw, captured_at=captured_at, started_at=board.started_at,
                                finished_at=board.finished_at)
        if log is not None:
            log.info(f"{key}: archived {len(board.raw)} raw responses ({raw_bytes} bytes) at {w.url}")
    t1 = time.perf_counter()
    q = quarantine(board.events, Decimal(settings.min_odds), Decimal(settings.max_odds))
    snapshot, dropped = _build(book, captured_at, q.events)
    outcomes = int(snapshot.markets["outcomes"].str.count(";").sum()) + len(snapshot.markets)
    summary: dict[str, Any] = {
        "source": source,
        **board_figures(board),
        "events_dropped_invalid": dropped,
        "markets": len(snapshot.markets),
        "outcomes": outcomes,
        "quarantined_outcomes": q.outcomes,
        "quarantined_markets": q.markets,
        "quarantine_samples": q.samples,
        "price_bounds": [settings.min_odds, settings.max_odds],
        **overround_figures(snapshot, settings.overround_band),
        "raw_bytes": raw_bytes,
        "scrape_started_at": board.started_at.isoformat(),
        "scrape_finished_at": board.finished_at.isoformat(),
        "fetch_s": round(fetch_s, 3),
        "parse_s": round(time.perf_counter() - t1, 3),
    }
    summary["total_s"] = round(time.perf_counter() - t0, 3)
    return ScrapedWindow(snapshot, summary)


def _metadata(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": summary["source"],
        "captured_at": summary.get("captured_at", ""),
        "events_listed": summary["listed"],
        "listing_complete": summary["listing_complete"],
        "events_complete": summary["events_complete"],
        "events_failed": summary["events_failed"],
        "failure_reasons": dg.MetadataValue.json(summary["failure_reasons"]),
        "failure_samples": dg.MetadataValue.json(summary["failure_samples"]),
        "market_instances": summary["markets"],
        "mapping_coverage": summary["mapping_coverage"] if summary["mapping_coverage"] is not None else -1.0,
        "quarantined_outcomes": summary["quarantined_outcomes"],
        "quarantined_markets": summary["quarantined_markets"],
        "raw_bytes": summary["raw_bytes"],
        "fetch_s": summary["fetch_s"],
        "parse_s": summary["parse_s"],
        "total_s": summary["total_s"],
    }


def build_odds_snapshot(settings: PipelineSettings, partitions_def: dg.MultiPartitionsDefinition
                        ) -> dg.AssetsDefinition:
    @dg.asset(
        name="odds_snapshot",
        partitions_def=partitions_def,
        io_manager_key="snapshot_io_manager",
        group_name="scrape",
        kinds={"python", "parquet"},
        # Dagster splits a range per bookmaker; the body walks the windows in order.
        backfill_policy=dg.BackfillPolicy.single_run(),
        retry_policy=retry_policy(settings),
    )
    @resolved_annotations
    def odds_snapshot(context: AssetExecutionContext, scraper: BoardScraperResource,
                      archive: OddsArchiveResource) -> dg.Output[dict[str, ScrapedWindow]]:
        """One bookmaker's whole football pre-match board in one window: raw responses archived
        (compressed), normalised market instances (one row per event × market × line) as Parquet."""
        arch = archive.archive()
        keys = sorted(context.partition_keys, key=lambda k: (split_key(k)[0], split_key(k)[1]))
        out: dict[str, ScrapedWindow] = {}
        for key in keys:
            try:
                item = scrape_window(settings, scraper, arch, key, context.log)
            except dg.Failure:
                raise
            except Exception as exc:  # noqa: BLE001 - sorted into transient (retried) and deterministic
                if is_transient(exc):
                    raise
                raise dg.Failure(f"{key}: {type(exc).__name__}: {exc}", allow_retries=False) from exc
            item.summary["captured_at"] = item.snapshot.captured_at_utc.isoformat()
            out[key] = item
            context.log.info(f"{key}: {item.summary['events_complete']}/{item.summary['listed']} events complete, "
                             f"{item.summary['markets']} markets, {item.summary['quarantined_outcomes']} "
                             f"quarantined, from {item.summary['source']}")
        if len(out) == 1:
            metadata = _metadata(next(iter(out.values())).summary)
        else:
            per = [{"partition": k, **{m: v for m, v in _metadata(i.summary).items()
                                       if not isinstance(v, dg.MetadataValue)}} for k, i in out.items()]
            metadata = {"windows": len(out), "per_window": dg.MetadataValue.json(per),
                        "market_instances": sum(i.summary["markets"] for i in out.values()),
                        "quarantined_outcomes": sum(i.summary["quarantined_outcomes"] for i in out.values()),
                        "raw_bytes": sum(i.summary["raw_bytes"] for i in out.values())}
        return dg.Output(out, metadata=metadata)

    return odds_snapshot
