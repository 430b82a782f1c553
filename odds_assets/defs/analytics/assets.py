"""``fair_prices`` and ``exposure``: window-level market analytics (one partition per window).

Each window W depends on ``current_odds`` of the three bookmakers' W (Dagster infers the
multi-to-single mapping on the window dimension); ``exposure`` also depends on ``fair_prices`` of W and
on its own previous window (episodes continue from one window to the next). The work is
``odds_assets.db.analytics_window`` (definitions in its docstring): the prices of the three books as of
W from history (so a backfill reads what the live run read), fair prices and BetPawa's edge, written
change-only; exposure episodes opened, continued and closed. A book that wrote nothing in W (held back,
late, down) is read as of its latest earlier board: the window is computed with what is there. Range
runs (catch-up, backfills) compute their windows in order, each in its own transaction. A window that
follows the asset's newest computed one recomputes only the instances whose inputs changed
(``plan_window``; the others keep their stored values); any other window the whole board. ``exposure``
reuses the state ``fair_prices`` computed for the window in the same run process when nothing was
written since (``planned_state``), else computes it again.
"""

from datetime import datetime, timezone
from typing import Any

import dagster as dg

from odds_assets.db.analytics_window import WindowSettings, exposure_window, fair_window
from odds_assets.defs.common.constants import (
    CURRENT_KEY,
    EXPOSURE_KEY,
    FAIR_PRICES_KEY,
    GROUP_ANALYTICS,
    ODDS_DB_POOL,
)
from odds_assets.defs.common.metadata import render_metadata
from odds_assets.defs.common.policy import failure_policy, retry_policy
from odds_assets.defs.common.resources import OddsDatabaseResource
from odds_assets.settings import PipelineSettings
from odds_assets.windows import WINDOW_FMT, window_end

__all__ = ["build_window_analytics"]


def _windows(context: dg.AssetExecutionContext) -> list[datetime]:
    return sorted(datetime.strptime(k, WINDOW_FMT).replace(tzinfo=timezone.utc) for k in context.partition_keys)


def _top_table(top: list[dict[str, Any]]) -> dg.MetadataValue:
    lines = ["| event | market | line | outcome | kind | edge | BetPawa | fair | since |",
             "|---|---|---|---|---|---|---|---|---|"]
    for t in top:
        edge = t["edge"]
        lines.append(f"| {t['sr_event_id']} | {t['market_id']} | {'' if t['line'] is None else t['line']} | "
                     f"{t['outcome']} | {t['kind']} | {'' if edge is None else f'{float(edge):+.2%}'} | "
                     f"{t['betpawa_odds'] or ''} | {t['fair_odds'] or ''} | {t['since']} |")
    return dg.MetadataValue.md("\n".join(lines) if top else "no open exposure")


def build_window_analytics(settings: PipelineSettings, partitions_def: dg.TimeWindowPartitionsDefinition
                           ) -> tuple[dg.AssetsDefinition, dg.AssetsDefinition]:
    @dg.asset(
        key=FAIR_PRICES_KEY, partitions_def=partitions_def, deps=[dg.AssetDep(CURRENT_KEY)],
        group_name=GROUP_ANALYTICS, kinds={"postgres"}, backfill_policy=dg.BackfillPolicy.single_run(),
        retry_policy=retry_policy(settings), pool=ODDS_DB_POOL,
    )
    def fair_prices(context: dg.AssetExecutionContext, odds_db: OddsDatabaseResource) -> dg.MaterializeResult:
        """Fair prices (competitors' margin removed), BetPawa's edge, best prices and arbitrage per event ×
        market × line × outcome as of the window: fair_prices_current (newest window) and change-only
        fair_prices_history (PostgreSQL; view fair_prices_v)."""
        ws = WindowSettings.from_env()
        per: dict[str, dict[str, object]] = {}
        with odds_db.connect("analytics") as conn:
            for start in _windows(context):
                key = start.strftime(WINDOW_FMT)
                with failure_policy(f"fair_prices {key}"):
                    result = fair_window(conn, start, window_end(settings, start), ws)
                per[key] = result.figures
                context.log.info(f"fair_prices {key}: {result.rows} rows, {result.changed} changed, "
                                 f"{result.removed} removed")
        last = per[max(per)]
        meta = {**last, "method": ws.method, "windows": len(per)}
        return dg.MaterializeResult(metadata=render_metadata(meta))

    @dg.asset(
        key=EXPOSURE_KEY, partitions_def=partitions_def,
        deps=[dg.AssetDep(CURRENT_KEY), dg.AssetDep(FAIR_PRICES_KEY),
              dg.AssetDep(EXPOSURE_KEY, partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1,
                                                                                       end_offset=-1))],
        group_name=GROUP_ANALYTICS, kinds={"postgres"}, backfill_policy=dg.BackfillPolicy.single_run(),
        retry_policy=retry_policy(settings), pool=ODDS_DB_POOL,
    )
    def exposure(context: dg.AssetExecutionContext, odds_db: OddsDatabaseResource) -> dg.MaterializeResult:
        """Exposure episodes of BetPawa outcomes (edge above ODDS_EXPOSURE_EDGE, or a cross-book arbitrage
        against BetPawa): exposure_episodes (PostgreSQL; view exposure_open_v), in window order."""
        ws = WindowSettings.from_env()
        last_meta: dict[str, object] = {}
        with odds_db.connect("analytics") as conn:
            for start in _windows(context):
                key = start.strftime(WINDOW_FMT)
                with failure_policy(f"exposure {key}"):
                    result = exposure_window(conn, start, window_end(settings, start), ws)
                context.log.info(f"exposure {key}: {result.open_episodes} open, +{result.opened} -{result.closed}")
                last_meta = {**result.figures, "exposure_edge": ws.exposure_edge,
                             "top_open_exposures": _top_table(result.top)}
        return dg.MaterializeResult(metadata=render_metadata({**last_meta, "windows": len(context.partition_keys)}))

    return fair_prices, exposure

