"""Backfill: 6 windows × 3 bookmakers re-derived from the archive (no network) as one range run per
bookmaker for each asset (what Dagster makes of a single-run backfill of a multi-partitioned asset),
into an empty database, twice: the history is identical, and equals the ground truth window by window."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import pytest

from odds_assets.defs.scrape.partitions import partition_key
from odds_assets.models import BOOKMAKERS

from ..conftest import drop_database, make_database
from .conftest import STEP, T0, Pipeline, history_as_of, history_rows, make_defs, truth_markets


def test_backfill_from_archive_twice_gives_identical_history(pipeline: Pipeline, pg_admin_url: str,
                                                             odds_template_url: str) -> None:
    windows = [T0 + k * STEP for k in range(6)]
    for w in windows:
        pipeline.scrape_all(w)  # live scrapes: archived, never written
    pipeline.app.sim.faults.set({"*": {"500": 1.0}})  # from here on the network would fail
    pipeline.at(windows[-1] + 10 * STEP)

    url = make_database(pg_admin_url, odds_template_url)
    try:
        p = Pipeline(make_defs(pipeline.settings, pipeline.archive_url, url, pipeline.sim_url), pipeline.instance,
                     pipeline.app, pipeline.sim_url, pipeline.archive_url, url, pipeline.settings)

        def backfill() -> list:
            for job in ("scrape_odds_job", "write_odds_job"):
                for book in BOOKMAKERS:
                    tags = {"dagster/asset_partition_range_start": str(partition_key(book, windows[0])),
                            "dagster/asset_partition_range_end": str(partition_key(book, windows[-1]))}
                    result = p.defs.resolve_job_def(job).execute_in_process(instance=p.instance, tags=tags)
                    assert result.success
                    mats = result.get_asset_materialization_events()
                    assert len(mats) == len(windows)  # one per window, recorded per partition
                    if job == "scrape_odds_job":
                        meta = mats[0].event_specific_data.materialization.metadata
                        assert all(w["source"] == "archive" for w in meta["per_window"].value)
            with p.conn() as conn:
                return history_rows(conn)

        first = backfill()
        second = backfill()
        assert first and first == second
        with p.conn() as conn:
            for book in BOOKMAKERS:
                for w in windows:
                    t = w + timedelta(seconds=30)
                    truth = truth_markets(p.app, book, t)
                    assert history_as_of(conn, book, t, {sr for sr, *_ in truth}) == truth
    finally:
        drop_database(pg_admin_url, url)
