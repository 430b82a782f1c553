"""Asset checks of ``current_odds``.

- ``current_history_consistency`` (per partition, ERROR): for a random sample of the bookmaker's current
  rows, the latest history row of the same key says the same thing (same outcomes; or no outcomes when
  the market is unavailable). History partitions dropped by retention are allowed to be missing for
  rows not updated within the retention period. In a scrape run that wrote its own window it is bounded
  like that write (``ODDS_SCRAPE_WRITE_BUDGET_S`` and the window's end); a database that stops answering
  in between makes it a WARN "not evaluated", never a failed scrape run.
- ``applied`` (per partition, ERROR, blocking): the window's snapshot was applied, or held back by the
  completeness gate (reported by ``completeness`` on ``odds_snapshot``). It fails for a window that
  failed for good — archived snapshot unreadable, or invalid as a whole — which ``current_odds``
  materialised as not written so the bookmaker's later windows go on: the ERROR makes the write run
  fail, so the run-failure sensor logs one line naming the window and the reason. A backfill of the
  window after the fix writes it.
- ``freshness`` (WARN): every bookmaker's latest write is at most two cadences old. It is evaluated by
  ``odds_freshness_sensor`` every cadence (results reported without a run) and can be run by hand.
"""

from datetime import datetime, timezone
from typing import Any

import dagster as dg
import psycopg

from odds_assets import catchup
from odds_assets.db.consistency import consistency
from odds_assets.db.deadline import connection_deadline
from odds_assets.defs.common.constants import SCRAPE_JOB
from odds_assets.defs.common.resources import OddsDatabaseResource
from odds_assets.models import BOOKMAKERS
from odds_assets.quality import stale_books
from odds_assets.settings import PipelineSettings
from odds_assets.windows import split_key, window_end

__all__ = ["build_current_odds_checks", "freshness_by_book", "freshness_evaluation", "windows_not_written"]


def freshness_by_book(instance: dg.DagsterInstance, asset_key: dg.AssetKey, now: datetime
                      ) -> dict[str, dict[str, Any]]:
    """Latest ``current_odds`` materialisation per bookmaker (from the newest few hundred records)."""
    out: dict[str, dict[str, Any]] = {}
    result = instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=asset_key), limit=300, ascending=False)
    for record in result.records:
        pk = record.partition_key
        if not pk:
            continue
        book, start = split_key(pk)
        if book not in out:
            out[book] = {"last_partition": pk, "written_at": datetime.fromtimestamp(record.timestamp, timezone.utc),
                         "age_s": round(now.timestamp() - record.timestamp, 1)}
    return out


def freshness_evaluation(instance: dg.DagsterInstance, asset_key: dg.AssetKey, settings: PipelineSettings,
                         now: datetime) -> tuple[bool, dict[str, Any], list[str]]:
    """(passed, metadata, stale books) for the freshness check."""
    limit = settings.freshness_max_age_s
    seen = freshness_by_book(instance, asset_key, now)
    stale = stale_books({b: seen[b]["age_s"] if b in seen else None for b in BOOKMAKERS}, limit)
    meta: dict[str, Any] = {"max_age_s": limit}
    for b in BOOKMAKERS:
        meta[f"{b}_age_s"] = seen[b]["age_s"] if b in seen else -1.0
        meta[f"{b}_last_partition"] = seen[b]["last_partition"] if b in seen else ""
    return not stale, meta, stale


def windows_not_written(instance: dg.DagsterInstance, run_id: str, asset_key: dg.AssetKey
                        ) -> dict[str, dict[str, Any]]:
    """The windows a write run materialised as not written: partition -> ``{reason, failed}`` (from the
    ``blocked`` metadata of its materialisations; a range run repeats it on every partition)."""
    out: dict[str, dict[str, Any]] = {}
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=10_000)
    for record in records.records:
        mat = record.event_log_entry.asset_materialization
        if mat is None or mat.asset_key != asset_key:
            continue
        blocked = mat.metadata.get("blocked")
        entries = blocked.value if blocked is not None else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and "partition" in entry:
                out[str(entry["partition"])] = {"reason": entry.get("reason"), "failed": bool(entry.get("failed"))}
    return out


def build_current_odds_checks(settings: PipelineSettings, partitions_def: dg.MultiPartitionsDefinition,
                              current_odds: dg.AssetsDefinition) -> list[dg.AssetChecksDefinition]:
    @dg.asset_check(asset=current_odds, name="current_history_consistency", partitions_def=partitions_def,
                    description="Sampled current rows equal the latest history row of their key (ERROR).")
    def current_history_consistency(context: dg.AssetCheckExecutionContext, odds_db: OddsDatabaseResource
                                    ) -> dg.AssetCheckResult:
        books = sorted({split_key(k)[0] for k in context.partition_keys})
        per: dict[str, dict[str, Any]] = {}
        if context.job_def.name == SCRAPE_JOB:
            # after the scrape run's own write: bounded like it, and a database that stopped answering
            # since is reported (WARN), never a failed scrape run
            window_ends = [window_end(settings, split_key(k)[1]).timestamp() for k in context.partition_keys]
            left = min(float(settings.scrape_write_budget_s), min(window_ends) - 3.0 - catchup.clock())
            try:
                with odds_db.connect(tag=f"scrape-check {context.run.run_id[:8]}", connect_timeout_s=2,
                                     statement_timeout_s=max(1.0, left), lock_timeout_s=2.0) as conn, \
                        connection_deadline(conn, max(1.0, left)):
                    for book in books:
                        per[book] = consistency(conn, book, settings.consistency_sample, settings.retention_days)
            except psycopg.OperationalError as exc:  # timeouts, the deadline's cut, no connection
                why = f"not evaluated: the database did not answer in the scrape run's budget: {type(exc).__name__}"
                context.log.warning(f"current_history_consistency {why}: {exc}")
                return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN, description=why,
                                           metadata={"evaluated": False})
        else:
            with odds_db.connect() as conn:
                for book in books:
                    per[book] = consistency(conn, book, settings.consistency_sample, settings.retention_days)
        differing = sum(p["differing"] + p["missing_history"] for p in per.values())
        return dg.AssetCheckResult(
            passed=differing == 0, severity=dg.AssetCheckSeverity.ERROR,
            metadata={"sampled": sum(p["sampled"] for p in per.values()), "differing": differing,
                      "samples": dg.MetadataValue.json({b: p["samples"] for b, p in per.items()})},
            description=f"{differing} of {sum(p['sampled'] for p in per.values())} sampled keys disagree")

    @dg.asset_check(asset=current_odds, name="applied", partitions_def=partitions_def, blocking=True,
                    description="The window was applied (or held back by the completeness gate); ERROR when it "
                                "failed for good (unreadable, invalid as a whole) and was passed over.")
    def applied(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        keys = set(context.partition_keys)
        recorded = windows_not_written(context.instance, context.run.run_id, current_odds.key)
        not_written = {k: v for k, v in recorded.items() if k in keys}
        failed = {k: v["reason"] for k, v in not_written.items() if v["failed"]}
        held = sorted(k for k, v in not_written.items() if not v["failed"])
        if failed:
            description = "; ".join(f"{k}: {r}" for k, r in sorted(failed.items()))[:2000]
        elif held:
            description = f"{len(held)} window(s) held back by the completeness gate: {', '.join(held[:10])}"
        else:
            description = f"{len(keys)} window(s) applied"
        return dg.AssetCheckResult(
            passed=not failed, severity=dg.AssetCheckSeverity.ERROR, description=description,
            metadata={"windows": len(keys), "failed": dg.MetadataValue.json(failed),
                      "held_back_by_completeness": dg.MetadataValue.json(held)})

    @dg.asset_check(asset=current_odds, name="freshness",
                    description="Every bookmaker's latest write is at most two cadences old (WARN).")
    def freshness(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        passed, meta, stale = freshness_evaluation(context.instance, current_odds.key, settings,
                                                   datetime.now(timezone.utc))
        return dg.AssetCheckResult(passed=passed, severity=dg.AssetCheckSeverity.WARN, metadata=meta,
                                   description="stale: " + ", ".join(stale) if stale else "all books fresh")

    return [current_history_consistency, applied, freshness]
