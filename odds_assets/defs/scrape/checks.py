"""Asset checks of ``odds_snapshot``, evaluated per partition from the archived summary (cheap: no
snapshot is parsed again). One op runs all five; results are stored per partition (the preview
``partitions_def`` on the specs; a range run stores one result for the whole range).

The rules are ``odds_assets.quality`` (:data:`~odds_assets.quality.CHECKS`); here they get their
severity:

- ``price_bounds``       ERROR above a share of quarantined outcomes
- ``overround``          WARN
- ``completeness``       ERROR, blocking (and the same rule gates the write in ``current_odds``)
- ``mapping_coverage``   WARN
- ``kickoff_agreement``  WARN
"""

from collections.abc import Iterator

import dagster as dg

from odds_assets.defs.common.metadata import render_metadata
from odds_assets.defs.common.resources import OddsArchiveResource
from odds_assets.quality import CHECKS
from odds_assets.scrape import check_window
from odds_assets.settings import PipelineSettings
from odds_assets.windows import split_key

__all__ = ["build_snapshot_checks"]

ERROR, WARN = dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN
_SEVERITY = {"price_bounds": ERROR, "overround": WARN, "completeness": ERROR, "mapping_coverage": WARN,
             "kickoff_agreement": WARN}
_DESCRIPTIONS = {
    "price_bounds": "Outcomes priced outside the bounds are quarantined (inactive, no price); ERROR above a share.",
    "overround": "Market instances whose margin is far from their market type's median on this board (WARN).",
    "completeness": "A truncated listing or < 50 % of the previous window's complete events blocks the write.",
    "mapping_coverage": "Mapped share of market instances dropped against the previous window (WARN).",
    "kickoff_agreement": "Kick-off differs from another book's for the same SportRadar id (WARN).",
}


def build_snapshot_checks(settings: PipelineSettings, partitions_def: dg.MultiPartitionsDefinition,
                          odds_snapshot: dg.AssetsDefinition) -> dg.AssetChecksDefinition:
    rules = settings.quality
    specs = [dg.AssetCheckSpec(name, asset=odds_snapshot.key, partitions_def=partitions_def,
                               blocking=(name == "completeness"), description=_DESCRIPTIONS[name])
             for name in CHECKS]

    @dg.multi_asset_check(name="odds_snapshot_checks", specs=specs)
    def odds_snapshot_checks(context: dg.AssetCheckExecutionContext, archive: OddsArchiveResource
                             ) -> Iterator[dg.AssetCheckResult]:
        arch = archive.archive()
        results = {key: check_window(arch, *split_key(key), rules, context.log.warning)
                   for key in context.partition_keys}
        for name in CHECKS:
            if len(results) == 1:
                outcome = next(iter(results.values()))[name]
                passed, meta, desc = outcome.passed, outcome.figures, outcome.description
            else:  # range run: one result for the range (Dagster stores it without a partition)
                failing = [k for k, r in results.items() if not r[name].passed]
                passed, desc = not failing, f"{len(failing)} of {len(results)} windows fail"
                meta = {"failing_partitions": failing[:50]}
            yield dg.AssetCheckResult(asset_key=odds_snapshot.key, check_name=name, passed=passed,
                                      severity=_SEVERITY[name], metadata=render_metadata(meta), description=desc)

    return odds_snapshot_checks
