"""What every domain of the code location shares: the partitions, resources, IO managers, error and
retry policy, metadata renderer, names (``constants``) and the run-failure sensor.

:func:`build_common_definitions` gives the resources (production wiring, entries replaceable by tests
and benchmarks) and the executor; ``odds_assets.defs.build_definitions`` merges it with the domains.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg

from odds_assets.defs.common.io_managers import OddsDbIOManager, SnapshotArchiveIOManager
from odds_assets.defs.common.resources import BoardScraperResource, OddsArchiveResource, OddsDatabaseResource
from odds_assets.settings import PipelineSettings

__all__ = ["build_common_definitions", "default_resources"]


def default_resources(settings: PipelineSettings | None = None) -> dict[str, Any]:
    """Production wiring: every connection string from the environment, resolved at launch; the
    database timeouts from ``settings``."""
    settings = settings or PipelineSettings()
    archive = OddsArchiveResource(url=dg.EnvVar("ODDS_ARCHIVE_URL"))
    odds_db = OddsDatabaseResource(url=dg.EnvVar("ODDS_DATABASE_URL"),
                                   statement_timeout_s=settings.db_statement_timeout_s,
                                   lock_timeout_s=settings.db_lock_timeout_s)
    return {
        "archive": archive,
        "scraper": BoardScraperResource(),
        "odds_db": odds_db,
        "snapshot_io_manager": SnapshotArchiveIOManager(archive=archive),
        "odds_db_io_manager": OddsDbIOManager(odds_db=odds_db),
    }


def build_common_definitions(settings: PipelineSettings, resources: Mapping[str, Any] | None = None
                             ) -> dg.Definitions:
    """The resources (``resources`` replaces entries of :func:`default_resources`) and the executor."""
    return dg.Definitions(
        resources={**default_resources(settings), **(resources or {})},
        # runs are small and I/O bound: in-process costs 0.3-0.5 s per run, multiprocess 4-7 s
        executor=dg.in_process_executor,
    )
