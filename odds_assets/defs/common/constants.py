"""Names shared by the Dagster objects of every domain: asset keys, groups, pools and run tags.

The domains (``scrape``, ``markets``) are siblings: they refer to each other's assets by these keys,
never by importing each other.
"""

import dagster as dg

__all__ = [
    "BOOK_TAG",
    "CURRENT_KEY",
    "DB_WRITER_TAG",
    "EXPOSURE_KEY",
    "FAIR_PRICES_KEY",
    "FIRST_TAG",
    "GROUP_ANALYTICS",
    "GROUP_MAINTENANCE",
    "GROUP_MARKETS",
    "GROUP_SCRAPE",
    "MAX_RUNTIME_TAG",
    "ODDS_DB_POOL",
    "RANGE_END_TAG",
    "RANGE_START_TAG",
    "SCRAPE_JOB",
    "SCRAPE_SLOT_TAG",
    "SCRAPE_WRITE_TAG",
    "SKIPPED_TAG",
    "SNAPSHOT_KEY",
    "WINDOWS_TAG",
    "WRITE_JOB",
    "WRITE_SLOT_TAG",
]

#: one bookmaker's board per window, archived (``defs/scrape``)
SNAPSHOT_KEY = dg.AssetKey("odds_snapshot")
#: current odds and change-only history in PostgreSQL (``defs/markets``)
CURRENT_KEY = dg.AssetKey("current_odds")

#: window-level market analytics (``defs/analytics``)
FAIR_PRICES_KEY = dg.AssetKey("fair_prices")
EXPOSURE_KEY = dg.AssetKey("exposure")

GROUP_SCRAPE, GROUP_MARKETS, GROUP_MAINTENANCE = "scrape", "markets", "maintenance"
GROUP_ANALYTICS = "analytics"

#: the scrape job (``defs/scrape``: ``odds_snapshot`` and, for a caught-up bookmaker, ``current_odds`` of
#: the same window) and the write job (``defs/markets``: ``current_odds`` only, driven by the write sensor)
SCRAPE_JOB, WRITE_JOB = "scrape_odds_job", "write_odds_job"

#: bounded number of concurrent maintenance runs on the database (dagster.yaml: ``pools.default_limit``)
ODDS_DB_POOL = "odds_db"

#: the bookmaker of a scrape or write run (also on range runs, which carry no dagster/partition/* tag)
BOOK_TAG = "odds/bookmaker"
#: the run queue allows one active scrape run and, apart, one active write run per value (dagster.yaml):
#: a write waiting on the database never holds a scrape back
SCRAPE_SLOT_TAG, WRITE_SLOT_TAG = "odds/scrape_slot", "odds/write_slot"
#: on every write run: the run queue bounds how many run at once (dagster.yaml), the database writers'
#: bound (a run-level limit, not a pool: a scrape run's own write must never wait for a pool slot)
DB_WRITER_TAG = "odds/db_writer"
#: on the schedule's scrape runs: the run may write its own window when its bookmaker is caught up
#: (``current_odds`` in ``defs/markets/assets.py``); runs by hand and backfills leave it to the write sensor
SCRAPE_WRITE_TAG = "odds/scrape_write"
#: on a scrape run whose window closed before it could start: why it was skipped (cancelled while
#: queued by the schedule, or ended inside the run without scraping); such a run is not a failure
SKIPPED_TAG = "odds/skipped"
#: the first window of a write run (its failures are counted per first window for the backoff)
FIRST_TAG = "odds/first_partition"
#: how many windows a write run applies
WINDOWS_TAG = "odds/windows"
#: Dagster's tags of a range run (a range run carries no ``dagster/partition/*`` tag)
RANGE_START_TAG, RANGE_END_TAG = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"
#: run monitoring fails a run still going after this many seconds
MAX_RUNTIME_TAG = "dagster/max_runtime"
