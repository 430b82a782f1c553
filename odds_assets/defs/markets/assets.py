"""``current_odds`` (bookmaker × window) and ``odds_retention`` (maintenance).

``current_odds`` reads the window's snapshot from the archive, applies the completeness gate, and hands
the snapshots to ``odds_db_io_manager``, which classifies every market
against the bookmaker's current odds (new / changed / unchanged / gone / back) and writes current +
change-only history in one transaction per window (``odds_assets.db.engine.apply_snapshot``).

Two kinds of run materialise it (the freshness path, README "The freshness path"):

- the window's own scheduled scrape run (``scrape_odds_job``, tag ``odds/scrape_write``), right after
  ``odds_snapshot`` in the same process, when the bookmaker is caught up — no write run of it queued or
  running, no earlier window waiting (``pending.catch_up_blocker``). :func:`write_in_scrape_run` applies
  the window itself under a deadline: ``ODDS_SCRAPE_WRITE_BUDGET_S`` and at the latest
  ``SCRAPE_WRITE_MARGIN_S`` before the window ends, with tight connect / lock / statement timeouts and a
  client-side cut of the connection (``odds_assets.db.deadline``) for a server that stops answering.
  Anything that stops it leaves the window unmaterialised, with one log line saying why, and never fails
  the run: a slow or frozen database costs the scrape run at most its budget, inside its window, so the
  bookmaker's next scrape starts on time;
- write runs (``write_odds_job``, from the write sensor; backfills; runs by hand) for every other window,
  as below. A scrape run launched by hand or a scrape backfill writes nothing here.

Window order per bookmaker: each window depends on the same bookmaker's previous window (a
self-dependency), the write sensor requests windows oldest first, never two runs per bookmaker at once
and never a window whose scrape run is still in flight, a scrape run writes only when nothing earlier
waits, and a range run (backfill, catch-up) applies its windows in order. A window older than what
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

import time
from collections.abc import Iterator
from datetime import datetime, timezone

import dagster as dg

from odds_assets import catchup
from odds_assets.archive import Archive
from odds_assets.db.deadline import connection_deadline
from odds_assets.db.engine import apply_snapshot
from odds_assets.db.partitions import maintain_partitions
from odds_assets.defs.common.constants import (
    CURRENT_KEY,
    GROUP_MAINTENANCE,
    GROUP_MARKETS,
    ODDS_DB_POOL,
    SCRAPE_JOB,
    SCRAPE_WRITE_TAG,
    SNAPSHOT_KEY,
)
from odds_assets.defs.common.io_managers import ScrapedWindow, WindowWrite
from odds_assets.defs.common.partitions import previous_window_mapping
from odds_assets.defs.common.policy import failure_policy, retry_policy
from odds_assets.defs.common.resources import OddsArchiveResource, OddsDatabaseResource
from odds_assets.defs.markets.pending import catch_up_blocker
from odds_assets.errors import is_transient
from odds_assets.quality import completeness
from odds_assets.scrape import previous_summary
from odds_assets.settings import PipelineSettings
from odds_assets.windows import WINDOW_FMT, retention_start, split_key, window_end

__all__ = ["build_current_odds", "build_odds_retention", "window_write", "write_in_scrape_run"]

#: a scrape run's own write ends this many seconds before its window does (the run then ends, freeing
#: the bookmaker's scrape slot for the next window's run), and is not tried with less than
#: SCRAPE_WRITE_MIN_S left
SCRAPE_WRITE_MARGIN_S, SCRAPE_WRITE_MIN_S = 3.0, 2.0


def build_current_odds(settings: PipelineSettings, partitions_def: dg.MultiPartitionsDefinition
                       ) -> dg.AssetsDefinition:
    min_ratio = settings.quality.completeness_min_ratio
    window_dim = next(d.partitions_def for d in partitions_def.partitions_defs if d.name == "window")
    assert isinstance(window_dim, dg.TimeWindowPartitionsDefinition)
    first_window = window_dim.start.strftime(WINDOW_FMT)

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
        # no pool: a scrape run's own write must never wait for a slot (the write runs are bounded by the
        # run queue instead, odds/db_writer in dagster.yaml)
        output_required=False,  # a scrape run that leaves its window to the write sensor
    )
    def current_odds(context: dg.AssetExecutionContext, archive: OddsArchiveResource,
                     odds_db: OddsDatabaseResource) -> Iterator[dg.Output[list[WindowWrite]]]:
        """One current row per event × bookmaker × market × line in market_odds_current, and a history
        row in market_odds_history per market change (PostgreSQL), written per window in window order."""
        arch = archive.archive()
        if context.job_def.name == SCRAPE_JOB:
            written = write_in_scrape_run(context, settings, arch, odds_db, first_window)
            if written is not None:
                yield dg.Output([written])
            return
        last_try = context.retry_number >= settings.retry_max
        yield dg.Output([window_write(context, arch, key, min_ratio, last_try)
                         for key in sorted(context.partition_keys, key=split_key)])

    return current_odds


def window_write(context: dg.AssetExecutionContext, arch: Archive, key: str, min_ratio: float,
                 last_try: bool) -> WindowWrite:
    """What to do with one window: its archived snapshot to apply, or why it is not written (held back by
    the completeness gate; failed for good when unreadable on the last try — earlier tries re-raise a
    transient error, for the retry policy)."""
    book, start = split_key(key)
    w = arch.window(book, start)
    try:
        item = ScrapedWindow(w.read_snapshot(), w.read_summary())
    except Exception as exc:
        if is_transient(exc) and not last_try:
            raise  # retried with backoff (the archive's storage hiccuping)
        reason = f"archived snapshot unreadable at {w.url}, nothing written: {type(exc).__name__}: {exc}"
        context.log.error(f"{key}: {reason}")
        return WindowWrite(key, None, reason[:1000], failed=True)
    with failure_policy(f"{key}: cannot read the previous window's summary"):
        previous = previous_summary(arch, book, start)
    verdict = completeness(item.summary, previous, min_ratio)
    if verdict.ok:
        return WindowWrite(key, item.snapshot)
    context.log.warning(f"{key}: blocked by completeness, nothing written: {verdict.reason}")
    return WindowWrite(key, None, verdict.reason)


def write_in_scrape_run(context: dg.AssetExecutionContext, settings: PipelineSettings, arch: Archive,
                        odds_db: OddsDatabaseResource, first_window: str) -> WindowWrite | None:
    """A scheduled scrape run writes its own window when its bookmaker is caught up, within a budget that
    ends before its window does; the window applied, or None when it is left to the write sensor. Never
    raises: whatever goes wrong (not caught up, too late in the window, a slow or frozen database, an
    unreadable or blocked snapshot) only leaves the window to the write sensor, which catches it up once
    this run has ended — the scrape run and its checks do not fail for it."""
    keys = context.partition_keys
    if SCRAPE_WRITE_TAG not in context.run.tags or len(keys) != 1:
        context.log.info("not a scheduled scrape run of one window: its write is left to the write sensor")
        return None
    key = keys[0]
    book, start = split_key(key)

    def leave(why: str) -> None:
        context.log.warning(f"{key}: not written by the scrape run ({why}); the write sensor writes it")

    budget = settings.scrape_write_budget_s
    if budget <= 0:
        context.log.info(f"{key}: the scrape run's write is off (ODDS_SCRAPE_WRITE_BUDGET_S=0)")
        return None
    now = catchup.clock()
    # the run must end before its window does: the next window's scrape needs the bookmaker's scrape slot
    left = min(float(budget), window_end(settings, start).timestamp() - SCRAPE_WRITE_MARGIN_S - now)
    if left < SCRAPE_WRITE_MIN_S:
        leave(f"{max(0.0, left):.1f} s left before the window ends")
        return None
    blocker = catch_up_blocker(context.instance, SNAPSHOT_KEY, CURRENT_KEY, first_window, book,
                               start.strftime(WINDOW_FMT))
    if blocker:
        leave(f"not caught up: {blocker}")
        return None
    deadline = time.monotonic() + left
    try:
        item = window_write(context, arch, key, settings.quality.completeness_min_ratio, last_try=True)
        if item.snapshot is None:
            leave(f"not applicable here: {item.blocked}")
            return None
        left = deadline - time.monotonic()
        # libpq's connect_timeout is whole seconds, at least 2; the server's timeouts end inside the
        # budget, and the client's deadline bounds what they cannot (a frozen server)
        tag = f"scrape-write {context.run.run_id[:8]}"
        with odds_db.connect(tag=tag, connect_timeout_s=max(2, min(5, int(left / 3))),
                             statement_timeout_s=max(1.0, left), lock_timeout_s=max(1.0, min(5.0, left / 3))) as conn, \
                connection_deadline(conn, deadline - time.monotonic()):
            t1 = time.perf_counter()
            result = apply_snapshot(conn, item.snapshot)
            ms = (time.perf_counter() - t1) * 1000
    except Exception as exc:  # noqa: BLE001 - the window is the write sensor's now; nothing here may fail the scrape run
        leave(f"{type(exc).__name__}: {str(exc).strip()[:300]}")
        return None
    context.log.info(f"{key}: written by the scrape run in {ms:.0f} ms (the budget was {budget} s)")
    return WindowWrite(key, item.snapshot, applied=result, ms=ms)


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
