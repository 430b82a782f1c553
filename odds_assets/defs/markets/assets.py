"""``current_odds`` (bookmaker × window) and ``odds_retention`` (maintenance).

``current_odds`` reads the window's snapshot from the archive, applies the completeness gate, and hands
the snapshots to ``odds_db_io_manager``, which classifies every market
against the bookmaker's current odds (new / changed / unchanged / gone / back) and writes current +
change-only history in one transaction per window (``odds_assets.db.engine.apply_snapshot``).

Window order per bookmaker: each window depends on the same bookmaker's previous window (a
self-dependency), the write sensor requests windows oldest first and never two runs per bookmaker at
once, and a range run (backfill, catch-up) applies its windows in order. A window older than what
current already holds is classified against history as of that window and never moves current
backwards (the engine guards it), so even a manual out-of-order run cannot corrupt current.

The completeness gate: a snapshot whose listing was truncated, or whose complete events fell below half
of the previous window's, is not written (the ``completeness`` check on ``odds_snapshot`` is an ERROR,
blocking when both assets run together). ``current_odds`` still materialises for that window, with
``written: false`` and the reason, so the bookmaker's chain of windows goes on with the next board.

No window is ever stuck. A window that fails for good — its archived snapshot cannot be read (missing,
corrupt; or an archive read still failing on the last retry), or the engine refuses the snapshot as a
whole — is materialised the same way, not written, with the reason; its ``applied`` check is an ERROR
(blocking, so the run fails and the run-failure sensor logs one line naming the window and the
reason), and the write sensor goes on with the book's next window. Once the cause is fixed, a
backfill of that window (``odds_snapshot`` re-derived from its raw responses, then ``current_odds``)
writes it: a window older than current is classified against history as of that window.
"""

from datetime import datetime, timezone

import dagster as dg

from odds_assets.db.partitions import maintain_partitions
from odds_assets.defs.common.constants import CURRENT_KEY, GROUP_MAINTENANCE, GROUP_MARKETS, ODDS_DB_POOL, SNAPSHOT_KEY
from odds_assets.defs.common.io_managers import ScrapedWindow, WindowWrite
from odds_assets.defs.common.partitions import previous_window_mapping
from odds_assets.defs.common.policy import failure_policy, retry_policy
from odds_assets.defs.common.resources import OddsArchiveResource, OddsDatabaseResource
from odds_assets.errors import is_transient
from odds_assets.quality import completeness
from odds_assets.scrape import previous_summary
from odds_assets.settings import PipelineSettings
from odds_assets.windows import retention_start, split_key

__all__ = ["build_current_odds", "build_odds_retention"]


def build_current_odds(settings: PipelineSettings, partitions_def: dg.MultiPartitionsDefinition
                       ) -> dg.AssetsDefinition:
    min_ratio = settings.quality.completeness_min_ratio

    @dg.asset(
        key=CURRENT_KEY,
        partitions_def=partitions_def,
        # the snapshot is read from the archive here, window by window, so that one unreadable window is
        # reported and passed over instead of failing the load of the whole run
        deps=[dg.AssetDep(SNAPSHOT_KEY), dg.AssetDep(CURRENT_KEY, partition_mapping=previous_window_mapping())],
        io_manager_key="odds_db_io_manager",
        group_name=GROUP_MARKETS,
        kinds={"postgres"},
        backfill_policy=dg.BackfillPolicy.single_run(),
        retry_policy=retry_policy(settings),
        pool=ODDS_DB_POOL,
    )
    def current_odds(context: dg.AssetExecutionContext, archive: OddsArchiveResource) -> list[WindowWrite]:
        """One current row per event × bookmaker × market × line in market_odds_current, and a history
        row in market_odds_history per market change (PostgreSQL), written per window in window order."""
        arch = archive.archive()
        writes: list[WindowWrite] = []
        last_try = context.retry_number >= settings.retry_max
        for key in sorted(context.partition_keys, key=split_key):
            book, start = split_key(key)
            w = arch.window(book, start)
            try:
                item = ScrapedWindow(w.read_snapshot(), w.read_summary())
            except Exception as exc:
                if is_transient(exc) and not last_try:
                    raise  # retried with backoff (the archive's storage hiccuping)
                reason = f"archived snapshot unreadable at {w.url}, nothing written: {type(exc).__name__}: {exc}"
                context.log.error(f"{key}: {reason}")
                writes.append(WindowWrite(key, None, reason[:1000], failed=True))
                continue
            with failure_policy(f"{key}: cannot read the previous window's summary"):
                previous = previous_summary(arch, book, start)
            verdict = completeness(item.summary, previous, min_ratio)
            if verdict.ok:
                writes.append(WindowWrite(key, item.snapshot))
            else:
                context.log.warning(f"{key}: blocked by completeness, nothing written: {verdict.reason}")
                writes.append(WindowWrite(key, None, verdict.reason))
        return writes

    return current_odds


def build_odds_retention(settings: PipelineSettings) -> dg.AssetsDefinition:
    @dg.asset(name="odds_retention", group_name=GROUP_MAINTENANCE, kinds={"postgres"}, pool=ODDS_DB_POOL,
              retry_policy=retry_policy(settings))
    def odds_retention(context: dg.AssetExecutionContext, odds_db: OddsDatabaseResource,
                       archive: OddsArchiveResource) -> dg.MaterializeResult:
        """Retention state: daily history partitions created ahead and expired ones dropped, and archive
        days older than ``retention_days`` pruned (the same day boundary as the history partitions; a
        shorter partition horizon, ``ODDS_PARTITION_DAYS``, prunes nothing)."""
        now = datetime.now(timezone.utc)
        first_day = retention_start(settings, now).date()
        with odds_db.connect() as conn:
            result = maintain_partitions(conn, days_ahead=settings.partitions_ahead_days,
                                         retention_days=settings.retention_days, now=now)
        pruned = archive.archive().prune(first_day)
        context.log.info(f"history partitions: +{len(result.created)} -{len(result.dropped)}; "
                         f"archive days pruned: {len(pruned)} (before {first_day})")
        return dg.MaterializeResult(metadata={
            "partitions_created": dg.MetadataValue.json(result.created),
            "partitions_dropped": dg.MetadataValue.json(result.dropped),
            "partitions_kept": result.kept,
            "analytics_rows_deleted": dg.MetadataValue.json(result.analytics_deleted),
            "archive_days_pruned": dg.MetadataValue.json(pruned),
            "archive_first_day": first_day.isoformat(),
        })

    return odds_retention
