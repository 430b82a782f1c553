"""The daily market reports as Dagster assets: ``opening_closing``, ``margin_report``, ``lead_lag``,
``coverage_gaps`` (definitions: ``odds_assets.analytics.daily``; computation and writes:
``odds_assets.db.analytics_daily``), their checks, ``daily_analytics_job`` and ``daily_analytics_schedule``.

- **Partitions**: one per UTC day (``DailyPartitionsDefinition``, ``end_offset=0``: only days that have
  closed), from the day of the window partitions' rolling start (``odds_assets.windows.window_start``), so a
  day is a partition exactly while its windows are: backfillable over that history from the UI.
- **Lineage**: each depends on ``current_odds`` (bookmaker × window); Dagster infers the mapping through
  the window dimension, so day D reads as every book's windows of D (analytics-notes §4c).
- **Automation: a schedule**, ``daily_analytics_schedule`` at 00:30 UTC (on by default, so the demo's
  daemon runs it), materialises the four for the day that just closed. Not ``eager()``: that waits for
  every window of the day of every book, and a window skipped or failed for good (by design, see the
  README's *Operations*) would hold the day back for ever; half an hour leaves the write sensor time to
  write the day's last windows. A day written again later (a backfill of its windows) is refreshed by
  materialising its partition again: each report replaces its day.
- **Checks** (per day; ``closing_fresh`` and ``covers_books`` read the day's latest materialisation's
  metadata, which the run computed from the database; the other two query the report's tables):
  ``closing_fresh`` (WARN below 90 % of closing prices younger than two cadences at kick-off),
  ``covers_books`` on each (ERROR: a book that wrote that day and had input for the report is missing
  from it), ``lags_in_window`` on ``lead_lag`` (ERROR: a median lag outside 0..30 min),
  ``gap_counts_match`` on ``coverage_gaps`` (ERROR: the counts disagree with the detail rows).
- **Metadata**: the report's numbers (rows, per-book figures; ints and floats, which the UI plots over the
  partitions), the books covered and expected, and a Markdown summary.
"""

from datetime import date, datetime, timezone
from typing import Any

import dagster as dg

from odds_assets.analytics.daily import PAIR_WINDOW_S, REPORTS
from odds_assets.db import queries
from odds_assets.db.analytics_daily import DailyResult, run_daily
from odds_assets.defs.common.constants import CURRENT_KEY
from odds_assets.defs.common.metadata import render_metadata
from odds_assets.defs.common.policy import failure_policy, retry_policy
from odds_assets.defs.common.resources import OddsDatabaseResource
from odds_assets.settings import PipelineSettings
from odds_assets.windows import window_start

__all__ = ["ANALYTICS_POOL", "GROUP_ANALYTICS", "build_daily_analytics", "daily_partitions"]

GROUP_ANALYTICS = "analytics"
#: the daily reports' own pool, so a long report never holds a slot of the database writers' pool
ANALYTICS_POOL = "odds_analytics"
#: the closing-price freshness check WARNs below this share
CLOSING_FRESH_MIN = 0.9
SCHEDULE_CRON = "30 0 * * *"


def daily_partitions(settings: PipelineSettings, *, now: datetime | None = None) -> dg.DailyPartitionsDefinition:
    """UTC days from the day of the window partitions' rolling start up to the last closed day."""
    start = window_start(settings, now or datetime.now(timezone.utc))
    return dg.DailyPartitionsDefinition(start_date=start.strftime("%Y-%m-%d"), timezone="UTC", end_offset=0)


def _result_metadata(result: DailyResult) -> dict[str, dg.MetadataValue]:
    return render_metadata({
        **result.figures, "seconds": round(result.seconds, 2),
        "books_covered": list(result.books_covered), "books_expected": list(result.books_expected),
        "summary": dg.MetadataValue.md(result.summary)})


def _build_report(settings: PipelineSettings, partitions_def: dg.DailyPartitionsDefinition, report: str,
                  description: str) -> dg.AssetsDefinition:
    @dg.asset(name=report, partitions_def=partitions_def, deps=[dg.AssetDep(CURRENT_KEY)], group_name=GROUP_ANALYTICS,
              kinds={"postgres"}, description=description, pool=ANALYTICS_POOL, retry_policy=retry_policy(settings),
              backfill_policy=dg.BackfillPolicy.multi_run(1))
    def _asset(context: dg.AssetExecutionContext, odds_db: OddsDatabaseResource) -> dg.MaterializeResult:
        day = date.fromisoformat(context.partition_key)
        with failure_policy(f"{report} {day}"), odds_db.connect(f"{report} {day}") as conn:
            result = run_daily(conn, report, day, cadence_s=settings.cadence_seconds)
        context.log.info(f"{report} {day}: {result.rows} rows in {result.seconds:.1f} s")
        return dg.MaterializeResult(metadata=_result_metadata(result))

    return _asset


DESCRIPTIONS = {
    "opening_closing": "Per event x book x market x line x outcome of the events kicking off that day: the first "
                       "bettable price and when, the last before kick-off, when it was last seen and its age "
                       "(low confidence beyond two cadences). View: opening_closing_v.",
    "margin_report": "Per day x book x competition x market type x time to kick-off (7d+, 3-7d, 24-72h, <24h): "
                     "observed market states, mean/median/min/max margin by the catalogue's rule. "
                     "View: margin_report_v.",
    "lead_lag": "Per day x book pair x market type: paired moves (>= 1 % of the fair probability, same outcome and "
                "direction, within 30 min), who moved first, ties, median lag. View: lead_lag_v.",
    "coverage_gaps": "Per day x competition x competitor: events listed by one of it and BetPawa only, markets the "
                     "competitor offers for shared events and BetPawa does not. Views: coverage_gaps_v, "
                     "coverage_gap_details_v.",
}


def _latest_metadata(context: dg.AssetCheckExecutionContext, key: dg.AssetKey) -> dict[str, Any]:
    """The metadata of the checked partition's latest materialisation, as plain values."""
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[context.partition_key]), limit=1, ascending=False)
    if not records.records:
        return {}
    mat = records.records[0].asset_materialization
    return {k: v.value for k, v in mat.metadata.items()} if mat is not None else {}


def _covers_books(asset: dg.AssetsDefinition, partitions_def: dg.DailyPartitionsDefinition
                  ) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=asset, name="covers_books", partitions_def=partitions_def, blocking=False,
                    description="Every book that wrote that day (with input for this report) is in it (ERROR).")
    def covers_books(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        meta = _latest_metadata(context, asset.key)
        expected = list(meta.get("books_expected") or [])
        covered = list(meta.get("books_covered") or [])
        missing = [b for b in expected if b not in covered]
        return dg.AssetCheckResult(
            passed=not missing, severity=dg.AssetCheckSeverity.ERROR,
            metadata={"expected": dg.MetadataValue.json(expected), "covered": dg.MetadataValue.json(covered)},
            description=f"missing: {', '.join(missing)}" if missing else f"{len(expected)} book(s) covered")

    return covers_books


def _checks(assets: dict[str, dg.AssetsDefinition], partitions_def: dg.DailyPartitionsDefinition,
            settings: PipelineSettings) -> list[dg.AssetChecksDefinition]:
    opening = assets["opening_closing"]
    lead = assets["lead_lag"]
    gaps = assets["coverage_gaps"]

    @dg.asset_check(asset=opening, name="closing_fresh", partitions_def=partitions_def,
                    description="At least 90 % of the day's closing prices were seen within two cadences of "
                                "kick-off (WARN).")
    def closing_fresh(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        meta = _latest_metadata(context, opening.key)
        share = float(meta.get("closing_fresh_share", 1.0))
        n = int(meta.get("closing_prices", 0))
        return dg.AssetCheckResult(
            passed=share >= CLOSING_FRESH_MIN, severity=dg.AssetCheckSeverity.WARN,
            metadata={"closing_fresh_share": share, "closing_prices": n, "max_age_s": 2 * settings.cadence_seconds},
            description=f"{share:.1%} of {n} closing prices younger than {2 * settings.cadence_seconds} s at kick-off")

    @dg.asset_check(asset=lead, name="lags_in_window", partitions_def=partitions_def,
                    description="Every median lag lies within 0 .. 30 minutes (ERROR).")
    def lags_in_window(context: dg.AssetCheckExecutionContext, odds_db: OddsDatabaseResource) -> dg.AssetCheckResult:
        with odds_db.connect("lead_lag check") as conn:
            row = conn.execute(queries.load("select_analytics_lead_lag_out_of_window"),
                               {"day": date.fromisoformat(context.partition_key), "window_s": PAIR_WINDOW_S}).fetchone()
        bad = int(row[0]) if row else 0
        return dg.AssetCheckResult(passed=bad == 0, severity=dg.AssetCheckSeverity.ERROR, metadata={"outside": bad},
                                   description=f"{bad} row(s) with a median lag outside 0..{PAIR_WINDOW_S} s")

    @dg.asset_check(asset=gaps, name="gap_counts_match", partitions_def=partitions_def,
                    description="The coverage counts equal the detail rows per competition and competitor (ERROR).")
    def gap_counts_match(context: dg.AssetCheckExecutionContext, odds_db: OddsDatabaseResource
                         ) -> dg.AssetCheckResult:
        with odds_db.connect("coverage_gaps check") as conn:
            row = conn.execute(queries.load("select_analytics_coverage_mismatches"),
                               {"day": date.fromisoformat(context.partition_key)}).fetchone()
        bad = int(row[0]) if row else 0
        return dg.AssetCheckResult(passed=bad == 0, severity=dg.AssetCheckSeverity.ERROR, metadata={"mismatches": bad},
                                   description=f"{bad} competition x competitor row(s) disagree with the details")

    covers = [_covers_books(a, partitions_def) for a in assets.values()]
    return [closing_fresh, lags_in_window, gap_counts_match, *covers]


def build_daily_analytics(settings: PipelineSettings, *, now: datetime | None = None) -> dg.Definitions:
    """The four daily report assets, their checks, the job and the 00:30 UTC schedule."""
    partitions_def = daily_partitions(settings, now=now)
    assets = {r: _build_report(settings, partitions_def, r, DESCRIPTIONS[r]) for r in REPORTS}
    checks = _checks(assets, partitions_def, settings)
    selection = dg.AssetSelection.assets(*assets.values())
    job = dg.define_asset_job("daily_analytics_job", selection=selection,
                              description="The daily market reports of one closed UTC day.")
    schedule = dg.build_schedule_from_partitioned_job(
        job, name="daily_analytics_schedule", hour_of_day=0, minute_of_hour=30,
        default_status=dg.DefaultScheduleStatus.RUNNING)
    return dg.Definitions(assets=list(assets.values()), asset_checks=checks, jobs=[job], schedules=[schedule])
