"""The code location as a whole: it loads (in-process and through ``dagster definitions validate -m
odds_assets.definitions`` with no environment), names and defaults, the bounded partition count after a
simulated year, maintenance, and the consistency and kick-off checks (the archive format and quarantine
are tested in ``test_archive`` and ``test_quality``)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from odds_assets.archive import Archive
from odds_assets.dagster_home import CODE_LOCATION_ARGS
from odds_assets.db.consistency import consistency
from odds_assets.defs import PipelineSettings, build_definitions
from odds_assets.defs.common.partitions import bookmaker_window_partitions, partition_count
from odds_assets.models import BOOKMAKERS

from ._dagster import materializations, meta
from .conftest import T0, Pipeline

REPO = Path(__file__).resolve().parents[2]


def test_validate_loadable_and_names() -> None:
    from odds_assets.definitions import defs

    loaded = defs()
    dg.Definitions.validate_loadable(loaded)
    graph = loaded.resolve_asset_graph()
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} == {
        "odds_snapshot", "current_odds", "odds_retention", "fair_prices", "exposure", "opening_closing",
        "margin_report", "lead_lag", "coverage_gaps"}
    checks = {k.name for k in graph.asset_check_keys}
    assert checks == {"price_bounds", "overround", "completeness", "mapping_coverage", "kickoff_agreement",
                      "current_history_consistency", "applied", "freshness", "fair_probabilities_sum", "edge_range",
                      "episodes_ordered", "closing_fresh", "covers_books", "lags_in_window", "gap_counts_match"}
    assert {j.name for j in loaded.jobs or []} == {"scrape_odds_job", "write_odds_job", "maintain_odds_job",
                                                   "analytics_job", "daily_analytics_job"}
    for name in ("scrape_odds_schedule", "maintain_odds_schedule", "daily_analytics_schedule"):
        assert loaded.get_schedule_def(name).default_status == dg.DefaultScheduleStatus.RUNNING
    for name in ("write_odds_sensor", "odds_freshness_sensor", "odds_run_failure_sensor", "analytics_sensor"):
        assert loaded.get_sensor_def(name).default_status == dg.DefaultSensorStatus.RUNNING
    assert loaded.resolve_job_def("write_odds_job").executor_def.name == "in_process"
    # a scrape run's own write never waits for a pool slot: write runs are bounded by the run queue
    assert not graph.get(dg.AssetKey("current_odds")).pools
    assert graph.get(dg.AssetKey("odds_retention")).pools == {"odds_db"}
    scrape_job = loaded.resolve_job_def("scrape_odds_job")
    assert scrape_job.asset_layer.executable_asset_keys == {dg.AssetKey("odds_snapshot"), dg.AssetKey("current_odds")}
    for key in ("fair_prices", "exposure"):
        assert graph.get(dg.AssetKey(key)).pools == {"odds_db"}
        assert dg.AssetKey("current_odds") in graph.get(dg.AssetKey(key)).parent_keys


def test_dagster_cli_validates_workspace_without_environment(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ODDS_", "DAGSTER_"))}
    env["DAGSTER_HOME"] = str(tmp_path)  # an empty home: no storage configured, nothing to connect to
    (tmp_path / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    out = subprocess.run([str(Path(sys.executable).parent / "dagster"), "definitions", "validate", *CODE_LOCATION_ARGS],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_partition_count_stays_bounded_after_a_year() -> None:
    year_later = datetime(2027, 11, 24, 23, 55, tzinfo=timezone.utc)  # the worst time of day
    for cadence, retention, expected_max in ((5, 14, 3 * 288 * 15), (1, 14, 3 * 1440 * 15)):
        settings = PipelineSettings(cadence_minutes=cadence, retention_days=retention)
        pdef = bookmaker_window_partitions(settings, now=year_later)
        n = partition_count(pdef, year_later)
        assert n <= expected_max and n > expected_max - 3 * 10 and n < 100_000
    # a fixed start one year back would hold 3 × 288 × 365 = 315,360 partitions at 5 minutes
    # a retention that would overflow is shortened to stay under 100,000
    settings = PipelineSettings(cadence_minutes=1, retention_days=60)
    assert partition_count(bookmaker_window_partitions(settings, now=year_later), year_later) < 100_000


def test_maintenance_creates_partitions_and_prunes_archive(pipeline: Pipeline) -> None:
    now = datetime.now(timezone.utc)
    old = (now - timedelta(days=pipeline.settings.retention_days + 3)).replace(hour=12, minute=0)
    Archive(pipeline.archive_url).window("sportybet", old).write_raw([], captured_at=old, started_at=old,
                                                                       finished_at=old)
    result = pipeline.defs.resolve_job_def("maintain_odds_job").execute_in_process(instance=pipeline.instance)
    assert result.success
    maintained = meta(materializations(result)[0])
    assert len(maintained["partitions_created"]) >= 1 and len(maintained["archive_days_pruned"]) == 1
    assert Archive(pipeline.archive_url).days("sportybet") == []


def test_consistency_detects_a_diverging_current_row_and_kickoffs_agree(pipeline: Pipeline) -> None:
    for book in BOOKMAKERS:
        result = pipeline.scrape(book, T0)
        assert pipeline.write(book, T0).success
    kick = {e.check_name: e for e in result.get_asset_check_evaluations()}["kickoff_agreement"]
    assert kick.passed and meta(kick)["compared"] > 0  # bet9ja vs the two others
    with pipeline.conn() as conn:
        assert consistency(conn, "betpawa", 10_000, 14)["differing"] == 0
        conn.execute("UPDATE market_odds_current SET outcomes = 'Yes=9.9' WHERE ctid IN "
                     "(SELECT ctid FROM market_odds_current WHERE bookmaker = 1 LIMIT 3)")
        report = consistency(conn, "betpawa", 10_000, 14)
        assert report["differing"] == 3 and report["samples"]
    # through Dagster: re-running the window (a no-op write) runs the check, which reports ERROR
    write = pipeline.write("betpawa", T0)
    check = {e.check_name: e for e in write.get_asset_check_evaluations()}["current_history_consistency"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR


def test_build_definitions_at_cadence_one() -> None:
    defs = build_definitions(PipelineSettings(cadence_minutes=1), now=T0)
    dg.Definitions.validate_loadable(defs)
    pdef = defs.get_assets_def("odds_snapshot").partitions_def
    assert isinstance(pdef, dg.MultiPartitionsDefinition)
    window_def = next(d.partitions_def for d in pdef.partitions_defs if d.name == "window")
    assert isinstance(window_def, dg.TimeWindowPartitionsDefinition)
    first = window_def.get_first_partition_window()
    assert first is not None
    assert pd.Timedelta(minutes=1) == pd.Timedelta(first.end - first.start)


def test_runs_carry_the_max_runtime_and_the_instance_enforces_it(tmp_path: Path) -> None:
    # a hung run would block its bookmaker (one run per book and job): run monitoring fails it at this
    # tag; a scrape's limit is one cadence unless set, so a hung scrape frees the book for the next window
    settings = PipelineSettings.from_env({"ODDS_RUN_MAX_RUNTIME_S": "123", "ODDS_CADENCE_MINUTES": "2"})
    defs = build_definitions(settings, now=T0)
    assert defs.resolve_job_def("write_odds_job").tags["dagster/max_runtime"] == "123"
    # run monitoring backs the scrape watchdog up a minute later (the watchdog acts at the setting)
    assert defs.resolve_job_def("scrape_odds_job").tags["dagster/max_runtime"] == "180"
    settings = PipelineSettings.from_env({"ODDS_SCRAPE_MAX_RUNTIME_S": "45"})
    assert settings.scrape_max_runtime_s == 45
    assert build_definitions(settings, now=T0).resolve_job_def("scrape_odds_job").tags["dagster/max_runtime"] == "105"
    assert PipelineSettings.from_env({}).run_max_runtime_s == 600
    assert PipelineSettings.from_env({}).scrape_max_runtime_s == 300
    for var in ("ODDS_RUN_MAX_RUNTIME_S", "ODDS_SCRAPE_MAX_RUNTIME_S"):
        for bad in ("5", "ten"):
            with pytest.raises(ValueError, match=var):
                PipelineSettings.from_env({var: bad})
    # the repository's instance settings: monitoring on, queue checked every second, parallel launches
    (tmp_path / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.run_monitoring_enabled and instance.run_monitoring_poll_interval_seconds == 5
        assert isinstance(instance.run_coordinator, dg.QueuedRunCoordinator)
        assert instance.run_coordinator.dequeue_interval_seconds == 1
        run_queue = instance.get_concurrency_config().run_queue_config
        assert run_queue is not None
        limits = run_queue.tag_concurrency_limits
        # scrapes and writes queue apart: one of each per bookmaker, nothing that couples them; at most two
        # write runs at once
        assert sorted((lim["key"], lim["limit"]) for lim in limits) == [
            ("odds/db_writer", 2), ("odds/scrape_slot", 1), ("odds/write_slot", 1)]
        assert all(lim.get("value") == {"applyLimitPerUniqueValue": True} for lim in limits
                   if lim["key"] != "odds/db_writer")


def test_database_timeouts_come_from_the_environment_and_reach_the_connection(odds_db_url: str) -> None:
    from odds_assets.defs.common import default_resources

    settings = PipelineSettings.from_env({"ODDS_DB_STATEMENT_TIMEOUT_S": "45", "ODDS_DB_LOCK_TIMEOUT_S": "7"})
    odds_db = default_resources(settings)["odds_db"]
    assert (odds_db.statement_timeout_s, odds_db.lock_timeout_s) == (45, 7)
    with odds_db.model_copy(update={"url": odds_db_url}).connect() as conn:
        shown = [conn.execute(f"SHOW {name}").fetchone() for name in ("statement_timeout", "lock_timeout",
                                                                        "application_name")]
    assert shown == [("45s",), ("7s",), ("odds_assets",)]
    with pytest.raises(ValueError, match="ODDS_DB_LOCK_TIMEOUT_S=0"):
        PipelineSettings.from_env({"ODDS_DB_LOCK_TIMEOUT_S": "0"})
