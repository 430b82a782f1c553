"""``maintain_odds_job`` and ``maintain_odds_schedule``: hourly retention maintenance.

Hourly although the day boundary is what matters: the history partitions ahead, the dropped ones and the
pruned archive days all follow the day on which the partitions' rolling start lies, and every pass is
idempotent, so a missed tick costs nothing.
"""

from __future__ import annotations

import dagster as dg

__all__ = ["build_maintenance"]


def build_maintenance(odds_retention: dg.AssetsDefinition
                      ) -> tuple[dg.UnresolvedAssetJobDefinition, dg.ScheduleDefinition]:
    job = dg.define_asset_job("maintain_odds_job", selection=dg.AssetSelection.assets(odds_retention),
                              description="History partitions ahead, expired ones dropped, archive pruned.")
    schedule = dg.ScheduleDefinition(name="maintain_odds_schedule", job=job, cron_schedule="7 * * * *",
                                     execution_timezone="UTC", default_status=dg.DefaultScheduleStatus.RUNNING)
    return job, schedule
