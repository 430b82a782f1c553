"""IO managers of the code location and the values they carry between the two assets.

- ``odds_snapshot`` returns ``dict[partition key, ScrapedWindow]`` (``odds_assets.scrape``):
  :class:`SnapshotArchiveIOManager` stores each as Parquet + ``summary.json`` in the archive and loads
  them back, per upstream partition, for an asset that takes ``odds_snapshot`` as an input
  (``current_odds`` does not: it reads the archive window by window itself, so one unreadable window
  is passed over instead of failing the load of the whole run);
- ``current_odds`` returns ``list[WindowWrite]``: :class:`OddsDbIOManager` applies each through the
  write engine, one transaction per window, in window order (a window a scrape run already wrote itself
  is only recorded: its metadata, no connection).
"""

import time
from dataclasses import dataclass
from typing import Any

import dagster as dg

from odds_assets.db.engine import WriteResult, apply_snapshot
from odds_assets.defs.common.metadata import WindowOutcome, write_metadata
from odds_assets.defs.common.policy import failure_policy
from odds_assets.defs.common.resources import OddsArchiveResource, OddsDatabaseResource
from odds_assets.errors import SnapshotError, window_label
from odds_assets.scrape import ScrapedWindow
from odds_assets.snapshot import Snapshot
from odds_assets.windows import split_key

__all__ = ["OddsDbIOManager", "ScrapedWindow", "SnapshotArchiveIOManager", "WindowWrite"]


@dataclass(frozen=True, slots=True)
class WindowWrite:
    """What ``current_odds`` asks the IO manager to do for one window: apply ``snapshot``, or nothing
    when the window is blocked (``blocked`` says why; ``failed``: not by the completeness gate but
    because the window failed for good — unreadable, invalid as a whole), or only record it when it was
    already applied (``applied``, in ``ms``: a scrape run writes its own window under a deadline before
    its output is handed over, so a slow database never fails the step)."""

    partition_key: str
    snapshot: Snapshot | None
    blocked: str | None = None
    failed: bool = False
    applied: WriteResult | None = None
    ms: float = 0.0


class SnapshotArchiveIOManager(dg.ConfigurableIOManager):
    """Stores ``odds_snapshot`` outputs as Parquet + summary in the archive, and loads them back per
    upstream partition for an asset that takes them as an input."""

    archive: OddsArchiveResource

    def handle_output(self, context: dg.OutputContext, obj: dict[str, ScrapedWindow]) -> None:
        archive = self.archive.archive()
        written = 0
        for key, item in obj.items():
            written += archive.window(*split_key(key)).write_snapshot(item.snapshot, item.summary)
        # archive_bytes: what the window costs in the archive (raw responses + Parquet), a number the UI
        # plots over the partitions
        raw = sum(item.summary.raw_bytes for item in obj.values())
        context.add_output_metadata({"normalised_bytes": written, "archive_bytes": raw + written,
                                     "archive_url": archive.url})

    def load_input(self, context: dg.InputContext) -> dict[str, ScrapedWindow]:
        archive = self.archive.archive()
        out: dict[str, ScrapedWindow] = {}
        for key in sorted(context.asset_partition_keys, key=lambda k: split_key(k)[1]):
            book, start = split_key(key)
            w = archive.window(book, start)
            try:
                out[key] = ScrapedWindow(w.read_snapshot(), w.read_summary())
            except FileNotFoundError:
                raise dg.Failure(f"{window_label(book, start)}: no archived snapshot at {w.url} "
                                 "(materialise odds_snapshot for it first)", allow_retries=False) from None
        return out


class OddsDbIOManager(dg.ConfigurableIOManager):
    """Writes ``current_odds`` through the write engine: per window, in window order, one transaction
    each (``apply_snapshot``: the window's board replaces what the database knew of that window;
    current and change-only history follow). Range runs (backfills, catch-up) are handled window by
    window; a window already applied is a no-op, so a run that failed half-way is simply run again."""

    odds_db: OddsDatabaseResource

    def handle_output(self, context: dg.OutputContext, obj: list[WindowWrite]) -> None:
        results: list[WindowOutcome] = [WindowOutcome(i.partition_key, i.applied, ms=i.ms) for i in obj if i.applied]
        obj = [item for item in obj if item.applied is None]
        if not obj:  # written already (a scrape run's own write): no connection
            context.add_output_metadata(write_metadata(results))
            return
        try:  # a run's connection names the run
            run_id: str | None = context.run_id
        except dg.DagsterInvariantViolationError:  # an output context built by hand
            run_id = None
        with self.odds_db.connect(tag=f"write {run_id[:8]}" if run_id else "write") as conn:
            for item in obj:
                if item.snapshot is None:
                    context.log.warning(f"{item.partition_key}: write blocked, nothing written: {item.blocked}")
                    results.append(WindowOutcome(item.partition_key, None, item.blocked, failed=item.failed))
                    continue
                t0 = time.perf_counter()
                with failure_policy(item.partition_key):
                    try:
                        result = apply_snapshot(conn, item.snapshot)
                    except SnapshotError as exc:
                        # Invalid as a whole (an invalid EVENT is only dropped by the engine): the window
                        # is materialised as not written, with the reason, so the book's later windows
                        # go on; a backfill re-derives it once the cause is fixed.
                        reason = f"invalid snapshot, nothing written: {exc}"
                        context.log.error(f"{item.partition_key}: {reason}")
                        results.append(WindowOutcome(item.partition_key, None, reason, failed=True))
                        continue
                for err in result.rejected[:20]:
                    context.log.warning(f"{item.partition_key}: event dropped, not written: {err}")
                results.append(WindowOutcome(item.partition_key, result, ms=(time.perf_counter() - t0) * 1000))
        context.add_output_metadata(write_metadata(results))

    def load_input(self, context: dg.InputContext) -> Any:
        raise NotImplementedError("current_odds lives in PostgreSQL; query market_odds_current(_v)")
