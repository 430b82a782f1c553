"""Asset checks of ``odds_snapshot``, evaluated per partition from the archived summary (cheap: no
snapshot is loaded again). One op runs all five; results are stored per partition (the preview
``partitions_def`` on the specs; a range run stores one result for the whole range).

- ``price_bounds``       quarantined outcomes (outside 1.01–1000); ERROR above a share of all outcomes
- ``overround``          instances far from their market type's median overround; WARN
- ``completeness``       truncated listing, or < 50 % of the previous window's complete events; ERROR,
                         blocking (and the same rule gates the write in ``current_odds``)
- ``mapping_coverage``   mapped share of market instances dropped against the previous window; WARN
- ``kickoff_agreement``  kick-off differs from another book's for the same SportRadar id; WARN
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import dagster as dg
from dagster import AssetCheckExecutionContext
import pandas as pd

from odds_assets.archive import Archive
from odds_assets.defs.common.resources import OddsArchiveResource
from odds_assets.defs.common.settings import PipelineSettings, resolved_annotations
from odds_assets.defs.scrape.assets import previous_summary
from odds_assets.defs.scrape.partitions import split_key
from odds_assets.defs.scrape.quality import completeness, kickoff_disagreements
from odds_assets.models import BOOKMAKERS

__all__ = ["SNAPSHOT_CHECKS", "build_snapshot_checks"]

SNAPSHOT_CHECKS = ("price_bounds", "overround", "completeness", "mapping_coverage", "kickoff_agreement")
ERROR, WARN = dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN
_DESCRIPTIONS = {
    "price_bounds": "Outcomes priced outside the bounds are quarantined (inactive, no price); ERROR above a share.",
    "overround": "Market instances far from their market type's median overround on this board (WARN).",
    "completeness": "A truncated listing or < 50 % of the previous window's complete events blocks the write.",
    "mapping_coverage": "Mapped share of market instances dropped against the previous window (WARN).",
    "kickoff_agreement": "Kick-off differs from another book's for the same SportRadar id (WARN).",
}


def _other_books_events(archive: Archive, book: str, start: datetime) -> dict[str, pd.DataFrame]:
    """Events of the other books in the same window (or their latest earlier one)."""
    out: dict[str, pd.DataFrame] = {}
    for other in BOOKMAKERS:
        if other == book:
            continue
        w = archive.window(other, start)
        if not w.has_snapshot():
            w = next(archive.previous_windows(other, start, limit=1), None)  # type: ignore[assignment]
        if w is not None:
            out[other] = w.read_snapshot().events
    return out


def evaluate(settings: PipelineSettings, archive: Archive, key: str) -> dict[str, tuple[bool, dict[str, Any], str]]:
    """(passed, metadata, description) per check for one partition."""
    book, start = split_key(key)
    w = archive.window(book, start)
    s = w.read_summary()
    prev = previous_summary(archive, book, start)
    res: dict[str, tuple[bool, dict[str, Any], str]] = {}

    share = s["quarantined_outcomes"] / s["outcomes"] if s["outcomes"] else 0.0
    res["price_bounds"] = (share <= settings.quarantine_error_share, {
        "quarantined_outcomes": s["quarantined_outcomes"], "quarantined_markets": s["quarantined_markets"],
        "outcomes": s["outcomes"], "share": round(share, 6), "threshold": settings.quarantine_error_share,
        "bounds": dg.MetadataValue.json(s["price_bounds"]), "samples": dg.MetadataValue.json(s["quarantine_samples"]),
    }, f"{s['quarantined_outcomes']} outcomes outside {s['price_bounds'][0]}–{s['price_bounds'][1]} quarantined")

    out_share = s["overround_out_share"]
    res["overround"] = (out_share <= settings.overround_warn_share, {
        "priced_instances": s["overround_priced"], "out_of_band": s["overround_out_of_band"],
        "out_share": out_share, "band": settings.overround_band,
        "worst_market_types": dg.MetadataValue.json(s["overround_by_market"]),
    }, f"{s['overround_out_of_band']} of {s['overround_priced']} priced instances outside their market type's band")

    v = completeness(s, prev, settings.completeness_min_ratio)
    res["completeness"] = (v.ok, {
        "listed": s["listed"], "listing_complete": s["listing_complete"], "events_complete": v.events,
        "previous_events_complete": v.previous_events if v.previous_events is not None else -1,
        "ratio": round(v.ratio, 4) if v.ratio is not None else -1.0, "min_ratio": settings.completeness_min_ratio,
        "events_failed": s["events_failed"], "failure_reasons": dg.MetadataValue.json(s["failure_reasons"]),
    }, v.reason if not v.ok else f"{v.events} complete events of {s['listed']} listed")

    cov, prev_cov = s.get("mapping_coverage"), (prev or {}).get("mapping_coverage")
    drop = (prev_cov - cov) if cov is not None and prev_cov is not None else 0.0
    res["mapping_coverage"] = (drop <= settings.coverage_drop_warn, {
        "coverage": cov if cov is not None else -1.0, "previous_coverage": prev_cov if prev_cov is not None else -1.0,
        "drop": round(drop, 4), "instances_total": s["instances_total"], "instances_mapped": s["instances_mapped"],
    }, f"mapping coverage {cov} (previous {prev_cov})")

    kick = kickoff_disagreements(w.read_snapshot().events, _other_books_events(archive, book, start),
                                 settings.kickoff_tolerance_minutes)
    res["kickoff_agreement"] = (kick["disagreeing"] == 0, {
        "compared": kick["compared"], "disagreeing": kick["disagreeing"],
        "tolerance_minutes": settings.kickoff_tolerance_minutes,
        "samples": dg.MetadataValue.json(kick["samples"]),
    }, f"{kick['disagreeing']} of {kick['compared']} shared events disagree on kick-off")
    return res


def build_snapshot_checks(settings: PipelineSettings, partitions_def: dg.MultiPartitionsDefinition,
                          odds_snapshot: dg.AssetsDefinition) -> dg.AssetChecksDefinition:
    severity = {"price_bounds": ERROR, "overround": WARN, "completeness": ERROR, "mapping_coverage": WARN,
                "kickoff_agreement": WARN}
    specs = [dg.AssetCheckSpec(name, asset=odds_snapshot.key, partitions_def=partitions_def,
                               blocking=(name == "completeness"), description=_DESCRIPTIONS[name])
             for name in SNAPSHOT_CHECKS]

    @dg.multi_asset_check(name="odds_snapshot_checks", specs=specs)
    @resolved_annotations
    def odds_snapshot_checks(context: AssetCheckExecutionContext, archive: OddsArchiveResource
                             ) -> Iterator[dg.AssetCheckResult]:
        arch = archive.archive()
        results = {key: evaluate(settings, arch, key) for key in context.partition_keys}
        for name in SNAPSHOT_CHECKS:
            if len(results) == 1:
                passed, meta, desc = next(iter(results.values()))[name]
            else:  # range run: one result for the range (Dagster stores it without a partition)
                failing = [k for k, r in results.items() if not r[name][0]]
                passed, desc = not failing, f"{len(failing)} of {len(results)} windows fail"
                meta = {"failing_partitions": dg.MetadataValue.json(failing[:50])}
            yield dg.AssetCheckResult(asset_key=odds_snapshot.key, check_name=name, passed=passed,
                                      severity=severity[name], metadata=meta, description=desc)

    return odds_snapshot_checks
