"""Schedules and sensors: the scrape schedule requests one run per bookmaker for the window that opens
at the tick; the write sensor requests the earliest pending window per bookmaker (a range when behind),
skips bookmakers with a write in flight, backs off after failures; the run-failure sensor logs one line
with bookmaker, window and cause; the freshness sensor reports the check per bookmaker."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import dagster as dg
import pytest

from odds_assets.catchup import backoff_s
from odds_assets.defs.common.partitions import partition_key
from odds_assets.models import BOOKMAKERS

from ._dagster import meta, partition_keys
from .conftest import STEP, T0, Pipeline, settings_for_test


def _clock_at(monkeypatch: pytest.MonkeyPatch, t: datetime) -> None:
    monkeypatch.setattr("odds_assets.catchup.clock", lambda: t.timestamp())


def test_scrape_schedule_requests_one_run_per_bookmaker_for_the_opening_window(
        pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    schedule = pipeline.defs.get_schedule_def("scrape_odds_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.cron_schedule == "*/5 * * * *"
    tick = T0 + 2 * STEP
    _clock_at(monkeypatch, tick + timedelta(seconds=2))  # the tick evaluated as its window opens
    ctx = dg.build_schedule_context(instance=pipeline.instance, scheduled_execution_time=tick,
                                    repository_def=pipeline.defs.get_repository_def())
    requests = schedule.evaluate_tick(ctx).run_requests
    assert requests is not None
    assert sorted(partition_keys(requests)) == sorted(str(partition_key(b, tick)) for b in BOOKMAKERS)
    assert {r.tags["dagster/partition/bookmaker"] for r in requests} == set(BOOKMAKERS)
    assert all(r.tags["odds/scrape_slot"] == r.tags["odds/bookmaker"] for r in requests)
    assert not any("odds/write_slot" in r.tags for r in requests)


def test_schedule_at_one_minute_cadence(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    from .conftest import make_defs

    defs = make_defs(settings_for_test(cadence_minutes=1), pipeline.archive_url, pipeline.db_url, pipeline.sim_url)
    schedule = defs.get_schedule_def("scrape_odds_schedule")
    assert schedule.cron_schedule == "*/1 * * * *"
    tick = T0 + timedelta(minutes=7)
    _clock_at(monkeypatch, tick + timedelta(seconds=59))  # still open, one second before its end
    ctx = dg.build_schedule_context(instance=pipeline.instance, scheduled_execution_time=tick,
                                    repository_def=defs.get_repository_def())
    requests = schedule.evaluate_tick(ctx).run_requests or []
    assert sorted(partition_keys(requests)) == sorted(str(partition_key(b, tick)) for b in BOOKMAKERS)


def test_write_sensor_requests_earliest_pending_windows_in_order(pipeline: Pipeline) -> None:
    sensor = pipeline.defs.get_sensor_def("write_odds_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert not pipeline.sensor("write_odds_sensor").run_requests  # nothing landed yet
    pipeline.scrape("betpawa", T0)
    pipeline.scrape("betpawa", T0 + STEP)
    pipeline.scrape("sportybet", T0)
    result = pipeline.sensor("write_odds_sensor")
    by_book = {r.tags["odds/bookmaker"]: r for r in result.run_requests}
    assert set(by_book) == {"betpawa", "sportybet"}
    bp = by_book["betpawa"]  # behind by two windows: one range run, in window order
    assert bp.partition_key is None
    assert bp.tags["dagster/asset_partition_range_start"] == str(partition_key("betpawa", T0))
    assert bp.tags["dagster/asset_partition_range_end"] == str(partition_key("betpawa", T0 + STEP))
    assert "dagster/partition/bookmaker" not in bp.tags  # Dagster would read it as the run's partition
    assert by_book["sportybet"].partition_key == str(partition_key("sportybet", T0))
    assert all(r.tags["odds/write_slot"] == book and "odds/scrape_slot" not in r.tags for book, r in by_book.items())
    for req in result.run_requests:
        run = pipeline.run_request("write_odds_job", req, raise_on_error=True)
        assert run.success
    with pipeline.conn() as conn:
        applied = conn.execute("SELECT captured_at FROM snapshots WHERE bookmaker = 1 ORDER BY applied_at").fetchall()
    assert [t for (t,) in applied] == sorted(t for (t,) in applied) and len(applied) == 2
    assert not pipeline.sensor("write_odds_sensor").run_requests  # all written

    # a gap (no snapshot for T0+2) ends a range: T0+3 waits until the chain reaches it
    pipeline.scrape("betpawa", T0 + 3 * STEP)
    pipeline.scrape("betpawa", T0 + 4 * STEP)
    [req] = pipeline.sensor("write_odds_sensor").run_requests
    assert req.tags["dagster/asset_partition_range_start"] == str(partition_key("betpawa", T0 + 3 * STEP))


def test_write_sensor_skips_a_bookmaker_with_a_write_in_flight(pipeline: Pipeline) -> None:
    pipeline.scrape("bet9ja", T0)
    pipeline.instance.add_run(dg.DagsterRun(job_name="write_odds_job", run_id="0" * 36,
                                            status=dg.DagsterRunStatus.STARTED,
                                            tags={"odds/bookmaker": "bet9ja"}))
    result = pipeline.sensor("write_odds_sensor")
    assert not result.run_requests
    assert "bet9ja: a write run is in progress" in (result.skip_reason.skip_message or "")


def test_backoff_grows_exponentially_and_is_capped() -> None:
    s = settings_for_test(write_backoff_base_s=15, write_backoff_cap_s=300)
    assert [backoff_s(n, s) for n in range(7)] == [0, 15, 30, 60, 120, 240, 300]
    # never more than one cadence: at 1-minute windows the writes catch up within a minute of recovery
    one = settings_for_test(cadence_minutes=1, write_backoff_base_s=15, write_backoff_cap_s=300)
    assert [backoff_s(n, one) for n in range(5)] == [0, 15, 30, 60, 60]


def test_run_failure_sensor_logs_one_line(pipeline: Pipeline, caplog: pytest.LogCaptureFixture) -> None:
    result = pipeline.scrape("bet9ja", T0, at=T0 + 3 * STEP, raise_on_error=False)  # past, no archive
    [line] = pipeline.failure_lines(result, caplog)
    window = T0.strftime("%Y-%m-%d-%H:%M")
    assert line.startswith(f"odds run failed: job=scrape_odds_job bookmaker=bet9ja window={window} ")
    assert "in the past and has no archive" in line


def test_freshness_sensor_reports_per_bookmaker(pipeline: Pipeline, caplog: pytest.LogCaptureFixture) -> None:
    pipeline.scrape("betpawa", T0)
    pipeline.write("betpawa", T0)
    with caplog.at_level(logging.WARNING, logger="odds_assets.sensors"):
        pipeline.sensor("odds_freshness_sensor")
    stale = sorted(r.getMessage().split()[2] for r in caplog.records if r.name == "odds_assets.sensors")
    assert stale == ["bet9ja", "sportybet"]  # betpawa was just written
    key = dg.AssetCheckKey(dg.AssetKey("current_odds"), "freshness")
    record = pipeline.instance.event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
    assert record.event is not None and record.event.dagster_event is not None
    evaluation = record.event.dagster_event.asset_check_evaluation_data
    assert evaluation.passed is False and meta(evaluation)["betpawa_age_s"] < 60
