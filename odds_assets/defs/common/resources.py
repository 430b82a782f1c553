"""Resources and IO managers of the code location. Configuration comes from ``dg.EnvVar`` (resolved
when a run starts, never at import); see :func:`default_resources`.

- ``archive``               :class:`OddsArchiveResource` — the snapshot archive (``ODDS_ARCHIVE_URL``)
- ``scraper``               :class:`BoardScraperResource` — the bookmaker clients (``ODDS_<BOOK>_BASE_URL`` …)
- ``odds_db``               :class:`OddsDatabaseResource` — the odds database (``ODDS_DATABASE_URL``)
- ``snapshot_io_manager``   :class:`SnapshotArchiveIOManager` — normalised snapshots as Parquet in the archive
- ``odds_db_io_manager``    :class:`OddsDbIOManager` — applies snapshots through the write engine
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import dagster as dg
import httpx
import psycopg

from odds_assets.archive import Archive
from odds_assets.clients import RetryPolicy, fetch_board_sync, settings_from_env
from odds_assets.db.engine import WriteResult, apply_snapshot
from odds_assets.errors import ArchiveError, BookmakerRateLimited, BookmakerUnavailable, SnapshotError
from odds_assets.models import BoardScrape
from odds_assets.snapshot import Snapshot

__all__ = [
    "BoardScraperResource",
    "OddsArchiveResource",
    "OddsDatabaseResource",
    "OddsDbIOManager",
    "ScrapedWindow",
    "SnapshotArchiveIOManager",
    "WindowWrite",
    "default_resources",
    "is_transient",
]


def is_transient(exc: BaseException) -> bool:
    """Errors worth a retry with backoff: the network, the bookmaker being down, the database being
    unreachable, the archive's storage hiccuping. Everything else is deterministic."""
    return isinstance(exc, (httpx.TransportError, BookmakerUnavailable, BookmakerRateLimited,
                            psycopg.OperationalError, ArchiveError, ConnectionError, TimeoutError,
                            # two first writers of a day race in odds_ensure_history_partition (one gets
                            # "already exists"); the retry finds the partition there
                            psycopg.errors.DuplicateTable))


@dataclass(frozen=True)
class ScrapedWindow:
    """One bookmaker window as the scrape asset hands it on: the snapshot and its archive summary."""

    snapshot: Snapshot
    summary: dict[str, Any]


@dataclass(frozen=True)
class WindowWrite:
    """What ``current_odds`` asks the IO manager to do for one window: apply ``snapshot``, or nothing
    when the window is blocked (``blocked`` says why)."""

    partition_key: str
    snapshot: Snapshot | None
    blocked: str | None = None


class OddsArchiveResource(dg.ConfigurableResource):
    """The snapshot archive: a local directory or any fsspec / universal-pathlib URL."""

    url: str

    def archive(self) -> Archive:
        return Archive(self.url)


class BoardScraperResource(dg.ConfigurableResource):
    """Scrapes one bookmaker's whole board with the project's clients.

    Client settings come from ``ODDS_<BOOK>_*`` (read by the clients when a run starts);
    ``base_urls`` overrides the base URL per book (tests, the demo), ``fast_retry`` shrinks the clients'
    own per-request backoff to milliseconds (tests).
    """

    base_urls: dict[str, str] = {}
    fast_retry: bool = False
    page_size: int | None = None

    def now(self) -> datetime:
        """The time a scrape is made at (the simulator's clock in tests)."""
        return datetime.now(timezone.utc)

    def fetch_board(self, bookmaker: str) -> BoardScrape:
        overrides: dict[str, Any] = {}
        if self.base_urls.get(bookmaker):
            overrides["base_url"] = self.base_urls[bookmaker]
        if self.fast_retry:
            overrides["retry"] = RetryPolicy.fast()
        if self.page_size:
            overrides["page_size"] = self.page_size
        return fetch_board_sync(bookmaker, settings_from_env(bookmaker, **overrides))


class OddsDatabaseResource(dg.ConfigurableResource):
    """The odds database (libpq URL)."""

    url: str
    connect_timeout_s: int = 5

    def connect(self) -> psycopg.Connection:
        """An autocommit connection (the write engine opens its own transaction)."""
        return psycopg.connect(self.url, autocommit=True, connect_timeout=self.connect_timeout_s)


class SnapshotArchiveIOManager(dg.ConfigurableIOManager):
    """Stores ``odds_snapshot`` outputs (``dict[partition key, ScrapedWindow]``) as Parquet + summary in
    the archive, and loads them back per upstream partition for ``current_odds``."""

    archive: OddsArchiveResource

    def handle_output(self, context: dg.OutputContext, obj: dict[str, ScrapedWindow]) -> None:
        from odds_assets.defs.scrape.partitions import split_key

        archive = self.archive.archive()
        written = 0
        for key, item in obj.items():
            book, start = split_key(key)
            written += archive.window(book, start).write_snapshot(item.snapshot, item.summary)
        context.add_output_metadata({"normalised_bytes": written, "archive_url": archive.url})

    def load_input(self, context: dg.InputContext) -> dict[str, ScrapedWindow]:
        from odds_assets.defs.scrape.partitions import split_key

        archive = self.archive.archive()
        out: dict[str, ScrapedWindow] = {}
        for key in sorted(context.asset_partition_keys, key=lambda k: split_key(k)[1]):
            book, start = split_key(key)
            w = archive.window(book, start)
            try:
                out[key] = ScrapedWindow(w.read_snapshot(), w.read_summary())
            except FileNotFoundError:
                raise dg.Failure(f"{book} window {start:%Y-%m-%d %H:%M}: no archived snapshot at {w.url} "
                                 "(materialise odds_snapshot for it first)", allow_retries=False) from None
        return out


class OddsDbIOManager(dg.ConfigurableIOManager):
    """Writes ``current_odds`` through the write engine: per window, in window order, one transaction
    each (``apply_snapshot``: classify vs current, UPSERT current, append change-only history, upsert
    events). Range runs (backfills, catch-up) are handled window by window; a window already applied
    is a no-op, so a run that failed half-way is simply run again."""

    odds_db: OddsDatabaseResource

    def handle_output(self, context: dg.OutputContext, obj: list[WindowWrite]) -> None:
        results: list[tuple[WindowWrite, WriteResult | None, float]] = []
        # ordered by the asset (window order); a window already applied is skipped by the engine
        with self.odds_db.connect() as conn:
            for item in obj:
                if item.snapshot is None:
                    context.log.warning(f"{item.partition_key}: write blocked, nothing written: {item.blocked}")
                    results.append((item, None, 0.0))
                    continue
                t0 = time.perf_counter()
                try:
                    result = apply_snapshot(conn, item.snapshot)
                except SnapshotError as exc:
                    # Invalid as a whole (an invalid EVENT is only dropped by the engine): the window is
                    # materialised as not written, with the reason, so the book's later windows go on;
                    # a backfill re-derives it once the cause is fixed.
                    reason = f"invalid snapshot, nothing written: {exc}"
                    context.log.error(f"{item.partition_key}: {reason}")
                    results.append((WindowWrite(item.partition_key, None, reason), None, 0.0))
                    continue
                except Exception as exc:
                    if is_transient(exc):
                        raise  # the asset's RetryPolicy backs off; the write sensor retries after that
                    raise dg.Failure(f"{item.partition_key}: {type(exc).__name__}: {exc}",
                                     allow_retries=False) from exc
                for err in result.rejected[:20]:
                    context.log.warning(f"{item.partition_key}: event dropped, not written: {err}")
                results.append((item, result, (time.perf_counter() - t0) * 1000))
        context.add_output_metadata(write_metadata(results))

    def load_input(self, context: dg.InputContext) -> Any:
        raise NotImplementedError("current_odds lives in PostgreSQL; query market_odds_current(_v)")


def write_metadata(results: list[tuple[WindowWrite, WriteResult | None, float]]) -> dict[str, Any]:
    """Counts per class, history rows and write milliseconds; per window too when a run wrote several."""
    keys = ("new", "changed", "unchanged", "gone", "back", "history_rows", "historical_events",
            "history_removed")
    totals = {k: 0 for k in keys}
    write_ms = 0.0
    per_window = []
    blocked = []
    rejected: list[dict[str, Any]] = []
    for item, result, ms in results:
        if result is None:
            blocked.append({"partition": item.partition_key, "reason": item.blocked})
            continue
        for k in keys:
            totals[k] += int(getattr(result, k))
        rejected.extend({"partition": item.partition_key, "sr_event_id": e.sr_event_id, "field": e.field,
                         "reason": str(e)[:300]} for e in result.rejected)
        write_ms += ms
        per_window.append({"partition": item.partition_key, **{k: int(getattr(result, k)) for k in keys},
                           "write_ms": round(ms, 1)})
    meta: dict[str, Any] = {**totals, "write_ms": round(write_ms, 1), "windows_written": len(per_window),
                            "written": bool(per_window)}
    meta["rejected_events"] = len(rejected)
    if rejected:
        meta["rejected"] = dg.MetadataValue.json(rejected[:50])
    if blocked:
        meta["blocked"] = dg.MetadataValue.json(blocked)
    if len(results) > 1:
        meta["windows"] = dg.MetadataValue.json(per_window)
    if len(per_window) == 1 and results[0][1] is not None:
        meta["captured_at"] = results[0][1].captured_at.isoformat()
        meta["engine_ms"] = dg.MetadataValue.json({k: round(v, 1) for k, v in results[0][1].timings_ms.items()})
    return meta


def default_resources() -> dict[str, Any]:
    """Production wiring: every connection string from the environment, resolved at launch."""
    archive = OddsArchiveResource(url=dg.EnvVar("ODDS_ARCHIVE_URL"))
    odds_db = OddsDatabaseResource(url=dg.EnvVar("ODDS_DATABASE_URL"))
    return {
        "archive": archive,
        "scraper": BoardScraperResource(),
        "odds_db": odds_db,
        "snapshot_io_manager": SnapshotArchiveIOManager(archive=archive),
        "odds_db_io_manager": OddsDbIOManager(odds_db=odds_db),
    }
