"""Per-partition checks of the window analytics (ERROR; each reads the stored state as of its window):

- ``fair_probabilities_sum`` on ``fair_prices``: every instance's fair probabilities sum to its market
  type's k (1; 2 for double chance and its combinations) within 1e-9;
- ``edge_range`` on ``fair_prices``: no edge outside (−1, 1);
- ``episodes_ordered`` on ``exposure``: every episode closed at the window started before it ended.
"""

from datetime import datetime, timezone

import dagster as dg

from odds_assets.db.analytics_window import episodes_closed_at, fair_state_at, fair_sums_off
from odds_assets.defs.common.resources import OddsDatabaseResource
from odds_assets.windows import WINDOW_FMT

__all__ = ["build_window_analytics_checks"]


def _starts(context: dg.AssetCheckExecutionContext) -> list[datetime]:
    return sorted(datetime.strptime(k, WINDOW_FMT).replace(tzinfo=timezone.utc) for k in context.partition_keys)


def build_window_analytics_checks(partitions_def: dg.TimeWindowPartitionsDefinition, fair_prices: dg.AssetsDefinition,
                                  exposure: dg.AssetsDefinition) -> list[dg.AssetChecksDefinition]:
    @dg.asset_check(asset=fair_prices, name="fair_probabilities_sum", partitions_def=partitions_def,
                    description="Every market's fair probabilities sum to its rule's k (1; 2 for double chance) "
                                "within 1e-9 (ERROR).")
    def fair_probabilities_sum(context: dg.AssetCheckExecutionContext, odds_db: OddsDatabaseResource
                               ) -> dg.AssetCheckResult:
        bad: list[dict[str, object]] = []
        checked = 0
        with odds_db.connect("analytics") as conn:
            for start in _starts(context):
                n, off = fair_sums_off(fair_state_at(conn, start))
                checked += n
                bad += off
        return dg.AssetCheckResult(passed=not bad, severity=dg.AssetCheckSeverity.ERROR,
                                   metadata={"instances": checked, "off": len(bad),
                                             "examples": dg.MetadataValue.json(bad[:10])},
                                   description=f"{len(bad)} of {checked} instances off by more than 1e-9")

    @dg.asset_check(asset=fair_prices, name="edge_range", partitions_def=partitions_def,
                    description="No BetPawa edge outside (-1, 1) (ERROR).")
    def edge_range(context: dg.AssetCheckExecutionContext, odds_db: OddsDatabaseResource) -> dg.AssetCheckResult:
        outside = 0
        edges = 0
        worst = 0.0
        with odds_db.connect("analytics") as conn:
            for start in _starts(context):
                e = fair_state_at(conn, start)["edge"].dropna()
                edges += len(e)
                outside += int(((e <= -1) | (e >= 1)).sum())
                worst = max(worst, float(e.abs().max()) if len(e) else 0.0)
        return dg.AssetCheckResult(passed=outside == 0, severity=dg.AssetCheckSeverity.ERROR,
                                   metadata={"edges": edges, "outside": outside, "max_abs_edge": worst},
                                   description=f"{outside} of {edges} edges outside (-1, 1)")

    @dg.asset_check(asset=exposure, name="episodes_ordered", partitions_def=partitions_def,
                    description="Every exposure episode closed at the window started before it ended (ERROR).")
    def episodes_ordered(context: dg.AssetCheckExecutionContext, odds_db: OddsDatabaseResource) -> dg.AssetCheckResult:
        closed = 0
        bad = 0
        with odds_db.connect("analytics") as conn:
            for start in _starts(context):
                n, b = episodes_closed_at(conn, start)
                closed += n
                bad += b
        return dg.AssetCheckResult(passed=bad == 0, severity=dg.AssetCheckSeverity.ERROR,
                                   metadata={"closed": closed, "not_ordered": bad},
                                   description=f"{bad} of {closed} episodes closed here end at or before their start")

    return [fair_probabilities_sum, edge_range, episodes_ordered]
